//! Text formats: GloVe (no header), word2vec text and fastText `.vec` (header `n d`).

use std::io::Write;

use rayon::prelude::*;

use super::{assemble, check_word, quote, write_parallel, Progress};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// The UTF-8 byte-order mark.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes per parallel parsing task, at least (the file is cut at newlines).
const MIN_CHUNK_BYTES: usize = 256 << 10;

fn is_sep(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A line without its trailing `\r`, spaces and tabs.
fn trim_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// `Some((count, dim))` if `line` is exactly two unsigned integers.
pub(super) fn parse_header_fields(line: &[u8]) -> Option<(usize, usize)> {
    let s = std::str::from_utf8(trim_end(line)).ok()?;
    let mut fields = s.split([' ', '\t']).filter(|f| !f.is_empty());
    let n = fields.next()?;
    let d = fields.next()?;
    if fields.next().is_some() || !n.bytes().chain(d.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((n.parse().ok()?, d.parse().ok()?))
}

/// The first line of `bytes` (without its `\n`) and the rest.
fn split_first_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'\n', bytes) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &bytes[bytes.len()..]),
    }
}

/// What one parallel task parsed from its range of lines.
#[derive(Default)]
struct Chunk {
    words: Vec<String>,
    data: Vec<f32>,
    /// Line index (0-based, within the chunk) of each row.
    row_lines: Vec<u32>,
    /// Lines seen (all of them unless `error` is set).
    lines: usize,
    /// First blank line (within the chunk).
    blank: Option<usize>,
    /// First problem (line within the chunk, message).
    error: Option<(usize, String)>,
}

/// Parses a GloVe (`has_header == false`) or word2vec/fastText text file.
pub(super) fn read(
    bytes: &[u8],
    has_header: bool,
    name: &str,
    progress: &Progress,
) -> Result<Embeddings> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let (body, first_body_line, header) = if has_header {
        if trim_end(bytes).iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::malformed(
                name,
                "line 1",
                "empty file: expected a header line `<count> <dim>`",
            ));
        }
        let (line, rest) = split_first_line(bytes);
        let Some(header) = parse_header_fields(line) else {
            let hint = if trim_end(line).iter().filter(|&&b| is_sep(b)).count() > 2 {
                " (this looks like a row: is it a GloVe file without header?)"
            } else {
                ""
            };
            return Err(Error::malformed(
                name,
                "line 1",
                format!(
                    "bad header {}: expected `<count> <dim>`{hint}",
                    quote(trim_end(line))
                ),
            ));
        };
        (rest, 2, Some(header))
    } else {
        (bytes, 1, None)
    };

    let dim = match header {
        Some((_, d)) => d,
        None => match glove_dim(body, name)? {
            Some(d) => d,
            None => return Embeddings::new(Vec::new(), 0, Vec::new()),
        },
    };

    let ranges = split_at_lines(body);
    let chunks: Vec<Chunk> = ranges
        .par_iter()
        .map(|r| {
            let c = parse_chunk(&body[r.clone()], dim);
            progress.inc(r.len());
            c
        })
        .collect();

    // The first problem in file order, with absolute line numbers.
    let mut line0 = first_body_line;
    let mut pending_blank: Option<usize> = None;
    let mut starts = Vec::with_capacity(chunks.len());
    for c in &chunks {
        if let Some(b) = pending_blank {
            if c.error.is_some() || !c.words.is_empty() {
                return Err(Error::malformed(
                    name,
                    format!("line {b}"),
                    "blank line before more rows (only trailing blank lines are allowed)",
                ));
            }
        }
        if let Some((l, problem)) = &c.error {
            return Err(Error::malformed(
                name,
                format!("line {}", line0 + l),
                problem.clone(),
            ));
        }
        if let Some(b) = c.blank {
            pending_blank.get_or_insert(line0 + b);
        }
        starts.push(line0);
        line0 += c.lines;
    }

    let rows: usize = chunks.iter().map(|c| c.words.len()).sum();
    if let Some((n, _)) = header {
        if n != rows {
            return Err(Error::malformed(
                name,
                "line 1",
                format!("header says {n} words, but the file has {rows}"),
            ));
        }
    }

    let mut row_lines = Vec::with_capacity(rows);
    for (c, &start) in chunks.iter().zip(&starts) {
        row_lines.extend(c.row_lines.iter().map(|&l| start + l as usize));
    }
    let mut words = Vec::with_capacity(rows);
    let mut parts = Vec::with_capacity(chunks.len());
    for c in chunks {
        words.extend(c.words);
        parts.push(c.data);
    }
    let data = concat_parallel(parts);
    assemble(words, dim, data, name, |i| format!("line {}", row_lines[i]))
}

/// The dimension of a GloVe file: the number of fields after the word on its
/// first non-blank line; `None` for a file of blank lines only.
fn glove_dim(body: &[u8], name: &str) -> Result<Option<usize>> {
    let mut rest = body;
    let mut line_no = 1;
    while !rest.is_empty() {
        let (line, r) = split_first_line(rest);
        let line = trim_end(line);
        if !line.is_empty() {
            let fields = line.split(|&b| is_sep(b)).filter(|f| !f.is_empty()).count();
            if fields < 2 {
                return Err(Error::malformed(
                    name,
                    format!("line {line_no}"),
                    "no values after the word (a GloVe row is `word v1 ... vd`)",
                ));
            }
            return Ok(Some(fields - 1));
        }
        rest = r;
        line_no += 1;
    }
    Ok(None)
}

/// Cuts `body` into ranges that end just after a newline (the last one at the end).
fn split_at_lines(body: &[u8]) -> Vec<std::ops::Range<usize>> {
    let tasks = rayon::current_num_threads().max(1) * 16;
    let target = (body.len() / tasks).max(MIN_CHUNK_BYTES);
    let mut ranges = Vec::with_capacity(body.len() / target + 1);
    let mut start = 0;
    while start < body.len() {
        let guess = start + target;
        let end = if guess >= body.len() {
            body.len()
        } else {
            memchr::memchr(b'\n', &body[guess..]).map_or(body.len(), |i| guess + i + 1)
        };
        ranges.push(start..end);
        start = end;
    }
    ranges
}

fn parse_chunk(chunk: &[u8], dim: usize) -> Chunk {
    let lines_guess = chunk.len() / (dim * 9 + 8).max(1) + 1;
    let mut out = Chunk {
        words: Vec::with_capacity(lines_guess),
        data: Vec::with_capacity(lines_guess * dim),
        row_lines: Vec::with_capacity(lines_guess),
        ..Chunk::default()
    };
    let mut pos = 0;
    while pos < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
        let line = trim_end(&chunk[pos..end]);
        let local = out.lines;
        out.lines += 1;
        pos = end + 1;
        if line.is_empty() {
            out.blank.get_or_insert(local);
            continue;
        }
        if let Some(b) = out.blank {
            out.error = Some((
                b,
                "blank line before more rows (only trailing blank lines are allowed)".into(),
            ));
            break;
        }
        match parse_row(line, dim, &mut out.data) {
            Ok(word) => {
                out.words.push(word);
                out.row_lines.push(local as u32);
            }
            Err(problem) => {
                out.error = Some((local, problem));
                break;
            }
        }
    }
    out
}

/// Parses `word v1 ... vd` (no trailing whitespace), appending the values to `data`.
fn parse_row(line: &[u8], dim: usize, data: &mut Vec<f32>) -> std::result::Result<String, String> {
    let word_end = memchr::memchr2(b' ', b'\t', line).unwrap_or(line.len());
    if word_end == 0 {
        return Err("line starts with whitespace (empty word)".into());
    }
    let mut pos = word_end;
    let mut count = 0;
    loop {
        while pos < line.len() && is_sep(line[pos]) {
            pos += 1;
        }
        if pos == line.len() {
            break;
        }
        count += 1;
        if count > dim {
            let extra = line[pos..]
                .split(|&b| is_sep(b))
                .filter(|f| !f.is_empty())
                .count();
            return Err(format!("expected {dim} values, found {}", dim + extra));
        }
        let field_end = |from: usize| {
            line[from..]
                .iter()
                .position(|&b| is_sep(b))
                .map_or(line.len(), |i| from + i)
        };
        match fast_float2::parse_partial::<f32, _>(&line[pos..]) {
            Ok((v, n)) if pos + n == line.len() || is_sep(line[pos + n]) => {
                if !v.is_finite() {
                    return Err(format!(
                        "value {count} is not finite: {}",
                        quote(&line[pos..pos + n])
                    ));
                }
                data.push(v);
                pos += n;
            }
            _ => {
                return Err(format!(
                    "value {count} is not a number: {}",
                    quote(&line[pos..field_end(pos)])
                ))
            }
        }
    }
    if count != dim {
        return Err(format!("expected {dim} values, found {count}"));
    }
    check_word(&line[..word_end])
}

/// Concatenates row blocks into one vector, copying in parallel.
fn concat_parallel(mut parts: Vec<Vec<f32>>) -> Vec<f32> {
    if parts.len() == 1 {
        return parts.pop().unwrap_or_default();
    }
    let total = parts.iter().map(Vec::len).sum();
    let mut data = vec![0f32; total];
    let mut slices = Vec::with_capacity(parts.len());
    let mut rest = data.as_mut_slice();
    for p in &parts {
        let (head, tail) = rest.split_at_mut(p.len());
        slices.push(head);
        rest = tail;
    }
    slices
        .into_par_iter()
        .zip(parts.par_iter())
        .for_each(|(dst, src)| dst.copy_from_slice(src));
    data
}

/// Writes `word v1 ... vd` lines, values separated by `sep`.
pub(super) fn write_lines(emb: &Embeddings, out: &mut dyn Write, sep: u8) -> std::io::Result<()> {
    write_parallel(emb, out, |buf, word, v| {
        buf.extend_from_slice(word.as_bytes());
        push_values(buf, v, sep, true);
    })
}

/// Writes `v1\tv2...` lines without words (the Projector's `vectors.tsv`).
pub(super) fn write_projector_vectors(
    emb: &Embeddings,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write_parallel(emb, out, |buf, _, v| push_values(buf, v, b'\t', false))
}

/// Appends the values in their shortest round-trip form, then `\n`.
fn push_values(buf: &mut Vec<u8>, v: &[f32], sep: u8, sep_first: bool) {
    let mut fmt = zmij::Buffer::new();
    for (k, x) in v.iter().enumerate() {
        if sep_first || k > 0 {
            buf.push(sep);
        }
        // Embeddings hold finite values only.
        buf.extend_from_slice(fmt.format_finite(*x).as_bytes());
    }
    buf.push(b'\n');
}
