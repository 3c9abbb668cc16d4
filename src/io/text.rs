//! Text formats: GloVe (no header), word2vec text and fastText `.vec` (header `n d`).

use std::io::Write;

use rayon::prelude::*;

use super::parse::{assemble, check_word, quote, utf8_problem};
use super::write_parallel;
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

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
    progress: &AtomicU64,
) -> Result<Embeddings> {
    let whole = bytes;
    let bytes = crate::input::strip_bom(bytes);
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

    // Pass 1: cut at newlines and count lines. Pass 2: parse every range in
    // parallel straight into its part of the matrix. Only trailing blank lines
    // are allowed, so the rows fill the matrix from the start without gaps.
    let ranges = split_at_lines(body);
    let caps: Vec<usize> = ranges
        .par_iter()
        .map(|r| {
            let chunk = &body[r.clone()];
            let lines = memchr::memchr_iter(b'\n', chunk).count()
                + usize::from(chunk.last().is_some_and(|&b| b != b'\n'));
            // A valid row takes at least 2 * dim + 1 bytes plus its newline
            // (but the file's last): a cap that bounds memory by the file
            // size whatever the header claims.
            lines.min((chunk.len() + 1) / dim.saturating_mul(2).saturating_add(1))
        })
        .collect();
    let mut data = vec![0f32; caps.iter().sum::<usize>() * dim];
    let mut slots = Vec::with_capacity(ranges.len());
    let mut rest = data.as_mut_slice();
    for &cap in &caps {
        let (head, tail) = rest.split_at_mut(cap * dim);
        slots.push(head);
        rest = tail;
    }
    // Where the body starts in the file, for byte offsets in messages.
    let body_at = whole.len() - body.len();
    let chunks: Vec<Chunk> = ranges
        .par_iter()
        .zip(slots)
        .map(|(r, out)| {
            let c = parse_chunk(&body[r.clone()], body_at + r.start, dim, out);
            progress.fetch_add(r.len() as u64, Ordering::Relaxed);
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
    for c in chunks {
        words.extend(c.words);
    }
    data.truncate(rows * dim);
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

/// Parses the lines of `chunk` (at byte `at` of the file), writing row `r` to
/// `out[r * dim..][..dim]`.
fn parse_chunk(chunk: &[u8], at: usize, dim: usize, out: &mut [f32]) -> Chunk {
    let cap = out.len().checked_div(dim).unwrap_or(usize::MAX);
    let lines_guess = chunk.len() / (dim * 9 + 8) + 1;
    let mut res = Chunk {
        words: Vec::with_capacity(lines_guess.min(cap)),
        row_lines: Vec::with_capacity(lines_guess.min(cap)),
        ..Chunk::default()
    };
    let mut pos = 0;
    while pos < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
        let line = trim_end(&chunk[pos..end]);
        let line_at = at + pos;
        let local = res.lines;
        res.lines += 1;
        pos = end + 1;
        if line.is_empty() {
            res.blank.get_or_insert(local);
            continue;
        }
        if let Some(b) = res.blank {
            res.error = Some((
                b,
                "blank line before more rows (only trailing blank lines are allowed)".into(),
            ));
            break;
        }
        let row = res.words.len();
        // Past the cap (unreachable for a valid row, see `read`) the row is
        // parsed without storing its values, to report what is wrong with it.
        let slot = if row < cap {
            &mut out[row * dim..(row + 1) * dim]
        } else {
            &mut []
        };
        match parse_row(line, line_at, dim, slot) {
            Ok(_) if row >= cap => {
                res.error = Some((local, "row longer than the file allows".into()));
                break;
            }
            Ok(word) => {
                res.words.push(word);
                res.row_lines.push(local as u32);
            }
            Err(problem) => {
                res.error = Some((local, problem));
                break;
            }
        }
    }
    res
}

/// Parses `word v1 ... vd` (no trailing whitespace; at byte `at` of the file),
/// writing the values to `out` (of length `dim`, or empty to only check the row).
fn parse_row(
    line: &[u8],
    at: usize,
    dim: usize,
    out: &mut [f32],
) -> std::result::Result<String, String> {
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
        match parse_f32_prefix(&line[pos..]) {
            Ok((v, n)) if pos + n == line.len() || is_sep(line[pos + n]) => {
                if !v.is_finite() {
                    return Err(format!(
                        "value {count} is not finite: {}",
                        quote(&line[pos..pos + n])
                    ));
                }
                if let Some(slot) = out.get_mut(count - 1) {
                    *slot = v;
                }
                pos += n;
            }
            _ => {
                let field = &line[pos..field_end(pos)];
                if let Err(e) = std::str::from_utf8(field) {
                    return Err(utf8_problem(field, e, at + pos, &format!("value {count}")));
                }
                return Err(format!("value {count} is not a number: {}", quote(field)));
            }
        }
    }
    if count != dim {
        return Err(format!("expected {dim} values, found {count}"));
    }
    check_word(&line[..word_end], at)
}

/// Parses the float at the start of `s`: `(value, bytes used)`.
///
/// Plain decimals such as `-0.418000` with at most 7 significant digits and 10
/// decimals (Stanford GloVe's `%lf` output, most published GloVe files) take a
/// short path: the digits form an integer `m < 2^24` and `m / 10^k` is one
/// correctly rounded f32 division of two exact f32 values, so the result is
/// the correctly rounded value of the decimal (Clinger's fast path); it saves
/// about 10% of the CPU time of loading such a file. Anything else goes to
/// `fast-float2`.
#[inline]
fn parse_f32_prefix(s: &[u8]) -> std::result::Result<(f32, usize), ()> {
    const POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let neg = s.first() == Some(&b'-');
    let mut i = usize::from(neg);
    let mut m: u64 = 0;
    let mut digits = 0;
    while i < s.len() && s[i].is_ascii_digit() && digits < 18 {
        m = m * 10 + u64::from(s[i] - b'0');
        i += 1;
        digits += 1;
    }
    let mut frac = 0;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() && digits < 18 {
            m = m * 10 + u64::from(s[i] - b'0');
            i += 1;
            digits += 1;
            frac += 1;
        }
    }
    if digits > 0 && m < 1 << 24 && frac <= 10 && (i == s.len() || is_sep(s[i])) {
        let v = m as f32 / POW10[frac];
        return Ok((if neg { -v } else { v }, i));
    }
    fast_float2::parse_partial::<f32, _>(s).map_err(|_| ())
}

/// Writes `word v1 ... vd` lines, values separated by `sep`.
pub(super) fn write_lines(
    emb: &Embeddings,
    out: &mut dyn Write,
    sep: u8,
    tick: &mut dyn FnMut(u64),
) -> std::io::Result<()> {
    write_parallel(emb, out, tick, |buf, word, v| {
        buf.extend_from_slice(word.as_bytes());
        push_values(buf, v, sep, true);
    })
}

/// Writes `v1\tv2...` lines without words (the Projector's `vectors.tsv`).
pub(super) fn write_projector_vectors(
    emb: &Embeddings,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write_parallel(emb, out, &mut |_| {}, |buf, _, v| {
        push_values(buf, v, b'\t', false)
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: Rust's own correctly rounded parser.
    fn std_parse(s: &str) -> f32 {
        s.parse().unwrap()
    }

    #[test]
    fn fast_path_edges_match_std() {
        for s in [
            "0",
            "-0",
            "-0.000000",
            "0.418000",
            "-0.975518",
            "16777215",
            "16777216",
            "16777217",
            "1.6777217",
            "0.0000000001",
            "9.999999",
            "123.",
            ".5",
            "-.5",
            "1e-8",
            "3.4e38",
            "0.1234567890123456789",
            "00000000000000000001.5",
        ] {
            let (v, n) = parse_f32_prefix(s.as_bytes()).unwrap();
            assert_eq!(n, s.len(), "{s}");
            assert_eq!(v.to_bits(), std_parse(s).to_bits(), "{s}");
        }
        assert!(parse_f32_prefix(b"x").is_err());
        assert!(parse_f32_prefix(b"-").is_err());
        assert_eq!(parse_f32_prefix(b"1.5 2").unwrap(), (1.5, 3));
        assert_eq!(parse_f32_prefix(b"1.5x").unwrap().1, 3);
    }

    proptest! {
        #[test]
        fn fast_path_matches_std_on_decimals(
            neg in any::<bool>(), int in 0u32..100_000, frac in "[0-9]{0,12}"
        ) {
            let s = format!("{}{int}.{frac}", if neg { "-" } else { "" });
            let (v, n) = parse_f32_prefix(s.as_bytes()).unwrap();
            prop_assert_eq!(n, s.len());
            prop_assert_eq!(v.to_bits(), std_parse(&s).to_bits(), "{}", s);
        }
    }
}
