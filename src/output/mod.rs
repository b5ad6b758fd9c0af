//! The `results/` layout: the only module that knows where results and caches live.
pub mod bca_cache;
