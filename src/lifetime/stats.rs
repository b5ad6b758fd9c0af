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

/// How σ of an [`ArrheniusFit`] was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigmaBasis {
    /// The maximum-likelihood residual scatter of ln t about the line.
    Fitted,
    /// The numerical floor of the search (the residuals are smaller, e.g. two points and zero
    /// residual degrees of freedom): the standard errors then cover the search tolerance only,
    /// not the model-form misfit of a single-Ea line.
    ToleranceFloor,
}

/// Arrhenius line ln t = ln A + E_a/(k_B T) through the found lifetimes, with the right-censored
/// (beyond-horizon) temperatures in the likelihood ([`fit_arrhenius_censored`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ArrheniusFit {
    /// Effective activation energy E_a [eV] (slope of ln t against 1/k_BT).
    pub ea_ev: f64,
    /// Intercept ln A with A in s.
    pub ln_prefactor_s: f64,
    /// Found lifetimes used.
    pub points: usize,
    /// Right-censored temperatures used (lifetime beyond the horizon).
    pub censored_points: usize,
    /// Standard error of E_a [eV] (inverse observed information at the MLE, σ held at its
    /// estimate).
    pub ea_se_ev: f64,
    /// Standard error of ln A.
    pub ln_prefactor_se: f64,
    /// Covariance of (ln A, E_a) [eV].
    pub cov_ln_prefactor_ea: f64,
    /// Residual σ of ln t.
    pub sigma_ln_t: f64,
    /// How σ was obtained.
    pub sigma_basis: SigmaBasis,
    /// Found points minus the two line parameters.
    pub residual_dof: i64,
}

impl ArrheniusFit {
    /// ln t(T) [ln s] on the fitted line.
    pub fn ln_time_s(&self, temperature_k: f64) -> f64 {
        self.ln_prefactor_s + self.ea_ev / (BOLTZMANN_EV_PER_K * temperature_k)
    }

    /// Standard error of ln t(T) on the line: √(var ln A + x² var E + 2x cov), x = 1/k_BT.
    pub fn ln_time_se(&self, temperature_k: f64) -> f64 {
        let x = 1.0 / (BOLTZMANN_EV_PER_K * temperature_k);
        (self.ln_prefactor_se.powi(2)
            + x * x * self.ea_se_ev.powi(2)
            + 2.0 * x * self.cov_ln_prefactor_ea)
            .max(0.0)
            .sqrt()
    }

    /// One-sided 95 % lower confidence bound of ln t(T) [ln s]: ln t̂ − 1.645 SE (large-sample
    /// normal quantile; Meeker & Escobar, Statistical Methods for Reliability Data (1998)
    /// §19.2, the regression bound on a use-condition quantile).
    pub fn ln_time_lower95_s(&self, temperature_k: f64) -> f64 {
        self.ln_time_s(temperature_k) - Z_95_ONE_SIDED * self.ln_time_se(temperature_k)
    }

    /// One-sided 95 % lower bound on E_a [eV] (the conservative slope).
    pub fn ea_lower95_ev(&self) -> f64 {
        self.ea_ev - Z_95_ONE_SIDED * self.ea_se_ev
    }
}

/// The one-sided 95 % standard-normal quantile.
pub const Z_95_ONE_SIDED: f64 = 1.644_853_6;

/// ln erfc(x), also far in the tail: Numerical Recipes `erfcc` (Press et al., Numerical
/// Recipes 2nd ed. §6.2, Chebyshev fit, fractional error < 1.2·10⁻⁷ everywhere), taken in log
/// form so that ln erfc(30) does not underflow.
fn ln_erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ln_pos = t.ln() + poly;
    if x >= 0.0 {
        ln_pos
    } else {
        (2.0 - ln_pos.exp()).ln()
    }
}

/// ln P(Z > z) of a standard normal.
fn ln_normal_sf(z: f64) -> f64 {
    ln_erfc(z / std::f64::consts::SQRT_2) - std::f64::consts::LN_2
}

/// Ordinary least squares of ln t_i on x_i = 1/(k_B T_i) (the NIST/LC regression of medians on
/// temperature, aging.md §5.1): E_a = Σ(x−x̄)(y−ȳ)/Σ(x−x̄)², ln A = ȳ − E_a x̄; no censored
/// points, σ floor 10⁻⁶. `None` with fewer than two distinct temperatures.
pub fn fit_arrhenius(points: &[(f64, f64)]) -> Option<ArrheniusFit> {
    fit_arrhenius_censored(points, &[], 1e-6)
}

/// Censored-data maximum-likelihood Arrhenius fit (Tobit model; Meeker & Escobar 1998 §17):
/// y_i = ln t_i = a + E x_i + ε, ε ~ N(0, σ²), x = 1/k_BT, with found lifetimes `points`
/// (T [K], t [s]) and right-censored temperatures `censored` (T [K], horizon [s]: y > ln h):
///
///   ln L = Σ_found [−ln σ − ½((y_i − a − E x_i)/σ)²] + Σ_censored ln P(Z > (ln h_j − a − E x_j)/σ).
///
/// σ ≥ `sigma_floor` (the search's own resolution, e.g. ln(1 + tol)/√12 for a bisection
/// midpoint uniform in a bracket of relative width tol). Maximized by Nelder–Mead from the OLS
/// line; standard errors of (a, E) from the inverse of the numerical Hessian of −ln L at the
/// optimum with σ held at its estimate. `None` with fewer than two distinct found temperatures.
pub fn fit_arrhenius_censored(
    points: &[(f64, f64)],
    censored: &[(f64, f64)],
    sigma_floor: f64,
) -> Option<ArrheniusFit> {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(t_k, time_s)| (1.0 / (BOLTZMANN_EV_PER_K * t_k), time_s.ln()))
        .collect();
    let xc: Vec<(f64, f64)> = censored
        .iter()
        .map(|(t_k, h_s)| (1.0 / (BOLTZMANN_EV_PER_K * t_k), h_s.ln()))
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
    let e0 = sxy / sxx;
    let a0 = my - e0 * mx;
    // Centred parametrization (a at x̄) keeps the Hessian well conditioned.
    let nll = |c: f64, e: f64, sigma: f64| {
        let mut l = 0.0;
        for &(x, y) in &xy {
            let r = (y - c - e * (x - mx)) / sigma;
            l += sigma.ln() + 0.5 * r * r;
        }
        for &(x, h) in &xc {
            l -= ln_normal_sf((h - c - e * (x - mx)) / sigma);
        }
        l
    };
    let rms = (xy
        .iter()
        .map(|p| (p.1 - a0 - e0 * p.0).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let sigma_of = |s: f64| sigma_floor + s.exp();
    let start = [my, e0, (rms.max(sigma_floor)).ln()];
    let scale = [1.0_f64.max(rms), 0.1_f64.max(e0.abs() * 0.05), 1.0];
    let (c, e, sigma) = if xc.is_empty() {
        // Without censoring the MLE line is the OLS line for any σ, and σ̂ = rms residual.
        (my, e0, rms.max(sigma_floor))
    } else {
        let best = nelder_mead(|v| nll(v[0], v[1], sigma_of(v[2])), start, scale, 4000);
        (best[0], best[1], sigma_of(best[2]))
    };
    // Observed information of (c, E) at fixed σ by central differences.
    let hc = 1e-4 * sigma.max(1e-3);
    let he = hc / (sxx / n).sqrt().max(1e-12);
    let f = |dc: f64, de: f64| nll(c + dc, e + de, sigma);
    let f0 = f(0.0, 0.0);
    let h_cc = (f(hc, 0.0) - 2.0 * f0 + f(-hc, 0.0)) / (hc * hc);
    let h_ee = (f(0.0, he) - 2.0 * f0 + f(0.0, -he)) / (he * he);
    let h_ce = (f(hc, he) - f(hc, -he) - f(-hc, he) + f(-hc, -he)) / (4.0 * hc * he);
    let det = h_cc * h_ee - h_ce * h_ce;
    let (var_c, var_e, cov_ce) = if det > 0.0 {
        (h_ee / det, h_cc / det, -h_ce / det)
    } else {
        (f64::INFINITY, f64::INFINITY, 0.0)
    };
    // Back to the intercept at x = 0: a = c − E x̄.
    let var_a = var_c + mx * mx * var_e - 2.0 * mx * cov_ce;
    let cov_ae = cov_ce - mx * var_e;
    let at_floor = sigma <= sigma_floor * 1.01;
    Some(ArrheniusFit {
        ea_ev: e,
        ln_prefactor_s: c - e * mx,
        points: xy.len(),
        censored_points: xc.len(),
        ea_se_ev: var_e.sqrt(),
        ln_prefactor_se: var_a.sqrt(),
        cov_ln_prefactor_ea: cov_ae,
        sigma_ln_t: sigma,
        sigma_basis: if at_floor {
            SigmaBasis::ToleranceFloor
        } else {
            SigmaBasis::Fitted
        },
        residual_dof: xy.len() as i64 - 2,
    })
}

/// Nelder–Mead simplex minimization in 3 dimensions (Nelder & Mead, Comput. J. 7 (1965) 308;
/// standard coefficients 1, 2, ½, ½), from `start` with initial steps `scale`.
fn nelder_mead(
    f: impl Fn(&[f64; 3]) -> f64,
    start: [f64; 3],
    scale: [f64; 3],
    iters: usize,
) -> [f64; 3] {
    let mut simplex: Vec<([f64; 3], f64)> = (0..4)
        .map(|k| {
            let mut v = start;
            if k > 0 {
                v[k - 1] += scale[k - 1];
            }
            (v, f(&v))
        })
        .collect();
    for _ in 0..iters {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let spread = (simplex[3].1 - simplex[0].1).abs();
        if spread < 1e-12 * (1.0 + simplex[0].1.abs()) {
            break;
        }
        let mut centroid = [0.0; 3];
        for (v, _) in &simplex[..3] {
            for d in 0..3 {
                centroid[d] += v[d] / 3.0;
            }
        }
        let along = |t: f64| {
            let mut v = [0.0; 3];
            for d in 0..3 {
                v[d] = centroid[d] + t * (simplex[3].0[d] - centroid[d]);
            }
            v
        };
        let r = along(-1.0);
        let fr = f(&r);
        if fr < simplex[0].1 {
            let x = along(-2.0);
            let fx = f(&x);
            simplex[3] = if fx < fr { (x, fx) } else { (r, fr) };
        } else if fr < simplex[2].1 {
            simplex[3] = (r, fr);
        } else {
            let k = along(0.5);
            let fk = f(&k);
            if fk < simplex[3].1 {
                simplex[3] = (k, fk);
            } else {
                let best = simplex[0].0;
                for s in simplex.iter_mut().skip(1) {
                    for (x, b) in s.0.iter_mut().zip(best) {
                        *x = b + 0.5 * (*x - b);
                    }
                    s.1 = f(&s.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0].0
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
    propagate_with_geometry(
        model, oxidation, ln_s_fail, ln_u_fail, specs, times, samples, seed, None,
    )
}

/// ln t of one parameter sample at `spec`'s temperature, given its ln B(T) and (where it
/// oxidizes) its ln r(T): ln A + min(ln s_fail − ln B, ln u_fail − ln r), the oxidation term
/// only where `spec.with_oxidation` and `ln_u_fail` is known ([`propagate_competing`]).
pub fn competing_ln_time(
    spec: &CompetingSpec,
    ln_s_fail: f64,
    ln_u_fail: Option<f64>,
    ln_b: f64,
    ln_r: Option<f64>,
) -> f64 {
    let d = ln_s_fail - ln_b;
    let ox = match (spec.with_oxidation, ln_r, ln_u_fail) {
        (true, Some(r), Some(u)) => u - r,
        _ => f64::INFINITY,
    };
    spec.ln_anchor + d.min(ox)
}

/// The geometry terms of a propagation ([`super::geometry_uq`]): per factor a label and, per
/// spec (temperature, in spec order), the shift of ln t per unit z, β_g(T)·σ_g.
#[derive(Debug, Clone, PartialEq)]
pub struct GeometryTerms {
    /// Factor labels (the sensitivity keys: "over_mill_depth", "wall_angle", "film_thickness").
    pub labels: Vec<String>,
    /// Per spec, per factor: β·σ [ln s per unit z].
    pub coefficients: Vec<Vec<f64>>,
}

/// [`propagate_competing`] with geometry: each sample draws, after its error-source z values
/// and from the same stream, one z_g ~ N(0, 1) per geometry factor, and
///
///   ln t_i(T) = ln A(T) + min(…) + Σ_g β_g(T) σ_g z_g,
///
/// the linear response of the lifetime to the specimen's geometry (design points of
/// [`super::geometry_uq`]). The factors enter the sensitivity like the error sources. With
/// `geometry` = `None` no extra number is drawn: identical to [`propagate_competing`].
#[allow(clippy::too_many_arguments)]
pub fn propagate_with_geometry(
    model: &SurfaceRateModel,
    oxidation: Option<&OxidationRateModel>,
    ln_s_fail: f64,
    ln_u_fail: Option<f64>,
    specs: &[CompetingSpec],
    times: Times,
    samples: usize,
    seed: u64,
    geometry: Option<&GeometryTerms>,
) -> Vec<LifetimeDistribution> {
    let sources = ErrorSources::of(model, oxidation);
    let ids = &sources.ids;
    let n_geometry = geometry.map(|g| g.labels.len()).unwrap_or(0);
    #[allow(clippy::type_complexity)]
    let draws: Vec<(Vec<f64>, SurfaceRateModel, Option<OxidationRateModel>)> = (0..samples)
        .into_par_iter()
        .map(|i| {
            let mut rng = rng::stream(seed, Stream::LifetimeSample, i as u64);
            let z: Vec<f64> = ids
                .iter()
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            let mut draw = Draw { ids, z };
            let m = model.sample(&draw);
            let o = oxidation.map(|o| o.sample(&draw));
            // Geometry z values after the sources' (the sources' draws are unchanged).
            for _ in 0..n_geometry {
                draw.z.push(StandardNormal.sample(&mut rng));
            }
            (draw.z, m, o)
        })
        .collect();
    let mut inputs: Vec<(&str, Vec<f64>)> = sources
        .labels
        .iter()
        .enumerate()
        .map(|(k, label)| (label.as_str(), draws.iter().map(|d| d.0[k]).collect()))
        .collect();
    let n_sources = ids.len();
    if let Some(g) = geometry {
        for (k, label) in g.labels.iter().enumerate() {
            inputs.push((
                label.as_str(),
                draws.iter().map(|d| d.0[n_sources + k]).collect(),
            ));
        }
    }
    specs
        .iter()
        .enumerate()
        .map(|(si, spec)| {
            let t_k = spec.temperature_k;
            let coef = geometry.map(|g| g.coefficients[si].as_slice());
            let ln_t: Vec<f64> = draws
                .iter()
                .map(|(z, m, o)| {
                    let ln_t = competing_ln_time(
                        spec,
                        ln_s_fail,
                        ln_u_fail,
                        m.ln_b(t_k),
                        o.as_ref().map(|o| o.ln_rate(t_k)),
                    );
                    match coef {
                        Some(c) => {
                            ln_t + c
                                .iter()
                                .zip(&z[n_sources..])
                                .map(|(b, zg)| b * zg)
                                .sum::<f64>()
                        }
                        None => ln_t,
                    }
                })
                .collect();
            match coef {
                // A factor without a determined response here (β·σ = 0) has no entry.
                Some(c) => {
                    let kept: Vec<(&str, Vec<f64>)> = inputs
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| *k < n_sources || c[*k - n_sources] != 0.0)
                        .map(|(_, x)| x.clone())
                        .collect();
                    distribution_of(t_k, &ln_t, times, &kept)
                }
                None => distribution_of(t_k, &ln_t, times, &inputs),
            }
        })
        .collect()
}
