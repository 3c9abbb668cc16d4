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

/// Checks a parsed word, found at byte `at` of the file: valid UTF-8 and a word
/// by [`crate::corpus::word_problem`] (as [`Embeddings::new`] demands). Returns
/// the problem otherwise (invalid UTF-8 named by its byte offset in the file).
pub(super) fn check_word(bytes: &[u8], at: usize) -> std::result::Result<String, String> {
    let word = std::str::from_utf8(bytes).map_err(|e| utf8_problem(bytes, e, at, "word"))?;
    match crate::corpus::word_problem(word) {
        Some(problem) => Err(problem),
        None => Ok(word.to_string()),
    }
}

/// The problem of `field` (at byte `at` of the file), which is not UTF-8: the
/// text rule's message, naming the byte offset of the first bad byte.
pub(super) fn utf8_problem(field: &[u8], e: std::str::Utf8Error, at: usize, what: &str) -> String {
    let bad = at + e.valid_up_to();
    match e.error_len() {
        Some(_) => format!(
            "invalid UTF-8 at byte {bad} (byte 0x{:02X}) in the {what} {}",
            field[e.valid_up_to()],
            quote(field)
        ),
        None => format!(
            "invalid UTF-8 at byte {bad} (a character cut short) in the {what} {}",
            quote(field)
        ),
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
