//! Reading a large file into memory fast: huge pages and parallel reads.

/// Files at least this large are read into an anonymous map with huge pages,
/// where the system has them: fresh memory comes 2 MiB at a time.
pub(super) const HUGE_READ_BYTES: u64 = 64 << 20;

/// Fills `buf` from the start of `file` in parallel pieces; returns how many bytes
/// were read before the first short piece (the file's end, if it shrank).
pub(super) fn read_parallel(file: &std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    use rayon::prelude::*;
    const PIECE: usize = 16 << 20;
    let got: Vec<std::io::Result<usize>> = buf
        .par_chunks_mut(PIECE)
        .enumerate()
        .map(|(k, piece)| {
            let mut at = 0;
            while at < piece.len() {
                match read_at(file, &mut piece[at..], (k * PIECE + at) as u64) {
                    Ok(0) => break,
                    Ok(n) => at += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(at)
        })
        .collect();
    let mut total = 0;
    for (k, g) in got.into_iter().enumerate() {
        let n = g?;
        total = k * PIECE + n;
        if n < PIECE {
            break;
        }
    }
    Ok(total.min(buf.len()))
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// An anonymous map of `len` bytes advised to use huge pages, or `None`.
pub(super) fn huge_buffer(len: u64) -> Option<memmap2::MmapMut> {
    let map = memmap2::MmapMut::map_anon(usize::try_from(len).ok()?).ok()?;
    #[cfg(target_os = "linux")]
    {
        let _ = map.advise(memmap2::Advice::HugePage);
    }
    Some(map)
}
