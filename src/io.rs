//! Embedding file formats: GloVe text, word2vec text and binary, fastText `.vec`.

use std::path::Path;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// An embedding file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// `word v1 ... vd` per line, no header (Stanford GloVe).
    Glove,
    /// word2vec text: header `n d`, then `word v1 ... vd` per line.
    Word2vec,
    /// word2vec binary: header `n d\n`, then `word ` and `d` little-endian f32 per record.
    #[value(name = "word2vec-bin")]
    Word2vecBin,
    /// fastText `.vec`: the word2vec text layout.
    Fasttext,
}

/// Reads embeddings from `path` in `format`.
pub fn read(path: impl AsRef<Path>, format: Format) -> Result<Embeddings> {
    let _ = format;
    Err(Error::invalid(format!(
        "reading {} not implemented yet",
        path.as_ref().display()
    )))
}

/// Writes embeddings to `path` in `format`, atomically.
pub fn write(emb: &Embeddings, path: impl AsRef<Path>, format: Format) -> Result<()> {
    let _ = (emb, format);
    Err(Error::invalid(format!(
        "writing {} not implemented yet",
        path.as_ref().display()
    )))
}
