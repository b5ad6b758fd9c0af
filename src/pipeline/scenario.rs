//! The resolved scenario: everything one run needs, in internal units.
//!
//! A plain record: `config` builds it from a file (validation, defaults, materials), the
//! pipeline and the lifetime stage read it. It knows nothing about files or keys.

use std::path::PathBuf;

use crate::age::AgingSettings;
use crate::decode::Decoder;
use crate::grid::FilmStack;
use crate::image::Readout;
use crate::lifetime::LifetimeSettings;
use crate::material::Material;
use crate::mill::MillModel;
use crate::qr::{SymbolGeometry, SymbolSpec};

/// A validated, resolved scenario in internal units.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it came from.
    pub file: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// The QR symbol to write.
    pub symbol: SymbolSpec,
    /// Where and how large the modules are.
    pub geometry: SymbolGeometry,
    /// Film layers and substrate (indices into `materials`).
    pub stack: FilmStack,
    /// The materials the stack refers to.
    pub materials: Vec<Material>,
    /// Film-grid cell [nm].
    pub cell_nm: f64,
    /// The write.
    pub mill: MillModel,
    /// The read.
    pub readout: Readout,
    /// Decoders to run.
    pub decoders: Vec<Decoder>,
    /// Grid the information criterion samples (`decode.criterion_grid`).
    pub criterion_grid: crate::decode::CriterionGrid,
    /// The aging stage, if the scenario has an `[aging]` section.
    pub aging: Option<AgingSettings>,
    /// The lifetime stage, if the scenario has a `[lifetime]` section.
    pub lifetime: Option<LifetimeSettings>,
    /// Legal but unwise settings, each with the reason.
    pub warnings: Vec<String>,
    /// Every key with its final value (given, default or derived), for the manifest.
    pub resolved: serde_json::Value,
}
