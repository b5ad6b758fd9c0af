//! Arrhenius analysis per criterion (target and isochronal temperatures) and the accelerated
//! test that demonstrates the target lifetime at the use temperature (ISO/IEC 10995-style
//! extrapolation, aging.md §5). The `basis` and `model` statements are typed here and rendered
//! as sentences by `output::report::lifetime`.

use serde::Serialize;

use super::Criterion;
use super::rows::{LifetimeRow, LifetimeStatus};
use super::search::Searches;
use super::stage::LifetimeStage;
use super::stats::{self, ArrheniusFit};
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

/// How the temperatures of an [`ArrheniusRecord`] were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrheniusBasis {
    /// Surface diffusion alone: t = s_fail/B_eff(T), exact.
    ExactRescaling,
    /// Several mechanisms: the single-Ea line fitted through the simulated lifetimes.
    FittedLine,
}

/// The acceleration model of a [`TestDesign`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AccelerationModel {
    /// t_use = t_bake · B_eff(T_bake)/B_eff(T_use) (one mechanism: surface diffusion).
    Rescaling,
    /// The Arrhenius line fitted to the simulated lifetimes (several mechanisms).
    FittedArrhenius {
        /// Fitted effective activation energy [eV].
        ea_ev: f64,
        /// Lifetimes the line was fitted to.
        points: usize,
    },
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
    /// How the temperatures were obtained (serialized as its sentence by `output`).
    pub basis: ArrheniusBasis,
    /// The fitted line's lifetime at the use temperature [yr] (an extrapolation).
    pub use_lifetime_yr: Option<f64>,
    /// One-sided 95 % lower confidence bound on that extrapolated lifetime [yr]
    /// ([`ArrheniusFit::ln_time_lower95_s`]; the bound a standard asks for, covering the fit's
    /// statistical error, not the model form).
    pub use_lifetime_lower95_yr: Option<f64>,
}

/// What the lab measures after the bake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMetric {
    /// Decode by every configured decoder (P(decode) ≥ 0.5 over repeated SEM reads: the
    /// decoder criterion) and the Michelson module contrast, both as millage reports them
    /// (`degradation.csv`), imaged before and after the bake.
    DecodeAndContrast,
}

/// Where the activation energy assumed by the test design comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum AssumedEa {
    /// The 5 % quantile (E_a − 1.645 σ) of the lowest-E_a mechanism switched on: the slowest
    /// plausible acceleration of the mechanism that dominates at low temperature.
    LowestMechanism {
        /// The parameter, "<material>.<key>".
        parameter: String,
    },
    /// The one-sided 95 % lower bound on the fitted slope, when lower still.
    FitLowerBound,
}

/// The accelerated test that demonstrates the target at the use temperature, as a lab would
/// run it: a zero-failure success-run test (n = ⌈ln(1 − C)/ln R⌉ specimens baked for the test
/// duration at T_bake, none may fail; ISO/IEC 10995 and the success-run theorem, e.g.
/// Meeker & Escobar 1998 §10.7), with the acceleration factor of an Arrhenius model at a
/// conservative (low) activation energy, AF = exp[(E_a/k)(1/T_use − 1/T_bake)], and T_bake
/// only where the model's mechanisms still hold.
#[derive(Debug, Clone, Serialize)]
pub struct TestDesign {
    /// Use temperature [°C].
    pub use_temperature_c: f64,
    /// Target lifetime at use [yr].
    pub target_yr: f64,
    /// Bake duration [h].
    pub test_duration_h: f64,
    /// What to measure after the bake (serialized as its statement).
    pub metric: TestMetric,
    /// Activation energy assumed for the acceleration factor [eV] (conservative).
    pub assumed_ea_ev: f64,
    /// Where it comes from.
    pub assumed_ea_basis: AssumedEa,
    /// The highest temperature at which the mechanisms acting in the low-temperature regime
    /// are still the only ones acting [°C]: the lowest storage temperature with an active
    /// mechanism and every higher one with the same set (the highest storage temperature if
    /// nothing acts anywhere).
    pub max_valid_temperature_c: Option<f64>,
    /// Bake temperature [°C] at which the test duration demonstrates the target with the
    /// assumed E_a (`null` if not within 50–5000 K).
    pub bake_temperature_c: Option<f64>,
    /// Whether that bake temperature lies above use and at or below the valid maximum.
    pub feasible: bool,
    /// Bake hours needed at the valid maximum when the design is not feasible in the test
    /// duration (`null` otherwise or without a valid maximum).
    pub bake_hours_at_max_valid: Option<f64>,
    /// Confidence C of the demonstration.
    pub confidence: f64,
    /// Reliability R demonstrated at the target life (fraction of codes readable).
    pub reliability: f64,
    /// Specimens to bake with zero failures: ⌈ln(1 − C)/ln R⌉.
    pub specimens: usize,
    /// The model's own (nominal) failure time at the bake temperature [h] (`null` if beyond
    /// the model's range): below the duration, the model predicts the test fails.
    pub model_failure_at_bake_h: Option<f64>,
    /// Bake hours needed at each storage temperature with the assumed E_a: (T [°C], hours).
    pub bake_hours_at: Vec<(f64, f64)>,
    /// The acceleration model of the nominal lifetimes (serialized as its statement by
    /// `output`), for `model_failure_at_bake_h`.
    pub model: AccelerationModel,
}

/// Confidence of the demonstration test.
pub const TEST_CONFIDENCE: f64 = 0.95;
/// Reliability the demonstration test shows at the target life.
pub const TEST_RELIABILITY: f64 = 0.95;

/// Zero-failure success-run sample size n = ⌈ln(1 − C)/ln R⌉ (59 for C = R = 0.95).
pub fn success_run_specimens(confidence: f64, reliability: f64) -> usize {
    ((1.0 - confidence).ln() / reliability.ln() - 1e-9).ceil() as usize
}

fn celsius(t_k: Option<f64>) -> Option<f64> {
    t_k.map(kelvin_to_celsius)
}

impl LifetimeStage<'_> {
    /// The Arrhenius analysis of every criterion: exact rescaling with surface diffusion alone,
    /// else the single-Ea line through the simulated lifetimes.
    pub(super) fn arrhenius(
        &self,
        rows: &[LifetimeRow],
        searches: &Searches,
    ) -> Vec<ArrheniusRecord> {
        let year = SECONDS_PER_YEAR;
        let temps = &self.settings.temperatures_k;
        let any_real = self.any_real();
        let ln_b = |t: f64| self.ln_b(t);
        self.settings
            .criteria
            .iter()
            .map(|&criterion| {
                let pts: Vec<(f64, f64)> = rows
                    .iter()
                    .filter_map(|row| {
                        let v = match criterion {
                            Criterion::DecoderFailure => row.decoder_failure_yr,
                            Criterion::InformationFailure => row.information_failure_yr,
                        };
                        v.map(|y| (row.temperature_k, y * year))
                    })
                    .collect();
                // Beyond-horizon temperatures enter the likelihood as right-censored at the
                // horizon (Tobit; review age_life.md §2.4), not dropped.
                let censored: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|row| {
                        let st = match criterion {
                            Criterion::DecoderFailure => row.decoder_status,
                            Criterion::InformationFailure => row.information_status,
                        };
                        st == LifetimeStatus::BeyondHorizon
                    })
                    .map(|row| (row.temperature_k, self.settings.horizon_s))
                    .collect();
                let floor = (1.0 + self.settings.rel_tolerance).ln() / 12f64.sqrt();
                let fit = stats::fit_arrhenius_censored(&pts, &censored, floor);
                let ln_s = searches
                    .surface(criterion)
                    .and_then(|r| r.s_fail_nm4)
                    .map(f64::ln);
                let at = |target: f64| {
                    if any_real {
                        // Several mechanisms: the single-Ea Arrhenius line through the
                        // simulated lifetimes (ISO/IEC 10995-style extrapolation).
                        fit.and_then(|f| {
                            celsius(stats::temperature_for_lifetime_k(0.0, target, |t| {
                                -f.ln_time_s(t)
                            }))
                        })
                    } else {
                        ln_s.and_then(|l| {
                            celsius(stats::temperature_for_lifetime_k(l, target, ln_b))
                        })
                    }
                };
                ArrheniusRecord {
                    criterion,
                    fit,
                    model_ea_ev: (temps.len() >= 2)
                        .then(|| stats::effective_ea_ev(temps[0], temps[temps.len() - 1], ln_b)),
                    temperature_for_target_c: at(self.settings.target_s),
                    temperature_for_1h_c: at(3600.0),
                    temperature_for_1000h_c: at(3.6e6),
                    basis: if any_real {
                        ArrheniusBasis::FittedLine
                    } else {
                        ArrheniusBasis::ExactRescaling
                    },
                    use_lifetime_yr: fit
                        .map(|f| f.ln_time_s(self.settings.use_temperature_k).exp() / year),
                    use_lifetime_lower95_yr: fit
                        .map(|f| f.ln_time_lower95_s(self.settings.use_temperature_k).exp() / year),
                }
            })
            .collect()
    }

    /// The accelerated test of the primary criterion ([`TestDesign`]); `None` without a
    /// model of the nominal lifetime (no fit with several mechanisms).
    pub(super) fn test_design(
        &self,
        arrhenius: &[ArrheniusRecord],
        searches: &Searches,
    ) -> Option<TestDesign> {
        let settings = self.settings;
        let (use_k, target_s) = (settings.use_temperature_k, settings.target_s);
        let bake_s = settings.test_duration_s;
        let fit = arrhenius
            .iter()
            .find(|a| a.criterion == self.primary)
            .and_then(|a| a.fit);
        // The nominal model of the lifetime t(T) [ln s].
        let (ln_t, model): (Box<dyn Fn(f64) -> f64 + '_>, AccelerationModel) = if self.any_real() {
            let f = fit?;
            (
                Box::new(move |t| f.ln_time_s(t)),
                AccelerationModel::FittedArrhenius {
                    ea_ev: f.ea_ev,
                    points: f.points,
                },
            )
        } else {
            let s = searches.s_primary(self.primary)?;
            (
                Box::new(move |t| s.ln() - self.ln_b(t)),
                AccelerationModel::Rescaling,
            )
        };
        // Conservative E_a: the lowest 5 % quantile of any mechanism's E_a, or the fit's lower
        // bound if lower still.
        let mut candidates: Vec<(f64, String)> = self
            .rate_model
            .terms
            .iter()
            .map(|t| {
                (
                    t.ea_ev - stats::Z_95_ONE_SIDED * t.sigma_ea_ev,
                    format!("{}.diffusion_ea_ev", t.material),
                )
            })
            .collect();
        if let Some(o) = &self.ox_model {
            candidates.push((
                o.ea_ev - stats::Z_95_ONE_SIDED * o.sigma_ea_ev,
                format!("{}.oxidation.activation_ev", o.material),
            ));
        }
        let (mut ea, parameter) = candidates.into_iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
        let mut basis = AssumedEa::LowestMechanism { parameter };
        if let Some(f) = fit
            && f.ea_lower95_ev() < ea
            && f.ea_lower95_ev() > 0.0
        {
            ea = f.ea_lower95_ev();
            basis = AssumedEa::FitLowerBound;
        }
        let k = crate::units::BOLTZMANN_EV_PER_K;
        let ln_rate = move |t: f64| -ea / (k * t);
        let bake_k = stats::bake_temperature_k(use_k, target_s, bake_s, ln_rate);
        let max_valid_k = self.max_valid_temperature_k();
        let feasible = matches!((bake_k, max_valid_k), (Some(b), Some(m)) if b > use_k && b <= m);
        let bake_hours_at_max_valid = match (feasible, max_valid_k) {
            (false, Some(m)) if m > use_k => {
                Some(stats::bake_duration_s(use_k, target_s, m, ln_rate) / 3600.0)
            }
            _ => None,
        };
        let year_h = SECONDS_PER_YEAR / 3600.0;
        Some(TestDesign {
            use_temperature_c: kelvin_to_celsius(use_k),
            target_yr: target_s / SECONDS_PER_YEAR,
            test_duration_h: bake_s / 3600.0,
            metric: TestMetric::DecodeAndContrast,
            assumed_ea_ev: ea,
            assumed_ea_basis: basis,
            max_valid_temperature_c: celsius(max_valid_k),
            bake_temperature_c: celsius(bake_k),
            feasible,
            bake_hours_at_max_valid,
            confidence: TEST_CONFIDENCE,
            reliability: TEST_RELIABILITY,
            specimens: success_run_specimens(TEST_CONFIDENCE, TEST_RELIABILITY),
            model_failure_at_bake_h: bake_k
                .map(|b| ln_t(b).exp() / 3600.0)
                .filter(|h| h.is_finite() && *h < 1e6 * year_h * 1e6),
            bake_hours_at: settings
                .temperatures_k
                .iter()
                .map(|&t| {
                    (
                        kelvin_to_celsius(t),
                        stats::bake_duration_s(use_k, target_s, t, ln_rate) / 3600.0,
                    )
                })
                .collect(),
            model,
        })
    }

    /// The highest storage temperature [K] of the low-temperature regime: from the lowest
    /// temperature with an active mechanism, every higher temperature with the same active
    /// set; the highest storage temperature if nothing acts anywhere.
    fn max_valid_temperature_k(&self) -> Option<f64> {
        let mut paths = self.paths.iter().filter(|p| !p.active.is_empty());
        let Some(first) = paths.next() else {
            return self.paths.iter().map(|p| p.temperature_k).reduce(f64::max);
        };
        let mut max = first.temperature_k;
        for p in paths {
            if p.active == first.active {
                max = p.temperature_k;
            } else {
                break;
            }
        }
        Some(max)
    }
}
