//! The lifetime stage of a scenario: failure searches on the milled specimen, degradation
//! curve, lifetimes per temperature, Arrhenius fit, target temperature, accelerated-test
//! design, Monte Carlo uncertainty and the density–lifetime frontier, as records.
//!
//! Orchestration only (the physics and statistics are in [`crate::lifetime`]); no I/O.
//!
//! Every probe ages a copy of the milled specimen from s = 0 to the probed equivalent time s
//! [nm⁴] in one exact spectral step (capillary surface diffusion only, linear Mullins
//! propagator, area-weighted B; constant temperature T_ref = the highest storage temperature
//! for t = s / B_eff(T_ref)), images it with `realizations` SEM noise realizations (the same
//! realization indices at every probe: common random numbers) and decodes each. Probes are
//! cached by s, so the two criteria share them.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::{read, read_micrograph};
use crate::age::{self, ModuleMap};
use crate::config::Scenario;
use crate::error::Result;
use crate::grid::Specimen;
use crate::image::Micrograph;
use crate::lifetime::frontier::{self, Density, FrontierRow};
use crate::lifetime::rate::SurfaceRateModel;
use crate::lifetime::stats::{self, ArrheniusFit};
use crate::lifetime::{
    Criterion, FailureOutcome, FailureSearch, LifetimeSettings, ProbeReading, SearchSettings,
    find_failure, median,
};
use crate::mill::ModuleLayout;
use crate::qr::QrSymbol;
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

/// The contract row of `summary.json` → `lifetime` (one per storage temperature).
#[derive(Debug, Clone, Serialize)]
pub struct LifetimeRow {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Storage temperature [°C].
    pub temperature_c: f64,
    /// Decoder failure time [yr]; `null` if beyond the horizon, not searched, or failed as
    /// written (see `decoder_status`).
    pub decoder_failure_yr: Option<f64>,
    /// Information failure time [yr]; `null` likewise (see `information_status`).
    pub information_failure_yr: Option<f64>,
    /// Whether a searched criterion's failure lies beyond the horizon at this temperature.
    pub beyond_horizon: bool,
    /// The horizon [yr].
    pub horizon_yr: f64,
    /// "found", "beyond_horizon", "fails_as_written", "not_searched" or "undetermined".
    pub decoder_status: String,
    /// As `decoder_status`, for the information criterion.
    pub information_status: String,
    /// Probes of the decoder search (one search in equivalent time serves every temperature).
    pub decoder_probes: usize,
    /// Probes of the information search.
    pub information_probes: usize,
}

/// The contract row of `summary.json` → `uncertainty` (one per storage temperature).
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintyRow {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Criterion whose failure equivalent time was propagated.
    pub criterion: Criterion,
    /// Median lifetime B50 [yr]; `null` beyond the horizon.
    pub b50_yr: Option<f64>,
    /// 5 % quantile B5 [yr]; `null` beyond the horizon.
    pub b5_yr: Option<f64>,
    /// One-sided 95 % lower confidence bound on B5 [yr]; `null` beyond the horizon or with
    /// fewer than 59 samples.
    pub lower_95_yr: Option<f64>,
    /// σ(ln t) of the Monte Carlo lifetimes.
    pub sigma_ln: f64,
    /// Fraction of samples failing within the horizon.
    pub fraction_within_horizon: f64,
    /// Monte Carlo samples.
    pub samples: usize,
}

/// One search in equivalent time.
#[derive(Debug, Clone, Serialize)]
pub struct SearchRecord {
    /// Criterion.
    pub criterion: Criterion,
    /// Outcome, probes and convergence (clock = s [nm⁴]).
    pub search: FailureSearch,
    /// Failure equivalent time s_fail = ∫B dt [nm⁴] (geometric midpoint of the final bracket).
    pub s_fail_nm4: Option<f64>,
}

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

/// The Arrhenius analysis of one criterion.
#[derive(Debug, Clone, Serialize)]
pub struct ArrheniusRecord {
    /// Criterion.
    pub criterion: Criterion,
    /// Least-squares fit of ln t on 1/kT over the temperatures with a lifetime within the
    /// horizon (`null` with fewer than two).
    pub fit: Option<ArrheniusFit>,
    /// Effective E_a of the rate model between the lowest and highest storage temperature [eV].
    pub model_ea_ev: Option<f64>,
    /// Temperature at which the lifetime equals the target [°C] (`null` outside 50–5000 K).
    pub temperature_for_target_c: Option<f64>,
    /// Isochronal temperature: failure after 1 h [°C] (aging.md §5.4).
    pub temperature_for_1h_c: Option<f64>,
    /// Isochronal temperature: failure after 1000 h [°C].
    pub temperature_for_1000h_c: Option<f64>,
}

/// The accelerated test that demonstrates the target at the use temperature.
#[derive(Debug, Clone, Serialize)]
pub struct TestDesign {
    /// Use temperature [°C].
    pub use_temperature_c: f64,
    /// Target lifetime at use [yr].
    pub target_yr: f64,
    /// Bake duration [h].
    pub test_duration_h: f64,
    /// Bake temperature [°C] at which that duration demonstrates the target (`null` if not
    /// within 50–5000 K).
    pub bake_temperature_c: Option<f64>,
    /// Whether the code survives that bake by the decoder (or information) criterion, i.e.
    /// whether the lifetime at use reaches the target at all.
    pub code_survives_bake: Option<bool>,
    /// Bake hours needed at each storage temperature: (T [°C], hours).
    pub bake_hours_at: Vec<(f64, f64)>,
    /// The acceleration model.
    pub model: String,
}

/// The "> 2 TB per A4 at 49 nm" check.
#[derive(Debug, Clone, Serialize)]
pub struct DensityClaim {
    /// Density at 49 nm.
    pub density: Density,
    /// Symbol used for tiling, e.g. "V3-M".
    pub tiled_symbol: String,
    /// Raw density exceeds 2 TB per A4.
    pub raw_exceeds_2tb: bool,
    /// Tiled QR payload exceeds 2 TB per A4.
    pub tiled_exceeds_2tb: bool,
    /// Per surface, the temperature at which the 49 nm code lives the target time [°C].
    pub temperature_for_target_c: Vec<(String, Option<f64>)>,
}

/// The frontier.
#[derive(Debug, Clone, Serialize)]
pub struct FrontierRecord {
    /// Simulated pitch [nm] from which s_fail is scaled as p⁴.
    pub simulated_pitch_nm: f64,
    /// Criterion whose s_fail is scaled.
    pub criterion: Criterion,
    /// Rows by pitch.
    pub rows: Vec<FrontierRow>,
    /// The 49 nm check.
    pub claim_49nm: DensityClaim,
    /// Assumptions.
    pub note: String,
}

/// Everything else the lifetime stage reports (`summary.json` → `lifetime_analysis`).
#[derive(Debug, Clone, Serialize)]
pub struct LifetimeAnalysis {
    /// Mechanism and method statement (single-mechanism assumption).
    pub method: String,
    /// Temperature of the probes [K] (any would give the same geometry at equal s).
    pub probe_temperature_k: f64,
    /// The area-weighted surface-rate model B_eff(T) of the milled surface.
    pub rate_model: SurfaceRateModel,
    /// The searches.
    pub searches: Vec<SearchRecord>,
    /// Age + image + decode probes actually run (searches and curve, after caching).
    pub unique_probes: usize,
    /// Noise realizations per probe.
    pub realizations: usize,
    /// Storage temperatures [K] (the columns of `curve[].time_yr`).
    pub temperatures_k: Vec<f64>,
    /// Degradation curve in equivalent time.
    pub curve: Vec<CurvePoint>,
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

struct Prober<'a> {
    sc: &'a Scenario,
    symbol: &'a QrSymbol,
    layout: &'a ModuleLayout,
    specimen: &'a Specimen,
    map: &'a ModuleMap,
    seed: u64,
    realizations: usize,
    probe_k: f64,
    ln_b_probe: f64,
    cache: BTreeMap<u64, (ProbeReading, Micrograph)>,
}

impl Prober<'_> {
    fn probe(&mut self, s_nm4: f64) -> Result<ProbeReading> {
        if let Some((r, _)) = self.cache.get(&s_nm4.to_bits()) {
            return Ok(r.clone());
        }
        let mut aged = self.specimen.clone();
        if s_nm4 > 0.0 {
            let t_s = s_nm4 / self.ln_b_probe.exp();
            let settings = age::AgingSettings {
                history: age::TemperatureHistory::constant(self.probe_k, t_s)
                    .map_err(|e| crate::error::Error::Numerical(format!("{e:?}")))?,
                horizon_s: t_s,
                snapshots_s: vec![t_s],
                mechanisms: age::Mechanisms {
                    surface_diffusion: true,
                    oxidation: false,
                    bulk_diffusion: false,
                },
                solver: age::SurfaceSolver::Linear,
                surface_rule: age::SurfaceRule::AreaWeighted,
                splitting_steps: 1,
                nonlinear: age::NonlinearSettings::default(),
                // Only surface diffusion is searched (time rescaling holds for one mechanism);
                // no oxide skin is grown for the probe.
                native_oxide: false,
            };
            age::age(&mut aged, &settings, self.map, &mut ())?;
        }
        // The noise-free SEM signal is computed once per probe; the realizations differ only
        // in shot noise (bit-identical to `read` of the same realization index).
        let reads: Vec<_> = match &self.sc.readout {
            crate::config::Readout::Sem(sem) => {
                let expected = crate::image::sem::sem_expected(&aged, sem);
                (0..self.realizations as u64)
                    .into_par_iter()
                    .map(|r| {
                        let (m, rep) = crate::image::sem::sem_realize(&expected, sem, self.seed, r);
                        let rec = read_micrograph(self.sc, self.symbol, self.layout, &m, Some(rep));
                        (m, rec)
                    })
                    .collect()
            }
            crate::config::Readout::Height(_) => (0..self.realizations as u64)
                .into_par_iter()
                .map(|r| read(self.sc, self.symbol, self.layout, &aged, self.seed, r))
                .collect(),
        };
        let n = reads.len() as f64;
        let ok = |d: &Option<super::DecoderRecord>| d.as_ref().is_some_and(|d| d.payload_matches);
        let any = reads.iter().filter(|(_, r)| r.payload.is_some()).count() as f64 / n;
        let mut per_decoder = Vec::new();
        for kind in &self.sc.decoders {
            let hits = reads
                .iter()
                .filter(|(_, r)| match kind {
                    crate::config::DecoderKind::Rxing => ok(&r.decoders.rxing),
                    crate::config::DecoderKind::Rqrr => ok(&r.decoders.rqrr),
                })
                .count();
            per_decoder.push(hits as f64 / n);
        }
        let ratios: Vec<f64> = reads
            .iter()
            .map(|(_, r)| r.information.max_block_error_ratio)
            .collect();
        let reading = ProbeReading {
            clock: s_nm4,
            realizations: reads.len(),
            decode_probability: any,
            decoder_probabilities: per_decoder,
            median_block_error_ratio: median(&ratios),
            michelson_contrast: reads.iter().map(|(_, r)| r.contrast.michelson).sum::<f64>() / n,
        };
        let first = reads
            .into_iter()
            .next()
            .expect("at least one realization")
            .0;
        self.cache.insert(s_nm4.to_bits(), (reading.clone(), first));
        Ok(reading)
    }
}

fn status(outcome: Option<&FailureOutcome>, t_yr: Option<f64>, horizon_yr: f64) -> &'static str {
    match (outcome, t_yr) {
        (None, _) => "not_searched",
        (Some(FailureOutcome::FailedAtStart { .. }), _) => "fails_as_written",
        (Some(FailureOutcome::Found { .. }), Some(t)) if t <= horizon_yr => "found",
        (Some(FailureOutcome::Found { .. }), _) => "beyond_horizon",
        (Some(FailureOutcome::BeyondHorizon { .. }), _) => "beyond_horizon",
    }
}

/// Runs the lifetime stage on the milled `specimen` (see the module documentation).
#[allow(clippy::too_many_arguments)]
pub fn lifetime_stage(
    sc: &Scenario,
    settings: &LifetimeSettings,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &Specimen,
    map: &ModuleMap,
    seed: u64,
) -> Result<LifetimeProducts> {
    let year = SECONDS_PER_YEAR;
    let model = SurfaceRateModel::from_specimen(specimen).ok_or_else(|| {
        crate::error::Error::Numerical("no surface material with [surface] kinetics".into())
    })?;
    let ln_b = |t: f64| model.ln_b(t);
    let temps = &settings.temperatures_k;
    let probe_k = temps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let pitch = layout.module_pitch_nm;
    // Fundamental of alternating modules: period 2p, k_f = π/p; s·k_f⁴ = decay exponent.
    let kf4 = (std::f64::consts::PI / pitch).powi(4);
    let search_settings = SearchSettings {
        clock_min: 1e-4 / kf4,
        clock_max: 100.0 / kf4,
        rel_tolerance: settings.rel_tolerance,
        bracket_factor: 10.0,
        max_probes: settings.max_probes,
    };
    let mut prober = Prober {
        sc,
        symbol,
        layout,
        specimen,
        map,
        seed,
        realizations: settings.realizations,
        probe_k,
        ln_b_probe: ln_b(probe_k),
        cache: BTreeMap::new(),
    };
    let mut searches = Vec::new();
    for &criterion in &settings.criteria {
        let mut error = None;
        let search = find_failure(&search_settings, |s| match prober.probe(s) {
            Ok(r) => r.failed(criterion),
            Err(e) => {
                error.get_or_insert(e);
                true
            }
        });
        if let Some(e) = error {
            return Err(e);
        }
        searches.push(SearchRecord {
            criterion,
            search,
            s_fail_nm4: search.failure_clock(),
        });
    }
    let find = |c: Criterion| searches.iter().find(|s| s.criterion == c);
    let horizon_yr = settings.horizon_s / year;
    let t_fail_yr = |rec: Option<&SearchRecord>, t_k: f64| {
        rec.and_then(|r| r.s_fail_nm4)
            .map(|s| (s.ln() - ln_b(t_k)).exp() / year)
    };
    let clock_max = search_settings.clock_max;
    let rows: Vec<LifetimeRow> = temps
        .iter()
        .map(|&t_k| {
            let mut beyond = false;
            let mut one = |c: Criterion| {
                let rec = find(c);
                let t = t_fail_yr(rec, t_k);
                let mut st = status(rec.map(|r| &r.search.outcome), t, horizon_yr);
                if let Some(FailureOutcome::BeyondHorizon { .. }) = rec.map(|r| r.search.outcome) {
                    // No failure up to s_max: beyond the horizon only if s_max is reached later.
                    let t_max_yr = (clock_max.ln() - ln_b(t_k)).exp() / year;
                    if t_max_yr < horizon_yr {
                        st = "undetermined";
                    }
                }
                beyond |= st == "beyond_horizon";
                let value = if st == "found" { t } else { None };
                (
                    value,
                    st.to_string(),
                    rec.map(|r| r.search.probes).unwrap_or(0),
                )
            };
            let (d, ds, dp) = one(Criterion::DecoderFailure);
            let (i, is, ip) = one(Criterion::InformationFailure);
            LifetimeRow {
                temperature_k: t_k,
                temperature_c: kelvin_to_celsius(t_k),
                decoder_failure_yr: d,
                information_failure_yr: i,
                beyond_horizon: beyond,
                horizon_yr,
                decoder_status: ds,
                information_status: is,
                decoder_probes: dp,
                information_probes: ip,
            }
        })
        .collect();

    // The criterion that drives UQ, test design and frontier: decoder failure if searched.
    let primary = find(Criterion::DecoderFailure)
        .or_else(|| find(Criterion::InformationFailure))
        .filter(|r| r.s_fail_nm4.is_some());

    // Degradation curve: log-spaced in s around the failure, plus the pristine specimen.
    let s_ref = primary
        .and_then(|r| r.s_fail_nm4)
        .unwrap_or(clock_max / 10.0);
    let (lo, hi) = (
        (s_ref / 100.0).max(search_settings.clock_min),
        (s_ref * 10.0).min(clock_max),
    );
    let n = settings.curve_points;
    let mut grid = vec![0.0];
    grid.extend((0..n).map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64)));
    let mut curve = Vec::new();
    for &s in &grid {
        let reading = prober.probe(s)?;
        curve.push(CurvePoint {
            s_nm4: s,
            time_yr: temps
                .iter()
                .map(|&t| {
                    if s > 0.0 {
                        (s.ln() - ln_b(t)).exp() / year
                    } else {
                        0.0
                    }
                })
                .collect(),
            reading,
        });
    }
    // Image strip: pristine and five curve points spread over the grid.
    let picks = [0, 1, n / 4 + 1, n / 2 + 1, (3 * n) / 4 + 1, n];
    let mut strip = Vec::new();
    for &i in &picks {
        let s = grid[i.min(n)];
        if strip.iter().any(|(x, _): &(f64, Micrograph)| *x == s) {
            continue;
        }
        if let Some((_, m)) = prober.cache.get(&s.to_bits()) {
            strip.push((s, m.clone()));
        }
    }

    let target_s = settings.target_s;
    let c_of = |t_k: Option<f64>| t_k.map(kelvin_to_celsius);
    let arrhenius = searches
        .iter()
        .map(|rec| {
            let pts: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|row| {
                    let v = match rec.criterion {
                        Criterion::DecoderFailure => row.decoder_failure_yr,
                        Criterion::InformationFailure => row.information_failure_yr,
                    };
                    v.map(|y| (row.temperature_k, y * year))
                })
                .collect();
            let ln_s = rec.s_fail_nm4.map(f64::ln);
            let at = |target: f64| {
                ln_s.and_then(|l| c_of(stats::temperature_for_lifetime_k(l, target, ln_b)))
            };
            ArrheniusRecord {
                criterion: rec.criterion,
                fit: stats::fit_arrhenius(&pts),
                model_ea_ev: (temps.len() >= 2)
                    .then(|| stats::effective_ea_ev(temps[0], temps[temps.len() - 1], ln_b)),
                temperature_for_target_c: at(target_s),
                temperature_for_1h_c: at(3600.0),
                temperature_for_1000h_c: at(3.6e6),
            }
        })
        .collect();

    let test_design = Some({
        let use_k = settings.use_temperature_k;
        let bake_k = stats::bake_temperature_k(use_k, target_s, settings.test_duration_s, ln_b);
        let survives = primary.and_then(|r| r.s_fail_nm4).map(|s| {
            // Survives iff t_fail(T_use) ≥ target (equivalently the bake stays below t_fail).
            (s.ln() - ln_b(use_k)) >= target_s.ln()
        });
        TestDesign {
            use_temperature_c: kelvin_to_celsius(use_k),
            target_yr: target_s / year,
            test_duration_h: settings.test_duration_s / 3600.0,
            bake_temperature_c: c_of(bake_k),
            code_survives_bake: survives,
            bake_hours_at: temps
                .iter()
                .map(|&t| {
                    (
                        kelvin_to_celsius(t),
                        stats::bake_duration_s(use_k, target_s, t, ln_b) / 3600.0,
                    )
                })
                .collect(),
            model: "t_use = t_bake · B_eff(T_bake)/B_eff(T_use), B ∝ D0 exp(−Ea/kT)/T (single mechanism: capillary surface diffusion)".into(),
        }
    });

    let uncertainty = match primary.and_then(|r| r.s_fail_nm4.map(|s| (r.criterion, s))) {
        Some((criterion, s)) if settings.uq_samples > 0 => stats::propagate_uncertainty(
            &model,
            s.ln(),
            temps,
            settings.horizon_s,
            settings.uq_samples,
            seed,
        )
        .into_iter()
        .map(|d| UncertaintyRow {
            temperature_k: d.temperature_k,
            criterion,
            b50_yr: d.b50_s.map(|x| x / year),
            b5_yr: d.b5_s.map(|x| x / year),
            lower_95_yr: d.lower_95_s.map(|x| x / year),
            sigma_ln: d.sigma_ln,
            fraction_within_horizon: d.fraction_within_horizon,
            samples: d.samples,
        })
        .collect(),
        _ => Vec::new(),
    };

    let frontier = primary.and_then(|r| r.s_fail_nm4.map(|s| (r.criterion, s))).map(
        |(criterion, s)| {
            let mut surfaces = vec![("simulated stack".to_string(), model.clone())];
            for m in &settings.frontier_materials {
                if let Some(single) = SurfaceRateModel::single(m) {
                    surfaces.push((m.name.clone(), single));
                }
            }
            let n_side = symbol.modules_per_side();
            let data = symbol.data_codeword_count();
            let rows = frontier::frontier(
                &settings.frontier_pitches_nm,
                pitch,
                s,
                &surfaces,
                temps,
                settings.horizon_s,
                target_s,
                n_side,
                data,
            );
            let at49 = frontier::frontier(
                &[49.0],
                pitch,
                s,
                &surfaces,
                &[],
                settings.horizon_s,
                target_s,
                n_side,
                data,
            )
            .remove(0);
            let d = at49.density;
            FrontierRecord {
                simulated_pitch_nm: pitch,
                criterion,
                rows,
                claim_49nm: DensityClaim {
                    density: d,
                    tiled_symbol: format!("V{}-{:?}", symbol.version(), symbol.ec_level()),
                    raw_exceeds_2tb: d.raw_tb_per_a4 > 2.0,
                    tiled_exceeds_2tb: d.tiled_tb_per_a4 > 2.0,
                    temperature_for_target_c: at49
                        .temperature_for_target_k
                        .iter()
                        .map(|(n, t)| (n.clone(), c_of(*t)))
                        .collect(),
                },
                note: "s_fail scaled as p⁴ from the simulated pitch (self-similar geometry; film thickness and SEM resolution not rescaled); per-material rows take each library material as the whole surface; tiled density: abutting symbols without quiet zones, 8 bits per data codeword".into(),
            }
        },
    );

    let analysis = LifetimeAnalysis {
        method: format!(
            "single mechanism: capillary surface diffusion (linear Mullins, area-weighted B over the milled surface); one search in equivalent time s = ∫B dt, each probe = one spectral propagation from s = 0 at {:.1} °C + {} SEM realizations + decoding; t_fail(T) = s_fail/B_eff(T). Oxidation and bulk diffusion are not in the search (see timescales).",
            kelvin_to_celsius(probe_k),
            settings.realizations
        ),
        probe_temperature_k: probe_k,
        rate_model: model.clone(),
        searches,
        unique_probes: prober.cache.len(),
        realizations: settings.realizations,
        temperatures_k: temps.clone(),
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
