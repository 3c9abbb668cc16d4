//! Where every input comes from, and the one text rule.
//!
//! [`Input::open`] takes what a user types for an input: a path, `-` for
//! standard input, or `ARCHIVE.zip:MEMBER` for a member of a zip archive (a zip
//! of one member needs no name). Whatever the path names — a regular file, a
//! pipe or FIFO (`<(...)`), a device — is read as one stream, and a compressed
//! one is decompressed as it is read: gzip (also several members, as `bgzip`
//! and `pigz` write), bzip2 (also several streams, as Wikipedia's multistream
//! dumps), xz and zstd, each recognised by its magic bytes ([`Compression`]),
//! whatever the file's name. Decompression, and the reading of a zip member,
//! run on a thread of their own, a few blocks ahead of the reader.
//!
//! Detection never consumes the stream: [`Input::peek`] looks at the head of
//! the (decompressed) stream, and reading starts from its first byte. A reader
//! that needs a real file — to seek in it, read it twice or in parallel — asks
//! [`Input::plain_file`], and copies anything else to a temporary file first
//! ([`spool`]).
//!
//! **The text rule** ([`text`], [`strip_bom`], [`utf8_error`]): every text reader
//! — vectors, vocabularies, corpora, evaluation files, reports — drops a UTF-8
//! byte-order mark at the start and refuses invalid UTF-8 with an error naming
//! the byte offset (from the start of the decompressed stream, the mark
//! included) and the line.
//!
//! ```
//! use std::io::Read;
//! use glove_wgpu::input::{Compression, Input};
//! let dir = std::env::temp_dir().join(format!("glove-doc-input-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("words.txt.gz");
//! glove_wgpu::atomic::write_compressed(&path, b"the cat sat\n")?; // gzip: the name ends in .gz
//! let mut input = Input::open(&path)?;
//! assert_eq!(input.compression(), Some(Compression::Gzip));
//! assert_eq!(input.peek(3)?, b"the"); // looked at, not consumed
//! let mut text = String::new();
//! input.read_to_string(&mut text).unwrap();
//! assert_eq!(text, "the cat sat\n");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), glove_wgpu::Error>(())
//! ```

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};

use crate::error::{Error, Result};

/// The UTF-8 byte-order mark, dropped at the start of every text input.
///
/// ```
/// assert_eq!(glove_wgpu::input::BOM, "\u{feff}".as_bytes());
/// ```
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes of decompressed data a decompression thread hands over at a time.
const BLOCK: usize = 1 << 20;
/// Blocks a decompression thread may read ahead of the reader.
const AHEAD: usize = 4;
/// The most bytes [`Compression::detect`] looks at.
const MAGIC_BYTES: usize = 10;

/// A compression recognised by its magic bytes.
///
/// ```
/// use glove_wgpu::input::Compression;
/// assert_eq!(Compression::detect(b"\x1f\x8b\x08\x00"), Some(Compression::Gzip));
/// assert_eq!(Compression::detect(b"\xfd7zXZ\x00"), Some(Compression::Xz));
/// assert_eq!(Compression::detect(b"\x28\xb5\x2f\xfd"), Some(Compression::Zstd));
/// assert_eq!(Compression::detect(b"BZh91AY&SY"), Some(Compression::Bzip2));
/// assert_eq!(Compression::detect(b"BZh9 is a word"), None); // no block after the header
/// assert_eq!(Compression::detect(b"the 0.1 0.2\n"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// gzip (`1f 8b 08`), one member or several.
    Gzip,
    /// bzip2 (`BZh1`..`BZh9` and a block or end-of-stream magic), one stream or several.
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`), one stream or several.
    Xz,
    /// Zstandard (a frame `28 b5 2f fd`, or a skippable frame first), one frame or several.
    Zstd,
}

impl Compression {
    /// The compression whose magic bytes `head` (the first bytes of a stream,
    /// at least 10 when the stream has them) starts with; `None` for anything
    /// else.
    ///
    /// ```
    /// use glove_wgpu::input::Compression;
    /// assert_eq!(Compression::detect(b"\x1f\x8b"), None); // too short to tell
    /// assert_eq!(Compression::detect(b"BZh1\x17\x72\x45\x38\x50\x90"), Some(Compression::Bzip2)); // empty
    /// ```
    pub fn detect(head: &[u8]) -> Option<Compression> {
        const BZ_BLOCK: &[u8] = b"\x31\x41\x59\x26\x53\x59";
        const BZ_END: &[u8] = b"\x17\x72\x45\x38\x50\x90";
        let h = head;
        if h.len() >= 4 && h[..3] == [0x1f, 0x8b, 0x08] && h[3] & 0xe0 == 0 {
            Some(Compression::Gzip)
        } else if h.len() >= 10
            && &h[..3] == b"BZh"
            && (b'1'..=b'9').contains(&h[3])
            && (&h[4..10] == BZ_BLOCK || &h[4..10] == BZ_END)
        {
            Some(Compression::Bzip2)
        } else if h.starts_with(b"\xfd7zXZ\x00") {
            Some(Compression::Xz)
        } else if h.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
            || (h.len() >= 4 && h[0] & 0xf0 == 0x50 && h[1..4] == [0x2a, 0x4d, 0x18])
        {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    /// Its usual name.
    ///
    /// ```
    /// assert_eq!(glove_wgpu::input::Compression::Bzip2.name(), "bzip2");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    /// The decoder of this compression over `raw`.
    fn decoder(self, raw: Box<dyn Read + Send>) -> Result<Box<dyn Read + Send>> {
        Ok(match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(raw)),
            Compression::Zstd => Box::new(
                zstd::stream::read::Decoder::new(raw)
                    .map_err(|e| Error::io("starting a zstd decoder", e))?,
            ),
        })
    }
}

/// Whether `head` starts a zip archive (a local file header, or the end record
/// of an empty archive).
fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// What an [`Input`] reads from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    /// A regular file, its path and size.
    File(PathBuf, u64),
    /// Anything read once: standard input, a pipe, a device, a reader.
    Stream,
    /// A member of a zip archive.
    Member,
}

/// One input, read as a stream of (decompressed) bytes: see the
/// [module docs](self).
///
/// ```
/// use std::io::Read;
/// use glove_wgpu::input::Input;
/// let mut input = Input::from_reader(&b"a b c\n"[..], "inline")?;
/// assert_eq!((input.name(), input.compression()), ("inline", None));
/// let mut all = Vec::new();
/// input.read_to_end(&mut all).unwrap();
/// assert_eq!(all, b"a b c\n");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub struct Input {
    reader: Box<dyn Read + Send>,
    /// Bytes read ahead by [`Input::peek`] and not yet handed out.
    head: Vec<u8>,
    at: usize,
    name: String,
    origin: Origin,
    compression: Option<Compression>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .field("origin", &self.origin)
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

impl Input {
    /// Opens what the user named: a path, `-` (standard input), or
    /// `ARCHIVE:MEMBER` (a member of a zip archive; when `ARCHIVE:MEMBER` is
    /// itself an existing file, that file). A zip archive given alone must hold
    /// one file. Compression is recognised by magic bytes. A folder is an error.
    ///
    /// ```
    /// use glove_wgpu::input::Input;
    /// let err = Input::open("no/such/file.txt").unwrap_err();
    /// assert!(err.to_string().starts_with("opening no/such/file.txt"), "{err}");
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Input> {
        let path = path.as_ref();
        if path.as_os_str() == "-" {
            return Input::from_reader(std::io::stdin(), "<stdin>");
        }
        if let Some((archive, member)) = split_member(path) {
            return Input::open_member(&archive, Some(&member));
        }
        Input::open_member(path, None)
    }

    /// Opens `path`; when it is a zip archive, its member `member` (or, with
    /// `None`, its only file). `member` given for a file that is not a zip
    /// archive is an error. This is what `--member NAME` means.
    ///
    /// ```
    /// use glove_wgpu::input::Input;
    /// let path = std::env::temp_dir().join(format!("glove-doc-member-{}.txt", std::process::id()));
    /// std::fs::write(&path, "not an archive").unwrap();
    /// let err = Input::open_member(&path, Some("a.txt")).unwrap_err();
    /// assert!(err.to_string().contains("not a zip archive"), "{err}");
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn open_member(path: impl AsRef<Path>, member: Option<&str>) -> Result<Input> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io_path("opening", path, e))?;
        if meta.is_dir() {
            return Err(Error::invalid(format!(
                "{name} is a folder; give a file (or, where a folder of Parquet part files is \
                 read, a co-occurrence or counts folder)"
            )));
        }
        let origin = if meta.is_file() {
            Origin::File(path.to_path_buf(), meta.len())
        } else {
            Origin::Stream
        };
        let mut input = Input {
            reader: Box::new(file),
            head: Vec::new(),
            at: 0,
            name,
            origin,
            compression: None,
        };
        let zip = is_zip(input.peek(MAGIC_BYTES)?);
        match (zip, member) {
            (true, member) => input.into_member(member),
            (false, Some(m)) => Err(Error::invalid(format!(
                "{}: not a zip archive, so it has no member {m:?} (drop --member, or give the \
                 archive)",
                input.name
            ))),
            (false, None) => input.decompressed(),
        }
    }

    /// Reads from any reader, decompressing it when it is compressed. Errors name
    /// it `name`.
    ///
    /// ```
    /// use std::io::Read;
    /// let gz = glove_wgpu::atomic::gzip(b"hello\n");
    /// let mut input = glove_wgpu::input::Input::from_reader(std::io::Cursor::new(gz), "gz")?;
    /// let mut s = String::new();
    /// input.read_to_string(&mut s).unwrap();
    /// assert_eq!(s, "hello\n");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn from_reader(reader: impl Read + Send + 'static, name: &str) -> Result<Input> {
        let mut input = Input {
            reader: Box::new(reader),
            head: Vec::new(),
            at: 0,
            name: name.to_string(),
            origin: Origin::Stream,
            compression: None,
        };
        if is_zip(input.peek(MAGIC_BYTES)?) {
            return input.into_member(None);
        }
        input.decompressed()
    }

    /// The name for messages: the path as given, `<stdin>`, or `ARCHIVE:MEMBER`.
    ///
    /// ```
    /// let input = glove_wgpu::input::Input::from_reader(&b""[..], "nothing")?;
    /// assert_eq!(input.name(), "nothing");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The compression the stream was found in, if any.
    ///
    /// ```
    /// let input = glove_wgpu::input::Input::from_reader(&b"plain"[..], "p")?;
    /// assert_eq!(input.compression(), None);
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn compression(&self) -> Option<Compression> {
        self.compression
    }

    /// The path and size of the input when it is a regular file read as it is
    /// (not compressed, not a member of an archive): a reader may then open it
    /// again, seek in it and read it in parallel.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("glove-doc-plain-{}.txt", std::process::id()));
    /// std::fs::write(&path, "abc").unwrap();
    /// let input = glove_wgpu::input::Input::open(&path)?;
    /// assert_eq!(input.plain_file(), Some((path.as_path(), 3)));
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn plain_file(&self) -> Option<(&Path, u64)> {
        match (&self.origin, self.compression) {
            (Origin::File(p, len), None) => Some((p, *len)),
            _ => None,
        }
    }

    /// Up to `n` bytes from the start of what is left, without consuming them:
    /// fewer only at the end of the stream.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut input = glove_wgpu::input::Input::from_reader(&b"abcdef"[..], "p")?;
    /// assert_eq!(input.peek(4)?, b"abcd");
    /// assert_eq!(input.peek(10)?, b"abcdef");
    /// let mut two = [0u8; 2];
    /// input.read_exact(&mut two).unwrap();
    /// assert_eq!(input.peek(10)?, b"cdef");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn peek(&mut self, n: usize) -> Result<&[u8]> {
        if self.at > 0 {
            self.head.drain(..self.at);
            self.at = 0;
        }
        while self.head.len() < n {
            let old = self.head.len();
            self.head.resize(n, 0);
            match self.reader.read(&mut self.head[old..]) {
                Ok(0) => {
                    self.head.truncate(old);
                    break;
                }
                Ok(got) => self.head.truncate(old + got),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => self.head.truncate(old),
                Err(e) => {
                    self.head.truncate(old);
                    return Err(Error::io(format!("reading {}", self.name), e));
                }
            }
        }
        Ok(&self.head[..n.min(self.head.len())])
    }

    /// Reads everything left into memory (for a plain file, in parallel
    /// pieces when it is large); errors name the input.
    ///
    /// ```
    /// let mut input = glove_wgpu::input::Input::from_reader(&b"12345"[..], "five")?;
    /// assert_eq!(input.read_all()?, b"12345");
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn read_all(&mut self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_to_end(&mut bytes)
            .map_err(|e| Error::io(format!("reading {}", self.name), e))?;
        Ok(bytes)
    }

    /// The stream decompressed, when its head says it is compressed.
    fn decompressed(mut self) -> Result<Input> {
        let Some(c) = Compression::detect(self.peek(MAGIC_BYTES)?) else {
            return Ok(self);
        };
        let name = self.name.clone();
        let raw: Box<dyn Read + Send> = Box::new(self);
        let decoder = c.decoder(raw)?;
        Ok(Input {
            reader: Box::new(ahead(decoder, format!("{} data", c.name()))),
            head: Vec::new(),
            at: 0,
            name,
            origin: Origin::Stream,
            compression: Some(c),
        })
    }

    /// A member of the zip archive this input holds (spooled to a temporary
    /// file first when the archive is not a regular file).
    fn into_member(self, member: Option<&str>) -> Result<Input> {
        let archive_name = self.name.clone();
        let file = match &self.origin {
            Origin::File(p, _) => File::open(p).map_err(|e| Error::io_path("opening", p, e))?,
            _ => spool_unnamed(self)?,
        };
        let mut archive = zip::ZipArchive::new(file).map_err(|e| {
            Error::malformed(
                &archive_name,
                "zip directory",
                format!("not a readable zip archive: {e}"),
            )
        })?;
        let files: Vec<(usize, String)> = (0..archive.len())
            .filter_map(|k| {
                let f = archive.by_index_raw(k).ok()?;
                (!f.is_dir()).then(|| (k, f.name().to_string()))
            })
            .collect();
        let listed = || {
            let mut names: Vec<&str> = files.iter().map(|(_, n)| n.as_str()).take(12).collect();
            if files.len() > names.len() {
                names.push("...");
            }
            names.join(", ")
        };
        let index = match member {
            Some(m) => {
                let exact = files.iter().find(|(_, n)| n == m);
                let base: Vec<&(usize, String)> = files
                    .iter()
                    .filter(|(_, n)| n.rsplit('/').next() == Some(m))
                    .collect();
                match (exact, base.as_slice()) {
                    (Some((k, _)), _) | (None, [(k, _)]) => *k,
                    _ => {
                        return Err(Error::invalid(format!(
                            "{archive_name} has no member {m:?}; its files: {}",
                            listed()
                        )))
                    }
                }
            }
            None => match files.as_slice() {
                [(k, _)] => *k,
                [] => {
                    return Err(Error::invalid(format!(
                        "{archive_name} is a zip archive with no files in it"
                    )))
                }
                _ => {
                    return Err(Error::invalid(format!(
                        "{archive_name} is a zip archive of {} files: name one, as \
                         {archive_name}:MEMBER or with --member MEMBER ({})",
                        files.len(),
                        listed()
                    )))
                }
            },
        };
        let member_name = files
            .iter()
            .find(|(k, _)| *k == index)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let name = format!("{archive_name}:{member_name}");
        // Fail here, not in the thread, on a member that cannot be read (an
        // unsupported compression method, encryption).
        archive.by_index(index).map_err(|e| {
            Error::malformed(&name, "zip entry", format!("cannot read this member: {e}"))
        })?;
        let (tx, rx) = sync_channel::<std::io::Result<Vec<u8>>>(AHEAD);
        let what = "the zip member".to_string();
        std::thread::spawn(move || {
            let mut member = match archive.by_index(index) {
                Ok(m) => m,
                Err(e) => {
                    let _ = tx.send(Err(std::io::Error::other(e)));
                    return;
                }
            };
            pump(&mut member, &tx, &what);
        });
        let input = Input {
            reader: Box::new(Ahead::new(rx)),
            head: Vec::new(),
            at: 0,
            name,
            origin: Origin::Member,
            compression: None,
        };
        // A compressed file inside the archive (a .gz in a .zip) is decompressed too.
        let mut inner = input.decompressed()?;
        inner.origin = Origin::Member;
        Ok(inner)
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            if self.at == self.head.len() {
                self.head.clear();
                self.at = 0;
            }
            return Ok(n);
        }
        self.reader.read(buf)
    }
}

/// `ARCHIVE` and `MEMBER` of an `ARCHIVE:MEMBER` argument: the first `:` whose
/// left side is an existing file (`None` when the whole path exists, or no
/// such `:`).
fn split_member(path: &Path) -> Option<(PathBuf, String)> {
    if std::fs::symlink_metadata(path).is_ok() {
        return None;
    }
    let bytes = path.as_os_str().as_encoded_bytes();
    for (k, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b':') {
        let (left, right) = (&bytes[..k], &bytes[k + 1..]);
        if left.is_empty() || right.is_empty() {
            continue;
        }
        // SAFETY-free: splitting an encoded OsStr at an ASCII byte keeps both
        // sides valid encodings; go through `to_str` to stay in safe code.
        let (Ok(l), Ok(r)) = (std::str::from_utf8(left), std::str::from_utf8(right)) else {
            continue;
        };
        if std::fs::metadata(l).is_ok_and(|m| m.is_file()) {
            return Some((PathBuf::from(l), r.to_string()));
        }
    }
    None
}

/// The file a user's input argument reads: the archive of an `ARCHIVE:MEMBER`,
/// else the path itself (for checks that an output does not overwrite an input).
///
/// ```
/// use glove_wgpu::input::file_of;
/// let zip = std::env::temp_dir().join(format!("glove-doc-file-of-{}.zip", std::process::id()));
/// std::fs::write(&zip, "PK").unwrap();
/// let arg = format!("{}:vectors.txt", zip.display());
/// assert_eq!(file_of(arg.as_ref()), zip);
/// assert_eq!(file_of("plain.txt".as_ref()), std::path::Path::new("plain.txt"));
/// # std::fs::remove_file(&zip).unwrap();
/// ```
pub fn file_of(path: &Path) -> PathBuf {
    match split_member(path) {
        Some((archive, _)) => archive,
        None => path.to_path_buf(),
    }
}

/// Whether reading `path` (as [`Input::open`] does) may happen twice and give
/// the same bytes: a regular file, compressed or not, or a member of an archive
/// in one; not standard input, a pipe or a device.
///
/// ```
/// use glove_wgpu::input::rereadable;
/// assert!(!rereadable("-".as_ref()));
/// assert!(!rereadable("/no/such/file".as_ref()));
/// ```
pub fn rereadable(path: &Path) -> bool {
    path.as_os_str() != "-" && std::fs::metadata(file_of(path)).is_ok_and(|m| m.is_file())
}

/// A reader of the blocks another thread sends.
struct Ahead {
    rx: Receiver<std::io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
    done: bool,
}

impl Ahead {
    fn new(rx: Receiver<std::io::Result<Vec<u8>>>) -> Self {
        Ahead {
            rx,
            block: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for Ahead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.block.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(block)) => {
                    self.block = block;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The thread ended: it sends an empty block at a clean end, so
                // this is a thread that died.
                Err(_) => {
                    self.done = true;
                    return Err(std::io::Error::other("the decompression thread stopped"));
                }
            }
            if self.block.is_empty() {
                self.done = true;
                return Ok(0);
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// `reader` read on a thread of its own, up to [`AHEAD`] blocks ahead; errors
/// say they come from `what`.
fn ahead(reader: Box<dyn Read + Send>, what: String) -> Ahead {
    let (tx, rx) = sync_channel::<std::io::Result<Vec<u8>>>(AHEAD);
    std::thread::spawn(move || {
        let mut reader = reader;
        pump(&mut reader, &tx, &what)
    });
    Ahead::new(rx)
}

/// Sends `reader`'s bytes in blocks until its end (then an empty block) or an
/// error; stops when nobody listens.
fn pump(
    reader: &mut dyn Read,
    tx: &std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>,
    what: &str,
) {
    let mut total = 0u64;
    loop {
        let mut block = vec![0u8; BLOCK];
        let mut n = 0;
        while n < BLOCK {
            match reader.read(&mut block[n..]) {
                Ok(0) => break,
                Ok(got) => n += got,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let kind = match e.kind() {
                        // A stream cut short is malformed data, not a system error.
                        std::io::ErrorKind::UnexpectedEof => std::io::ErrorKind::InvalidData,
                        k => k,
                    };
                    let _ = tx.send(Err(std::io::Error::new(
                        kind,
                        format!(
                            "{what} cut short or corrupt after {} bytes: {e}",
                            total + n as u64
                        ),
                    )));
                    return;
                }
            }
        }
        total += n as u64;
        block.truncate(n);
        let end = n < BLOCK;
        if tx.send(Ok(block)).is_err() {
            return;
        }
        if end {
            if n > 0 {
                let _ = tx.send(Ok(Vec::new()));
            }
            return;
        }
    }
}

/// Copies what is left of `input` into a temporary file that has no name
/// (removed at once where the system allows it), positioned at its start.
fn spool_unnamed(mut input: Input) -> Result<File> {
    let path = std::env::temp_dir().join(crate::atomic::temp_name("spool"));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io_path("creating", &path, e))?;
    // Unlinked while open (Linux, macOS): the space is freed when the file is closed.
    #[cfg(unix)]
    let _ = std::fs::remove_file(&path);
    std::io::copy(&mut input, &mut file)
        .map_err(|e| Error::io(format!("copying {} to {}", input.name(), path.display()), e))?;
    file.rewind()
        .map_err(|e| Error::io_path("reading", &path, e))?;
    Ok(file)
}

/// A temporary copy of an input, removed when dropped: see [`spool`].
///
/// ```
/// use glove_wgpu::input::{spool, Input};
/// let input = Input::from_reader(&b"records"[..], "pipe")?;
/// let copy = spool(input, &std::env::temp_dir())?;
/// assert_eq!(std::fs::read(copy.path()).unwrap(), b"records");
/// let path = copy.path().to_path_buf();
/// drop(copy);
/// assert!(!path.exists());
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
#[derive(Debug)]
pub struct Spooled {
    path: PathBuf,
}

impl Spooled {
    /// The copy's path.
    ///
    /// ```
    /// let copy = glove_wgpu::input::spool(glove_wgpu::input::Input::from_reader(&b""[..], "x")?, &std::env::temp_dir())?;
    /// assert!(copy.path().is_file());
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Copies what is left of `input` (decompressed) into a temporary file in `dir`,
/// for readers that need a regular file: co-occurrences trained on every epoch,
/// Parquet, a shuffle. The copy is removed when the [`Spooled`] is dropped (and
/// by [`crate::atomic::remove_leftovers`] after a crash). `dir` must exist.
///
/// ```
/// use glove_wgpu::input::{spool, Input};
/// let err = spool(Input::from_reader(&b""[..], "x")?, "/no/such/folder".as_ref()).unwrap_err();
/// assert!(err.to_string().contains("/no/such/folder"), "{err}");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn spool(mut input: Input, dir: &Path) -> Result<Spooled> {
    crate::atomic::remove_leftovers(dir);
    let path = dir.join(crate::atomic::temp_name(&format!(
        "spool-{}",
        SPOOLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )));
    let mut file = File::create(&path).map_err(|e| Error::io_path("creating", &path, e))?;
    let copy = Spooled { path };
    std::io::copy(&mut input, &mut file).map_err(|e| {
        Error::io(
            format!("copying {} to {}", input.name(), copy.path.display()),
            e,
        )
    })?;
    file.sync_all().ok();
    Ok(copy)
}

static SPOOLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `bytes` without a leading UTF-8 byte-order mark.
///
/// ```
/// use glove_wgpu::input::strip_bom;
/// assert_eq!(strip_bom(b"\xEF\xBB\xBFword"), b"word");
/// assert_eq!(strip_bom(b"word"), b"word");
/// ```
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// The error of invalid UTF-8 found at byte `offset` of `source` (from the
/// start of the decompressed stream), on line `line` (1-based) when known.
///
/// ```
/// use glove_wgpu::input::utf8_error;
/// let e = utf8_error("corpus.txt", 1042, Some(7), Some(0xff));
/// assert_eq!(e.to_string(), "corpus.txt: byte 1042 (line 7): invalid UTF-8 (byte 0xFF); the text readers take UTF-8 only");
/// ```
pub fn utf8_error(source: &str, offset: u64, line: Option<usize>, byte: Option<u8>) -> Error {
    let location = match line {
        Some(l) => format!("byte {offset} (line {l})"),
        None => format!("byte {offset}"),
    };
    let what = match byte {
        Some(b) => format!("invalid UTF-8 (byte 0x{b:02X})"),
        None => "invalid UTF-8 (a character cut short at the end)".to_string(),
    };
    Error::malformed(
        source,
        location,
        format!("{what}; the text readers take UTF-8 only"),
    )
}

/// The one text rule on a whole text: without its byte-order mark, checked to
/// be UTF-8 (an error names the byte offset, the mark counted, and the line).
///
/// ```
/// use glove_wgpu::input::text;
/// assert_eq!(text(b"\xEF\xBB\xBFcat 5\n", "v.txt")?, "cat 5\n");
/// let err = text(b"a 1\nb\xff 2\n", "v.txt").unwrap_err();
/// assert_eq!(err.to_string(), "v.txt: byte 5 (line 2): invalid UTF-8 (byte 0xFF); the text readers take UTF-8 only");
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn text<'a>(bytes: &'a [u8], source: &str) -> Result<&'a str> {
    let body = strip_bom(bytes);
    let skipped = bytes.len() - body.len();
    std::str::from_utf8(body).map_err(|e| {
        let at = e.valid_up_to();
        let line = memchr::memchr_iter(b'\n', &body[..at]).count() + 1;
        let byte = e.error_len().map(|_| body[at]);
        utf8_error(source, (skipped + at) as u64, Some(line), byte)
    })
}

/// Reads a whole text input (see [`Input::open`]) under the text rule: a
/// leading byte-order mark dropped, UTF-8 checked.
///
/// ```
/// let path = std::env::temp_dir().join(format!("glove-doc-read-text-{}.txt", std::process::id()));
/// std::fs::write(&path, b"\xEF\xBB\xBFtiger cat 7.35\n").unwrap();
/// assert_eq!(glove_wgpu::input::read_text(&path)?, "tiger cat 7.35\n");
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), glove_wgpu::Error>(())
/// ```
pub fn read_text(path: impl AsRef<Path>) -> Result<String> {
    let mut input = Input::open(path)?;
    let bytes = input.read_all()?;
    let name = input.name().to_string();
    text(&bytes, &name)?;
    let skip = bytes.len() - strip_bom(&bytes).len();
    let mut bytes = bytes;
    bytes.drain(..skip);
    // Checked just above.
    String::from_utf8(bytes)
        .map_err(|e| utf8_error(&name, e.utf8_error().valid_up_to() as u64, None, None))
}
