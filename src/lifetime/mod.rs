//! Lifetime (layer 4): when the code stops decoding, at which temperature, with what
//! confidence, and what that means for storage density. Pure: no I/O, no printing.
//!
//! Method (design §2.6–2.7; aging.md §0 item 4, §2.6 and §5):
//! - **Single-mechanism time rescaling.** With capillary surface diffusion alone, the linear
//!   Mullins propagator ĥ(k, t) = ĥ(k, 0)·exp(−k⁴ ∫B(T(t'))dt') makes the geometry a function of
//!   the equivalent time s = ∫B dt [nm⁴] only. A failure search is therefore done once in s
//!   (each probe = one spectral propagation of the milled specimen from s = 0 + imaging +
//!   decoding), and the lifetime at any constant temperature follows exactly as
//!   t_fail(T) = s_fail / B_eff(T) ([`rate::SurfaceRateModel`]).
//! - **Several mechanisms.** Rescaling holds for one mechanism only; where oxidation (or implant
//!   out-diffusion) also acts within the horizon, the pipeline searches in real time at that
//!   temperature, each probe a full age with every active mechanism ([`ProbeAgingModel`];
//!   [`stage`], [`classify`]).
//! - **Search** ([`find_failure`]): bracketing upward from the bottom of the range by a
//!   constant factor, then bisection in log clock, to a stated relative tolerance; every probe
//!   is counted.
//! - **Criteria** ([`Criterion`]): decoder failure (probability that some decoder reads the
//!   written payload < 0.5 over the noise realizations) and information failure (median over
//!   the realizations of the worst RS block's codeword errors ÷ capacity > 1).
//! - **Statistics** ([`stats`]): Arrhenius fit of ln t vs 1/kT, target temperature, accelerated
//!   test design (ISO/IEC 10995 / ECMA-396 style extrapolation), Monte Carlo propagation of the
//!   kinetic-parameter (epistemic) uncertainty, one random variable per error source (a rule's
//!   error shared by every material using the rule), to a credible median, a 90 % credible
//!   interval, P(fail before the target life) and the variance share per source, each quantile
//!   with its Monte Carlo error (exact rescaling for one mechanism, an anchored competing-risks
//!   surrogate for several: [`stats::propagate_competing`]). Without a geometry design no
//!   specimen population is modelled, so no B-lives are reported.
//! - **Geometry** ([`geometry_uq`]): over-mill depth, wall angle and film thickness evaluated
//!   at a few perturbed geometries with the same search; their response d ln t / d factor
//!   enters the credible interval and the sensitivity, and defines a specimen population
//!   (geometry only, nominal kinetic parameters) whose B-lives are reported as such.
//! - **Frontier** ([`frontier`]): bits per area and TB per A4 sheet against module pitch, with
//!   the lifetime from a failure search per (simulated) pitch.

pub mod classify;
pub mod design;
pub mod frontier;
pub mod frontier_stage;
pub mod geometry_uq;
pub(crate) mod probe;
pub mod rate;
pub mod readout;
pub mod rows;
pub(crate) mod search;
pub mod stage;
pub mod stats;
pub mod uncertainty;

pub use classify::{Mechanism, SearchPath, TemperaturePath};
pub use design::{
    AccelerationModel, ArrheniusBasis, ArrheniusRecord, AssumedEa, TestDesign, TestMetric,
};
pub use frontier_stage::{DensityClaim, FrontierNote, FrontierRecord, FrontierSearchRecord};
pub use geometry_uq::{GeometryFactor, GeometryRecord, GeometryUqSettings};
pub use readout::ReadoutPlan;
pub use rows::{LifetimeRow, LifetimeStatus};
pub use search::{OxidationSearchRecord, RealTimeSearchRecord, SearchRecord};
pub use stage::{
    CurvePoint, LifetimeAnalysis, LifetimeProducts, LifetimeStage, MethodFacts, NominalLifetimes,
    RealTimePoint, rate_models,
};
pub use uncertainty::{
    GeometryPopulation, PopulationModel, UncertaintyBasis, UncertaintyKind, UncertaintyMethod,
    UncertaintyRow, Years,
};

use serde::Serialize;

/// A failure criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// The decode probability (some decoder reads the written payload) falls below 0.5.
    DecoderFailure,
    /// The median worst-block codeword error ratio exceeds 1 (beyond Reed–Solomon capacity).
    InformationFailure,
}
// The scenario words (`lifetime.criteria`) are short; the JSON keeps serde's `decoder_failure`.
crate::choices!(words Criterion {
    Criterion::DecoderFailure => "decoder",
    Criterion::InformationFailure => "information",
});

/// What one probe (age + image + decode, over several noise realizations) saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeReading {
    /// The search clock at the probe (equivalent time s [nm⁴] in the pipeline).
    pub clock: f64,
    /// Noise realizations imaged and decoded.
    pub realizations: usize,
    /// Fraction of realizations in which at least one decoder read the written payload.
    pub decode_probability: f64,
    /// Per decoder (scenario order), the fraction of realizations it read the payload.
    pub decoder_probabilities: Vec<f64>,
    /// Median over realizations of the worst RS block's codeword errors ÷ capacity.
    pub median_block_error_ratio: f64,
    /// Mean over realizations of the Michelson module contrast of the raw signal.
    pub michelson_contrast: f64,
}

impl ProbeReading {
    /// Whether the reading counts as failed under a criterion: P(decode) < 0.5 for
    /// [`Criterion::DecoderFailure`], median ratio > 1 for [`Criterion::InformationFailure`]
    /// (design §2.6; decoders.md conclusion 5).
    pub fn failed(&self, criterion: Criterion) -> bool {
        match criterion {
            Criterion::DecoderFailure => self.decode_probability < 0.5,
            Criterion::InformationFailure => self.median_block_error_ratio > 1.0,
        }
    }
}

/// Median of a list (mean of the middle two for even length); NaN for an empty list.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Settings of one failure search over a positive clock (time [s] or equivalent time [nm⁴]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SearchSettings {
    /// Smallest clock probed; a failure there is reported as failure at the start.
    pub clock_min: f64,
    /// Largest clock probed (the horizon); no failure there → beyond the horizon.
    pub clock_max: f64,
    /// Bisection stops when first_failed / last_ok ≤ 1 + rel_tolerance.
    pub rel_tolerance: f64,
    /// Factor by which the bracket steps down from clock_max (> 1).
    pub bracket_factor: f64,
    /// Hard limit on probes.
    pub max_probes: usize,
}

/// Where the failure lies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FailureOutcome {
    /// Already failed at clock_min (e.g. the code does not decode as written).
    FailedAtStart {
        /// clock_min.
        clock: f64,
    },
    /// Still readable at clock_max (every bracket step up to it probed and passed).
    BeyondHorizon {
        /// clock_max.
        clock: f64,
    },
    /// The probe budget ran out while bracketing: readable up to `last_ok`, nothing is known
    /// beyond it. Never reported as survival to the horizon.
    BudgetExhausted {
        /// Largest clock probed (it had not failed).
        last_ok: f64,
    },
    /// Readable at `last_ok`, failed at `first_failed`.
    Found {
        /// Largest clock probed that had not failed.
        last_ok: f64,
        /// Smallest clock probed that had failed.
        first_failed: f64,
    },
}

/// The result of [`find_failure`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FailureSearch {
    /// Where the failure lies.
    pub outcome: FailureOutcome,
    /// Probes asked for (each an age + image + decode unless served from a cache).
    pub probes: usize,
    /// Whether the bracket reached the tolerance within `max_probes`.
    pub converged: bool,
}

impl FailureSearch {
    /// The failure clock: the geometric mean √(last_ok · first_failed) of the final bracket
    /// (the midpoint in log clock), `None` unless found.
    pub fn failure_clock(&self) -> Option<f64> {
        match self.outcome {
            FailureOutcome::Found {
                last_ok,
                first_failed,
            } => Some((last_ok * first_failed).sqrt()),
            _ => None,
        }
    }
}

/// First clock at which `failed(clock)` becomes true, by bracketing and bisection in log clock.
///
/// 1. Probe clock_min; failed → [`FailureOutcome::FailedAtStart`].
/// 2. Step up by `bracket_factor` (the last step lands on clock_max) until a probe has failed;
///    none up to clock_max → [`FailureOutcome::BeyondHorizon`]; the budget `max_probes` used
///    up before either → [`FailureOutcome::BudgetExhausted`] (not converged).
/// 3. Bisect at the geometric midpoint √(lo·hi) until hi/lo ≤ 1 + rel_tolerance.
///
/// Stepping up from the start finds the *first* failure even when readability is not monotone
/// in time (a code can fail and become readable again, e.g. when the topography is gone but an
/// implant contrast remains). For a `failed` that is monotone on the first bracket the answer
/// lies in [last_ok, first_failed]; the cost is 1 + ⌈log_F(fail/min)⌉ + ⌈log₂(ln F / ln(1 +
/// tol))⌉ probes (F the bracket factor), e.g. 1 + 5 + 8 = 14 for F = 10, five decades and
/// tol = 1 %. Sources: design §2.6 ("search in log time"); standard bisection.
pub fn find_failure(
    settings: &SearchSettings,
    mut failed: impl FnMut(f64) -> bool,
) -> FailureSearch {
    let s = settings;
    let mut probes = 0usize;
    let mut probe = |c: f64, probes: &mut usize| {
        *probes += 1;
        failed(c)
    };
    if probe(s.clock_min, &mut probes) {
        return FailureSearch {
            outcome: FailureOutcome::FailedAtStart { clock: s.clock_min },
            probes,
            converged: true,
        };
    }
    let mut lo = s.clock_min;
    let mut hi;
    loop {
        if probes >= s.max_probes {
            return FailureSearch {
                outcome: FailureOutcome::BudgetExhausted { last_ok: lo },
                probes,
                converged: false,
            };
        }
        let next = (lo * s.bracket_factor).min(s.clock_max);
        if probe(next, &mut probes) {
            hi = next;
            break;
        }
        lo = next;
        if next >= s.clock_max {
            return FailureSearch {
                outcome: FailureOutcome::BeyondHorizon { clock: s.clock_max },
                probes,
                converged: true,
            };
        }
    }
    while hi / lo > 1.0 + s.rel_tolerance && probes < s.max_probes {
        let mid = (lo * hi).sqrt();
        if probe(mid, &mut probes) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    FailureSearch {
        outcome: FailureOutcome::Found {
            last_ok: lo,
            first_failed: hi,
        },
        probes,
        converged: hi / lo <= 1.0 + s.rel_tolerance,
    }
}

/// Everything the lifetime stage needs besides the specimen (internal units: K, s, nm).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifetimeSettings {
    /// Storage temperatures [K], ascending.
    pub temperatures_k: Vec<f64>,
    /// Time horizon [s]: failures later than this are reported as beyond the horizon.
    pub horizon_s: f64,
    /// Target lifetime [s] (temperature at which the lifetime equals it; test design).
    pub target_s: f64,
    /// Use temperature of the accelerated-test design [K].
    pub use_temperature_k: f64,
    /// Duration of the accelerated test [s].
    pub test_duration_s: f64,
    /// Noise realizations per probe.
    pub realizations: usize,
    /// Monte Carlo samples of the kinetic parameters (0: no uncertainty analysis).
    pub uq_samples: usize,
    /// Criteria searched.
    pub criteria: Vec<Criterion>,
    /// Module pitches of the density–lifetime frontier [nm].
    pub frontier_pitches_nm: Vec<f64>,
    /// Points of the degradation curve.
    pub curve_points: usize,
    /// Relative bracket width at which bisection stops.
    pub rel_tolerance: f64,
    /// Probe limit per search.
    pub max_probes: usize,
    /// Library materials with surface kinetics, for the per-material frontier.
    #[serde(skip)]
    pub frontier_materials: Vec<crate::material::Material>,
    /// The aging model the probes age with: the scenario's `[aging]` mechanism switches, or
    /// the `[aging]` key defaults when the scenario has no `[aging]` section.
    pub aging_model: ProbeAgingModel,
    /// The geometry design of the uncertainty ([`geometry_uq`]; off with 0 design points).
    pub geometry: geometry_uq::GeometryUqSettings,
}

/// Which mechanisms age a lifetime probe, and how they are coupled (design §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProbeAgingModel {
    /// Mechanism switches.
    pub mechanisms: crate::age::Mechanisms,
    /// Start from the native oxide (grown right after writing) when oxidation is on.
    pub native_oxide: bool,
    /// Lie-splitting sub-steps of a real-time probe (one probe = one snapshot at t).
    pub splitting_steps: usize,
    /// Whether the switches come from the scenario's `[aging]` section (false: key defaults).
    pub from_aging_section: bool,
    /// Surface-transport solver of every probe (`aging.solver`; default nonlinear).
    pub solver: crate::age::SurfaceSolver,
    /// Multi-material rule of the linear solver (`aging.surface_rule`).
    pub surface_rule: crate::age::SurfaceRule,
    /// Nonlinear solver settings (`aging.nonlinear_scheme`, `aging.nonlinear_tolerance_nm`).
    pub nonlinear: crate::age::NonlinearSettings,
}

#[cfg(test)]
mod tests;
