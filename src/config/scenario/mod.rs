//! Scenario files: TOML text → validated, resolved [`Scenario`].
//!
//! Two stages, as ripgrep separates low-level from high-level arguments: the key engine
//! ([`super::engine`]) flattens the file into spanned values checked against the key table,
//! then one resolver per section types, range-checks and converts them to internal units,
//! loads materials and checks the rules that span keys. The section order below is the order
//! in which errors are found.

use std::path::Path;

use serde_json::{Value as Json, json};

use super::MaterialLibrary;
use super::engine::Parsed;
use crate::error::{Error, Result};
use crate::pipeline::Scenario;

mod aging;
mod decode;
mod film;
mod grid;
mod lifetime;
pub use lifetime::probe_aging_model;
mod mill;
mod pattern;
mod readout;
#[cfg(test)]
mod tests;

/// What the sections after `[pattern]` need to know of the symbol and the grid.
pub(crate) struct Layout {
    /// Module pitch [nm].
    pub(crate) module_pitch_nm: f64,
    /// Modules per side of the symbol.
    pub(crate) modules: usize,
    /// Unmilled margin [modules].
    pub(crate) quiet_zone_modules: usize,
    /// Film-grid cell [nm].
    pub(crate) cell_nm: f64,
}

/// Reads and resolves a scenario file. Materials are looked up in `library`.
pub fn load_scenario(file: &Path, library: &MaterialLibrary) -> Result<Scenario> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::input(
            Some(file.to_path_buf()),
            "",
            None,
            format!("cannot read scenario file: {e}"),
            "check the path; bundled scenarios are in sims/ (e.g. sims/record.toml)",
        )
    })?;
    parse_scenario(&text, file, library)
}

/// Resolves scenario text; `file` names it in messages and gives the default name.
pub fn parse_scenario(text: &str, file: &Path, library: &MaterialLibrary) -> Result<Scenario> {
    let mut p = Parsed::parse(text, file)?;
    let mut warnings = Vec::new();
    let stem = p
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let name = p.text_opt("run.name")?.unwrap_or(stem);
    p.record("run.name", json!(name));
    let seed = p.int("run.seed")? as u64;

    let (symbol, geometry) = pattern::resolve(&mut p)?;
    let (stack, materials) = film::resolve(&mut p, library)?;
    let modules = 17 + 4 * symbol.version as usize;
    let cell_nm = grid::resolve(&mut p, &geometry, modules)?;
    let layout = Layout {
        module_pitch_nm: geometry.module_pitch_nm,
        modules,
        quiet_zone_modules: geometry.quiet_zone_modules,
        cell_nm,
    };
    let mill = mill::resolve(&mut p, &layout, &materials, &mut warnings)?;
    let readout = readout::resolve(&mut p, &layout, &mut warnings)?;
    let (decoders, criterion_grid) = decode::resolve(&mut p)?;
    let aging = if p.aging_present {
        Some(aging::resolve(&mut p, &stack, &materials)?)
    } else {
        None
    };
    let lifetime = if p.lifetime_present {
        Some(lifetime::resolve(
            &mut p,
            &stack,
            &materials,
            library,
            aging.as_ref(),
        )?)
    } else {
        None
    };

    let resolved: serde_json::Map<String, Json> =
        std::mem::take(&mut p.resolved).into_iter().collect();
    Ok(Scenario {
        file: p.file,
        name,
        seed,
        symbol,
        geometry,
        stack,
        materials,
        cell_nm,
        mill,
        readout,
        decoders,
        criterion_grid,
        aging,
        lifetime,
        warnings,
        resolved: Json::Object(resolved),
    })
}

/// The stack's materials from the top layer down to the substrate.
pub(crate) fn stack_materials<'m>(
    stack: &crate::grid::FilmStack,
    materials: &'m [crate::material::Material],
) -> Vec<&'m crate::material::Material> {
    let mut in_stack: Vec<&crate::material::Material> = stack
        .layers
        .iter()
        .map(|l| &materials[l.material])
        .collect();
    in_stack.push(&materials[stack.substrate]);
    in_stack
}
