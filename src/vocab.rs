//! vocab: placeholder, filled by its issue.
