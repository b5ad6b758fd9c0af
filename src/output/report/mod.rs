//! Reports rendered from typed records: the English statements carried in `summary.json`
//! (rendered here, serialized as strings), the stdout lines `cli` prints and the markdown
//! sections of `summary.md`. No I/O: callers print or save what these return.

pub mod lifetime;
pub mod timescale;
