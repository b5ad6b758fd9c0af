//! Monte Carlo uncertainty of the lifetimes per storage temperature ([`stats::propagate_competing`]).
//!
//! Rescaled temperatures: exact, t_i = s_fail/B_i(T). Real-time temperatures: a full real-time
//! re-search per sample (≈ 20 probes × thousands of samples) is out of budget, so each sample
//! uses the competing-risks surrogate (aging.md §5.4 item 5) t_i = A(T) · min(s_fail/B_i(T),
//! u_fail/r_i(T)) with both single-mechanism failure equivalent times simulated, anchored by
//! A(T) = t_real/t_competing of the nominal parameters (so the nominal sample reproduces the
//! simulated real-time lifetime). It is exact when one mechanism dominates or when all rates
//! scale alike; the anchor measures how far the interaction moves the lifetime. Beyond the
//! horizon A is set so that the nominal lifetime is the horizon (A ≥ 1), a conservative choice.

use serde::Serialize;

use super::Criterion;
use super::classify::Mechanism;
use super::search::Searches;
use super::stage::LifetimeStage;
use super::stats;
use crate::units::SECONDS_PER_YEAR;

/// How the Monte Carlo lifetimes at one temperature are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UncertaintyMethod {
    /// t_i = s_fail/B_i(T) (surface diffusion alone).
    ExactRescaling,
    /// The anchored competing-risks surrogate (several mechanisms).
    CompetingRisks,
}

crate::choices!(UncertaintyMethod {
    UncertaintyMethod::ExactRescaling => "exact rescaling",
    UncertaintyMethod::CompetingRisks => "competing-risks surrogate",
});

/// The uncertainty model per temperature.
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintyBasis {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// How the samples' lifetimes are computed.
    pub basis: UncertaintyMethod,
    /// ln(t_real / t_competing) of the nominal parameters (the anchor of the surrogate).
    pub ln_anchor: f64,
    /// Whether the anchor comes from a real-time lifetime within the horizon.
    pub anchored: bool,
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

impl LifetimeStage<'_> {
    /// The basis and surrogate spec of every temperature (module documentation).
    fn uncertainty_specs(
        &self,
        searches: &Searches,
    ) -> (Vec<UncertaintyBasis>, Vec<stats::CompetingSpec>) {
        let settings = self.settings;
        let s_primary = searches.s_primary(self.primary);
        let u_primary = searches.u_fail();
        let mut bases = Vec::new();
        let mut specs = Vec::new();
        for (path, &t_k) in self.paths.iter().zip(&settings.temperatures_k) {
            if !path.real_time() {
                bases.push(UncertaintyBasis {
                    temperature_k: t_k,
                    basis: UncertaintyMethod::ExactRescaling,
                    ln_anchor: 0.0,
                    anchored: true,
                });
                specs.push(stats::CompetingSpec {
                    temperature_k: t_k,
                    with_oxidation: false,
                    ln_anchor: 0.0,
                });
                continue;
            }
            let ln_d = s_primary
                .map(|s| s.ln() - self.ln_b(t_k))
                .unwrap_or(f64::INFINITY);
            let ln_o = match (&self.ox_model, u_primary) {
                (Some(o), Some(u)) if path.active.contains(&Mechanism::Oxidation) => {
                    u.ln() - o.ln_rate(t_k)
                }
                _ => f64::INFINITY,
            };
            let ln_cr = ln_d.min(ln_o);
            let t_real = searches
                .real(t_k, self.primary)
                .and_then(|r| r.search.failure_clock());
            let (ln_anchor, anchored) = match t_real {
                Some(t) if t <= settings.horizon_s && ln_cr.is_finite() => (t.ln() - ln_cr, true),
                _ if ln_cr.is_finite() => ((settings.horizon_s.ln() - ln_cr).max(0.0), false),
                _ => (0.0, false),
            };
            bases.push(UncertaintyBasis {
                temperature_k: t_k,
                basis: UncertaintyMethod::CompetingRisks,
                ln_anchor,
                anchored,
            });
            specs.push(stats::CompetingSpec {
                temperature_k: t_k,
                with_oxidation: ln_o.is_finite(),
                ln_anchor,
            });
        }
        (bases, specs)
    }

    /// The basis per temperature and the Monte Carlo rows (empty without samples or without a
    /// primary failure in s).
    pub(super) fn uncertainty(
        &self,
        searches: &Searches,
    ) -> (Vec<UncertaintyBasis>, Vec<UncertaintyRow>) {
        let settings = self.settings;
        let (bases, specs) = self.uncertainty_specs(searches);
        let year = SECONDS_PER_YEAR;
        let rows = match searches.s_primary(self.primary) {
            Some(s) if settings.uq_samples > 0 => stats::propagate_competing(
                &self.rate_model,
                self.ox_model.as_ref(),
                s.ln(),
                searches.u_fail().map(f64::ln),
                &specs,
                settings.horizon_s,
                settings.uq_samples,
                self.seed,
            )
            .into_iter()
            .map(|d| UncertaintyRow {
                temperature_k: d.temperature_k,
                criterion: self.primary,
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
        (bases, rows)
    }
}
