//! Sweep files (`sims/sweeps/*.toml`): a base scenario plus axes over any scenario key.
//!
//! ```toml
//! base = "../record_ideal.toml"   # relative to this file
//! name = "energy_x_contrast"
//! seed = 1                        # master seed; point i runs with derived_seed(seed, i)
//! mode = "grid"                   # "grid" (Cartesian product) | "list" (zip) | "lhs"
//! samples = 20                    # lhs only
//!
//! [[axes]]
//! key = "readout.beam_energy_kev" # any scenario key, dotted (array elements as [i])
//! values = [1.0, 2.0, 5.0]        # grid and list
//!
//! [[axes]]
//! key = "readout.probe_fwhm_nm"
//! min = 2.0                       # lhs: uniform on [min, max], stratified
//! max = 20.0
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// How axis values combine into points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SweepMode {
    /// Cartesian product of the axes' value lists (last axis varies fastest).
    Grid,
    /// The axes' value lists zipped (all of equal length).
    List,
    /// Latin hypercube over the axes' [min, max] ranges with `samples` points.
    Lhs,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    key: String,
    #[serde(default)]
    values: Option<Vec<toml::Value>>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    base: PathBuf,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "default_seed")]
    seed: u64,
    mode: SweepMode,
    #[serde(default)]
    samples: Option<usize>,
    axes: Vec<RawAxis>,
}

fn default_seed() -> u64 {
    1
}

/// Values of one axis.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum AxisValues {
    /// Explicit values (grid, list).
    Values(Vec<toml::Value>),
    /// A range sampled by the Latin hypercube.
    Range {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
}

/// One axis: a scenario key and its values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Axis {
    /// Dotted scenario key, e.g. `readout.beam_energy_kev`.
    pub key: String,
    /// Its values.
    pub values: AxisValues,
}

/// A validated sweep.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepSpec {
    /// The sweep file.
    pub file: PathBuf,
    /// Name (default: the file stem).
    pub name: String,
    /// The base scenario file.
    pub base_file: PathBuf,
    /// Its text.
    #[serde(skip)]
    pub base_text: String,
    /// Master seed.
    pub seed: u64,
    /// How axes combine.
    pub mode: SweepMode,
    /// Latin-hypercube sample count.
    pub samples: usize,
    /// The axes.
    pub axes: Vec<Axis>,
}

/// Reads and validates a sweep file.
pub fn load_sweep(file: &Path) -> Result<SweepSpec> {
    let err = |key: &str, rule: String, hint: &str| {
        Error::input(Some(file.to_path_buf()), key, None, rule, hint)
    };
    let (raw, base_file, base_text) =
        super::load_with_base::<RawSweep>(file, "sweep", "sims/sweeps/", |r| r.base.as_path())?;
    if raw.axes.is_empty() {
        return Err(err(
            "axes",
            "no axis given".into(),
            "add an [[axes]] table with key and values",
        ));
    }
    let mut axes = Vec::new();
    for (i, a) in raw.axes.into_iter().enumerate() {
        let k = format!("axes[{i}]");
        let values = match (raw.mode, a.values, a.min, a.max) {
            (SweepMode::Lhs, None, Some(min), Some(max))
                if min.is_finite() && max.is_finite() && min < max =>
            {
                AxisValues::Range { min, max }
            }
            (SweepMode::Lhs, _, _, _) => {
                return Err(err(
                    &k,
                    "an lhs axis needs finite min < max and no values".into(),
                    "write min = …, max = …",
                ));
            }
            (_, Some(v), None, None) if !v.is_empty() => AxisValues::Values(v),
            _ => {
                return Err(err(
                    &k,
                    "a grid or list axis needs a non-empty values list and no min/max".into(),
                    "write values = [ … ]",
                ));
            }
        };
        if axes.iter().any(|x: &Axis| x.key == a.key) {
            return Err(err(
                &k,
                format!("key {} appears twice", a.key),
                "give each key one axis",
            ));
        }
        axes.push(Axis { key: a.key, values });
    }
    if raw.mode == SweepMode::List {
        let lens: Vec<usize> = axes
            .iter()
            .map(|a| match &a.values {
                AxisValues::Values(v) => v.len(),
                AxisValues::Range { .. } => 0,
            })
            .collect();
        if lens.iter().any(|l| *l != lens[0]) {
            return Err(err(
                "axes",
                format!("list mode zips the axes, but their lengths differ: {lens:?}"),
                "give every axis the same number of values, or use mode = \"grid\"",
            ));
        }
    }
    let samples = match (raw.mode, raw.samples) {
        (SweepMode::Lhs, Some(n)) if n > 0 => n,
        (SweepMode::Lhs, _) => {
            return Err(err(
                "samples",
                "lhs needs samples > 0".into(),
                "add samples = 20",
            ));
        }
        (_, _) => 0,
    };
    let name = raw.name.unwrap_or_else(|| {
        file.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("sweep")
            .to_string()
    });
    Ok(SweepSpec {
        file: file.to_path_buf(),
        name,
        base_file,
        base_text,
        seed: raw.seed,
        mode: raw.mode,
        samples,
        axes,
    })
}
