//! Word counts as Parquet rows `(word: utf8, count: u64)`: what
//! `vocab --format parquet` writes for a shard, and what
//! `vocab --from-counts` sums back into a vocabulary, from one file or a folder
//! of part files (the shards' files, or an engine's reduce of them).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use rayon::prelude::*;

use super::{Vocab, VocabOptions};
use crate::atomic::AtomicFile;
use crate::corpus::word_problem;
use crate::error::{Error, Result};
use crate::hash::FastBuild;
use crate::parts::{whole, PartsReader, Want};

/// Words a row group.
const ROW_GROUP: usize = 1 << 20;

const SCHEMA: &str = "message vocab {
    required binary word (STRING);
    required int64 count (INTEGER(64, false));
}";

fn write_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    Error::invalid(format!("writing {}: {e}", path.display()))
}

impl Vocab {
    /// Writes the words and their counts, in id order, as Parquet rows
    /// `(word: utf8, count: u64)`. The file appears atomically, only on
    /// success. With `min_count: 1` these are a corpus shard's raw counts,
    /// which [`Vocab::from_counts`] sums.
    ///
    /// ```
    /// use glove_wgpu::vocab::{Vocab, VocabOptions};
    /// let dir = std::env::temp_dir().join(format!("glove_wgpu_counts_doc_{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// Vocab::new(vec!["b".into(), "a".into()], vec![2, 1])?.write_counts(dir.join("part-0.parquet"))?;
    /// Vocab::new(vec!["a".into(), "c".into()], vec![2, 2])?.write_counts(dir.join("part-1.parquet"))?;
    /// let opts = VocabOptions { min_count: 2, ..Default::default() };
    /// let v = Vocab::from_counts(&dir, &opts)?;
    /// assert_eq!(v.words(), ["a", "b", "c"]); // count descending, then the word
    /// assert_eq!(v.counts(), [3, 2, 2]);
    /// assert_eq!(v.corpus_tokens(), 7);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn write_counts(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let file = AtomicFile::create(path)?;
        let err = |e| write_error(path, e);
        let schema = Arc::new(parse_message_type(SCHEMA).map_err(err)?);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_created_by(format!("glove-wgpu {}", env!("CARGO_PKG_VERSION")))
            .build();
        let mut writer = SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(err)?;
        for (words, counts) in self
            .words
            .chunks(ROW_GROUP)
            .zip(self.counts.chunks(ROW_GROUP))
        {
            let words: Vec<ByteArray> = words.iter().map(|w| w.as_str().into()).collect();
            // The same 64 bits: the schema marks the column unsigned.
            let counts: Vec<i64> = counts.iter().map(|&c| c as i64).collect();
            let mut group = writer.next_row_group().map_err(err)?;
            for k in 0..2 {
                let mut col = group
                    .next_column()
                    .map_err(err)?
                    .ok_or_else(|| Error::invalid("the counts schema has two columns"))?;
                if k == 0 {
                    col.typed::<ByteArrayType>().write_batch(&words, None, None)
                } else {
                    col.typed::<Int64Type>().write_batch(&counts, None, None)
                }
                .map_err(err)?;
                col.close().map_err(err)?;
            }
            group.close().map_err(err)?;
        }
        writer.into_inner().map_err(err)?.commit()
    }

    /// Sums the word counts of a Parquet file, or of a folder of part files
    /// (columns `word`, a string, and `count`, a non-negative integer; a word may
    /// appear in many rows and files), and keeps the words counted at least
    /// `opts.min_count` times, at most `opts.max_vocab` of them, in Stanford's
    /// order: count descending, then the word's bytes. Every word must be a word
    /// by [`word_problem`]; errors name the file and the row.
    ///
    /// ```
    /// use glove_wgpu::vocab::{Vocab, VocabOptions};
    /// let file = std::env::temp_dir().join(format!("glove_wgpu_from_counts_{}.parquet", std::process::id()));
    /// Vocab::new(vec!["x".into(), "y".into()], vec![9, 1])?.write_counts(&file)?;
    /// let v = Vocab::from_counts(&file, &VocabOptions { min_count: 2, ..Default::default() })?;
    /// assert_eq!(v.words(), ["x"]); // y is counted once, under min_count
    /// assert!(Vocab::from_counts(file.with_extension("missing"), &VocabOptions::default()).is_err());
    /// # std::fs::remove_file(&file).unwrap();
    /// # Ok::<(), glove_wgpu::Error>(())
    /// ```
    pub fn from_counts(path: impl AsRef<Path>, opts: &VocabOptions) -> Result<Self> {
        let path = path.as_ref();
        let mut parts = PartsReader::open(path, &[("word", Want::Text), ("count", Want::Int)])?;
        let mut total: HashMap<Vec<u8>, u64, FastBuild> = HashMap::default();
        let mut tokens = 0u64;
        let (mut words, mut counts) = (Vec::new(), Vec::new());
        while parts.next_batch(1 << 16, |cols, n| {
            words.clear();
            counts.clear();
            whole(cols[0].read_text(n, &mut words)?, n)?;
            whole(cols[1].read_ints(n, &mut counts)?, n)?;
            for (k, (w, &c)) in words.iter().zip(&counts).enumerate() {
                let word = std::str::from_utf8(w.data())
                    .map_err(|_| (Some(k), "the word is not valid UTF-8".to_string()))?;
                if let Some(p) = word_problem(word) {
                    return Err((Some(k), p));
                }
                let overflow = || (Some(k), "the counts add up beyond 2^64".to_string());
                tokens = tokens.checked_add(c).ok_or_else(overflow)?;
                match total.get_mut(w.data()) {
                    Some(t) => *t = t.checked_add(c).ok_or_else(overflow)?,
                    None => {
                        total.insert(w.data().to_vec(), c);
                    }
                }
            }
            Ok(())
        })? > 0
        {}
        let distinct = total.len() as u64;
        let mut kept: Vec<(Vec<u8>, u64)> = total
            .into_iter()
            .filter(|&(_, c)| c >= opts.min_count)
            .collect();
        kept.par_sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(m) = opts.max_vocab {
            kept.truncate(m);
        }
        let (words, counts): (Vec<String>, Vec<u64>) = kept
            .into_iter()
            // Checked as UTF-8 above.
            .map(|(w, c)| (String::from_utf8_lossy(&w).into_owned(), c))
            .unzip();
        let mut v = Vocab::new(words, counts)?;
        v.tokens = tokens;
        v.distinct = distinct;
        Ok(v)
    }
}
