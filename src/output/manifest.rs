//! The provenance record of every results directory: `manifest.json` of a run and of a
//! comparison, `sweep.json` of a sweep, `manifest.json` of `bca-table --out`.
//!
//! One [`Manifest`] carries what every command shares (schema, crate version, git revision,
//! creation time, seed, threads) and a command-specific part flattened beside it, so the keys
//! scripts read stay where they were. Machine-dependent numbers (timings) live here and never
//! in the physics records. The git revision is embedded by `build.rs` (no git at run time).

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::pipeline::StageSeconds;

/// Schema version of every manifest.
pub const SCHEMA: u32 = 1;

/// The git revision the binary was built from (`git rev-parse --short=12 HEAD` at build
/// time), or "unknown" when the source tree had no git.
pub const GIT_REVISION: &str = env!("MILLAGE_GIT_REV");

/// A manifest: the shared provenance plus the command's own part `inputs`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest<I: Serialize> {
    /// Manifest schema version.
    pub schema: u32,
    /// Version of the millage crate.
    pub crate_version: &'static str,
    /// Git revision of the build ([`GIT_REVISION`]).
    pub git_revision: &'static str,
    /// When the manifest was written (RFC 3339, UTC).
    pub created_utc: String,
    /// Master seed (absent for commands without one, e.g. `merge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Worker threads used (absent when no physics ran, e.g. `merge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// The command's inputs (flattened beside the shared keys).
    #[serde(flatten)]
    pub inputs: I,
}

impl<I: Serialize> Manifest<I> {
    /// A manifest stamped now.
    pub fn new(seed: Option<u64>, threads: Option<usize>, inputs: I) -> Self {
        Manifest {
            schema: SCHEMA,
            crate_version: env!("CARGO_PKG_VERSION"),
            git_revision: GIT_REVISION,
            created_utc: chrono::Utc::now().to_rfc3339(),
            seed,
            threads,
            inputs,
        }
    }

    /// The manifest as JSON text (pretty, trailing newline). Keys are sorted, as the
    /// manifests written through `serde_json::Value` always were.
    pub fn to_json_text(&self) -> Result<String> {
        let value = serde_json::to_value(self)
            .map_err(|e| Error::Numerical(format!("cannot serialise the manifest: {e}")))?;
        super::json_text(&value, "the manifest")
    }
}

/// Hex SHA-256 of a file's bytes; a file that cannot be read is an error (a manifest never
/// records the hash of nothing).
pub fn file_sha256(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(super::sha256_hex(&bytes))
}

/// Wall-clock seconds of a run's phases.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunTimings {
    /// Reading and resolving the scenario.
    pub load: f64,
    /// Loading or computing the BCA tables.
    pub bca_tables: f64,
    /// Write, read, aging and lifetime.
    pub physics: f64,
    /// Per stage of the physics.
    pub stages: StageSeconds,
}

/// The inputs of `millage run` (`manifest.json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunInputs<'a> {
    /// The scenario file as given.
    pub scenario_file: String,
    /// The materials library directory.
    pub materials_dir: String,
    /// SHA-256 of the scenario file.
    pub input_sha256: String,
    /// Every scenario key as resolved (defaults filled in).
    pub resolved_scenario: &'a serde_json::Value,
    /// The material palette as resolved.
    pub materials: &'a [crate::material::Material],
    /// Phase timings [s].
    pub timings_s: RunTimings,
}

/// The manifest of one run.
pub fn run_manifest<'a>(
    scenario: &'a crate::pipeline::Scenario,
    library: &crate::config::MaterialLibrary,
    seed: u64,
    threads: usize,
    timings_s: RunTimings,
) -> Result<Manifest<RunInputs<'a>>> {
    Ok(Manifest::new(
        Some(seed),
        Some(threads),
        RunInputs {
            scenario_file: scenario.file.display().to_string(),
            materials_dir: library.dir().display().to_string(),
            input_sha256: file_sha256(&scenario.file)?,
            resolved_scenario: &scenario.resolved,
            materials: &scenario.materials,
            timings_s,
        },
    ))
}

/// The inputs of a sweep (`sweep.json`).
#[derive(Debug, Clone, Serialize)]
pub struct SweepInputs<'a> {
    /// The sweep as validated.
    pub sweep: &'a crate::config::sweep_file::SweepSpec,
    /// SHA-256 of the base scenario text (`merge` refuses shards of another base).
    pub base_sha256: String,
    /// Points of the whole sweep.
    pub points_total: usize,
    /// Points with a record in the directory.
    pub points_present: usize,
}

/// The inputs of `millage compare` (its `manifest.json`).
#[derive(Debug, Clone, Serialize)]
pub struct CompareInputs<'a> {
    /// The comparison as validated.
    pub compare: &'a crate::config::compare_file::CompareSpec,
    /// SHA-256 of the base scenario text.
    pub base_sha256: String,
    /// SHA-256 of the compare file.
    pub input_sha256: String,
}

/// The inputs of `millage bca-table --out` (its `manifest.json`).
#[derive(Debug, Clone, Serialize)]
pub struct BcaTableInputs {
    /// Cache key of the table (the SHA-256 of every input of the table).
    pub table_key: String,
    /// The cached table file.
    pub table_file: String,
    /// Angles of the table.
    pub angles: usize,
    /// Ions per angle.
    pub ions_per_angle: u64,
}

/// Writes the manifest of `bca-table --out DIR` (`DIR/manifest.json`).
/// `threads` is None when the table came from the cache (no physics ran).
pub fn write_bca_table_manifest(
    dir: &Path,
    seed: u64,
    threads: Option<usize>,
    inputs: BcaTableInputs,
) -> Result<()> {
    let text = Manifest::new(Some(seed), threads, inputs).to_json_text()?;
    super::write_atomic(
        &super::layout::RunLayout::new(dir).manifest_json(),
        text.as_bytes(),
    )
}
