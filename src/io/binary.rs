//! word2vec binary: header `n d\n`, then per record the word, one space, `d`
//! little-endian f32 and an optional `\n` (Google's tool and gensim write it).

use std::io::Write;

use rayon::prelude::*;

use super::parse::{assemble, check_word, quote};
use super::text::{parse_header_fields, BOM};
use super::write_parallel;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// Records decoded per parallel task.
const RECORDS_PER_TASK: usize = 4096;

/// Parses a word2vec binary file.
pub(super) fn read(bytes: &[u8], name: &str, progress: &AtomicU64) -> Result<Embeddings> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::malformed(
            name,
            "header",
            "empty file: expected a header line `<count> <dim>`",
        ));
    }
    let Some(nl) = memchr::memchr(b'\n', bytes) else {
        return Err(Error::malformed(
            name,
            "header",
            format!(
                "no newline after the header {}: expected `<count> <dim>`",
                quote(&bytes[..bytes.len().min(40)])
            ),
        ));
    };
    let Some((n, dim)) = parse_header_fields(&bytes[..nl]) else {
        return Err(Error::malformed(
            name,
            "header",
            format!(
                "bad header {}: expected `<count> <dim>`",
                quote(&bytes[..nl])
            ),
        ));
    };
    let vec_bytes = dim
        .checked_mul(4)
        .ok_or_else(|| Error::malformed(name, "header", format!("dimension {dim} is too large")))?;
    // Sequential scan for the record boundaries: (word start, word end); the
    // vector follows the space after the word.
    let mut records: Vec<(usize, usize)> =
        Vec::with_capacity(n.min(bytes.len() / vec_bytes.saturating_add(2) + 1));
    let mut pos = nl + 1;
    for r in 0..n {
        // Between records: separators only (a word may start with \x0b or \x0c).
        while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | b'\r') {
            pos += 1;
        }
        let record = format!("record {}", r + 1);
        if pos == bytes.len() {
            return Err(Error::malformed(
                name,
                record,
                format!("file ends after {r} records, but the header says {n}"),
            ));
        }
        let Some(sp) = memchr::memchr(b' ', &bytes[pos..]).map(|i| pos + i) else {
            return Err(Error::malformed(
                name,
                record,
                format!(
                    "truncated record: no space after the word {}",
                    quote(&bytes[pos..bytes.len().min(pos + 40)])
                ),
            ));
        };
        let have = bytes.len() - (sp + 1);
        if have < vec_bytes {
            return Err(Error::malformed(
                name,
                record,
                format!(
                    "truncated record (word {}): expected {vec_bytes} bytes of vector, found {have}",
                    quote(&bytes[pos..sp])
                ),
            ));
        }
        records.push((pos, sp));
        pos = sp + 1 + vec_bytes;
    }
    if let Some(extra) = bytes[pos..].iter().position(|b| !b.is_ascii_whitespace()) {
        return Err(Error::malformed(
            name,
            format!("byte {}", pos + extra),
            format!(
                "data after the {n} records the header promises (a wrong count in the header?)"
            ),
        ));
    }

    // Parallel decode of words and vectors.
    let mut data = vec![0f32; n * dim];
    let results: Vec<std::result::Result<Vec<String>, (usize, String)>> = records
        .par_chunks(RECORDS_PER_TASK)
        .zip(data.par_chunks_mut((RECORDS_PER_TASK * dim).max(1)))
        .enumerate()
        .map(|(task, (recs, out))| {
            let mut words = Vec::with_capacity(recs.len());
            for (k, &(start, sp)) in recs.iter().enumerate() {
                let r = task * RECORDS_PER_TASK + k;
                let word = check_word(&bytes[start..sp], start).map_err(|p| (r, p))?;
                let raw = &bytes[sp + 1..sp + 1 + vec_bytes];
                let dst = &mut out[k * dim..(k + 1) * dim];
                for (j, (d, b)) in dst.iter_mut().zip(raw.chunks_exact(4)).enumerate() {
                    let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    if !v.is_finite() {
                        return Err((
                            r,
                            format!("value {} of word {word:?} is not finite ({v})", j + 1),
                        ));
                    }
                    *d = v;
                }
                words.push(word);
            }
            progress.fetch_add((recs.len() * (vec_bytes + 8)) as u64, Ordering::Relaxed);
            Ok(words)
        })
        .collect();
    let mut words = Vec::with_capacity(n);
    for res in results {
        match res {
            Ok(w) => words.extend(w),
            Err((r, problem)) => {
                return Err(Error::malformed(name, format!("record {}", r + 1), problem))
            }
        }
    }
    // With dim 0 `par_chunks_mut` yields nothing and no word was checked.
    if dim == 0 {
        for (r, &(start, sp)) in records.iter().enumerate() {
            words.push(
                check_word(&bytes[start..sp], start)
                    .map_err(|p| Error::malformed(name, format!("record {}", r + 1), p))?,
            );
        }
    }
    assemble(words, dim, data, name, |i| format!("record {}", i + 1))
}

/// Writes the records (after the header): `word`, space, little-endian f32, `\n`.
pub(super) fn write_records(
    emb: &Embeddings,
    out: &mut dyn Write,
    tick: &mut dyn FnMut(u64),
) -> std::io::Result<()> {
    write_parallel(emb, out, tick, |buf, word, v| {
        buf.extend_from_slice(word.as_bytes());
        buf.push(b' ');
        for x in v {
            buf.extend_from_slice(&x.to_le_bytes());
        }
        buf.push(b'\n');
    })
}
