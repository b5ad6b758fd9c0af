//! Reports in prose: the markdown files of a results directory and the lines a command prints
//! (as strings: only `cli` prints).

pub mod compare;
pub mod summary;
