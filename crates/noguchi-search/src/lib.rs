//! Noguchi's search: Japanese text analysed two ways — morphemes from lindera's IPADIC
//! (base forms, particles and symbols dropped) and character bigrams, so that 会津 also finds
//! 会津若松 — both folded for width, kana and case, in a tantivy index (BM25).
//!
//! The index is derived data: the storage crate queues changes in the database and a worker
//! applies them here; `noguchi reindex` rebuilds it from scratch. Who may see a document is
//! part of the document (`audience` tokens) and of every query, so neither a hit, a count nor a
//! snippet can reveal what the caller may not see. This crate must never depend on storage or web.

mod analyzer;
pub mod eval;
mod index;

pub use analyzer::{Japanese, Tok, bigrams, fold};
pub use index::{Doc, Hit, Hits, SearchIndex};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("morphological analyser: {0}")]
    Analyzer(String),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
