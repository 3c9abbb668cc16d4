//! What the readers of every format share: the word rule applied to a parsed
//! word, the embeddings built from parsed rows (duplicates named), and fields
//! quoted for error messages.

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};

/// Builds the embeddings from parsed rows, naming both lines (or records) of
/// a duplicate word. `place(i)` names where row `i` came from.
pub(super) fn assemble(
    words: Vec<String>,
    dim: usize,
    data: Vec<f32>,
    source_name: &str,
    place: impl Fn(usize) -> String,
) -> Result<Embeddings> {
    use std::collections::hash_map::Entry;
    use std::collections::HashMap;
    if words.len() > u32::MAX as usize - 1 {
        return Err(Error::malformed(
            source_name,
            place(u32::MAX as usize - 1),
            "more than 2^32 - 2 words",
        ));
    }
    let mut index: HashMap<String, u32> = HashMap::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        match index.entry(w.clone()) {
            Entry::Occupied(first) => {
                return Err(Error::malformed(
                    source_name,
                    place(i),
                    format!(
                        "duplicate word {w:?} (first on {})",
                        place(*first.get() as usize)
                    ),
                ))
            }
            Entry::Vacant(slot) => {
                slot.insert(i as u32);
            }
        }
    }
    Ok(Embeddings::from_checked_parts(words, index, dim, data))
}

/// Checks a parsed word: valid UTF-8 and a word by [`crate::corpus::word_problem`]
/// (as [`Embeddings::new`] demands). Returns the problem otherwise.
pub(super) fn check_word(bytes: &[u8]) -> std::result::Result<String, String> {
    let word = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 in word {:?} at byte {}",
            String::from_utf8_lossy(bytes),
            e.valid_up_to()
        )
    })?;
    match crate::corpus::word_problem(word) {
        Some(problem) => Err(problem),
        None => Ok(word.to_string()),
    }
}

/// Quotes a field for an error message, cut to a readable length.
pub(super) fn quote(field: &[u8]) -> String {
    // 40 characters are at most 160 bytes: never decode a whole huge line.
    let s = String::from_utf8_lossy(&field[..field.len().min(160)]);
    if s.chars().count() > 40 || field.len() > 160 {
        let cut: String = s.chars().take(40).collect();
        format!("{cut:?}...")
    } else {
        format!("{s:?}")
    }
}
