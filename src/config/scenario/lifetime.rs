//! `[lifetime]`: the failure search, its statistics and the density–lifetime frontier.

use super::stack_materials;
use crate::age::{AgingSettings, Mechanisms};
use crate::config::MaterialLibrary;
use crate::config::engine::{self, Parsed};
use crate::error::Result;
use crate::grid::FilmStack;
use crate::lifetime::{Criterion, GeometryUqSettings, LifetimeSettings, ProbeAgingModel};
use crate::material::Material;
use crate::units;

/// The `[lifetime]` section → validated [`LifetimeSettings`] (K, s). Needs `[surface]` data of
/// every stack material (the search runs in the surface-diffusion equivalent time); loads every
/// library material with `[surface]` data for the frontier.
pub(super) fn resolve(
    p: &mut Parsed<'_>,
    stack: &FilmStack,
    materials: &[Material],
    library: &MaterialLibrary,
    aging: Option<&AgingSettings>,
) -> Result<LifetimeSettings> {
    let year = units::SECONDS_PER_YEAR;
    let mut temps_c = p.float_list("lifetime.temperatures_c")?;
    temps_c.sort_by(f64::total_cmp);
    temps_c.dedup();
    let horizon_yr = p.float("lifetime.horizon_yr")?;
    let target_yr = p.float("lifetime.target_yr")?;
    let use_c = p.float("lifetime.use_temperature_c")?;
    let test_h = p.float("lifetime.test_duration_h")?;
    let realizations = p.int("lifetime.realizations")? as usize;
    let uq_samples = p.int("lifetime.uq_samples")? as usize;
    let criteria = p.choice_list::<Criterion>("lifetime.criteria")?;
    let mut pitches = p.float_list("lifetime.frontier_pitches_nm")?;
    pitches.sort_by(f64::total_cmp);
    pitches.dedup();
    let curve_points = p.int("lifetime.curve_points")? as usize;
    let rel_tolerance = p.float("lifetime.tolerance")?;
    let max_probes = p.int("lifetime.max_probes")? as usize;
    let design_points = p.int("lifetime.geometry_design_points")? as usize;
    if !matches!(design_points, 0 | 3 | 6) {
        return Err(p.err_at(
            "lifetime.geometry_design_points",
            format!("{design_points} design points: the geometry design is one factor at a time"),
            "use 0 (off), 3 (+1σ per factor) or 6 (±1σ per factor)",
        ));
    }
    let geometry = GeometryUqSettings {
        design_points,
        over_mill_sigma_nm: p.float_opt("lifetime.over_mill_sigma_nm")?,
        wall_angle_sigma_deg: p.float_opt("lifetime.wall_angle_sigma_deg")?,
        film_thickness_sigma_nm: p.float_opt("lifetime.film_thickness_sigma_nm")?,
    };
    if let Some(m) = stack_materials(stack, materials)
        .iter()
        .find(|m| !m.has_capillary_transport())
    {
        return Err(p.err(
            "lifetime",
            None,
            format!(
                "material {} has no [surface] kinetics: the lifetime search runs in the surface-diffusion equivalent time",
                m.name
            ),
            format!(
                "add [surface] (surface_energy_j_m2, formula_volume_nm3, diffusion_d0_cm2_per_s, diffusion_ea_ev) to the material file of {}, or remove [lifetime]",
                m.name
            ),
        ));
    }
    let mut frontier_materials = Vec::new();
    for name in library.names() {
        let m = library.load(&name, "lifetime.frontier_pitches_nm", Some(&p.file))?;
        if m.surface.is_some() {
            frontier_materials.push(m);
        }
    }
    Ok(LifetimeSettings {
        temperatures_k: temps_c
            .iter()
            .map(|c| units::celsius_to_kelvin(*c))
            .collect(),
        horizon_s: horizon_yr * year,
        target_s: target_yr * year,
        use_temperature_k: units::celsius_to_kelvin(use_c),
        test_duration_s: test_h * 3600.0,
        realizations,
        uq_samples,
        criteria,
        frontier_pitches_nm: pitches,
        curve_points,
        rel_tolerance,
        max_probes,
        frontier_materials,
        aging_model: probe_aging_model(aging),
        geometry,
    })
}

/// The aging model of the lifetime probes: the `[aging]` section's, else the model an
/// `[aging]` section gets by default (every mechanism on, native oxide, 8 sub-steps: the key
/// table's defaults), so the lifetime is about the same aging a user gets by asking for it.
pub fn probe_aging_model(aging: Option<&AgingSettings>) -> ProbeAgingModel {
    match aging {
        Some(a) => ProbeAgingModel {
            mechanisms: a.mechanisms,
            native_oxide: a.native_oxide,
            splitting_steps: a.splitting_steps,
            from_aging_section: true,
            solver: a.solver,
            surface_rule: a.surface_rule,
            nonlinear: a.nonlinear,
        },
        None => ProbeAgingModel {
            mechanisms: Mechanisms {
                surface_diffusion: engine::default_bool("aging.surface_diffusion"),
                oxidation: engine::default_bool("aging.oxidation"),
                bulk_diffusion: engine::default_bool("aging.bulk_diffusion"),
            },
            native_oxide: engine::default_bool("aging.native_oxide"),
            splitting_steps: engine::default_int("aging.splitting_steps") as usize,
            from_aging_section: false,
            solver: engine::default_choice("aging.solver"),
            surface_rule: engine::default_choice("aging.surface_rule"),
            nonlinear: crate::age::NonlinearSettings {
                tolerance_nm: engine::default_float("aging.nonlinear_tolerance_nm"),
                scheme: engine::default_choice("aging.nonlinear_scheme"),
                coarsening: engine::default_int("aging.nonlinear_coarsening") as usize,
                ..Default::default()
            },
        },
    }
}
