//! Reports rendered from typed records: the English statements carried in `summary.json`
//! (rendered here, serialized as strings), the stdout lines `cli` prints and the markdown files
//! of a results directory. No I/O: callers print or save what these return.

pub mod compare;
pub mod lifetime;
pub mod summary;
pub mod timescale;
