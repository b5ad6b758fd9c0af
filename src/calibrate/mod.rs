//! Calibration: infer kinetic constants of the materials library from measured aging data
//! (bakes of milled codes, imaged), then predict lifetimes with the posterior (issue 18 item 6).
//!
//! Physics-free inference over the forward model of the pipeline (layer 5): the prior of each
//! parameter ([`Prior`]), the likelihood of the observations ([`likelihood`], one forward
//! aging run per observed temperature and evaluation), the posterior by importance sampling
//! from a Laplace proposal ([`sampler`], which says why), and the records ([`records`]).
//! No I/O, no printing: progress goes to a callback.

pub mod likelihood;
pub mod records;
pub mod sampler;

use std::sync::atomic::{AtomicUsize, Ordering};

use nalgebra::DVector;
use rand_distr::Distribution;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::lifetime::{Criterion, LifetimeStage, LifetimeStatus, stats};
use crate::material::Material;
use crate::material::parameter::Parameter;
pub use likelihood::{ForwardModel, TemperatureGroup};
pub use records::{CalibrationRecord, PosteriorSample, Years};

/// An observed metric (the `metric` column of the observations file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// [`crate::age::SnapshotMetrics::pit_depth_nm`] [nm].
    PitDepth,
    /// [`crate::age::SnapshotMetrics::edge_width_nm`] [nm].
    EdgeWidth,
    /// Michelson contrast of milled vs unmilled modules in the raw SEM signal.
    MichelsonContrast,
    /// Whether the code decodes (1) or not (0).
    Decoded,
}
crate::choices!(Metric {
    Metric::PitDepth => "pit_depth_nm",
    Metric::EdgeWidth => "edge_width_nm",
    Metric::MichelsonContrast => "michelson_contrast",
    Metric::Decoded => "decoded",
});

/// One measurement after a bake.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Bake temperature [K].
    pub temperature_k: f64,
    /// Bake time [s] (> 0).
    pub time_s: f64,
    /// What was measured.
    pub metric: Metric,
    /// Measured value (metric's unit; 0 or 1 for `decoded`).
    pub value: f64,
    /// Its standard error (metric's unit; for `decoded` the probability that the verdict is
    /// wrong).
    pub stderr: f64,
    /// 1-based line of the observations file (for messages and the records).
    pub line: usize,
}

/// A prior in the material file's unit of the parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// N(mean, sd²).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// ln θ ~ N(mu_ln, sigma_ln²).
    LogNormal {
        /// Mean of ln θ.
        mu_ln: f64,
        /// Standard deviation of ln θ (> 0).
        sigma_ln: f64,
    },
    /// U(lo, hi).
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound (> lo).
        hi: f64,
    },
}

impl Prior {
    /// The sampler's coordinate u of θ (ln θ for a log-normal prior).
    pub fn to_u(&self, theta: f64) -> f64 {
        match self {
            Prior::LogNormal { .. } => theta.ln(),
            _ => theta,
        }
    }

    /// θ of the coordinate u.
    pub fn from_u(&self, u: f64) -> f64 {
        match self {
            Prior::LogNormal { .. } => u.exp(),
            _ => u,
        }
    }

    /// ln of the prior density of u (up to a constant for none; −∞ outside a uniform's range).
    pub fn ln_density_u(&self, u: f64) -> f64 {
        match *self {
            Prior::Normal { mean, sd } => -0.5 * ((u - mean) / sd).powi(2) - sd.ln(),
            Prior::LogNormal { mu_ln, sigma_ln } => {
                -0.5 * ((u - mu_ln) / sigma_ln).powi(2) - sigma_ln.ln()
            }
            Prior::Uniform { lo, hi } => {
                if (lo..=hi).contains(&u) {
                    -(hi - lo).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
        }
    }

    /// Prior mean and standard deviation of u.
    pub fn moments_u(&self) -> (f64, f64) {
        match *self {
            Prior::Normal { mean, sd } => (mean, sd),
            Prior::LogNormal { mu_ln, sigma_ln } => (mu_ln, sigma_ln),
            Prior::Uniform { lo, hi } => (0.5 * (lo + hi), (hi - lo) / 12f64.sqrt()),
        }
    }
}

/// One parameter to infer.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibratedParameter {
    /// Which constant of which material.
    pub parameter: Parameter,
    /// Its prior.
    pub prior: Prior,
}

/// Everything a calibration needs besides the forward model (internal units).
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSettings {
    /// Parameters, in file order.
    pub parameters: Vec<CalibratedParameter>,
    /// Observations, in file order.
    pub observations: Vec<Observation>,
    /// Temperatures of the lifetime prediction [K].
    pub predict_temperatures_k: Vec<f64>,
    /// Importance samples N.
    pub samples: usize,
    /// Evaluation budget of the mode search.
    pub mode_evaluations: usize,
    /// Prediction horizon [s]: later failures are "beyond_horizon".
    pub horizon_s: f64,
    /// Master seed.
    pub seed: u64,
    /// Failure-search settings of the lifetime prediction.
    pub prediction: PredictionSearch,
}

/// The failure-search settings of the lifetime prediction (as `lifetime.tolerance` and
/// `lifetime.max_probes`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionSearch {
    /// Relative bracket width at which bisection stops.
    pub rel_tolerance: f64,
    /// Probe limit per search.
    pub max_probes: usize,
}

/// Stage of a calibration, for progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Scan of the prior's ±3 sd box (parallel evaluations).
    Scan,
    /// Posterior mode (sequential evaluations).
    Mode,
    /// Curvature at the mode.
    Curvature,
    /// Importance samples (parallel).
    Sampling,
    /// Failure search of the lifetime prediction.
    Prediction,
}
crate::choices!(Stage {
    Stage::Scan => "prior scan",
    Stage::Mode => "posterior mode",
    Stage::Curvature => "curvature",
    Stage::Sampling => "importance samples",
    Stage::Prediction => "lifetime search",
});

/// Progress event: stage, evaluations done in it, and its planned total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Stage.
    pub stage: Stage,
    /// Done.
    pub done: usize,
    /// Planned.
    pub total: usize,
}

/// The calibration's result.
#[derive(Debug, Clone)]
pub struct CalibrationOutcome {
    /// The record (`calibration.json`).
    pub record: CalibrationRecord,
    /// The importance samples (`posterior.csv`).
    pub samples: Vec<PosteriorSample>,
}

/// Stopping tolerance of the mode search on ln posterior: the simplex stops once its values
/// agree within 0.01, i.e. the mode is located within ≈ 0.14 posterior sd (√(2·0.01) in a
/// Gaussian), far inside the proposal's scale; the importance weights correct the rest.
pub const MODE_F_TOL: f64 = 1.0e-2;

/// The owned inputs of a [`ForwardModel`]: the scenario written once, its reader and aging.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The written specimen and symbol.
    pub written: crate::pipeline::Written,
    /// Module map of the symbol.
    pub map: crate::age::ModuleMap,
    /// Readout and decoders of the scenario.
    pub plan: crate::lifetime::ReadoutPlan,
    /// Aging mechanisms.
    pub model: crate::lifetime::ProbeAgingModel,
    /// Surface solver (the scenario's `[aging]`, else linear).
    pub solver: crate::age::SurfaceSolver,
    /// Multi-material rule.
    pub surface_rule: crate::age::SurfaceRule,
    /// Noise realizations per read.
    pub realizations: usize,
    /// Master seed.
    pub seed: u64,
}

impl Setup {
    /// The setup of scenario `sc` written as `written`.
    pub fn new(
        sc: &crate::pipeline::Scenario,
        written: crate::pipeline::Written,
        model: crate::lifetime::ProbeAgingModel,
        realizations: usize,
    ) -> Self {
        // The solver of the lifetime probes (`model`, from the scenario's `[aging]` or the key
        // defaults): the forward runs are the probes' physics.
        let (solver, surface_rule) = (model.solver, model.surface_rule);
        Setup {
            map: crate::pipeline::module_map(sc, &written.symbol, &written.layout),
            plan: crate::pipeline::readout_plan(sc),
            written,
            model,
            solver,
            surface_rule,
            realizations,
            seed: sc.seed,
        }
    }

    /// The forward model over this setup.
    pub fn forward(&self) -> ForwardModel<'_> {
        ForwardModel {
            specimen: &self.written.specimen,
            symbol: &self.written.symbol,
            layout: &self.written.layout,
            map: &self.map,
            plan: &self.plan,
            model: self.model,
            solver: self.solver,
            surface_rule: self.surface_rule,
            realizations: self.realizations,
            seed: self.seed,
        }
    }
}

/// The library materials with the values θ of the parameters.
pub fn materials_with(
    base: &[Material],
    parameters: &[CalibratedParameter],
    theta: &[f64],
) -> Option<Vec<Material>> {
    let mut m = base.to_vec();
    for (p, &v) in parameters.iter().zip(theta) {
        p.parameter.set_in(&mut m, v).ok()?;
    }
    Some(m)
}

struct Posterior<'a, 'b> {
    fm: &'a ForwardModel<'b>,
    base: &'a [Material],
    settings: &'a CalibrationSettings,
    groups: Vec<TemperatureGroup>,
    evaluations: AtomicUsize,
}

impl Posterior<'_, '_> {
    fn theta(&self, u: &[f64]) -> Vec<f64> {
        self.settings
            .parameters
            .iter()
            .zip(u)
            .map(|(p, &x)| p.prior.from_u(x))
            .collect()
    }

    /// ln prior(u) + ln likelihood; −∞ where a value is impossible.
    fn ln_posterior(&self, u: &[f64]) -> Result<f64> {
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        let prior: f64 = self
            .settings
            .parameters
            .iter()
            .zip(u)
            .map(|(p, &x)| p.prior.ln_density_u(x))
            .sum();
        if !prior.is_finite() {
            return Ok(f64::NEG_INFINITY);
        }
        let Some(materials) = materials_with(self.base, &self.settings.parameters, &self.theta(u))
        else {
            return Ok(f64::NEG_INFINITY);
        };
        let f = self
            .fm
            .predict(&materials, &self.groups, &self.settings.observations)?;
        Ok(prior + likelihood::ln_likelihood(&self.settings.observations, &f))
    }
}

/// Runs a calibration: mode, curvature, importance samples, posterior summaries, predictions
/// at the posterior mean, and the lifetime prediction. `base` are the scenario's materials.
pub fn calibrate(
    fm: &ForwardModel,
    base: &[Material],
    settings: &CalibrationSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<CalibrationOutcome> {
    let d = settings.parameters.len();
    if d == 0 || settings.observations.is_empty() {
        return Err(Error::Numerical(
            "a calibration needs parameters and observations".into(),
        ));
    }
    let post = Posterior {
        fm,
        base,
        settings,
        groups: likelihood::groups(&settings.observations),
        evaluations: AtomicUsize::new(0),
    };
    let moments: Vec<(f64, f64)> = settings
        .parameters
        .iter()
        .map(|p| p.prior.moments_u())
        .collect();

    // 1. Mode. First a parallel scan of the prior's ±3 sd box (sampler::scan_points): over a
    //    bake design where the metric saturates (nothing happens yet, or the pits are gone) the
    //    likelihood has plateaus and a local search from the prior mean can stop on one; the
    //    scan finds the basin of the highest mode, and says whether distant points compete.
    //    Then Nelder–Mead on −ln posterior from the best scan point, steps of ¼ prior sd.
    let error: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
    let neg = |u: &[f64]| match post.ln_posterior(u) {
        Ok(v) => -v,
        Err(e) => {
            error.lock().expect("not poisoned").get_or_insert(e);
            f64::INFINITY
        }
    };
    let take_error = || error.lock().expect("not poisoned").take();
    let scan = sampler::scan_points(&moments);
    let scan_done = AtomicUsize::new(0);
    let scanned: Vec<f64> = scan
        .par_iter()
        .map(|u| {
            let v = -neg(u);
            let k = scan_done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress {
                stage: Stage::Scan,
                done: k,
                total: scan.len(),
            });
            v
        })
        .collect();
    if let Some(e) = take_error() {
        return Err(e);
    }
    // Two starts, run in parallel: the best scan point and the best one outside its
    // neighbourhood (farther than one prior sd in every coordinate's units), so that a second
    // basin the scan saw is searched too; the better end point is the mode.
    let starts = sampler::two_starts(&scan, &scanned, &moments);
    let mode_done = AtomicUsize::new(0);
    let step: Vec<f64> = moments.iter().map(|m| 0.25 * m.1).collect();
    let budget = settings.mode_evaluations.max(2 * d + 2);
    let searched: Vec<(Vec<f64>, f64, usize)> = starts
        .par_iter()
        .map(|&k| {
            sampler::nelder_mead(
                |u| {
                    let v = neg(u);
                    let done = mode_done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(Progress {
                        stage: Stage::Mode,
                        done,
                        total: budget * starts.len(),
                    });
                    v
                },
                &scan[k],
                &step,
                MODE_F_TOL,
                budget,
            )
        })
        .collect();
    if let Some(e) = take_error() {
        return Err(e);
    }
    let mode_evals: usize = searched.iter().map(|r| r.2).sum();
    let (mode, f_mode, _) = searched
        .into_iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("one start at least");
    if !f_mode.is_finite() {
        return Err(Error::Numerical(
            "the posterior is zero everywhere the mode search looked: check the priors' ranges"
                .into(),
        ));
    }

    // 2. Curvature: diagonal pass at 5 % of a prior sd, then the full Hessian at half the
    //    posterior sd that pass suggests (each pair of points in parallel).
    let total_curv = 2 * d + 2 * d * d;
    let curv_done = AtomicUsize::new(0);
    let tick = || {
        let done = curv_done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(Progress {
            stage: Stage::Curvature,
            done,
            total: total_curv,
        });
    };
    let mut h: Vec<f64> = moments.iter().map(|m| 0.05 * m.1).collect();
    for i in 0..d {
        let mut up = mode.clone();
        up[i] += h[i];
        let mut dn = mode.clone();
        dn[i] -= h[i];
        let (fu, fd) = rayon::join(|| neg(&up), || neg(&dn));
        let c = (fu + fd - 2.0 * f_mode) / (h[i] * h[i]);
        tick();
        tick();
        if c.is_finite() && c > 0.0 {
            h[i] = (0.5 / c.sqrt()).min(moments[i].1);
        }
    }
    let hess = sampler::hessian_par(
        |u| {
            tick();
            neg(u)
        },
        &mode,
        f_mode,
        &h,
    );
    if let Some(e) = take_error() {
        return Err(e);
    }
    let prior_var: Vec<f64> = moments.iter().map(|m| m.1 * m.1).collect();
    let (cov, positive_definite) = sampler::laplace_covariance(&hess, &prior_var);
    let distant_modes = sampler::distant_competitors(&scan, &scanned, &mode, -f_mode, &cov);
    let scale = cov * (sampler::PROPOSAL_INFLATION * sampler::PROPOSAL_INFLATION);
    let proposal = sampler::StudentT::new(
        DVector::from_column_slice(&mode),
        &scale,
        sampler::PROPOSAL_DOF,
    )
    .ok_or_else(|| Error::Numerical("the proposal covariance is not positive definite".into()))?;

    // 3. Importance samples, each from its own stream (bit-identical for any thread count).
    let n = settings.samples;
    let done = AtomicUsize::new(0);
    let draws: Vec<Result<(Vec<f64>, f64, f64)>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = crate::rng::stream(
                settings.seed,
                crate::rng::Stream::CalibrationSample,
                i as u64,
            );
            let u = proposal.sample(&mut rng);
            let lp = post.ln_posterior(u.as_slice())?;
            let lq = proposal.ln_pdf(&u);
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress {
                stage: Stage::Sampling,
                done: k,
                total: n,
            });
            Ok((u.as_slice().to_vec(), lp, lq))
        })
        .collect();
    let draws: Vec<(Vec<f64>, f64, f64)> = draws.into_iter().collect::<Result<_>>()?;
    let ln_w: Vec<f64> = draws.iter().map(|(_, lp, lq)| lp - lq).collect();
    let (weights, ess) = sampler::normalise(&ln_w);
    if ess == 0.0 {
        return Err(Error::Numerical(
            "every importance sample has zero posterior density".into(),
        ));
    }
    let thetas: Vec<Vec<f64>> = draws.iter().map(|(u, _, _)| post.theta(u)).collect();

    // 4. Summaries per parameter.
    let summaries: Vec<records::ParameterSummary> = (0..d)
        .map(|j| {
            let v: Vec<f64> = thetas.iter().map(|t| t[j]).collect();
            let mean: f64 = v.iter().zip(&weights).map(|(x, w)| x * w).sum();
            let var: f64 = v
                .iter()
                .zip(&weights)
                .map(|(x, w)| w * (x - mean).powi(2))
                .sum();
            let p = &settings.parameters[j];
            records::ParameterSummary {
                mean,
                sd: var.sqrt(),
                ci90: [
                    sampler::weighted_quantile(&v, &weights, 0.05),
                    sampler::weighted_quantile(&v, &weights, 0.95),
                ],
                mode: p.prior.from_u(mode[j]),
                library_value: p
                    .parameter
                    .find(base)
                    .and_then(|m| p.parameter.key.get(m).ok())
                    .unwrap_or(f64::NAN),
                prior: records::PriorRecord::of(&p.prior),
            }
        })
        .collect();
    let mean_theta: Vec<f64> = summaries.iter().map(|s| s.mean).collect();
    let mean_materials =
        materials_with(base, &settings.parameters, &mean_theta).ok_or_else(|| {
            Error::Numerical("the posterior mean is not a valid parameter set".into())
        })?;
    let predicted = fm.predict(&mean_materials, &post.groups, &settings.observations)?;

    // 5. Lifetime: the lifetime stage's searches at the posterior mean, carried to every
    //    weighted sample by the run's competing-risks surrogate.
    let lifetime = predict_lifetimes(
        fm,
        &mean_materials,
        settings,
        &thetas,
        &weights,
        base,
        progress,
    )?;

    let evaluations = post.evaluations.load(Ordering::Relaxed);
    let samples = draws
        .iter()
        .zip(&thetas)
        .zip(&weights)
        .map(|(((_, lp, _), t), &w)| PosteriorSample {
            values: t.clone(),
            ln_posterior: *lp,
            weight: w,
        })
        .collect();
    let record = records::build(records::Parts {
        settings,
        summaries,
        predicted,
        lifetime,
        sampler: records::SamplerRecord {
            method: "importance sampling from a Laplace Student-t proposal".into(),
            proposal_dof: sampler::PROPOSAL_DOF,
            proposal_inflation: sampler::PROPOSAL_INFLATION,
            samples: n,
            effective_sample_size: ess,
            scan_evaluations: scan.len(),
            mode_evaluations: mode_evals,
            distant_scan_points: distant_modes,
            laplace_positive_definite: positive_definite,
            evaluations,
            seed: settings.seed,
        },
    });
    Ok(CalibrationOutcome { record, samples })
}

/// What [`records::LifetimePrediction`] computes, for the record.
pub const LIFETIME_PHYSICS: &str = "the lifetime stage of millage run with the posterior-mean parameters (decoder-failure searches in s = ∫B dt, in the oxidation clock, and in real time with every mechanism of the aging model where oxidation acts within the horizon), then ln t_i = ln A(T) + min(ln s_fail − ln B(T; θ_i), ln u_fail − ln r(T; θ_i)) per importance sample (exact rescaling where surface diffusion alone acts; A anchors the competing-risks minimum to the simulated real-time lifetime)";

/// The lifetime prediction (see [`records::LifetimePrediction`]).
fn predict_lifetimes(
    fm: &ForwardModel,
    mean_materials: &[Material],
    settings: &CalibrationSettings,
    thetas: &[Vec<f64>],
    weights: &[f64],
    base: &[Material],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<records::LifetimePrediction> {
    let mut specimen = fm.specimen.clone();
    specimen.materials = mean_materials.to_vec();
    // The stage's nominal searches read the temperatures, horizon, criteria, search settings,
    // realizations and aging model; target, use temperature, test duration, curve, frontier and
    // geometry design belong to steps `nominal` does not run.
    let lifetime = crate::lifetime::LifetimeSettings {
        temperatures_k: settings.predict_temperatures_k.clone(),
        horizon_s: settings.horizon_s,
        target_s: settings.horizon_s,
        use_temperature_k: settings.predict_temperatures_k[0],
        test_duration_s: 0.0,
        realizations: fm.realizations,
        uq_samples: 0,
        criteria: vec![Criterion::DecoderFailure],
        frontier_pitches_nm: Vec::new(),
        curve_points: 0,
        rel_tolerance: settings.prediction.rel_tolerance,
        max_probes: settings.prediction.max_probes,
        frontier_materials: Vec::new(),
        aging_model: fm.model,
        geometry: crate::lifetime::GeometryUqSettings::off(),
    };
    progress(Progress {
        stage: Stage::Prediction,
        done: 0,
        total: 1,
    });
    let stage = LifetimeStage::new(
        fm.plan, &lifetime, fm.symbol, fm.layout, &specimen, fm.map, fm.seed,
    )?;
    let nominal = stage.nominal()?;
    progress(Progress {
        stage: Stage::Prediction,
        done: 1,
        total: 1,
    });
    let primary = nominal.primary;
    if nominal.rows.iter().any(|r| {
        let status = match primary {
            Criterion::DecoderFailure => r.decoder_status,
            Criterion::InformationFailure => r.information_status,
        };
        matches!(
            status,
            LifetimeStatus::FailsAsWritten | LifetimeStatus::FailsAtFirstProbe
        )
    }) {
        return Err(Error::Numerical(
            "the written code does not decode (or not after its native oxide): no lifetime to predict".into(),
        ));
    }
    // ln B(T; θᵢ) and ln r(T; θᵢ) of every sample at every prediction temperature.
    let model = fm.model;
    #[allow(clippy::type_complexity)]
    let rates: Vec<Vec<(f64, Option<f64>)>> = thetas
        .par_iter()
        .map(|t| {
            let mut s = fm.specimen.clone();
            if let Some(m) = materials_with(base, &settings.parameters, t) {
                s.materials = m;
            }
            let (surface, oxidation) = crate::lifetime::rate_models(&s, &model);
            settings
                .predict_temperatures_k
                .iter()
                .map(|&tk| {
                    (
                        surface.as_ref().map_or(f64::NAN, |r| r.ln_b(tk)),
                        oxidation.as_ref().map(|o| o.ln_rate(tk)),
                    )
                })
                .collect()
        })
        .collect();
    let year = crate::units::SECONDS_PER_YEAR;
    let horizon_yr = settings.horizon_s / year;
    let rows = settings
        .predict_temperatures_k
        .iter()
        .enumerate()
        .map(|(k, &tk)| {
            let spec = &nominal.specs[k];
            let t_yr: Vec<f64> = rates
                .iter()
                .map(|r| {
                    let (ln_b, ln_r) = r[k];
                    stats::competing_ln_time(spec, nominal.ln_s_fail, nominal.ln_u_fail, ln_b, ln_r)
                        .exp()
                        / year
                })
                .collect();
            let q = |p: f64| Years::of(sampler::weighted_quantile(&t_yr, weights, p), horizon_yr);
            let row = nominal
                .rows
                .iter()
                .find(|r| r.temperature_k == tk)
                .expect("a row per stage temperature");
            let (at_mean, status_at_mean) = match primary {
                Criterion::DecoderFailure => (row.decoder_failure_yr, row.decoder_status),
                Criterion::InformationFailure => {
                    (row.information_failure_yr, row.information_status)
                }
            };
            records::LifetimeRow {
                temperature_c: crate::units::kelvin_to_celsius(tk),
                decoder_failure_yr_median: q(0.5),
                ci90: [q(0.05), q(0.95)],
                decoder_failure_yr_at_mean: at_mean
                    .map_or(Years::BeyondHorizon, |v| Years::of(v, horizon_yr)),
                status_at_mean,
                basis: nominal.bases[k].basis,
                search_path: row.search_path,
            }
        })
        .collect();
    Ok(records::LifetimePrediction {
        rows,
        failure_clock_nm4: nominal
            .ln_s_fail
            .is_finite()
            .then(|| nominal.ln_s_fail.exp()),
        reference_temperature_c: crate::units::kelvin_to_celsius(
            settings
                .predict_temperatures_k
                .iter()
                .cloned()
                .fold(f64::NEG_INFINITY, f64::max),
        ),
        search_probes: nominal.unique_probes,
        physics: LIFETIME_PHYSICS,
    })
}

/// Draws `n` indices from the weighted samples by systematic resampling (for figures).
pub fn resample(weights: &[f64], n: usize, seed: u64) -> Vec<usize> {
    let mut rng = crate::rng::stream(seed, crate::rng::Stream::CalibrationSample, u64::MAX);
    sampler::systematic_resample(weights, n, rand_distr::StandardUniform.sample(&mut rng))
}
