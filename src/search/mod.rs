//! Exact k-nearest-neighbour search (placeholder API; filled by the search work).

use crate::error::Result;

/// How two vectors are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
pub enum Metric {
    /// Cosine similarity (rows and queries normalised once); higher is nearer.
    Cosine,
    /// Dot product; higher is nearer.
    Dot,
    /// Euclidean distance; lower is nearer.
    Euclidean,
}

/// One search hit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbor {
    /// Row of the matrix.
    pub id: u32,
    /// Similarity (cosine, dot) or distance (Euclidean).
    pub score: f32,
}

/// Search settings.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// The metric.
    pub metric: Metric,
}

impl SearchOptions {
    /// Defaults for `metric`.
    pub fn new(metric: Metric) -> Self {
        SearchOptions { metric }
    }
}

/// A matrix prepared for search.
#[derive(Debug)]
pub struct SearchIndex {}

impl SearchIndex {
    /// A CPU index.
    pub fn cpu(matrix: &[f32], dim: usize, opts: &SearchOptions) -> Result<Self> {
        let _ = (matrix, dim, opts);
        Ok(SearchIndex {})
    }

    /// Searches.
    pub fn search(
        &self,
        queries: &[f32],
        k: usize,
        exclude: Option<&[Vec<u32>]>,
    ) -> Result<Vec<Vec<Neighbor>>> {
        let _ = (queries, k, exclude);
        Ok(vec![])
    }
}
