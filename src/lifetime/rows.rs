//! The contract rows of `summary.json` → `lifetime`: per storage temperature and criterion the
//! failure time with a typed [`LifetimeStatus`] saying why there is (or is not) a number.

use serde::Serialize;

use super::classify::{SearchPath, TemperaturePath};
use super::search::Searches;
use super::stage::LifetimeStage;
use super::{Criterion, FailureOutcome};
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

/// Why a lifetime row has its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifetimeStatus {
    /// A failure within the horizon (the value).
    Found,
    /// No failure within the horizon (or the found failure lies beyond it).
    BeyondHorizon,
    /// The code does not pass the criterion as written (rescaled search).
    FailsAsWritten,
    /// The real-time search failed already at its smallest probed time (10⁻² s): the start
    /// of aging (the native oxide) breaks the read.
    FailsAtFirstProbe,
    /// The criterion was not searched at this temperature.
    NotSearched,
    /// No failure up to the end of the s range, which is reached within the horizon.
    Undetermined,
    /// The probe budget (`lifetime.max_probes`) ran out before the search bracketed a failure
    /// or reached the horizon: readable as far as probed, nothing is known beyond.
    BudgetExhausted,
}

crate::choices!(LifetimeStatus {
    LifetimeStatus::Found => "found",
    LifetimeStatus::BeyondHorizon => "beyond_horizon",
    LifetimeStatus::FailsAsWritten => "fails_as_written",
    LifetimeStatus::FailsAtFirstProbe => "fails_at_first_probe",
    LifetimeStatus::NotSearched => "not_searched",
    LifetimeStatus::Undetermined => "undetermined",
    LifetimeStatus::BudgetExhausted => "budget_exhausted",
});

/// The contract row of `summary.json` → `lifetime` (one per storage temperature).
#[derive(Debug, Clone, Serialize)]
pub struct LifetimeRow {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Storage temperature [°C].
    pub temperature_c: f64,
    /// Decoder failure time [yr]; `null` unless `decoder_status` is found.
    pub decoder_failure_yr: Option<f64>,
    /// Information failure time [yr]; `null` likewise (see `information_status`).
    pub information_failure_yr: Option<f64>,
    /// Whether a searched criterion's failure lies beyond the horizon at this temperature.
    pub beyond_horizon: bool,
    /// The horizon [yr].
    pub horizon_yr: f64,
    /// Why `decoder_failure_yr` has its value.
    pub decoder_status: LifetimeStatus,
    /// As `decoder_status`, for the information criterion.
    pub information_status: LifetimeStatus,
    /// Probes of the decoder search (one search in equivalent time serves every temperature).
    pub decoder_probes: usize,
    /// Probes of the information search.
    pub information_probes: usize,
    /// Whether the decoder search closed its bracket to the tolerance within the probe budget
    /// (false also when not searched).
    pub decoder_converged: bool,
    /// As `decoder_converged`, for the information criterion.
    pub information_converged: bool,
    /// Which search served this temperature.
    pub search_path: SearchPath,
}

/// The status of a search outcome whose failure time is `t_yr`.
fn status(outcome: Option<&FailureOutcome>, t_yr: Option<f64>, horizon_yr: f64) -> LifetimeStatus {
    match (outcome, t_yr) {
        (None, _) => LifetimeStatus::NotSearched,
        (Some(FailureOutcome::FailedAtStart { .. }), _) => LifetimeStatus::FailsAsWritten,
        (Some(FailureOutcome::Found { .. }), Some(t)) if t <= horizon_yr => LifetimeStatus::Found,
        (Some(FailureOutcome::Found { .. }), _) => LifetimeStatus::BeyondHorizon,
        (Some(FailureOutcome::BeyondHorizon { .. }), _) => LifetimeStatus::BeyondHorizon,
        (Some(FailureOutcome::BudgetExhausted { .. }), _) => LifetimeStatus::BudgetExhausted,
    }
}

/// One criterion at one temperature: (value, status, probes, converged).
type Cell = (Option<f64>, LifetimeStatus, usize, bool);

impl LifetimeStage<'_> {
    /// The row of one criterion at a real-time temperature.
    fn real_time_cell(&self, searches: &Searches, t_k: f64, c: Criterion) -> Cell {
        let horizon_yr = self.settings.horizon_s / SECONDS_PER_YEAR;
        let rec = searches.real(t_k, c);
        let t = rec.and_then(|r| r.t_fail_yr);
        let st = match rec.map(|r| r.search.outcome) {
            Some(FailureOutcome::FailedAtStart { .. }) => LifetimeStatus::FailsAtFirstProbe,
            o => status(o.as_ref(), t, horizon_yr),
        };
        let value = if st == LifetimeStatus::Found { t } else { None };
        let converged = rec.is_some_and(|r| r.search.converged);
        (
            value,
            st,
            rec.map(|r| r.search.probes).unwrap_or(0),
            converged,
        )
    }

    /// The row of one criterion at a rescaled temperature: t = s_fail/B_eff(T).
    fn rescaled_cell(&self, searches: &Searches, t_k: f64, c: Criterion) -> Cell {
        let year = SECONDS_PER_YEAR;
        let horizon_yr = self.settings.horizon_s / year;
        let rec = searches.surface(c);
        let t = rec
            .and_then(|r| r.s_fail_nm4)
            .map(|s| (s.ln() - self.ln_b(t_k)).exp() / year);
        let mut st = status(rec.map(|r| &r.search.outcome), t, horizon_yr);
        if let Some(FailureOutcome::BeyondHorizon { .. }) = rec.map(|r| r.search.outcome) {
            // No failure up to s_max: beyond the horizon only if s_max is reached later.
            let t_max_yr = (self.surface_range().clock_max.ln() - self.ln_b(t_k)).exp() / year;
            if t_max_yr < horizon_yr {
                st = LifetimeStatus::Undetermined;
            }
        }
        let value = if st == LifetimeStatus::Found { t } else { None };
        let converged = rec.is_some_and(|r| r.search.converged);
        (
            value,
            st,
            rec.map(|r| r.search.probes).unwrap_or(0),
            converged,
        )
    }

    /// The contract rows, one per storage temperature.
    pub(super) fn rows(&self, searches: &Searches) -> Vec<LifetimeRow> {
        let horizon_yr = self.settings.horizon_s / SECONDS_PER_YEAR;
        self.settings
            .temperatures_k
            .iter()
            .zip(&self.paths)
            .map(|(&t_k, path): (&f64, &TemperaturePath)| {
                let cell = |c| {
                    if path.real_time() {
                        self.real_time_cell(searches, t_k, c)
                    } else {
                        self.rescaled_cell(searches, t_k, c)
                    }
                };
                let (d, ds, dp, dc) = cell(Criterion::DecoderFailure);
                let (i, is, ip, ic) = cell(Criterion::InformationFailure);
                LifetimeRow {
                    temperature_k: t_k,
                    temperature_c: kelvin_to_celsius(t_k),
                    decoder_failure_yr: d,
                    information_failure_yr: i,
                    beyond_horizon: ds == LifetimeStatus::BeyondHorizon
                        || is == LifetimeStatus::BeyondHorizon,
                    horizon_yr,
                    decoder_status: ds,
                    information_status: is,
                    decoder_probes: dp,
                    information_probes: ip,
                    decoder_converged: dc,
                    information_converged: ic,
                    search_path: path.path,
                }
            })
            .collect()
    }
}
