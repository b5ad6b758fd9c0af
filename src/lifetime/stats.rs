//! Lifetime statistics: Arrhenius fit, target temperature, accelerated-test design and Monte
//! Carlo propagation of kinetic uncertainty (aging.md §5; design §2.7).
//!
//! Conventions: temperatures in K, times in s, rates as ln r(T) closures (r in any unit; only
//! ratios enter). Archival-media practice (ISO/IEC 10995 = ECMA-379, ISO/IEC 16963 = ECMA-396,
//! ISO 18927): a single-mechanism Arrhenius extrapolation ln t = ln A + E_a/(k_BT), lognormal
//! life, B50/B5 and a one-sided 95 % lower bound (aging.md §5.1–5.2).

use rayon::prelude::*;
use serde::Serialize;

use rand_distr::{Distribution, StandardNormal};

use super::rate::{ErrorDraw, OxidationRateModel, SurfaceRateModel};
use crate::age::history::temperature_for_timescale_k;
use crate::rng::{self, Stream};
use crate::units::BOLTZMANN_EV_PER_K;

/// Search bracket of temperature inversions [K] (as [`crate::age::timescale::SEARCH_K`]).
pub const SEARCH_K: (f64, f64) = crate::age::timescale::SEARCH_K;

/// Least-squares Arrhenius line through (T_i, t_i): ln t = ln A + E_a/(k_B T).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ArrheniusFit {
    /// Effective activation energy E_a [eV] (slope of ln t against 1/k_BT).
    pub ea_ev: f64,
    /// Intercept ln A with A in s.
    pub ln_prefactor_s: f64,
    /// Points used.
    pub points: usize,
}

impl ArrheniusFit {
    /// ln t(T) [ln s] on the fitted line.
    pub fn ln_time_s(&self, temperature_k: f64) -> f64 {
        self.ln_prefactor_s + self.ea_ev / (BOLTZMANN_EV_PER_K * temperature_k)
    }
}

/// Ordinary least squares of ln t_i on x_i = 1/(k_B T_i) (the NIST/LC regression of medians on
/// temperature, aging.md §5.1): E_a = Σ(x−x̄)(y−ȳ)/Σ(x−x̄)², ln A = ȳ − E_a x̄. `None` with fewer
/// than two distinct temperatures.
pub fn fit_arrhenius(points: &[(f64, f64)]) -> Option<ArrheniusFit> {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(t_k, time_s)| (1.0 / (BOLTZMANN_EV_PER_K * t_k), time_s.ln()))
        .collect();
    let n = xy.len() as f64;
    if xy.len() < 2 {
        return None;
    }
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let ea = sxy / sxx;
    Some(ArrheniusFit {
        ea_ev: ea,
        ln_prefactor_s: my - ea * mx,
        points: xy.len(),
    })
}

/// Local effective activation energy of a rate between two temperatures [eV]:
/// E_eff = −[ln r(T₂) − ln r(T₁)] / [1/k_BT₂ − 1/k_BT₁] (for r ∝ exp(−E_a/kT)/T this is
/// E_a − k_B T̃ for a T̃ between T₁ and T₂).
pub fn effective_ea_ev(t1_k: f64, t2_k: f64, ln_rate: impl Fn(f64) -> f64) -> f64 {
    let x = |t: f64| 1.0 / (BOLTZMANN_EV_PER_K * t);
    -(ln_rate(t2_k) - ln_rate(t1_k)) / (x(t2_k) - x(t1_k))
}

/// Temperature [K] at which a lifetime t(T) = s_fail / r(T) equals `target_s`: solves
/// ln s_fail − ln r(T) = ln target by bisection on [`SEARCH_K`] (t decreases with T).
/// `None` if outside 50–5000 K.
pub fn temperature_for_lifetime_k(
    ln_s_fail: f64,
    target_s: f64,
    ln_rate: impl Fn(f64) -> f64,
) -> Option<f64> {
    temperature_for_timescale_k(target_s.ln(), SEARCH_K.0, SEARCH_K.1, |t| {
        ln_s_fail - ln_rate(t)
    })
}

/// Use-equivalent time demonstrated by a bake [s]: t_use = t_bake · r(T_bake)/r(T_use) (the
/// acceleration factor of aging.md §2.6; for surface diffusion r = B(T) carries the extra 1/T,
/// AF = exp[(E_a/k)(1/T_use − 1/T_bake)]·T_use/T_bake). ISO/IEC 10995-style extrapolation of a
/// stress result to the use condition under the single-mechanism assumption.
pub fn demonstrated_use_time_s(
    use_k: f64,
    bake_k: f64,
    bake_s: f64,
    ln_rate: impl Fn(f64) -> f64,
) -> f64 {
    bake_s * (ln_rate(bake_k) - ln_rate(use_k)).exp()
}

/// Bake duration [s] at T_bake that demonstrates `target_s` at T_use: the inverse of
/// [`demonstrated_use_time_s`], t_bake = t_target · r(T_use)/r(T_bake).
pub fn bake_duration_s(
    use_k: f64,
    target_s: f64,
    bake_k: f64,
    ln_rate: impl Fn(f64) -> f64,
) -> f64 {
    target_s * (ln_rate(use_k) - ln_rate(bake_k)).exp()
}

/// Bake temperature [K] at which a bake of `bake_s` demonstrates `target_s` at T_use: solves
/// ln t_target + ln r(T_use) − ln r(T) = ln t_bake for T by bisection on [`SEARCH_K`].
/// `None` if the acceleration needed is not reached within 50–5000 K.
pub fn bake_temperature_k(
    use_k: f64,
    target_s: f64,
    bake_s: f64,
    ln_rate: impl Fn(f64) -> f64,
) -> Option<f64> {
    let ln_use = ln_rate(use_k);
    temperature_for_timescale_k(bake_s.ln(), SEARCH_K.0, SEARCH_K.1, |t| {
        target_s.ln() + ln_use - ln_rate(t)
    })
}

/// A Monte Carlo quantile with its Monte Carlo error (values in ln s).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileEstimate {
    /// Probability level p.
    pub p: f64,
    /// The empirical p-quantile of ln t [ln s] ([`quantile_sorted`]).
    pub ln_s: f64,
    /// Distribution-free 95 % interval of the *Monte Carlo estimate* of that quantile [ln s]:
    /// order statistics X₍ᵣ₎, X₍ₛ₎ with r, s = np ∓ 1.96 √(np(1−p)) (normal approximation to
    /// the binomial count of samples below the true quantile; Meeker, Hahn & Escobar,
    /// Statistical Intervals, 2nd ed. (2017) §5.2). It measures sampling noise only (it shrinks
    /// as 1/√n), not the parameter uncertainty.
    pub mc95_ln_s: [f64; 2],
}

/// The Monte Carlo estimate of the p-quantile of sorted values with its 95 % order-statistic
/// interval ([`QuantileEstimate`]).
pub fn quantile_estimate(sorted: &[f64], p: f64) -> QuantileEstimate {
    let n = sorted.len() as f64;
    let half = 1.96 * (n * p * (1.0 - p)).sqrt();
    let last = sorted.len() - 1;
    let lo = ((n * p - half).floor().max(1.0) as usize - 1).min(last);
    let hi = ((n * p + half).ceil().max(1.0) as usize - 1).min(last);
    QuantileEstimate {
        p,
        ln_s: quantile_sorted(sorted, p),
        mc95_ln_s: [sorted[lo], sorted[hi]],
    }
}

/// One error source's share of the lifetime variance at one temperature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityEntry {
    /// The parameter(s) the source drives ([`ErrorSources`] label).
    pub parameter: String,
    /// Spearman rank correlation ρ_S between the source's z and ln t (sign: + lengthens).
    pub rank_correlation: f64,
    /// ρ_S² / Σ ρ_S² over the sources (normalized squared rank correlation).
    pub share: f64,
}

/// Monte Carlo lifetime distribution at one temperature over the epistemic (kinetic-parameter)
/// uncertainty: credible quantiles, the probability of failing before the target, and the
/// share of each error source (values in ln s; the caller reports quantiles beyond the horizon
/// as such, never as numbers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifetimeDistribution {
    /// Temperature [K].
    pub temperature_k: f64,
    /// Samples.
    pub samples: usize,
    /// Credible median.
    pub median: QuantileEstimate,
    /// 5 % credible quantile (lower end of the 90 % credible interval).
    pub q05: QuantileEstimate,
    /// 95 % credible quantile (upper end of the 90 % credible interval).
    pub q95: QuantileEstimate,
    /// Mean of ln t [ln s].
    pub mean_ln_s: f64,
    /// Standard deviation of ln t.
    pub sigma_ln: f64,
    /// Fraction of samples failing within the horizon.
    pub fraction_within_horizon: f64,
    /// Fraction of samples with t < target (probability that the code is unreadable at the
    /// target life, over the parameter uncertainty).
    pub p_fail_before_target: f64,
    /// Monte Carlo standard error of that fraction, √(p(1−p)/n).
    pub p_fail_before_target_mc_se: f64,
    /// Per error source, descending share.
    pub sensitivity: Vec<SensitivityEntry>,
}

/// Index r (0-based) of the order statistic X₍ᵣ₊₁₎ that is a one-sided (1−α) lower confidence
/// bound on the p-quantile: the largest r with P(Bin(n, p) ≥ r + 1) ≥ 1 − α, i.e. at least
/// r + 1 of n samples fall below the true quantile with probability ≥ 1 − α (distribution-free,
/// e.g. Meeker, Hahn & Escobar, Statistical Intervals, 2nd ed. (2017) §5.3). `None` if even
/// the smallest sample does not qualify (n too small: n < ln α / ln(1−p), 59 for B5 at 95 %).
pub fn lower_bound_order_index(n: usize, p: f64, alpha: f64) -> Option<usize> {
    // P(Bin ≥ r+1) = 1 − CDF(r). Walk the binomial pmf in log space.
    let ln_p = p.ln();
    let ln_q = (1.0 - p).ln();
    let mut ln_pmf = n as f64 * ln_q; // k = 0
    let mut cdf = 0.0;
    let mut best = None;
    for k in 0..n {
        cdf += ln_pmf.exp(); // CDF(k)
        if 1.0 - cdf >= 1.0 - alpha {
            best = Some(k);
        } else {
            break;
        }
        ln_pmf += ((n - k) as f64).ln() - ((k + 1) as f64).ln() + ln_p - ln_q;
    }
    best
}

/// Empirical p-quantile of sorted values (linear interpolation between order statistics,
/// Hyndman–Fan type 7).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Ranks 1..n of values (ties get their average rank).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut r = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation of two equal-length series (0 if either is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// The error sources of a sample space: one z ~ N(0, 1) per identity ([`rate::error_source`]),
/// in order of first appearance (surface terms in stack order: E_a, D₀, γ; then oxidation),
/// only sources with some σ > 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorSources {
    /// Identities.
    pub ids: Vec<String>,
    /// Per identity, the parameters it drives as "<materials joined by +>.<key>", with
    /// " (shared rule)" where more than one material uses it.
    pub labels: Vec<String>,
}

impl ErrorSources {
    /// The sources of a surface-rate model and an optional oxidation model.
    pub fn of(model: &SurfaceRateModel, oxidation: Option<&OxidationRateModel>) -> Self {
        let mut ids: Vec<String> = Vec::new();
        let mut users: Vec<Vec<(String, String)>> = Vec::new();
        let mut add = |id: &str, material: &str, key: &str| {
            let k = match ids.iter().position(|x| x == id) {
                Some(k) => k,
                None => {
                    ids.push(id.to_string());
                    users.push(Vec::new());
                    ids.len() - 1
                }
            };
            let u = (material.to_string(), key.to_string());
            if !users[k].contains(&u) {
                users[k].push(u);
            }
        };
        for t in &model.terms {
            for (id, _) in t.sources() {
                let key = if id == t.ea_error_source {
                    "diffusion_ea_ev"
                } else if id == t.d0_error_source {
                    "diffusion_d0_cm2_per_s"
                } else {
                    "surface_energy_j_m2"
                };
                add(id, &t.material, key);
            }
        }
        if let Some(o) = oxidation {
            for (id, _) in o.sources() {
                let key = if id == o.ea_error_source {
                    "oxidation.activation_ev"
                } else {
                    "oxidation.prefactor"
                };
                add(id, &o.material, key);
            }
        }
        let labels = users
            .iter()
            .map(|u| {
                let mats: Vec<&str> = u.iter().map(|(m, _)| m.as_str()).collect();
                let mut keys: Vec<&str> = u.iter().map(|(_, k)| k.as_str()).collect();
                keys.dedup();
                let label = format!("{}.{}", mats.join("+"), keys.join("+"));
                if mats.len() > 1 {
                    format!("{label} (shared rule)")
                } else {
                    label
                }
            })
            .collect();
        ErrorSources { ids, labels }
    }
}

/// One sample's z per error source.
struct Draw<'a> {
    ids: &'a [String],
    z: Vec<f64>,
}

impl ErrorDraw for Draw<'_> {
    fn z(&self, id: &str) -> f64 {
        self.ids
            .iter()
            .position(|x| x == id)
            .map(|k| self.z[k])
            .unwrap_or(0.0)
    }
}

/// Lifetime distributions at `temperatures_k` from `samples` Monte Carlo draws of the kinetic
/// parameters of `model` with t_i(T) = s_fail / B_i(T) (exact single-mechanism rescaling):
/// [`propagate_competing`] without oxidation and without anchor.
pub fn propagate_uncertainty(
    model: &SurfaceRateModel,
    ln_s_fail: f64,
    temperatures_k: &[f64],
    horizon_s: f64,
    target_s: f64,
    samples: usize,
    seed: u64,
) -> Vec<LifetimeDistribution> {
    let specs: Vec<CompetingSpec> = temperatures_k
        .iter()
        .map(|&temperature_k| CompetingSpec {
            temperature_k,
            with_oxidation: false,
            ln_anchor: 0.0,
        })
        .collect();
    let times = Times {
        horizon_s,
        target_s,
    };
    propagate_competing(model, None, ln_s_fail, None, &specs, times, samples, seed)
}

/// Summary of ln-lifetime samples [ln s] at one temperature (see [`LifetimeDistribution`]),
/// with the sensitivity to the error sources whose z values are `inputs` (label, z per sample).
pub fn distribution_of(
    temperature_k: f64,
    ln_t: &[f64],
    times: Times,
    inputs: &[(&str, Vec<f64>)],
) -> LifetimeDistribution {
    let n = ln_t.len();
    let mut sorted = ln_t.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = ln_t.iter().sum::<f64>() / n as f64;
    let var = ln_t.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0).max(1.0);
    let ln_h = times.horizon_s.ln();
    let ln_target = times.target_s.ln();
    let p_fail = sorted.iter().filter(|x| **x < ln_target).count() as f64 / n as f64;
    let rank_t = ranks(ln_t);
    let rho: Vec<(String, f64)> = inputs
        .iter()
        .map(|(label, z)| (label.to_string(), pearson(&ranks(z), &rank_t)))
        .collect();
    let total: f64 = rho.iter().map(|(_, r)| r * r).sum();
    let mut sensitivity: Vec<SensitivityEntry> = rho
        .into_iter()
        .map(|(parameter, r)| SensitivityEntry {
            parameter,
            rank_correlation: r,
            share: if total > 0.0 { r * r / total } else { 0.0 },
        })
        .collect();
    sensitivity.sort_by(|a, b| b.share.total_cmp(&a.share));
    LifetimeDistribution {
        temperature_k,
        samples: n,
        median: quantile_estimate(&sorted, 0.5),
        q05: quantile_estimate(&sorted, 0.05),
        q95: quantile_estimate(&sorted, 0.95),
        mean_ln_s: mean,
        sigma_ln: var.sqrt(),
        fraction_within_horizon: sorted.iter().filter(|x| **x <= ln_h).count() as f64 / n as f64,
        p_fail_before_target: p_fail,
        p_fail_before_target_mc_se: (p_fail * (1.0 - p_fail) / n as f64).sqrt(),
        sensitivity,
    }
}

/// The horizon and the target life of a propagation [s].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Times {
    /// Horizon [s].
    pub horizon_s: f64,
    /// Target life [s] (`lifetime.target_yr`).
    pub target_s: f64,
}

/// How the lifetime samples at one temperature are formed by [`propagate_competing`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CompetingSpec {
    /// Temperature [K].
    pub temperature_k: f64,
    /// Whether oxidation competes at this temperature.
    pub with_oxidation: bool,
    /// ln A: the anchor multiplying the competing-risks minimum (0 = none).
    pub ln_anchor: f64,
}

/// Lifetime distributions from `samples` Monte Carlo draws of the error sources
/// ([`ErrorSources::of`] the surface-rate model and, if given, the oxidation-rate model):
/// sample i draws one z ~ N(0, 1) per source, in source order, from
/// `rng::stream(seed, Stream::LifetimeSample, i)`; every parameter naming a source moves with
/// its z (a rule's error shared by the materials using the rule). Then
///
///   ln t_i(T) = ln A(T) + min(ln s_fail − ln B_i(T), ln u_fail − ln r_i(T))
///
/// with the oxidation term only where `with_oxidation` and `ln_u_fail` is known. With A = 1 and
/// no oxidation this is the exact single-mechanism rescaling; otherwise it is the
/// competing-risks combination of the two single-mechanism failure times (aging.md §5.4
/// item 5), anchored to the simulated multi-mechanism lifetime by A. Reductions in sample
/// order: bit-identical for any thread count. The distribution is over the epistemic
/// (parameter) uncertainty only: every sample is the same specimen.
#[allow(clippy::too_many_arguments)]
pub fn propagate_competing(
    model: &SurfaceRateModel,
    oxidation: Option<&OxidationRateModel>,
    ln_s_fail: f64,
    ln_u_fail: Option<f64>,
    specs: &[CompetingSpec],
    times: Times,
    samples: usize,
    seed: u64,
) -> Vec<LifetimeDistribution> {
    let sources = ErrorSources::of(model, oxidation);
    let ids = &sources.ids;
    #[allow(clippy::type_complexity)]
    let draws: Vec<(Vec<f64>, SurfaceRateModel, Option<OxidationRateModel>)> = (0..samples)
        .into_par_iter()
        .map(|i| {
            let mut rng = rng::stream(seed, Stream::LifetimeSample, i as u64);
            let z: Vec<f64> = ids
                .iter()
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            let draw = Draw { ids, z };
            let m = model.sample(&draw);
            let o = oxidation.map(|o| o.sample(&draw));
            (draw.z, m, o)
        })
        .collect();
    let inputs: Vec<(&str, Vec<f64>)> = sources
        .labels
        .iter()
        .enumerate()
        .map(|(k, label)| (label.as_str(), draws.iter().map(|d| d.0[k]).collect()))
        .collect();
    specs
        .iter()
        .map(|spec| {
            let t_k = spec.temperature_k;
            let ln_t: Vec<f64> = draws
                .iter()
                .map(|(_, m, o)| {
                    let d = ln_s_fail - m.ln_b(t_k);
                    let ox = match (spec.with_oxidation, o, ln_u_fail) {
                        (true, Some(o), Some(u)) => u - o.ln_rate(t_k),
                        _ => f64::INFINITY,
                    };
                    spec.ln_anchor + d.min(ox)
                })
                .collect();
            distribution_of(t_k, &ln_t, times, &inputs)
        })
        .collect()
}
