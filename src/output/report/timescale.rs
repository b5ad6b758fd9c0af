//! The per-mechanism timescale report rendered: the contract strings `mechanism` and `note` of
//! `summary.json` → `timescales` (from the typed [`Process`]), and the way reports print a time.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::age::timescale::{Process, TimescaleRow};

/// A number with at most three decimals and no trailing zeros.
fn short(x: f64) -> String {
    format!("{:.3}", x)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// "surface diffusion", "oxidation" or "bulk diffusion of X".
pub fn mechanism(process: &Process) -> String {
    match process {
        Process::SurfaceDiffusion { .. } => "surface diffusion".into(),
        Process::Oxidation { .. } => "oxidation".into(),
        Process::BulkDiffusion { species, .. } => format!("bulk diffusion of {species}"),
    }
}

/// How the time of `process` in `material` was defined, and any caveat.
pub fn note(material: &str, process: &Process) -> String {
    match process {
        Process::SurfaceDiffusion { pitch_nm } => format!(
            "fundamental k = 2π/(2·{pitch_nm:.2} nm) decays 10 %: τ = −ln 0.9/(B k⁴), isotropic Mullins (upper-rate model)"
        ),
        Process::Oxidation {
            depth_nm,
            oxide_nm,
            oxide_formula,
            pilling_bedworth_ratio,
        } => format!(
            "{depth_nm:.2} nm of {material} consumed ({} nm of {oxide_formula} at PBR {pilling_bedworth_ratio}); law extrapolated from its measured range",
            short(*oxide_nm),
        ),
        Process::BulkDiffusion { length_nm, .. } => {
            format!("√(2Dt) = {length_nm:.2} nm: t = (0.1 p)²/(2D)")
        }
    }
}

impl Serialize for TimescaleRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut row = s.serialize_struct("TimescaleRow", 7)?;
        row.serialize_field("material", &self.material)?;
        row.serialize_field("mechanism", &mechanism(&self.process))?;
        row.serialize_field("temperature_c", &self.temperature_c)?;
        row.serialize_field("log10_time_to_10pct_yr", &self.log10_time_to_10pct_yr)?;
        row.serialize_field("time_to_10pct_yr", &self.time_to_10pct_yr)?;
        row.serialize_field("temperature_for_1000yr_c", &self.temperature_for_1000yr_c)?;
        row.serialize_field("note", &note(&self.material, &self.process))?;
        row.end()
    }
}

/// Formats a time in years the way reports print it: scientific notation beyond 10⁴ or below
/// 10⁻², never clamped.
pub fn format_years(log10_yr: f64) -> String {
    if (-2.0..4.0).contains(&log10_yr) {
        format!("{:.3} yr", 10f64.powf(log10_yr))
    } else {
        let e = log10_yr.floor();
        let mant = 10f64.powf(log10_yr - e);
        format!("{mant:.2}e{e:+} yr")
    }
}
