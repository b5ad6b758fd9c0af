//! millage: write, age and read a nanoscale QR mark in a ceramic film.
//!
//! Layers (a module may use only lower layers; see README "Architecture"):
//!
//! | layer | modules |
//! |---|---|
//! | 0 | [`units`], [`rng`], [`error`] |
//! | 1 | [`material`], [`qr`], [`grid`] |
//! | 2 | [`age`] |
//! | 3 | [`mill`], [`image`] |
//! | 4 | [`decode`], [`lifetime`] |
//! | 5 | [`config`], [`pipeline`], [`output`] |
//! | 6 | [`cli`] |
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
pub mod config;
pub mod output;
pub mod pipeline;
pub mod sweep;

// Layer 6
pub mod cli;

#[cfg(test)]
pub(crate) mod testkit;
