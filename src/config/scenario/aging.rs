//! `[aging]`: the temperature history (constant or `[[aging.schedule]]` segments), the
//! snapshot times, the mechanisms and the solver.

use serde_json::json;

use super::stack_materials;
use crate::age::history::HistoryError;
use crate::age::{
    AgingSettings, Mechanisms, NonlinearScheme, NonlinearSettings, Segment, SurfaceRule,
    SurfaceSolver, TemperatureHistory,
};
use crate::config::engine::Parsed;
use crate::error::Result;
use crate::grid::FilmStack;
use crate::material::Material;
use crate::units;

const YEAR_S: f64 = units::SECONDS_PER_YEAR;

/// The `[aging]` section → validated [`AgingSettings`] (internal units: K, s).
pub(super) fn resolve(
    p: &mut Parsed<'_>,
    stack: &FilmStack,
    materials: &[Material],
) -> Result<AgingSettings> {
    let constant_c = p.float_opt("aging.temperature_c")?;
    let repeat = p.int("aging.repeat")? as usize;
    let horizon_given = p.float_opt("aging.horizon_yr")?;
    let segments = segments(p, constant_c, horizon_given)?;
    let history = TemperatureHistory::repeated(&segments, repeat).map_err(|e| {
        let (key, rule) = match e {
            HistoryError::NonPositiveTemperature(_) => {
                ("aging.temperature_c", "temperature must be above 0 K")
            }
            HistoryError::EmptySegment(_) => ("aging.schedule", "empty segment (duration ≤ 0)"),
            HistoryError::NoSegments => ("aging.schedule", "no segments"),
        };
        p.err(
            key,
            None,
            rule,
            "see `millage explain` for the [aging] keys",
        )
    })?;
    let total_s = history.duration_s();
    let horizon_s = match horizon_given {
        Some(h) if h * YEAR_S > total_s * (1.0 + 1e-12) => {
            return Err(p.err_at(
                "aging.horizon_yr",
                format!(
                    "horizon {h} yr is beyond the end of the schedule ({} yr)",
                    total_s / YEAR_S
                ),
                "extend the schedule, raise repeat, or lower horizon_yr",
            ));
        }
        Some(h) => h * YEAR_S,
        None => total_s,
    };
    p.record("aging.horizon_yr", json!(horizon_s / YEAR_S));
    let snapshots_s = snapshots(p, horizon_s)?;
    let mechanisms = Mechanisms {
        surface_diffusion: p.boolean("aging.surface_diffusion")?,
        oxidation: p.boolean("aging.oxidation")?,
        bulk_diffusion: p.boolean("aging.bulk_diffusion")?,
    };
    let solver = p.choice::<SurfaceSolver>("aging.solver")?;
    let surface_rule = p.choice::<SurfaceRule>("aging.surface_rule")?;
    let splitting_steps = p.int("aging.splitting_steps")? as usize;
    let native_oxide = p.boolean("aging.native_oxide")?;
    let tolerance_nm = p.float("aging.nonlinear_tolerance_nm")?;
    let scheme = p.choice::<NonlinearScheme>("aging.nonlinear_scheme")?;
    let coarsening = p.int("aging.nonlinear_coarsening")? as usize;
    if let Some(miss) =
        crate::age::missing_parameter(&stack_materials(stack, materials), &mechanisms)
    {
        use crate::age::{KineticTable, Mechanism};
        let switch = match miss.mechanism {
            Mechanism::SurfaceDiffusion => "surface_diffusion",
            Mechanism::Oxidation => "oxidation",
        };
        let parameter = match miss.table {
            KineticTable::Surface => {
                "[surface] (surface_energy_j_m2, formula_volume_nm3, diffusion_d0_cm2_per_s, diffusion_ea_ev)"
            }
            KineticTable::Oxidation => {
                "[oxidation] (law and its rate constants, pilling_bedworth_ratio)"
            }
        };
        let key = format!("aging.{switch}");
        return Err(p.err_at(
            &key,
            format!(
                "material {} has no kinetic parameters for {}: missing {parameter}",
                miss.material,
                switch.replace('_', " "),
            ),
            format!(
                "add {parameter} to the material file of {}, or set `{switch} = false`",
                miss.material
            ),
        ));
    }
    Ok(AgingSettings {
        history,
        horizon_s,
        snapshots_s,
        mechanisms,
        solver,
        surface_rule,
        splitting_steps,
        nonlinear: NonlinearSettings {
            tolerance_nm,
            scheme,
            coarsening,
            ..Default::default()
        },
        native_oxide,
    })
}

/// The temperature history's segments: one constant segment (`temperature_c` for
/// `horizon_yr`), or the `[[aging.schedule]]`, never both.
fn segments(
    p: &mut Parsed<'_>,
    constant_c: Option<f64>,
    horizon_given: Option<f64>,
) -> Result<Vec<Segment>> {
    match (constant_c, p.schedule_count) {
        (Some(_), n) if n > 0 => Err(p.err_at(
            "aging.temperature_c",
            "both a constant temperature_c and [[aging.schedule]] segments are given",
            "keep one: temperature_c for constant storage, or the schedule",
        )),
        (None, 0) => Err(p.err(
            "aging",
            None,
            "no temperature history",
            "add `temperature_c = 25.0` and `horizon_yr = 1000.0`, or [[aging.schedule]] segments with temperature_c and duration_yr",
        )),
        (Some(t_c), _) => {
            let Some(h) = horizon_given else {
                return Err(p.err(
                    "aging.horizon_yr",
                    None,
                    "missing: a constant temperature needs a horizon",
                    "add `horizon_yr = 1000.0`",
                ));
            };
            Ok(vec![Segment {
                temperature_k: units::celsius_to_kelvin(t_c),
                duration_s: h * YEAR_S,
            }])
        }
        (None, n) => {
            let mut segs = Vec::with_capacity(n);
            let mut end_yr: f64 = 0.0;
            for i in 0..n {
                let (t_c, duration_yr) = schedule_segment(p, i, end_yr)?;
                end_yr += duration_yr;
                segs.push(Segment {
                    temperature_k: units::celsius_to_kelvin(t_c),
                    duration_s: duration_yr * YEAR_S,
                });
            }
            Ok(segs)
        }
    }
}

/// Segment `i` of the schedule → (temperature [°C], duration [yr]); its optional `start_yr`
/// must equal `end_yr`, where the previous segment ends.
fn schedule_segment(p: &mut Parsed<'_>, i: usize, end_yr: f64) -> Result<(f64, f64)> {
    let key = |k: &str| format!("aging.schedule[{i}].{k}");
    let t_c = p.float(&key("temperature_c"))?;
    let yr = p.float_opt(&key("duration_yr"))?;
    let h = p.float_opt(&key("duration_h"))?;
    let duration_yr = match (yr, h) {
        (Some(y), None) => y,
        (None, Some(h)) => h * 3600.0 / YEAR_S,
        (Some(_), Some(_)) => {
            return Err(p.err_at(
                &key("duration_h"),
                "both duration_yr and duration_h are given",
                "give the segment's duration once",
            ));
        }
        (None, None) => {
            return Err(p.err(
                &key("duration_yr"),
                None,
                "empty schedule segment: no duration",
                "add `duration_yr = …` or `duration_h = …` (> 0)",
            ));
        }
    };
    if let Some(start) = p.float_opt(&key("start_yr"))? {
        let tol = 1e-9 * end_yr.max(1.0);
        if start < end_yr - tol {
            return Err(p.err_at(
                &key("start_yr"),
                format!(
                    "segment {i} starts at {start} yr, inside segment {} which ends at {end_yr} yr: segments overlap",
                    i.saturating_sub(1)
                ),
                "segments follow one another; start each where the previous one ends",
            ));
        }
        if start > end_yr + tol {
            return Err(p.err_at(
                &key("start_yr"),
                format!(
                    "segment {i} starts at {start} yr but the previous one ends at {end_yr} yr: the schedule has a gap"
                ),
                "fill the gap with a segment at the storage temperature",
            ));
        }
    }
    Ok((t_c, duration_yr))
}

/// The snapshot times [s], sorted and deduplicated, within the horizon (auto: 0 and
/// horizon × 10⁻³ … 1 by decades).
fn snapshots(p: &mut Parsed<'_>, horizon_s: f64) -> Result<Vec<f64>> {
    let Some(list) = p.float_list_opt("aging.snapshots_yr")? else {
        let v: Vec<f64> = [0.0, 1e-3, 1e-2, 1e-1, 1.0]
            .iter()
            .map(|f| f * horizon_s)
            .collect();
        p.record(
            "aging.snapshots_yr",
            json!(v.iter().map(|t| t / YEAR_S).collect::<Vec<_>>()),
        );
        return Ok(v);
    };
    if list.is_empty() {
        return Err(p.err_at(
            "aging.snapshots_yr",
            "the list is empty",
            "list at least one time, e.g. [0.0, 1000.0]",
        ));
    }
    let mut v: Vec<f64> = list.iter().map(|y| y * YEAR_S).collect();
    if let Some(bad) = v.iter().find(|t| **t > horizon_s * (1.0 + 1e-12)) {
        return Err(p.err_at(
            "aging.snapshots_yr",
            format!(
                "snapshot at {} yr is beyond the horizon ({} yr)",
                bad / YEAR_S,
                horizon_s / YEAR_S
            ),
            "list times within [0, horizon_yr]",
        ));
    }
    v.sort_by(f64::total_cmp);
    v.dedup();
    Ok(v)
}
