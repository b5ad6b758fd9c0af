//! Arrhenius analysis per criterion (target and isochronal temperatures) and the accelerated
//! test that demonstrates the target lifetime at the use temperature (ISO/IEC 10995-style
//! extrapolation, aging.md §5). The `basis` and `model` statements are typed here and rendered
//! as sentences by `output::report::lifetime`.

use serde::Serialize;

use super::Criterion;
use super::rows::LifetimeRow;
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
    /// The acceleration model (serialized as its statement by `output`).
    pub model: AccelerationModel,
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
                let fit = stats::fit_arrhenius(&pts);
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
                }
            })
            .collect()
    }

    /// The accelerated test of the primary criterion: by exact rescaling with surface diffusion
    /// alone, else by the primary's fitted Arrhenius line (`None` without a fit).
    pub(super) fn test_design(
        &self,
        arrhenius: &[ArrheniusRecord],
        searches: &Searches,
    ) -> Option<TestDesign> {
        let settings = self.settings;
        let (use_k, target_s) = (settings.use_temperature_k, settings.target_s);
        let design = |ln_rate: &dyn Fn(f64) -> f64, survives, model| TestDesign {
            use_temperature_c: kelvin_to_celsius(use_k),
            target_yr: target_s / SECONDS_PER_YEAR,
            test_duration_h: settings.test_duration_s / 3600.0,
            bake_temperature_c: celsius(stats::bake_temperature_k(
                use_k,
                target_s,
                settings.test_duration_s,
                ln_rate,
            )),
            code_survives_bake: survives,
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
        };
        if self.any_real() {
            let fit = arrhenius
                .iter()
                .find(|a| a.criterion == self.primary)
                .and_then(|a| a.fit)?;
            let model = AccelerationModel::FittedArrhenius {
                ea_ev: fit.ea_ev,
                points: fit.points,
            };
            let survives = Some(fit.ln_time_s(use_k) >= target_s.ln());
            Some(design(&|t| -fit.ln_time_s(t), survives, model))
        } else {
            // Survives iff t_fail(T_use) ≥ target (equivalently the bake stays below t_fail).
            let survives = searches
                .s_primary(self.primary)
                .map(|s| (s.ln() - self.ln_b(use_k)) >= target_s.ln());
            Some(design(
                &|t| self.ln_b(t),
                survives,
                AccelerationModel::Rescaling,
            ))
        }
    }
}
