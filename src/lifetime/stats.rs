//! Lifetime statistics: Arrhenius fit, target temperature, accelerated-test design and Monte
//! Carlo propagation of kinetic uncertainty (aging.md §5; design §2.7).
//!
//! Conventions: temperatures in K, times in s, rates as ln r(T) closures (r in any unit; only
//! ratios enter). Archival-media practice (ISO/IEC 10995 = ECMA-379, ISO/IEC 16963 = ECMA-396,
//! ISO 18927): a single-mechanism Arrhenius extrapolation ln t = ln A + E_a/(k_BT), lognormal
//! life, B50/B5 and a one-sided 95 % lower bound (aging.md §5.1–5.2).

use rayon::prelude::*;
use serde::Serialize;

use super::rate::{OxidationRateModel, SurfaceRateModel};
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

/// Monte Carlo lifetime distribution at one temperature (values in s; quantiles beyond the
/// horizon are `None` — reported as beyond the horizon, never as a number).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifetimeDistribution {
    /// Temperature [K].
    pub temperature_k: f64,
    /// Samples.
    pub samples: usize,
    /// Median (B50) [s], `None` if beyond the horizon.
    pub b50_s: Option<f64>,
    /// 5 % quantile (B5) [s], `None` if beyond the horizon.
    pub b5_s: Option<f64>,
    /// One-sided 95 % lower confidence bound on B5 [s] (order statistic), `None` if beyond.
    pub lower_95_s: Option<f64>,
    /// Mean of ln t (lognormal μ) [ln s] (always finite).
    pub mean_ln_s: f64,
    /// Standard deviation of ln t (lognormal σ).
    pub sigma_ln: f64,
    /// Fraction of samples failing within the horizon.
    pub fraction_within_horizon: f64,
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

/// Lifetime distributions at `temperatures_k` from `samples` Monte Carlo draws of the kinetic
/// parameters of `model` (sample i uses `rng::stream(seed, Stream::LifetimeSample, i)`), with
/// t_i(T) = s_fail / B_i(T) — the single-mechanism time rescaling makes each sample one
/// evaluation, reusing the simulated s_fail (aging.md §0 item 4 and §6 recommendation 4).
/// Reductions in sample order: bit-identical for any thread count. B50 = median, B5 = 5 %
/// quantile of the MC distribution (a credible quantile of the parameter uncertainty, labelled
/// as such per aging.md §5.2), lower_95 = [`lower_bound_order_index`] on B5.
pub fn propagate_uncertainty(
    model: &SurfaceRateModel,
    ln_s_fail: f64,
    temperatures_k: &[f64],
    horizon_s: f64,
    samples: usize,
    seed: u64,
) -> Vec<LifetimeDistribution> {
    let draws: Vec<SurfaceRateModel> = (0..samples)
        .into_par_iter()
        .map(|i| {
            let mut rng = rng::stream(seed, Stream::LifetimeSample, i as u64);
            model.sample(&mut rng)
        })
        .collect();
    temperatures_k
        .iter()
        .map(|&t_k| {
            let ln_t: Vec<f64> = draws.iter().map(|m| ln_s_fail - m.ln_b(t_k)).collect();
            distribution_of(t_k, &ln_t, horizon_s)
        })
        .collect()
}

/// Summary of ln-lifetime samples [ln s] at one temperature (see [`LifetimeDistribution`]).
pub fn distribution_of(temperature_k: f64, ln_t: &[f64], horizon_s: f64) -> LifetimeDistribution {
    let n = ln_t.len();
    let mut sorted = ln_t.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = ln_t.iter().sum::<f64>() / n as f64;
    let var = ln_t.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0).max(1.0);
    let ln_h = horizon_s.ln();
    let within = |ln: f64| if ln <= ln_h { Some(ln.exp()) } else { None };
    let b50 = quantile_sorted(&sorted, 0.5);
    let b5 = quantile_sorted(&sorted, 0.05);
    LifetimeDistribution {
        temperature_k,
        samples: n,
        b50_s: within(b50),
        b5_s: within(b5),
        lower_95_s: lower_bound_order_index(n, 0.05, 0.05).and_then(|r| within(sorted[r])),
        mean_ln_s: mean,
        sigma_ln: var.sqrt(),
        fraction_within_horizon: sorted.iter().filter(|x| **x <= ln_h).count() as f64 / n as f64,
    }
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

/// Lifetime distributions from `samples` Monte Carlo draws of the surface-rate model and (if
/// given) the oxidation-rate model, sample i from `rng::stream(seed, Stream::LifetimeSample, i)`
/// (surface parameters first, so without oxidation the draws equal those of
/// [`propagate_uncertainty`]):
///
///   ln t_i(T) = ln A(T) + min(ln s_fail − ln B_i(T), ln u_fail − ln r_i(T))
///
/// with the oxidation term only where `with_oxidation` and `ln_u_fail` is known. With A = 1 and
/// no oxidation this is the exact single-mechanism rescaling; otherwise it is the
/// competing-risks combination of the two single-mechanism failure times (aging.md §5.4
/// item 5), anchored to the simulated multi-mechanism lifetime by A.
#[allow(clippy::too_many_arguments)]
pub fn propagate_competing(
    model: &SurfaceRateModel,
    oxidation: Option<&OxidationRateModel>,
    ln_s_fail: f64,
    ln_u_fail: Option<f64>,
    specs: &[CompetingSpec],
    horizon_s: f64,
    samples: usize,
    seed: u64,
) -> Vec<LifetimeDistribution> {
    let draws: Vec<(SurfaceRateModel, Option<OxidationRateModel>)> = (0..samples)
        .into_par_iter()
        .map(|i| {
            let mut rng = rng::stream(seed, Stream::LifetimeSample, i as u64);
            let m = model.sample(&mut rng);
            let o = oxidation.map(|o| o.sample(&mut rng));
            (m, o)
        })
        .collect();
    specs
        .iter()
        .map(|spec| {
            let t_k = spec.temperature_k;
            let ln_t: Vec<f64> = draws
                .iter()
                .map(|(m, o)| {
                    let d = ln_s_fail - m.ln_b(t_k);
                    let ox = match (spec.with_oxidation, o, ln_u_fail) {
                        (true, Some(o), Some(u)) => u - o.ln_rate(t_k),
                        _ => f64::INFINITY,
                    };
                    spec.ln_anchor + d.min(ox)
                })
                .collect();
            distribution_of(t_k, &ln_t, horizon_s)
        })
        .collect()
}
