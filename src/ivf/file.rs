//! The index file: versioned, checksummed, written atomically, self-contained.
//!
//! All numbers are little-endian.
//!
//! | bytes | holds |
//! | --- | --- |
//! | 8 | `GLOVEIVF` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 4 | header length `H` |
//! | `H` | header, JSON: metric, precision, dim, words, lists, default recall, how it was built, the recall table |
//! | 8 + `W` | the words: their byte length `W`, then the words joined by `\n` (id order) |
//! | `4 lists dim` | the centroids, f32 |
//! | `8 (lists + 1)` | list offsets (list `l` is stored rows `off[l]..off[l + 1]`), u64 |
//! | `4 rows` | the id of each stored row, u32 |
//! | `rows dp b` | the stored rows by list, f32 or f16 (`b` = 4 or 2), `dp` = dim rounded up to 4, zero padded |
//! | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! Removed rows are not written: ids are renumbered in order, so the file holds
//! every id from 0 to `words - 1`. The file is read, not mapped (as vector files
//! are), section by section into place, and every field is checked: a damaged
//! file fails its checksum, a cut one says what is missing, a newer version is
//! refused.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Mutex;

use half::f16;

use super::{key_of, BuildInfo, Calibration, Index};
use crate::atomic::AtomicFile;
use crate::device::Device;
use crate::error::{Error, Result};
use crate::names::Named;
use crate::search::lists::DEAD;
use crate::search::{padded_dim, Metric, Prepared, Rows, SearchIndex, SearchOptions};

/// The file starts with these bytes.
pub const MAGIC: &[u8; 8] = b"GLOVEIVF";
/// The format version this build writes and reads.
///
/// ```
/// assert_eq!(glove_wgpu::ivf::FORMAT_VERSION, 1);
/// ```
pub const FORMAT_VERSION: u32 = 1;

/// The JSON header.
#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    metric: String,
    precision: String,
    dim: usize,
    words: usize,
    lists: usize,
    default_recall: f32,
    build: BuildInfo,
    calibration: Calibration,
}

/// A writer that keeps the CRC-32 of what passes through.
struct Crc<W> {
    inner: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Crc<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `index` to `path` atomically.
pub(crate) fn write(index: &Index, path: &Path) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    write_to(index, &mut f, &path.display().to_string())?;
    f.commit()
}

/// Writes `index` (without its removed rows) to `out`.
pub(crate) fn write_to(index: &Index, out: &mut dyn Write, name: &str) -> Result<()> {
    let io = |e: std::io::Error| Error::io(format!("writing {name}"), e);
    // Ids of live words, renumbered in order.
    let mut renumber = vec![DEAD; index.words.len()];
    let mut words = Vec::new();
    for (id, w) in index.words.iter().enumerate() {
        if index.pos[id] != DEAD {
            renumber[id] = words.len() as u32;
            words.push(w.as_str());
        }
    }
    let header = Header {
        metric: index.metric.name().to_string(),
        precision: precision_name(index.precision()).to_string(),
        dim: index.dim,
        words: words.len(),
        lists: index.lists(),
        default_recall: index.default_recall,
        build: index.build.clone(),
        calibration: index.calibration.clone(),
    };
    let header = serde_json::to_vec(&header).map_err(|e| Error::invalid(e.to_string()))?;
    let mut w = Crc {
        inner: std::io::BufWriter::with_capacity(1 << 20, out),
        crc: crc32fast::Hasher::new(),
    };
    w.write_all(MAGIC).map_err(io)?;
    w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(io)?;
    w.write_all(&(header.len() as u32).to_le_bytes())
        .map_err(io)?;
    w.write_all(&header).map_err(io)?;
    let joined = words.join("\n");
    w.write_all(&(joined.len() as u64).to_le_bytes())
        .map_err(io)?;
    w.write_all(joined.as_bytes()).map_err(io)?;
    w.write_all(bytemuck::cast_slice(&index.centroids))
        .map_err(io)?;
    // Live stored rows, list by list.
    let mut off = vec![0u64];
    let mut live = Vec::with_capacity(words.len());
    for l in 0..index.lists() {
        for r in index.off[l]..index.off[l + 1] {
            if index.ids[r] != DEAD {
                live.push(r);
            }
        }
        off.push(live.len() as u64);
    }
    w.write_all(bytemuck::cast_slice(&off)).map_err(io)?;
    let ids: Vec<u32> = live
        .iter()
        .map(|&r| renumber[index.ids[r] as usize])
        .collect();
    w.write_all(bytemuck::cast_slice(&ids)).map_err(io)?;
    let dp = index.rows.dp;
    for chunk in live.chunks(4096) {
        match &index.rows.rows {
            Rows::F32(v) => {
                for &r in chunk {
                    w.write_all(bytemuck::cast_slice(&v[r * dp..(r + 1) * dp]))
                        .map_err(io)?;
                }
            }
            Rows::F16(v) => {
                for &r in chunk {
                    w.write_all(bytemuck::cast_slice(&v[r * dp..(r + 1) * dp]))
                        .map_err(io)?;
                }
            }
        }
    }
    let crc = w.crc.clone().finalize();
    w.inner.write_all(&crc.to_le_bytes()).map_err(io)?;
    w.inner.flush().map_err(io)?;
    Ok(())
}

fn precision_name(p: crate::search::Precision) -> &'static str {
    match p {
        crate::search::Precision::F32 => "f32",
        crate::search::Precision::F16 => "f16",
    }
}

/// A reader that keeps the CRC-32 of what it reads and counts the bytes.
struct Checked<R> {
    inner: R,
    crc: crc32fast::Hasher,
    at: u64,
    name: String,
}

impl<R: Read> Checked<R> {
    /// Fills `buf` from the file; a short file names the section.
    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        self.inner.read_exact(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::malformed(
                    &self.name,
                    what,
                    format!(
                        "the file ends inside it (at byte {} or later, {} bytes wanted): \
                         it is truncated",
                        self.at,
                        buf.len()
                    ),
                )
            } else {
                Error::io(format!("reading {}", self.name), e)
            }
        })?;
        self.crc.update(buf);
        self.at += buf.len() as u64;
        Ok(())
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let mut b = [0u8; 4];
        self.fill(&mut b, what)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        let mut b = [0u8; 8];
        self.fill(&mut b, what)?;
        Ok(u64::from_le_bytes(b))
    }

    /// `n` values of `T` read into place.
    fn pods<T: bytemuck::Pod + bytemuck::Zeroable>(
        &mut self,
        n: usize,
        what: &str,
    ) -> Result<Vec<T>> {
        let mut v: Vec<T> = Vec::new();
        v.try_reserve_exact(n)
            .map_err(|e| Error::OutOfMemory(format!("{}: {what}: {n} values: {e}", self.name)))?;
        v.resize(n, T::zeroed());
        self.fill(bytemuck::cast_slice_mut(&mut v), what)?;
        Ok(v)
    }
}

/// Reads the index at `path` onto `device`.
pub(crate) fn read(path: &Path, device: &Device) -> Result<Index> {
    if cfg!(target_endian = "big") {
        return Err(Error::invalid(
            "index files are little-endian; this machine is not",
        ));
    }
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    let len = file
        .metadata()
        .map_err(|e| Error::io_path("reading", path, e))?
        .len();
    let mut r = Checked {
        inner: std::io::BufReader::with_capacity(1 << 20, file),
        crc: crc32fast::Hasher::new(),
        at: 0,
        name: name.clone(),
    };
    let bad = |at: &str, problem: String| Error::malformed(&name, at, problem);
    let mut magic = [0u8; 8];
    r.fill(&mut magic, "magic")?;
    if &magic != MAGIC {
        return Err(bad(
            "byte 0",
            "not a glove-wgpu index file (it does not start with GLOVEIVF)".into(),
        ));
    }
    let version = r.u32("version")?;
    if version != FORMAT_VERSION {
        return Err(bad(
            "version",
            format!(
                "format version {version}; this build of glove-wgpu reads version \
                 {FORMAT_VERSION} (build the index again, or use the version that wrote it)"
            ),
        ));
    }
    let hlen = r.u32("header length")? as u64;
    if hlen > len {
        return Err(bad("header", format!("{hlen} bytes, more than the file")));
    }
    let hbytes: Vec<u8> = r.pods(hlen as usize, "header")?;
    let h: Header = serde_json::from_slice(&hbytes).map_err(|e| {
        bad(
            "header",
            format!("not the JSON header this version writes: {e}"),
        )
    })?;
    let metric =
        Metric::from_name("metric", &h.metric).map_err(|e| bad("header", e.to_string()))?;
    let precision = match h.precision.as_str() {
        "f32" => crate::search::Precision::F32,
        "f16" => crate::search::Precision::F16,
        p => return Err(bad("header", format!("unknown precision {p:?}"))),
    };
    let (dim, n, lists) = (h.dim, h.words, h.lists);
    if dim == 0 || lists == 0 || n == 0 || n >= DEAD as usize {
        return Err(bad(
            "header",
            format!("dim {dim}, {n} words and {lists} lists: each must be at least 1"),
        ));
    }
    if h.calibration.recall.len() != lists {
        return Err(bad(
            "header",
            format!(
                "the recall table has {} entries for {lists} lists",
                h.calibration.recall.len()
            ),
        ));
    }
    let dp = padded_dim(dim);
    let b = match precision {
        crate::search::Precision::F32 => 4,
        crate::search::Precision::F16 => 2,
    };
    // Every section's size is known now: a file of another length is cut or padded.
    let want = 8 + 4 + 4 + hlen;
    let rest = (4 * lists * dim + 8 * (lists + 1) + 4 * n) as u64 + (n * dp * b) as u64 + 4;
    let wlen = r.u64("words")?;
    if wlen > len {
        return Err(bad("words", format!("{wlen} bytes, more than the file")));
    }
    if want + 8 + wlen + rest != len {
        return Err(bad(
            "file",
            format!(
                "{len} bytes, but its header and word list make {} (truncated or padded)",
                want + 8 + wlen + rest
            ),
        ));
    }
    let wbytes: Vec<u8> = r.pods(wlen as usize, "words")?;
    let text = String::from_utf8(wbytes).map_err(|e| bad("words", format!("not UTF-8: {e}")))?;
    let words: Vec<String> = text.split('\n').map(str::to_string).collect();
    if words.len() != n {
        return Err(bad(
            "words",
            format!("{} words, the header says {n}", words.len()),
        ));
    }
    let mut lookup = HashMap::with_capacity(n);
    for (i, w) in words.iter().enumerate() {
        if crate::corpus::word_problem(w).is_some() {
            return Err(bad(
                "words",
                format!("word {i} ({w:?}) is empty or has a separator"),
            ));
        }
        if lookup.insert(w.clone(), i as u32).is_some() {
            return Err(bad("words", format!("duplicate word {w:?}")));
        }
    }
    let centroids: Vec<f32> = r.pods(lists * dim, "centroids")?;
    if let Some(p) = centroids.iter().position(|v| !v.is_finite()) {
        return Err(bad(
            "centroids",
            format!("list {} has a non-finite value", p / dim),
        ));
    }
    let off64: Vec<u64> = r.pods(lists + 1, "list offsets")?;
    if off64[0] != 0 || off64[lists] != n as u64 || off64.windows(2).any(|w| w[0] > w[1]) {
        return Err(bad(
            "list offsets",
            format!("not increasing from 0 to the {n} rows"),
        ));
    }
    let off: Vec<usize> = off64.iter().map(|&o| o as usize).collect();
    let ids: Vec<u32> = r.pods(n, "ids")?;
    let mut pos = vec![DEAD; n];
    for (row, &id) in ids.iter().enumerate() {
        if id as usize >= n || pos[id as usize] != DEAD {
            return Err(bad(
                "ids",
                format!("stored row {row} has id {id}, out of range or repeated"),
            ));
        }
        pos[id as usize] = row as u32;
    }
    let rows = match precision {
        crate::search::Precision::F32 => {
            let v: Vec<f32> = r.pods(n * dp, "rows")?;
            if let Some(p) = v.iter().position(|x| !x.is_finite()) {
                return Err(bad(
                    "rows",
                    format!("stored row {} has a non-finite value", p / dp),
                ));
            }
            Rows::F32(v)
        }
        crate::search::Precision::F16 => {
            let v: Vec<f16> = r.pods(n * dp, "rows")?;
            if let Some(p) = v.iter().position(|x| !x.is_finite()) {
                return Err(bad(
                    "rows",
                    format!("stored row {} has a non-finite value", p / dp),
                ));
            }
            Rows::F16(v)
        }
    };
    let computed = r.crc.clone().finalize();
    let mut tail = [0u8; 4];
    r.inner.read_exact(&mut tail).map_err(|_| {
        bad(
            "checksum",
            "the file ends before its checksum: it is truncated".into(),
        )
    })?;
    let stored = u32::from_le_bytes(tail);
    if stored != computed {
        return Err(bad(
            "checksum",
            format!(
                "CRC-32 {computed:08x} of the contents, {stored:08x} stored: the file is damaged"
            ),
        ));
    }
    let (key, _) = key_of(metric);
    let coarse = SearchIndex::new(device, &centroids, dim, &SearchOptions::new(key.metric()))?;
    Ok(Index {
        metric,
        dim,
        words,
        lookup,
        pos,
        centroids,
        off,
        rows: Prepared::from_rows(rows, dim),
        ids,
        calibration: h.calibration,
        default_recall: h.default_recall,
        build: h.build,
        device: device.clone(),
        coarse,
        gpu: Mutex::new(None),
    })
}
