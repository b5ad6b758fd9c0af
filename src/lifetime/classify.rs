//! Which mechanisms act at each storage temperature, and therefore which search serves it.
//!
//! Time rescaling t = s/B(T) is exact only for surface diffusion alone (aging.md §2.6): a
//! temperature where it is the only mechanism acting within the horizon is served by the one
//! search in s = ∫B dt ([`SearchPath::Rescaled`]); any other is searched in real time
//! ([`SearchPath::RealTime`]). A mechanism acts when its 10 % time
//! ([`age::timescale::ln_time_to_10pct_s`], the definition of the timescale report) is within
//! [`NEGLIGIBLE_HORIZONS`] horizons.

use serde::Serialize;

use super::ProbeAgingModel;
use super::rate::OxidationRateModel;
use crate::age::{self, timescale};
use crate::grid::Specimen;
use crate::material::Material;
use crate::units::SECONDS_PER_YEAR;

/// A mechanism that ages a lifetime probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// Capillary surface diffusion (the fastest-rate surface material of the stack).
    SurfaceDiffusion,
    /// Oxidation (the fastest-consumed stack material).
    Oxidation,
    /// Out-diffusion of the implanted species from the top layer.
    ImplantOutDiffusion,
}

crate::choices!(Mechanism {
    Mechanism::SurfaceDiffusion => "surface diffusion",
    Mechanism::Oxidation => "oxidation",
    Mechanism::ImplantOutDiffusion => "implant out-diffusion",
});

/// How the lifetime at a temperature is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPath {
    /// Surface diffusion alone: one search in s = ∫B dt, t = s/B_eff(T), exact.
    Rescaled,
    /// Several mechanisms, or one other than surface diffusion: a search in real time at this
    /// temperature, each probe a full age from t = 0.
    RealTime,
}

crate::choices!(SearchPath {
    SearchPath::Rescaled => "rescaled",
    SearchPath::RealTime => "real_time",
});

/// A mechanism whose 10 % time exceeds this many horizons changes the specimen by less than
/// about 1 % within the horizon (parabolic growth ∝ √t: 10 % at 100 horizons is 1 % at one; a
/// Mullins mode decays by 0.1 %) and counts as inactive there.
pub const NEGLIGIBLE_HORIZONS: f64 = 100.0;

/// How the lifetime at one storage temperature was searched.
#[derive(Debug, Clone, Serialize)]
pub struct TemperaturePath {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Which search serves this temperature.
    pub path: SearchPath,
    /// Mechanisms acting within the horizon at this temperature.
    pub active: Vec<Mechanism>,
    /// Switched-on mechanisms with data whose 10 % time exceeds NEGLIGIBLE_HORIZONS horizons.
    pub negligible: Vec<Mechanism>,
    /// log₁₀ of each switched-on mechanism's 10 % time [log₁₀ yr], as (name, value).
    pub log10_time_to_10pct_yr: Vec<(Mechanism, f64)>,
}

impl TemperaturePath {
    /// Whether this temperature is searched in real time.
    pub fn real_time(&self) -> bool {
        self.path == SearchPath::RealTime
    }
}

/// Every material of the stack with its film thickness (`None`: the substrate), top first.
fn stack_materials(specimen: &Specimen) -> Vec<(&Material, Option<f64>)> {
    let stack = &specimen.stack;
    let mut mats: Vec<(&Material, Option<f64>)> = stack
        .layers
        .iter()
        .map(|l| (&specimen.materials[l.material], Some(l.thickness_nm)))
        .collect();
    mats.push((&specimen.materials[stack.substrate], None));
    mats
}

/// ln of the 10 % time [ln s] of each switched-on mechanism with data, at T: the fastest
/// material of the stack for surface diffusion and oxidation, the implant in the top layer.
fn mechanism_times(
    specimen: &Specimen,
    model: &ProbeAgingModel,
    pitch_nm: f64,
    t_k: f64,
) -> Vec<(Mechanism, f64)> {
    let m = model.mechanisms;
    let mats = stack_materials(specimen);
    let fastest = |of: &dyn Fn(&Material, Option<f64>) -> timescale::Mechanism| {
        mats.iter()
            .filter_map(|&(mat, film)| timescale::ln_time_to_10pct_s(of(mat, film), pitch_nm, t_k))
            .fold(f64::INFINITY, f64::min)
    };
    let mut out = Vec::new();
    if m.surface_diffusion {
        let t = fastest(&|mat, _| timescale::Mechanism::SurfaceDiffusion(mat));
        if t.is_finite() {
            out.push((Mechanism::SurfaceDiffusion, t));
        }
    }
    if m.oxidation {
        let t = fastest(&|material, film_nm| timescale::Mechanism::Oxidation { material, film_nm });
        if t.is_finite() {
            out.push((Mechanism::Oxidation, t));
        }
    }
    if m.bulk_diffusion {
        let host = &specimen.materials[specimen
            .stack
            .layers
            .first()
            .map(|l| l.material)
            .unwrap_or(specimen.stack.substrate)];
        let implanted = specimen.grid.implanted_per_nm2.iter().any(|x| *x > 0.0);
        if implanted
            && let Some(d) = timescale::implant_mechanism(host, &specimen.implant_species)
            && let Some(t) = timescale::ln_time_to_10pct_s(d, pitch_nm, t_k)
        {
            out.push((Mechanism::ImplantOutDiffusion, t));
        }
    }
    out
}

/// The search path of every storage temperature of `temperatures_k` for the (native-oxide)
/// `specimen` aged with `model` within `horizon_s`.
pub fn classify(
    specimen: &Specimen,
    model: &ProbeAgingModel,
    pitch_nm: f64,
    temperatures_k: &[f64],
    horizon_s: f64,
) -> Vec<TemperaturePath> {
    let ln_neg = (NEGLIGIBLE_HORIZONS * horizon_s).ln();
    let year = SECONDS_PER_YEAR;
    temperatures_k
        .iter()
        .map(|&t_k| {
            let times = mechanism_times(specimen, model, pitch_nm, t_k);
            let active: Vec<Mechanism> = times
                .iter()
                .filter(|(_, t)| *t <= ln_neg)
                .map(|(n, _)| *n)
                .collect();
            let negligible = times
                .iter()
                .filter(|(_, t)| *t > ln_neg)
                .map(|(n, _)| *n)
                .collect();
            let rescaled = active.iter().all(|n| *n == Mechanism::SurfaceDiffusion);
            TemperaturePath {
                temperature_k: t_k,
                path: if rescaled {
                    SearchPath::Rescaled
                } else {
                    SearchPath::RealTime
                },
                active,
                negligible,
                log10_time_to_10pct_yr: times
                    .iter()
                    .map(|(n, t)| (*n, (t - year.ln()) / std::f64::consts::LN_10))
                    .collect(),
            }
        })
        .collect()
}

/// The oxidizing materials of the stack (with an oxidation rate model), top first, and the
/// rate model of the one oxidizer when oxidation is on and exactly one material oxidizes (the
/// oxidation clock and the uncertainty surrogate need a single rate).
pub fn single_oxidizer(
    specimen: &Specimen,
    mechanisms: age::Mechanisms,
) -> (Vec<&Material>, Option<OxidationRateModel>) {
    let mut v: Vec<usize> = specimen.stack.layers.iter().map(|l| l.material).collect();
    v.push(specimen.stack.substrate);
    v.dedup();
    let oxidizers: Vec<&Material> = v
        .iter()
        .map(|&i| &specimen.materials[i])
        .filter(|m| OxidationRateModel::of(m).is_some())
        .collect();
    let model = (mechanisms.oxidation && oxidizers.len() == 1)
        .then(|| OxidationRateModel::of(oxidizers[0]))
        .flatten();
    (oxidizers, model)
}
