//! millage: write, age and read a nanoscale QR mark in a ceramic film.
//!
//! Layers: a module may use only modules of its own or a lower layer. The table below is the
//! rule itself: `tests/layers.rs` reads it and fails when a module imports a higher layer or is
//! missing from it (README "Architecture" explains each room).
//!
//! | layer | modules |
//! |---|---|
//! | 0 | [`units`], [`rng`], [`error`], [`choice`] |
//! | 1 | [`material`], [`beam`], [`qr`], [`grid`] |
//! | 2 | [`bca`], [`age`] |
//! | 3 | [`mill`], [`image`] |
//! | 4 | [`decode`], [`lifetime`] |
//! | 5 | [`pipeline`], [`calibrate`] |
//! | 6 | [`config`], [`sweep`], [`output`] |
//! | 7 | [`cli`] |
//!
//! Physics (layers 0–4) does no I/O and never prints; only `output` knows the `results/`
//! layout; only `cli` prints, builds the thread pool and exits.
#![warn(missing_docs)]

// Layer 0
pub mod choice;
pub mod error;
pub mod rng;
pub mod units;

// Layer 1
pub mod beam;
pub mod grid;
pub mod material;
pub mod qr;

// Layer 2
pub mod age;
pub mod bca;

// Layer 3
pub mod image;
pub mod mill;

// Layer 4
pub mod decode;
pub mod lifetime;

// Layer 5
pub mod calibrate;
pub mod pipeline;

// Layer 6
pub mod config;
pub mod output;
pub mod sweep;

// Layer 7: the binary's body; its items are the crate's own (`pub(crate)`), only `main` is used.
#[doc(hidden)]
pub mod cli;

#[cfg(test)]
pub(crate) mod testkit;
