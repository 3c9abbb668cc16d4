//! cooccur: placeholder, filled by its issue.
