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

use std::collections::BTreeMap;

use serde::Serialize;

use super::Criterion;
use super::classify::Mechanism;
use super::geometry_uq::GeometryRecord;
use super::rows::LifetimeStatus;
use super::search::Searches;
use super::stage::LifetimeStage;
use super::stats;
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

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

/// A lifetime value of the uncertainty rows: a number of years within the horizon, else the
/// string "beyond_horizon" (never a number there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Years {
    /// Within the horizon [yr].
    Within(f64),
    /// Later than the horizon.
    BeyondHorizon,
}

impl Years {
    /// ln t [ln s] → years, beyond the horizon `horizon_s` as such.
    pub fn of_ln_s(ln_s: f64, horizon_s: f64) -> Years {
        if ln_s <= horizon_s.ln() {
            Years::Within(ln_s.exp() / SECONDS_PER_YEAR)
        } else {
            Years::BeyondHorizon
        }
    }

    /// The number of years, if within the horizon.
    pub fn value(self) -> Option<f64> {
        match self {
            Years::Within(y) => Some(y),
            Years::BeyondHorizon => None,
        }
    }
}

impl Serialize for Years {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Years::Within(y) => s.serialize_f64(*y),
            Years::BeyondHorizon => s.serialize_str("beyond_horizon"),
        }
    }
}

/// Which uncertainty a row's distribution describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UncertaintyKind {
    /// Epistemic: the kinetic parameters of the materials library (one random variable per
    /// error source), the same specimen in every sample. Quantiles are credible quantiles
    /// (prior, not conditioned on data), not fractions of a specimen population.
    EpistemicParameters,
    /// The kinetic parameters as [`UncertaintyKind::EpistemicParameters`] and, in every
    /// sample, a specimen geometry (over-mill depth, wall angle, film thickness) drawn from its
    /// spread through the linear design-point response ([`super::geometry_uq`]): a credible
    /// interval for one specimen of unknown parameters and unknown geometry.
    EpistemicParametersAndGeometry,
}

/// Whether a specimen-to-specimen (aleatory) population is modelled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PopulationModel {
    /// Not modelled: write noise, over-mill depth and readout are those of the one simulated
    /// specimen (the readout realizations enter the failure criterion only), so no B-lives
    /// (ISO/IEC 10995: fraction of specimens failed) are reported.
    NotModelled,
    /// Specimens differing in geometry only ([`super::geometry_uq`]) at the nominal kinetic
    /// parameters: B-lives of that population.
    Geometry(GeometryPopulation),
}

/// The geometry population at one temperature: ln t ~ N(ln t₀, s²), s² = Σ (β_g σ_g)², t₀ the
/// nominal lifetime; B_p = t₀·exp(z_p·s) is the time by which a fraction p of such specimens
/// has failed (ISO/IEC 10995 meaning, for this population only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeometryPopulation {
    /// s = σ(ln t) over the population.
    pub sigma_ln: f64,
    /// B1 [yr] (1 % failed), `None` when the nominal lifetime is not a number.
    pub b1_yr: Option<Years>,
    /// B10 [yr] (10 % failed).
    pub b10_yr: Option<Years>,
    /// B50 [yr] (= the nominal lifetime: the population is symmetric in ln t).
    pub b50_yr: Option<Years>,
    /// Geometry factors in the population (those with a determined response here).
    pub factors: usize,
}

impl GeometryPopulation {
    /// The population at nominal lifetime `nominal_yr` (status `status`) with responses `r`.
    fn of(
        nominal_yr: Option<f64>,
        status: LifetimeStatus,
        r: &super::geometry_uq::TemperatureResponse,
        horizon_s: f64,
    ) -> Self {
        let s = r.population_sigma_ln;
        let b = |z: f64| {
            nominal_yr.map(|t| Years::of_ln_s((t * SECONDS_PER_YEAR).ln() + z * s, horizon_s))
        };
        let beyond = status == LifetimeStatus::BeyondHorizon;
        GeometryPopulation {
            sigma_ln: s,
            b1_yr: b(super::geometry_uq::Z_B1),
            b10_yr: b(super::geometry_uq::Z_B10),
            b50_yr: if beyond {
                Some(Years::BeyondHorizon)
            } else {
                b(0.0)
            },
            factors: r
                .factors
                .iter()
                .filter(|f| f.d_ln_t_per_unit.is_some())
                .count(),
        }
    }
}

/// The contract row of `summary.json` → `uncertainty` (one per storage temperature).
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintyRow {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Storage temperature [°C].
    pub temperature_c: f64,
    /// Criterion whose failure equivalent time was propagated.
    pub criterion: Criterion,
    /// Which uncertainty the distribution describes (serialized as its statement).
    pub kind: UncertaintyKind,
    /// The specimen population: without a geometry design none is modelled, so no B-lives
    /// (serialized as that statement); with one, the geometry population's B-lives (an object
    /// stating its model, `b1_yr`, `b10_yr`, `b50_yr`, `sigma_ln`).
    pub population: PopulationModel,
    /// The nominal lifetime (the search at the library's nominal constants) [yr], `null`
    /// unless found within the horizon (see `nominal_status`).
    pub nominal_yr: Option<f64>,
    /// Why `nominal_yr` has its value (the lifetime row's status).
    pub nominal_status: LifetimeStatus,
    /// Credible median of the lifetime [yr] or "beyond_horizon".
    pub lifetime_median_yr: Years,
    /// 90 % credible interval of the lifetime [yr]: the 5 % and 95 % quantiles, each a number
    /// or "beyond_horizon".
    pub lifetime_ci90_yr: [Years; 2],
    /// Monte Carlo error of `lifetime_median_yr`: its 95 % order-statistic interval [yr].
    pub lifetime_median_mc95_yr: [Years; 2],
    /// Monte Carlo error of each end of `lifetime_ci90_yr`: the 95 % order-statistic interval
    /// of the 5 % quantile and of the 95 % quantile [yr]. (Replaces `lower_95_yr`, which was
    /// this Monte Carlo bound, not a confidence bound on the lifetime.)
    pub lifetime_ci90_mc95_yr: [[Years; 2]; 2],
    /// The target life [yr] (`lifetime.target_yr`).
    pub target_life_yr: f64,
    /// Probability (over the parameter uncertainty) that the code is unreadable at the target
    /// life: the fraction of samples with t < target.
    pub p_fail_before_target: f64,
    /// Monte Carlo standard error of `p_fail_before_target`, √(p(1−p)/n).
    pub p_fail_before_target_mc_se: f64,
    /// σ(ln t) of the Monte Carlo lifetimes.
    pub sigma_ln: f64,
    /// Fraction of samples failing within the horizon.
    pub fraction_within_horizon: f64,
    /// Monte Carlo samples.
    pub samples: usize,
    /// Share of the variance of ln t per error source (parameter → share; normalized squared
    /// Spearman rank correlations, Σ = 1).
    pub sensitivity: BTreeMap<String, f64>,
    /// Spearman rank correlation of ln t with each error source's z (sign: + lengthens).
    pub rank_correlation: BTreeMap<String, f64>,
}

impl LifetimeStage<'_> {
    /// The basis and surrogate spec of every temperature (module documentation).
    pub(super) fn uncertainty_specs(
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
        geometry: Option<&GeometryRecord>,
    ) -> (Vec<UncertaintyBasis>, Vec<UncertaintyRow>) {
        let settings = self.settings;
        let (bases, specs) = self.uncertainty_specs(searches);
        let year = SECONDS_PER_YEAR;
        let h = settings.horizon_s;
        let times = stats::Times {
            horizon_s: h,
            target_s: settings.target_s,
        };
        let nominal = self.rows(searches);
        // Geometry terms: the evaluated factors, β·σ per temperature (spec order).
        let terms = geometry.and_then(|g| {
            let labels: Vec<String> = g
                .factors
                .iter()
                .filter(|f| f.evaluated)
                .map(|f| f.factor.to_string())
                .collect();
            if labels.is_empty() {
                return None;
            }
            let coefficients = specs
                .iter()
                .map(|spec| {
                    g.responses
                        .iter()
                        .find(|r| r.temperature_k == spec.temperature_k)
                        .map(|r| r.factors.iter().map(|f| f.ln_t_per_sigma).collect())
                        .unwrap_or_else(|| vec![0.0; labels.len()])
                })
                .collect();
            Some(stats::GeometryTerms {
                labels,
                coefficients,
            })
        });
        let rows = match searches.s_primary(self.primary) {
            Some(s) if settings.uq_samples > 0 => stats::propagate_with_geometry(
                &self.rate_model,
                self.ox_model.as_ref(),
                s.ln(),
                searches.u_fail().map(f64::ln),
                &specs,
                times,
                settings.uq_samples,
                self.seed,
                terms.as_ref(),
            )
            .into_iter()
            .map(|d| {
                let row = nominal.iter().find(|r| r.temperature_k == d.temperature_k);
                let (nominal_yr, nominal_status) = match (row, self.primary) {
                    (Some(r), Criterion::DecoderFailure) => {
                        (r.decoder_failure_yr, r.decoder_status)
                    }
                    (Some(r), Criterion::InformationFailure) => {
                        (r.information_failure_yr, r.information_status)
                    }
                    (None, _) => (None, LifetimeStatus::NotSearched),
                };
                let population = match (terms.as_ref(), geometry) {
                    (Some(_), Some(g)) => g
                        .responses
                        .iter()
                        .find(|r| r.temperature_k == d.temperature_k)
                        .map(|r| {
                            PopulationModel::Geometry(GeometryPopulation::of(
                                nominal_yr,
                                nominal_status,
                                r,
                                h,
                            ))
                        })
                        .unwrap_or(PopulationModel::NotModelled),
                    _ => PopulationModel::NotModelled,
                };
                let kind = if terms.is_some() {
                    UncertaintyKind::EpistemicParametersAndGeometry
                } else {
                    UncertaintyKind::EpistemicParameters
                };
                let y = |ln_s: f64| Years::of_ln_s(ln_s, h);
                let pair = |q: &stats::QuantileEstimate| [y(q.mc95_ln_s[0]), y(q.mc95_ln_s[1])];
                UncertaintyRow {
                    temperature_k: d.temperature_k,
                    temperature_c: kelvin_to_celsius(d.temperature_k),
                    criterion: self.primary,
                    kind,
                    population,
                    nominal_yr,
                    nominal_status,
                    lifetime_median_yr: y(d.median.ln_s),
                    lifetime_ci90_yr: [y(d.q05.ln_s), y(d.q95.ln_s)],
                    lifetime_median_mc95_yr: pair(&d.median),
                    lifetime_ci90_mc95_yr: [pair(&d.q05), pair(&d.q95)],
                    target_life_yr: settings.target_s / year,
                    p_fail_before_target: d.p_fail_before_target,
                    p_fail_before_target_mc_se: d.p_fail_before_target_mc_se,
                    sigma_ln: d.sigma_ln,
                    fraction_within_horizon: d.fraction_within_horizon,
                    samples: d.samples,
                    sensitivity: d
                        .sensitivity
                        .iter()
                        .map(|e| (e.parameter.clone(), e.share))
                        .collect(),
                    rank_correlation: d
                        .sensitivity
                        .iter()
                        .map(|e| (e.parameter.clone(), e.rank_correlation))
                        .collect(),
                }
            })
            .collect(),
            _ => Vec::new(),
        };
        (bases, rows)
    }
}
