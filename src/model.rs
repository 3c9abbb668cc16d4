//! model: placeholder, filled by its issue.
