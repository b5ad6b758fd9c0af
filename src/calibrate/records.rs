//! The records of a calibration: what `calibration.json` and `posterior.csv` hold.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lifetime::{LifetimeStatus, SearchPath, UncertaintyMethod};

use super::{CalibrationSettings, Prior};
use crate::choice::Choice;

/// A lifetime in years, or beyond the prediction horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Years {
    /// A number of years.
    Value(f64),
    /// Later than the horizon (serialised as the string "beyond_horizon").
    BeyondHorizon,
}

impl Years {
    /// `value` if finite and within `horizon_yr`, else beyond the horizon.
    pub fn of(value: f64, horizon_yr: f64) -> Years {
        if value.is_finite() && value <= horizon_yr {
            Years::Value(value)
        } else {
            Years::BeyondHorizon
        }
    }
}

impl Serialize for Years {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Years::Value(v) => s.serialize_f64(*v),
            Years::BeyondHorizon => s.serialize_str("beyond_horizon"),
        }
    }
}

/// A prior, as written in the calibration file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorRecord {
    /// "normal", "lognormal" or "uniform".
    pub kind: &'static str,
    /// Its two numbers, in file order.
    pub values: [f64; 2],
}

impl PriorRecord {
    /// The record of a prior.
    pub fn of(p: &Prior) -> Self {
        match *p {
            Prior::Normal { mean, sd } => PriorRecord {
                kind: "normal",
                values: [mean, sd],
            },
            Prior::LogNormal { mu_ln, sigma_ln } => PriorRecord {
                kind: "lognormal",
                values: [mu_ln, sigma_ln],
            },
            Prior::Uniform { lo, hi } => PriorRecord {
                kind: "uniform",
                values: [lo, hi],
            },
        }
    }
}

/// The posterior of one parameter (material-file unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterSummary {
    /// Posterior mean (self-normalised importance estimate).
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// 90 % equal-tailed credible interval [5 %, 95 %] (weighted quantiles).
    pub ci90: [f64; 2],
    /// Posterior mode found by the mode search.
    pub mode: f64,
    /// The library's value (the prior knowledge the file replaces).
    pub library_value: f64,
    /// The prior.
    pub prior: PriorRecord,
}

/// The sampler's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SamplerRecord {
    /// Method in words.
    pub method: String,
    /// Student-t degrees of freedom of the proposal.
    pub proposal_dof: f64,
    /// Inflation of the Laplace scale.
    pub proposal_inflation: f64,
    /// Importance samples N.
    pub samples: usize,
    /// Kish's ESS = (Σw)²/Σw² (N for a perfect proposal; ≪ N: the intervals are unreliable).
    pub effective_sample_size: f64,
    /// Evaluations of the prior scan that starts the mode search.
    pub scan_evaluations: usize,
    /// Evaluations of the mode search.
    pub mode_evaluations: usize,
    /// Scan points more than 3 Laplace standard deviations from the mode whose posterior
    /// density is within a factor 100 of the mode's: > 0 means a second mode or a plateau
    /// that the unimodal proposal may not cover (the intervals are then not to be trusted).
    pub distant_scan_points: usize,
    /// Whether the Hessian at the mode was positive definite (else a diagonal fallback).
    pub laplace_positive_definite: bool,
    /// Forward-model evaluations in all (mode, curvature, samples; not the predictions).
    pub evaluations: usize,
    /// Master seed.
    pub seed: u64,
}

/// One row of the lifetime prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifetimeRow {
    /// Storage temperature [°C].
    pub temperature_c: f64,
    /// Posterior median of the decoder-failure time [yr].
    pub decoder_failure_yr_median: Years,
    /// 90 % credible interval of it [yr].
    pub ci90: [Years; 2],
    /// The decoder-failure time simulated with the posterior-mean parameters [yr] (a number
    /// only where `status_at_mean` is "found"; "beyond_horizon" otherwise).
    pub decoder_failure_yr_at_mean: Years,
    /// Why `decoder_failure_yr_at_mean` has its value (the lifetime row's status: found,
    /// beyond horizon, budget exhausted, undetermined).
    pub status_at_mean: LifetimeStatus,
    /// How the samples' lifetimes are formed here (exact rescaling in s, or the anchored
    /// competing-risks surrogate where oxidation acts).
    pub basis: UncertaintyMethod,
    /// Which search gave the posterior-mean lifetime (rescaled in s, or real time).
    pub search_path: SearchPath,
}

/// The lifetime prediction: the lifetime stage of `millage run` (its failure searches: in the
/// surface-diffusion equivalent time s = ∫B dt, in the oxidation clock, and in real time with
/// every mechanism of the aging model where oxidation acts within the horizon) with the
/// posterior-mean parameters, then for every importance sample θᵢ
/// ln tᵢ(T) = ln A(T) + min(ln s_fail − ln B(T; θᵢ), ln u_fail − ln r(T; θᵢ)), the
/// uncertainty surrogate of `millage run` (exact rescaling where surface diffusion alone acts;
/// A anchors the competing-risks minimum to the simulated real-time lifetime).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifetimePrediction {
    /// Rows per prediction temperature (in `calibration.json` as `lifetime`).
    #[serde(skip)]
    pub rows: Vec<LifetimeRow>,
    /// s_fail [nm⁴] (null: beyond the search's range).
    pub failure_clock_nm4: Option<f64>,
    /// Temperature of the equivalent-clock probes [°C] (the highest prediction temperature).
    pub reference_temperature_c: f64,
    /// Distinct age + image + decode probes of the searches.
    pub search_probes: usize,
    /// The physics of the prediction, in words.
    pub physics: &'static str,
}

/// One observation with the prediction at the posterior mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationRecord {
    /// Line of the observations file.
    pub line: usize,
    /// Bake temperature [°C].
    pub temperature_c: f64,
    /// Bake time [h].
    pub time_h: f64,
    /// Metric.
    pub metric: &'static str,
    /// Observed value.
    pub value: f64,
    /// Its standard error.
    pub stderr: f64,
    /// The forward model's value at the posterior mean.
    pub predicted: f64,
}

/// `calibration.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationRecord {
    /// `parameters.<material>.<key>`.
    pub parameters: BTreeMap<String, BTreeMap<String, ParameterSummary>>,
    /// Parameter labels `material.key`, in file order (the columns of `posterior.csv`).
    pub parameter_order: Vec<String>,
    /// Lifetime rows per prediction temperature.
    pub lifetime: Vec<LifetimeRow>,
    /// How the lifetime was predicted.
    pub lifetime_method: LifetimePrediction,
    /// The sampler's report.
    pub sampler: SamplerRecord,
    /// Observations with the posterior-mean prediction.
    pub observations: Vec<ObservationRecord>,
}

/// One importance sample (`posterior.csv` row).
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorSample {
    /// θ per parameter, material-file units, in file order.
    pub values: Vec<f64>,
    /// ln posterior (unnormalised).
    pub ln_posterior: f64,
    /// Normalised importance weight.
    pub weight: f64,
}

/// What [`build`] assembles.
pub struct Parts<'a> {
    /// The settings.
    pub settings: &'a CalibrationSettings,
    /// Per parameter, file order.
    pub summaries: Vec<ParameterSummary>,
    /// Per observation, the posterior-mean prediction.
    pub predicted: Vec<f64>,
    /// The lifetime prediction.
    pub lifetime: LifetimePrediction,
    /// The sampler's report.
    pub sampler: SamplerRecord,
}

/// Assembles the record.
pub fn build(parts: Parts) -> CalibrationRecord {
    let mut parameters: BTreeMap<String, BTreeMap<String, ParameterSummary>> = BTreeMap::new();
    for (p, s) in parts.settings.parameters.iter().zip(parts.summaries) {
        parameters
            .entry(p.parameter.material.clone())
            .or_default()
            .insert(p.parameter.key.name().to_string(), s);
    }
    let hour = 3600.0;
    CalibrationRecord {
        parameters,
        parameter_order: parts
            .settings
            .parameters
            .iter()
            .map(|p| p.parameter.label())
            .collect(),
        lifetime: parts.lifetime.rows.clone(),
        lifetime_method: parts.lifetime,
        sampler: parts.sampler,
        observations: parts
            .settings
            .observations
            .iter()
            .zip(parts.predicted)
            .map(|(o, f)| ObservationRecord {
                line: o.line,
                temperature_c: crate::units::kelvin_to_celsius(o.temperature_k),
                time_h: o.time_s / hour,
                metric: o.metric.name(),
                value: o.value,
                stderr: o.stderr,
                predicted: f,
            })
            .collect(),
    }
}
