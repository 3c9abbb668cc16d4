//! eval: placeholder, filled by its issue.
