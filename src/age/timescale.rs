//! Per-mechanism timescales: how long each mechanism takes to change a feature of the module
//! pitch by 10 % at a given temperature ([`ln_time_to_10pct_s`], the one definition used by the
//! timescale report and by the lifetime classifier), and the temperature at which that time is
//! 1,000 years. Computed in log space so that 10²⁵ or 10⁵⁶ years are reported as such.
//! Physics only: the report's names and notes are rendered by `output::report::timescale`.
//!
//! Definitions (per material m, temperature T):
//! - surface diffusion: the fundamental of a module pattern has period 2p (p the pitch),
//!   k = 2π/(2p); its amplitude falls by 10 % after τ = −ln(0.9)/(B(T) k⁴) (T1, aging.md §4.3
//!   uses τ = 1/(Bk⁴) for the 1/e time);
//! - oxidation: time to consume 10 % of the layer thickness (film layers) or 10 % of the
//!   module pitch in depth (the substrate), oxide convention of [`super::oxidation`];
//! - bulk diffusion of a species: time for the diffusion length √(2∫D dt) to reach 10 % of
//!   the pitch, t = (0.1 p)²/(2D).

use super::Mechanisms;
use super::history::{Arrhenius, temperature_for_timescale_k};
use super::oxidation;
use super::surface::ln_mullins_b;
use crate::material::{Element, Material};
use crate::units::{SECONDS_PER_YEAR, ZERO_CELSIUS_K};

/// Target time of the "temperature for 1,000 years" column [yr].
pub const TARGET_YR: f64 = 1000.0;
/// Search bracket for that temperature [K].
pub const SEARCH_K: (f64, f64) = (50.0, 5000.0);

/// A mechanism that changes a module feature, with the kinetics its 10 % time needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mechanism<'a> {
    /// Capillary surface diffusion on `material` (its `[surface]` kinetics).
    SurfaceDiffusion(&'a Material),
    /// Oxidation of `material`: a film layer of `film_nm` (`None`: the substrate).
    Oxidation {
        /// The oxidizing material.
        material: &'a Material,
        /// Its film thickness [nm], `None` for the substrate.
        film_nm: Option<f64>,
    },
    /// Bulk diffusion with diffusivity D(T) [nm²/s].
    BulkDiffusion(Arrhenius),
}

/// ln of the time [ln s] for `mechanism` to change a feature of pitch `pitch_nm` by 10 % at
/// `temperature_k` (module documentation); `None` without kinetics data.
pub fn ln_time_to_10pct_s(mechanism: Mechanism, pitch_nm: f64, temperature_k: f64) -> Option<f64> {
    match mechanism {
        Mechanism::SurfaceDiffusion(m) => ln_surface_time_s(m, pitch_nm, temperature_k),
        Mechanism::Oxidation { material, film_nm } => {
            let ox = material.oxidation.as_ref()?;
            oxidation::ln_time_to_consume_s(ox, 0.1 * film_nm.unwrap_or(pitch_nm), temperature_k)
        }
        Mechanism::BulkDiffusion(d) => {
            let len = 0.1 * pitch_nm;
            Some((len * len / 2.0).ln() - d.ln_rate(temperature_k))
        }
    }
}

/// ln of the 10 % time [ln s] of surface diffusion for pitch p [nm].
pub fn ln_surface_time_s(material: &Material, pitch_nm: f64, temperature_k: f64) -> Option<f64> {
    let s = material.surface.as_ref()?;
    let k = 2.0 * std::f64::consts::PI / (2.0 * pitch_nm);
    Some((-(0.9f64.ln())).ln() - ln_mullins_b(s, temperature_k) - 4.0 * k.ln())
}

/// What one report row measures (its name and note are rendered by `output`).
#[derive(Debug, Clone, PartialEq)]
pub enum Process {
    /// Surface diffusion of the fundamental of pitch `pitch_nm` [nm].
    SurfaceDiffusion {
        /// Module pitch [nm].
        pitch_nm: f64,
    },
    /// Oxidation consuming `depth_nm` of the material.
    Oxidation {
        /// Consumed depth of the material [nm] (10 % of the film, or of the pitch).
        depth_nm: f64,
        /// Oxide thickness grown meanwhile [nm] (depth × PBR).
        oxide_nm: f64,
        /// Oxide formula.
        oxide_formula: String,
        /// Pilling–Bedworth ratio.
        pilling_bedworth_ratio: f64,
    },
    /// Bulk diffusion of `species` over `length_nm`.
    BulkDiffusion {
        /// Diffusing species (element symbol).
        species: String,
        /// Diffusion length reached [nm] (10 % of the pitch).
        length_nm: f64,
    },
}

/// One row of the report (serialized by `output::report::timescale` with the contract's
/// `mechanism` and `note` strings).
#[derive(Debug, Clone, PartialEq)]
pub struct TimescaleRow {
    /// Material name.
    pub material: String,
    /// What is measured.
    pub process: Process,
    /// Temperature [°C].
    pub temperature_c: f64,
    /// log₁₀ of the time for a 10 % change [log₁₀ yr] (always finite).
    pub log10_time_to_10pct_yr: f64,
    /// The same time [yr] (`None` if beyond f64 range).
    pub time_to_10pct_yr: Option<f64>,
    /// Temperature at which the 10 % time equals 1,000 yr [°C]; `None` if not within
    /// 50–5000 K.
    pub temperature_for_1000yr_c: Option<f64>,
}

/// Builds the rows for `materials` at `temperatures_k` for the switched-on `mechanisms`.
/// `materials[i].1` is the film thickness of material i if it is a film layer, `None` for the
/// substrate.
pub fn report(
    materials: &[(&Material, Option<f64>)],
    pitch_nm: f64,
    temperatures_k: &[f64],
    mechanisms: &Mechanisms,
) -> Vec<TimescaleRow> {
    let ln_target = (TARGET_YR * SECONDS_PER_YEAR).ln();
    let mut rows = Vec::new();
    let mut push = |m: &Material, process: Process, mechanism: Mechanism| {
        let f = |t: f64| ln_time_to_10pct_s(mechanism, pitch_nm, t).unwrap_or(f64::INFINITY);
        let t_1000 = temperature_for_timescale_k(ln_target, SEARCH_K.0, SEARCH_K.1, f)
            .map(|t| t - ZERO_CELSIUS_K);
        for &t in temperatures_k {
            let ln_yr = f(t) - SECONDS_PER_YEAR.ln();
            let yr = ln_yr.exp();
            rows.push(TimescaleRow {
                material: m.name.clone(),
                process: process.clone(),
                temperature_c: t - ZERO_CELSIUS_K,
                log10_time_to_10pct_yr: ln_yr / std::f64::consts::LN_10,
                time_to_10pct_yr: yr.is_finite().then_some(yr),
                temperature_for_1000yr_c: t_1000,
            });
        }
    };
    for &(m, film) in materials {
        if mechanisms.surface_diffusion && m.surface.is_some() {
            push(
                m,
                Process::SurfaceDiffusion { pitch_nm },
                Mechanism::SurfaceDiffusion(m),
            );
        }
        if mechanisms.oxidation
            && let Some(ox) = &m.oxidation
            && !matches!(ox.law, crate::material::OxidationLaw::Inert)
        {
            let depth = 0.1 * film.unwrap_or(pitch_nm);
            let process = Process::Oxidation {
                depth_nm: depth,
                oxide_nm: depth * ox.pilling_bedworth_ratio.value,
                oxide_formula: ox.oxide_formula.clone(),
                pilling_bedworth_ratio: ox.pilling_bedworth_ratio.value,
            };
            let mechanism = Mechanism::Oxidation {
                material: m,
                film_nm: film,
            };
            push(m, process, mechanism);
        }
        if mechanisms.bulk_diffusion {
            for b in &m.bulk_diffusion {
                let d = Arrhenius {
                    prefactor: b.d0_nm2_per_s.value,
                    activation_ev: b.activation_ev.value,
                };
                let process = Process::BulkDiffusion {
                    species: b.species.symbol.to_string(),
                    length_nm: 0.1 * pitch_nm,
                };
                push(m, process, Mechanism::BulkDiffusion(d));
            }
        }
    }
    rows
}

/// Implant out-diffusion as a [`Mechanism`]: `species` diffusing in `host`, if the library has
/// its diffusivity.
pub fn implant_mechanism(host: &Material, species: &Element) -> Option<Mechanism<'static>> {
    super::bulk::diffusivity(host, species).map(Mechanism::BulkDiffusion)
}
