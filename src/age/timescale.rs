//! Per-mechanism timescale report: how long each mechanism takes to change a feature of the
//! module pitch by 10 % at a given temperature, and the temperature at which that time is
//! 1,000 years. Computed in log space so that 10²⁵ or 10⁵⁶ years are reported as such.
//!
//! Definitions (per material m, temperature T):
//! - surface diffusion: the fundamental of a module pattern has period 2p (p the pitch),
//!   k = 2π/(2p); its amplitude falls by 10 % after τ = −ln(0.9)/(B(T) k⁴) (T1, aging.md §4.3
//!   uses τ = 1/(Bk⁴) for the 1/e time);
//! - oxidation: time to consume 10 % of the layer thickness (film layers) or 10 % of the
//!   module pitch in depth (the substrate), oxide convention of [`super::oxidation`];
//! - bulk diffusion of a species: time for the diffusion length √(2∫D dt) to reach 10 % of
//!   the pitch, t = (0.1 p)²/(2D).

use super::history::{Arrhenius, temperature_for_timescale_k};
use super::oxidation;
use super::surface::ln_mullins_b;
use crate::material::Material;
use crate::units::{SECONDS_PER_YEAR, ZERO_CELSIUS_K};

/// Target time of the "temperature for 1,000 years" column [yr].
pub const TARGET_YR: f64 = 1000.0;
/// Search bracket for that temperature [K].
pub const SEARCH_K: (f64, f64) = (50.0, 5000.0);

/// One row of the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimescaleRow {
    /// Material name.
    pub material: String,
    /// "surface diffusion", "oxidation" or "bulk diffusion of X".
    pub mechanism: String,
    /// Temperature [°C].
    pub temperature_c: f64,
    /// log₁₀ of the time for a 10 % change [log₁₀ yr] (always finite).
    pub log10_time_to_10pct_yr: f64,
    /// The same time [yr] (`null` in JSON if beyond f64 range).
    pub time_to_10pct_yr: Option<f64>,
    /// Temperature at which the 10 % time equals 1,000 yr [°C]; `null` if not within
    /// 50–5000 K.
    pub temperature_for_1000yr_c: Option<f64>,
    /// How the time was defined and any caveat.
    pub note: String,
}

/// ln of the 10 % time [ln s] of surface diffusion for pitch p [nm].
pub fn ln_surface_time_s(material: &Material, pitch_nm: f64, temperature_k: f64) -> Option<f64> {
    let s = material.surface.as_ref()?;
    let k = 2.0 * std::f64::consts::PI / (2.0 * pitch_nm);
    Some((-(0.9f64.ln())).ln() - ln_mullins_b(s, temperature_k) - 4.0 * k.ln())
}

/// Builds the rows for `materials` at `temperatures_k`. `layer_thickness_nm[i]` is the film
/// thickness of material i if it is a film layer, `None` for the substrate.
pub fn report(
    materials: &[(&Material, Option<f64>)],
    pitch_nm: f64,
    temperatures_k: &[f64],
    surface_on: bool,
    oxidation_on: bool,
    bulk_on: bool,
) -> Vec<TimescaleRow> {
    let ln_target = (TARGET_YR * SECONDS_PER_YEAR).ln();
    let mut rows = Vec::new();
    let mut push = |m: &Material, mech: String, note: String, f: &dyn Fn(f64) -> f64| {
        let t_1000 = temperature_for_timescale_k(ln_target, SEARCH_K.0, SEARCH_K.1, f)
            .map(|t| t - ZERO_CELSIUS_K);
        for &t in temperatures_k {
            let ln_yr = f(t) - SECONDS_PER_YEAR.ln();
            let yr = ln_yr.exp();
            rows.push(TimescaleRow {
                material: m.name.clone(),
                mechanism: mech.clone(),
                temperature_c: t - ZERO_CELSIUS_K,
                log10_time_to_10pct_yr: ln_yr / std::f64::consts::LN_10,
                time_to_10pct_yr: yr.is_finite().then_some(yr),
                temperature_for_1000yr_c: t_1000,
                note: note.clone(),
            });
        }
    };
    for &(m, film) in materials {
        if surface_on && m.surface.is_some() {
            push(
                m,
                "surface diffusion".into(),
                format!(
                    "fundamental k = 2π/(2·{pitch_nm:.2} nm) decays 10 %: τ = −ln 0.9/(B k⁴), isotropic Mullins (upper-rate model)"
                ),
                &|t| ln_surface_time_s(m, pitch_nm, t).unwrap_or(f64::INFINITY),
            );
        }
        if oxidation_on
            && let Some(ox) = &m.oxidation
            && !matches!(ox.law, crate::material::OxidationLaw::Inert)
        {
            let depth = 0.1 * film.unwrap_or(pitch_nm);
            push(
                m,
                "oxidation".into(),
                format!(
                    "{depth:.2} nm of {} consumed ({} nm of {} at PBR {}); law extrapolated from its measured range",
                    m.name,
                    short(depth * ox.pilling_bedworth_ratio.value),
                    ox.oxide_formula,
                    ox.pilling_bedworth_ratio.value
                ),
                &|t| oxidation::ln_time_to_consume_s(ox, depth, t).unwrap_or(f64::INFINITY),
            );
        }
        if bulk_on {
            for b in &m.bulk_diffusion {
                let d = Arrhenius {
                    prefactor: b.d0_nm2_per_s.value,
                    activation_ev: b.activation_ev.value,
                };
                let len = 0.1 * pitch_nm;
                push(
                    m,
                    format!("bulk diffusion of {}", b.species.symbol),
                    format!("√(2Dt) = {len:.2} nm: t = (0.1 p)²/(2D)"),
                    &|t| (len * len / 2.0).ln() - d.ln_rate(t),
                );
            }
        }
    }
    rows
}

fn short(x: f64) -> String {
    format!("{:.3}", x)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
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
