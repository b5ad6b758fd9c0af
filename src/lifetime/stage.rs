//! The lifetime stage of one milled specimen, one method per step: classify the temperatures,
//! search in s (surface diffusion alone), in u (oxidation alone) and in real time, derive the
//! rows, the degradation curve and image strip, the Arrhenius analysis and test design, the
//! uncertainty and the frontier. The records it returns are the `summary.json` contract; their
//! prose (`method`, `model`, `note`, `basis`) is rendered by `output::report::lifetime` from
//! the typed facts carried here. No I/O.
//!
//! The probes age with the scenario's `[aging]` mechanisms (or the `[aging]` key defaults
//! without that section): surface diffusion, oxidation with its native oxide, skin, swelling
//! and oxide surface material, implant out-diffusion where the library has a diffusivity.
//! Time rescaling t = s/B(T) is exact only for a single mechanism (aging.md §2.6), so per
//! storage temperature ([`super::classify`]):
//! - **rescaled**: if surface diffusion is the only mechanism acting within the horizon, one
//!   search in s = ∫B dt [nm⁴] serves every such temperature: each probe ages a copy of the
//!   milled specimen (with its native oxide) from s = 0 in one exact spectral step at T_ref =
//!   the highest storage temperature, t = s / B_eff(T_ref);
//! - **real time**: otherwise, a search in real time at that temperature (bracketing and
//!   bisection in log time), each probe a full age from t = 0 with every active mechanism.
//!
//! Each probe images the aged specimen with `realizations` SEM noise realizations (the same
//! realization indices at every probe: common random numbers) and decodes each. Probes are
//! cached per clock, so the two criteria share them.

use serde::Serialize;

use super::classify::{self, TemperaturePath};
use super::design::{ArrheniusRecord, TestDesign};
use super::frontier_stage::FrontierRecord;
use super::geometry_uq::GeometryRecord;
use super::probe::{Clock, ProbeRates, Prober, Reader};
use super::rate::{OxidationRateModel, SurfaceRateModel};
use super::readout::ReadoutPlan;
use super::rows::LifetimeRow;
use super::search::{OxidationSearchRecord, RealTimeSearchRecord, SearchRecord, Searches};
use super::stats;
use super::uncertainty::{UncertaintyBasis, UncertaintyRow};
use super::{Criterion, LifetimeSettings, ProbeAgingModel, ProbeReading, SearchSettings};
use crate::age::{self, ModuleMap};
use crate::error::{Error, Result};
use crate::grid::Specimen;
use crate::image::Micrograph;
use crate::material::Material;
use crate::mill::ModuleLayout;
use crate::qr::QrSymbol;
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

/// One point of the degradation curve.
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    /// Equivalent time s [nm⁴].
    pub s_nm4: f64,
    /// The time at each storage temperature that reaches s [yr] (t = s / B_eff(T)).
    pub time_yr: Vec<f64>,
    /// What the probe saw.
    pub reading: ProbeReading,
}

/// One real-time probe: what the reader saw after aging at one temperature for one time.
#[derive(Debug, Clone, Serialize)]
pub struct RealTimePoint {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Storage time [yr].
    pub time_yr: f64,
    /// What the probe saw.
    pub reading: ProbeReading,
}

/// The facts the method statement of `lifetime_analysis.method` is rendered from
/// (serialized as that sentence by `output::report::lifetime`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodFacts {
    /// Whether the switches come from the scenario's `[aging]` section.
    pub from_aging_section: bool,
    /// Mechanism switches of the probes.
    pub mechanisms: age::Mechanisms,
    /// Temperature of the rescaled probes [°C].
    pub probe_temperature_c: f64,
    /// Lie sub-steps of a real-time probe.
    pub splitting_steps: usize,
    /// Noise realizations per probe.
    pub realizations: usize,
    /// A mechanism acts when its 10 % time is below this many horizons.
    pub negligible_horizons: f64,
}

/// Everything else the lifetime stage reports (`summary.json` → `lifetime_analysis`).
#[derive(Debug, Clone, Serialize)]
pub struct LifetimeAnalysis {
    /// Mechanism and method statement (single-mechanism assumption).
    pub method: MethodFacts,
    /// Temperature of the rescaled probes [K] (any would give the same geometry at equal s).
    pub probe_temperature_k: f64,
    /// Surface-transport solver of every probe: "nonlinear" (graph equation) or
    /// "linear" (small-slope spectral propagator).
    pub surface_solver: age::SurfaceSolver,
    /// The area-weighted surface-rate model B_eff(T) of the milled surface (with its native
    /// oxide where the model grows one).
    pub rate_model: SurfaceRateModel,
    /// The oxidation rate of the one oxidizing stack material (UQ surrogate), if any.
    pub oxidation_rate_model: Option<OxidationRateModel>,
    /// The searches in s = ∫B dt (surface diffusion alone).
    pub searches: Vec<SearchRecord>,
    /// The search in u = ∫rate dt of oxidation alone (only with a real-time temperature).
    pub oxidation_search: Option<OxidationSearchRecord>,
    /// Per temperature: which mechanisms act and which search was used.
    pub paths: Vec<TemperaturePath>,
    /// The real-time searches (temperature × criterion).
    pub real_time_searches: Vec<RealTimeSearchRecord>,
    /// Per temperature: how the Monte Carlo lifetimes were computed.
    pub uncertainty_basis: Vec<UncertaintyBasis>,
    /// The geometry design and its responses (absent with `lifetime.geometry_design_points` = 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geometry: Option<GeometryRecord>,
    /// Age + image + decode probes actually run (searches and curve, after caching; without
    /// the frontier's, see `frontier.probes`).
    pub unique_probes: usize,
    /// Of these, real-time probes.
    pub real_time_probes: usize,
    /// Noise realizations per probe.
    pub realizations: usize,
    /// Storage temperatures [K] (the columns of `curve[].time_yr`).
    pub temperatures_k: Vec<f64>,
    /// Degradation curve in equivalent time.
    pub curve: Vec<CurvePoint>,
    /// Every real-time probe (temperatures searched in real time, all active mechanisms),
    /// by temperature and time: the measured degradation at those temperatures.
    pub real_time_points: Vec<RealTimePoint>,
    /// Arrhenius analyses per criterion.
    pub arrhenius: Vec<ArrheniusRecord>,
    /// Accelerated-test design.
    pub test_design: Option<TestDesign>,
    /// Density–lifetime frontier.
    pub frontier: Option<FrontierRecord>,
}

/// The lifetime stage's records and figures' data.
#[derive(Debug, Clone)]
pub struct LifetimeProducts {
    /// Contract rows per temperature.
    pub rows: Vec<LifetimeRow>,
    /// Contract uncertainty rows (empty without samples or without a failure).
    pub uncertainty: Vec<UncertaintyRow>,
    /// Everything else.
    pub analysis: LifetimeAnalysis,
    /// Image strip: (s [nm⁴], micrograph of realization 0), ascending s.
    pub strip: Vec<(f64, Micrograph)>,
}

/// The specimen as the probes start from it: as written plus the native oxide where `model`
/// grows one.
fn with_native_oxide(specimen: &Specimen, model: &ProbeAgingModel) -> Specimen {
    let mut oxidized = specimen.clone();
    if model.mechanisms.oxidation && model.native_oxide {
        age::grow_native_oxide(&mut oxidized);
    }
    oxidized
}

/// The rate models a lifetime stage of `specimen` under `model` would use: B_eff(T) of the
/// surface after the native oxide (None without surface kinetics) and the rate of the one
/// oxidizing stack material, if exactly one oxidizes and oxidation is on.
pub fn rate_models(
    specimen: &Specimen,
    model: &ProbeAgingModel,
) -> (Option<SurfaceRateModel>, Option<OxidationRateModel>) {
    let surface = SurfaceRateModel::from_specimen(&with_native_oxide(specimen, model));
    let (_, oxidation) = classify::single_oxidizer(specimen, model.mechanisms);
    (surface, oxidation)
}

/// What [`LifetimeStage::nominal`] returns: the lifetimes of the nominal parameters and, per
/// temperature, how [`stats::competing_ln_time`] carries them to another parameter sample,
/// ln t = ln A(T) + min(ln s_fail − ln B(T), ln u_fail − ln r(T)) (the uncertainty's
/// surrogate, module [`super::uncertainty`]).
#[derive(Debug, Clone)]
pub struct NominalLifetimes {
    /// Lifetime rows of the nominal parameters (temperature × criterion).
    pub rows: Vec<LifetimeRow>,
    /// How the samples' lifetimes are formed per temperature.
    pub bases: Vec<UncertaintyBasis>,
    /// The surrogate per temperature (stage temperature order).
    pub specs: Vec<stats::CompetingSpec>,
    /// ln s_fail of the primary criterion [ln nm⁴] (+∞: beyond the search's range).
    pub ln_s_fail: f64,
    /// ln u_fail of the oxidation clock, if searched.
    pub ln_u_fail: Option<f64>,
    /// The criterion the surrogate carries.
    pub primary: Criterion,
    /// Distinct age + image + decode probes run.
    pub unique_probes: usize,
}

/// The lifetime stage of one milled specimen (module documentation); [`LifetimeStage::run`]
/// runs every step.
pub struct LifetimeStage<'a> {
    pub(super) settings: &'a LifetimeSettings,
    pub(super) plan: &'a ReadoutPlan,
    pub(super) symbol: &'a QrSymbol,
    pub(super) layout: &'a ModuleLayout,
    /// The specimen as written.
    pub(super) specimen: &'a Specimen,
    /// Which modules are milled.
    pub(super) map: &'a ModuleMap,
    /// As written plus the native oxide where the model grows one.
    pub(super) oxidized: Specimen,
    pub(super) pitch_nm: f64,
    pub(super) seed: u64,
    /// B_eff(T) of the oxidized surface.
    pub(super) rate_model: SurfaceRateModel,
    /// The oxidizing stack materials, top first.
    pub(super) oxidizers: Vec<&'a Material>,
    /// The rate of the one oxidizer, if exactly one oxidizes and oxidation is on.
    pub(super) ox_model: Option<OxidationRateModel>,
    /// Temperature of the equivalent-clock probes [K]: the highest storage temperature.
    pub(super) probe_k: f64,
    pub(super) paths: Vec<TemperaturePath>,
    /// The criterion propagated to the uncertainty, the frontier and the test design.
    pub(super) primary: Criterion,
    pub(super) prober: Prober<'a>,
    /// Real-time searches that start next to a known failure (temperature [K], time [s]):
    /// the geometry design's searches start from the nominal lifetime
    /// ([`super::search::HINT_BRACKET`]); empty for the nominal stage.
    pub(super) real_time_hints: Vec<(f64, f64)>,
}

impl<'a> LifetimeStage<'a> {
    /// Sets up the stage on the milled `specimen` read by `plan` (classification of every
    /// temperature, rate models, probe engine).
    pub fn new(
        plan: &'a ReadoutPlan,
        settings: &'a LifetimeSettings,
        symbol: &'a QrSymbol,
        layout: &'a ModuleLayout,
        specimen: &'a Specimen,
        map: &'a ModuleMap,
        seed: u64,
    ) -> Result<Self> {
        let aging_model = settings.aging_model;
        let oxidized = with_native_oxide(specimen, &aging_model);
        let rate_model = SurfaceRateModel::from_specimen(&oxidized).ok_or_else(|| {
            Error::Numerical("no surface material with [surface] kinetics".into())
        })?;
        let temps = &settings.temperatures_k;
        let probe_k = temps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let pitch_nm = layout.module_pitch_nm;
        let paths =
            classify::classify(&oxidized, &aging_model, pitch_nm, temps, settings.horizon_s);
        let (oxidizers, ox_model) = classify::single_oxidizer(specimen, aging_model.mechanisms);
        let reader = Reader {
            plan,
            symbol,
            layout,
            seed,
            realizations: settings.realizations,
        };
        let rates = ProbeRates {
            probe_k,
            ln_b_probe: rate_model.ln_b(probe_k),
            ln_ox_probe: ox_model.as_ref().map(|o| o.ln_rate(probe_k)),
            // The ladders start where the searches can start: the lowest s of the surface
            // search (10⁻⁴ e-folds of the module fundamental) and 10⁻⁹ of the horizon.
            surface_floor_nm4: 1e-4 / (std::f64::consts::PI / layout.module_pitch_nm).powi(4),
            real_time_floor_s: (1e-9 * settings.horizon_s).max(super::probe::REAL_TIME_FLOOR_S),
        };
        let prober = Prober::new(reader, specimen, oxidized.clone(), map, aging_model, rates);
        let primary = if settings.criteria.contains(&Criterion::DecoderFailure) {
            Criterion::DecoderFailure
        } else {
            Criterion::InformationFailure
        };
        Ok(LifetimeStage {
            settings,
            plan,
            symbol,
            layout,
            specimen,
            map,
            oxidized,
            pitch_nm,
            seed,
            rate_model,
            oxidizers,
            ox_model,
            probe_k,
            paths,
            primary,
            prober,
            real_time_hints: Vec::new(),
        })
    }

    /// ln B_eff(T) of the oxidized surface [ln nm⁴/s].
    pub(super) fn ln_b(&self, t_k: f64) -> f64 {
        self.rate_model.ln_b(t_k)
    }

    /// Whether some temperature is searched in real time.
    pub(super) fn any_real(&self) -> bool {
        self.paths.iter().any(|p| p.real_time())
    }

    /// The range of the search in s: the fundamental of alternating modules (period 2p,
    /// k_f = π/p) decays by exp(−s·k_f⁴), from 10⁻⁴ to 100 e-folds.
    pub(super) fn surface_range(&self) -> SearchSettings {
        let kf4 = (std::f64::consts::PI / self.pitch_nm).powi(4);
        SearchSettings {
            clock_min: 1e-4 / kf4,
            clock_max: 100.0 / kf4,
            rel_tolerance: self.settings.rel_tolerance,
            bracket_factor: 10.0,
            max_probes: self.settings.max_probes,
        }
    }

    /// The failure searches of the nominal parameters: in s, in the oxidation clock, and in
    /// real time where the classification asks for it.
    fn searches(&mut self) -> Result<Searches> {
        let surface = self.surface_searches()?;
        let oxidation = self.oxidation_search()?;
        let mut searches = Searches {
            surface,
            oxidation,
            real_time: Vec::new(),
        };
        searches.real_time = self.real_time_searches(&searches)?;
        Ok(searches)
    }

    /// The nominal lifetimes and the surrogate that carries them to other parameter values
    /// (the first steps of [`LifetimeStage::run`], for a caller with its own parameter
    /// samples, e.g. a calibration's posterior).
    pub fn nominal(mut self) -> Result<NominalLifetimes> {
        let searches = self.searches()?;
        let rows = self.rows(&searches);
        let (bases, specs) = self.uncertainty_specs(&searches);
        Ok(NominalLifetimes {
            rows,
            bases,
            specs,
            ln_s_fail: searches
                .s_primary(self.primary)
                .map_or(f64::INFINITY, f64::ln),
            ln_u_fail: searches.u_fail().map(f64::ln),
            primary: self.primary,
            unique_probes: self.prober.unique_probes(),
        })
    }

    /// Runs every step.
    pub fn run(mut self) -> Result<LifetimeProducts> {
        let searches = self.searches()?;
        let rows = self.rows(&searches);
        let (curve, strip) = self.curve(&searches)?;
        let arrhenius = self.arrhenius(&rows, &searches);
        let test_design = self.test_design(&arrhenius, &searches);
        let geometry = self.geometry(&rows)?;
        let (uncertainty_basis, uncertainty) = self.uncertainty(&searches, geometry.as_ref());
        let frontier = match searches.s_primary(self.primary) {
            Some(s) if !self.settings.frontier_pitches_nm.is_empty() => Some(self.frontier(s)?),
            _ => None,
        };
        let settings = self.settings;
        let real_time_points = self
            .prober
            .real_time_probes()
            .map(|(temperature_k, time_s, reading)| RealTimePoint {
                temperature_k,
                time_yr: time_s / SECONDS_PER_YEAR,
                reading: reading.clone(),
            })
            .collect();
        let analysis = LifetimeAnalysis {
            method: MethodFacts {
                from_aging_section: settings.aging_model.from_aging_section,
                mechanisms: settings.aging_model.mechanisms,
                probe_temperature_c: kelvin_to_celsius(self.probe_k),
                splitting_steps: settings.aging_model.splitting_steps,
                realizations: settings.realizations,
                negligible_horizons: classify::NEGLIGIBLE_HORIZONS,
            },
            real_time_points,
            probe_temperature_k: self.probe_k,
            surface_solver: settings.aging_model.solver,
            rate_model: self.rate_model.clone(),
            oxidation_rate_model: self.ox_model.clone(),
            searches: searches.surface,
            oxidation_search: searches.oxidation,
            paths: self.paths.clone(),
            real_time_searches: searches.real_time,
            uncertainty_basis,
            geometry,
            unique_probes: self.prober.unique_probes(),
            real_time_probes: self.prober.runs[2],
            realizations: settings.realizations,
            temperatures_k: settings.temperatures_k.clone(),
            curve,
            arrhenius,
            test_design,
            frontier,
        };
        Ok(LifetimeProducts {
            rows,
            uncertainty,
            analysis,
            strip,
        })
    }

    /// Degradation curve (surface diffusion alone, in s): log-spaced around the primary
    /// failure, plus the specimen as written; and the image strip (as written and five curve
    /// points spread over the grid).
    #[allow(clippy::type_complexity)]
    fn curve(&mut self, searches: &Searches) -> Result<(Vec<CurvePoint>, Vec<(f64, Micrograph)>)> {
        let range = self.surface_range();
        let clock_max = range.clock_max;
        let s_center = searches.s_primary(self.primary).unwrap_or(clock_max / 10.0);
        let (lo, hi) = (
            (s_center / 100.0).max(range.clock_min),
            (s_center * 10.0).min(clock_max),
        );
        let n = self.settings.curve_points;
        let mut grid = vec![0.0];
        grid.extend((0..n).map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64)));
        let mut curve = Vec::new();
        for &s in &grid {
            let reading = self.prober.probe(Clock::Surface, s)?;
            curve.push(CurvePoint {
                s_nm4: s,
                time_yr: self
                    .settings
                    .temperatures_k
                    .iter()
                    .map(|&t| {
                        if s > 0.0 {
                            (s.ln() - self.ln_b(t)).exp() / SECONDS_PER_YEAR
                        } else {
                            0.0
                        }
                    })
                    .collect(),
                reading,
            });
        }
        let picks = [0, 1, n / 4 + 1, n / 2 + 1, (3 * n) / 4 + 1, n];
        let mut strip: Vec<(f64, Micrograph)> = Vec::new();
        for &i in &picks {
            let s = grid[i.min(n)];
            if strip.iter().any(|(x, _)| *x == s) {
                continue;
            }
            if let Some(m) = self.prober.image(Clock::Surface, s) {
                strip.push((s, m.clone()));
            }
        }
        Ok((curve, strip))
    }
}
