//! millage: write, age and read a nanoscale QR mark in a ceramic film.
//!
//! Layers (a module may use only lower layers; see README "Architecture"):
//!
//! | layer | modules |
//! |---|---|
//! | 0 | [`units`], [`rng`], [`error`] |
//! | 1 | [`material`], [`qr`], [`grid`] |
//! | 2 | [`bca`] |
//! | 3 | [`mill`], [`image`] |
//! | 4 | [`decode`] |
//! | 5 | [`config`], [`output`] |
//! | 6 | [`cli`] |
//!
//! Physics (layers 0–4) does no I/O and never prints; only `output` knows the `results/`
//! layout; only `cli` prints, builds the thread pool and exits.
#![warn(missing_docs)]

pub mod error;
pub mod rng;
pub mod units;

pub mod material;

pub mod bca;

pub mod config;
pub mod output;

pub mod cli;
