//! Physics-free inference: the posterior mode by Nelder–Mead, its Laplace covariance by finite
//! differences, and self-normalised importance sampling from a multivariate Student-t proposal
//! centred there, with Kish's effective sample size.
//!
//! Why importance sampling and not adaptive Metropolis (Haario, Saksman & Tamminen, Bernoulli 7
//! (2001) 223): every log-posterior evaluation is a forward aging run of a milled specimen
//! (seconds). Adaptive Metropolis needs thousands of *sequential* evaluations before its
//! proposal covariance and chain are usable; importance sampling from a Laplace proposal needs
//! a few dozen sequential evaluations (mode and curvature) and then N independent ones, which
//! run in parallel, need no burn-in, and whose quality is stated by one number, the effective
//! sample size ESS = (Σw)²/Σw² (Kish 1965; Owen, "Monte Carlo theory, methods and examples"
//! 2013, §9.3). A heavy-tailed proposal (Student-t, ν = 5, covariance inflated by 1.5²) keeps
//! the weights bounded where the posterior is wider or skewed compared with its Laplace
//! approximation (Geweke, Econometrica 57 (1989) 1317). The self-normalised estimator is
//! consistent for any proposal that covers the posterior; ESS ≪ N warns that it does not.
//!
//! Work is in an unconstrained coordinate u per parameter (ln θ for a log-normal prior, θ
//! otherwise); the prior density is taken in u (for a log-normal prior u is normal).

use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// Degrees of freedom of the Student-t proposal.
pub const PROPOSAL_DOF: f64 = 5.0;
/// Scale inflation of the Laplace covariance in the proposal.
pub const PROPOSAL_INFLATION: f64 = 1.5;

/// Nelder–Mead minimisation of `f` from `x0` with initial steps `step` (standard coefficients
/// 1, 2, ½, ½: Nelder & Mead, Comput. J. 7 (1965) 308). Stops after `max_evals` evaluations or
/// when the simplex's function values agree within `f_tol`. Returns (x, f(x), evaluations).
pub fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    step: &[f64],
    f_tol: f64,
    max_evals: usize,
) -> (Vec<f64>, f64, usize) {
    let d = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    let mut evals = 0usize;
    let mut eval = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    simplex.push((x0.to_vec(), eval(x0, &mut evals)));
    for i in 0..d {
        let mut x = x0.to_vec();
        x[i] += step[i];
        let v = eval(&x, &mut evals);
        simplex.push((x, v));
    }
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[d].1);
        if (worst - best).abs() <= f_tol {
            break;
        }
        let centroid: Vec<f64> = (0..d)
            .map(|k| simplex[..d].iter().map(|(x, _)| x[k]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..d)
                .map(|k| centroid[k] + t * (simplex[d].0[k] - centroid[k]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = eval(&xr, &mut evals);
        if fr < simplex[0].1 {
            let xe = along(-2.0);
            let fe = eval(&xe, &mut evals);
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (xr, fr);
        } else {
            let xc = if fr < simplex[d].1 {
                along(-0.5)
            } else {
                along(0.5)
            };
            let fc = eval(&xc, &mut evals);
            if fc < simplex[d].1.min(fr) {
                simplex[d] = (xc, fc);
            } else {
                // Shrink towards the best vertex.
                let x_best = simplex[0].0.clone();
                for v in simplex.iter_mut().skip(1) {
                    let x: Vec<f64> = (0..d).map(|k| 0.5 * (x_best[k] + v.0[k])).collect();
                    let fx = eval(&x, &mut evals);
                    *v = (x, fx);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, v) = simplex.swap_remove(0);
    (x, v, evals)
}

/// Points of the prior scan that starts the mode search, in the sampler coordinate u, from
/// the prior's (mean, sd) per coordinate: for one parameter the 13-point grid mean + sd·k/2,
/// k = −6…6 (the ±3 sd range in steps of half a prior sd); for d > 1 the prior mean and 12·d
/// Halton points (bases 2, 3, 5, …; Halton, Numer. Math. 2 (1960) 84) filling the ±3 sd box.
pub fn scan_points(moments: &[(f64, f64)]) -> Vec<Vec<f64>> {
    let d = moments.len();
    if d == 1 {
        let (m, s) = moments[0];
        return (-6..=6).map(|k| vec![m + s * k as f64 / 2.0]).collect();
    }
    const PRIMES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    let radical_inverse = |mut i: u64, b: u64| {
        let (mut f, mut r) = (1.0, 0.0);
        while i > 0 {
            f /= b as f64;
            r += f * (i % b) as f64;
            i /= b;
        }
        r
    };
    let mut pts = vec![moments.iter().map(|m| m.0).collect::<Vec<f64>>()];
    for i in 1..=(12 * d) as u64 {
        pts.push(
            moments
                .iter()
                .enumerate()
                .map(|(j, &(m, s))| {
                    let b = PRIMES[j % PRIMES.len()] + 2 * (j / PRIMES.len()) as u64 * 41;
                    m + s * (6.0 * radical_inverse(i, b) - 3.0)
                })
                .collect(),
        );
    }
    pts
}

/// The starts of the mode search among scan points with log posteriors `ln_post`: the best
/// point, and the best point farther than one prior sd (in some coordinate) from it, if any
/// has a finite posterior.
pub fn two_starts(points: &[Vec<f64>], ln_post: &[f64], moments: &[(f64, f64)]) -> Vec<usize> {
    let by = |a: &usize, b: &usize| ln_post[*a].total_cmp(&ln_post[*b]);
    let Some(best) = (0..points.len()).max_by(by) else {
        return Vec::new();
    };
    let far = |k: usize| {
        points[k]
            .iter()
            .zip(&points[best])
            .zip(moments)
            .any(|((a, b), m)| (a - b).abs() > 1.0001 * m.1)
    };
    let second = (0..points.len())
        .filter(|&k| far(k) && ln_post[k].is_finite())
        .max_by(by);
    std::iter::once(best).chain(second).collect()
}

/// How many scan points lie more than 3 standard deviations (Mahalanobis, covariance `cov`)
/// from `mode` and have a log posterior within ln 100 of the mode's `ln_post_mode`.
pub fn distant_competitors(
    points: &[Vec<f64>],
    ln_post: &[f64],
    mode: &[f64],
    ln_post_mode: f64,
    cov: &DMatrix<f64>,
) -> usize {
    let Some(chol) = cov.clone().cholesky() else {
        return 0;
    };
    points
        .iter()
        .zip(ln_post)
        .filter(|(u, lp)| {
            let dx = DVector::from_iterator(mode.len(), u.iter().zip(mode).map(|(a, b)| a - b));
            let m2 = chol
                .l()
                .solve_lower_triangular(&dx)
                .map_or(0.0, |y| y.norm_squared());
            m2 > 9.0 && **lp >= ln_post_mode - 100f64.ln()
        })
        .count()
}

/// Hessian of `f` at `x` by central differences with steps `h` (2d² + 1 evaluations at most;
/// the value at `x` is `fx`). Symmetric by construction.
pub fn hessian(mut f: impl FnMut(&[f64]) -> f64, x: &[f64], fx: f64, h: &[f64]) -> DMatrix<f64> {
    let d = x.len();
    let mut at = |dx: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in dx {
            y[i] += s;
        }
        f(&y)
    };
    let mut hm = DMatrix::zeros(d, d);
    for i in 0..d {
        let fp = at(&[(i, h[i])]);
        let fm = at(&[(i, -h[i])]);
        hm[(i, i)] = (fp - 2.0 * fx + fm) / (h[i] * h[i]);
        for j in 0..i {
            let fpp = at(&[(i, h[i]), (j, h[j])]);
            let fpm = at(&[(i, h[i]), (j, -h[j])]);
            let fmp = at(&[(i, -h[i]), (j, h[j])]);
            let fmm = at(&[(i, -h[i]), (j, -h[j])]);
            let v = (fpp - fpm - fmp + fmm) / (4.0 * h[i] * h[j]);
            hm[(i, j)] = v;
            hm[(j, i)] = v;
        }
    }
    hm
}

/// [`hessian`] with the evaluations run in parallel (`f` must be `Sync`); same points, same
/// result.
pub fn hessian_par(
    f: impl Fn(&[f64]) -> f64 + Sync,
    x: &[f64],
    fx: f64,
    h: &[f64],
) -> DMatrix<f64> {
    use rayon::prelude::*;
    let d = x.len();
    let mut shifts: Vec<Vec<(usize, f64)>> = Vec::new();
    for i in 0..d {
        shifts.push(vec![(i, h[i])]);
        shifts.push(vec![(i, -h[i])]);
        for j in 0..i {
            for (si, sj) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                shifts.push(vec![(i, si * h[i]), (j, sj * h[j])]);
            }
        }
    }
    let values: Vec<f64> = shifts
        .par_iter()
        .map(|dx| {
            let mut y = x.to_vec();
            for &(i, s) in dx {
                y[i] += s;
            }
            f(&y)
        })
        .collect();
    let mut k = 0;
    let mut next = || {
        k += 1;
        values[k - 1]
    };
    let mut hm = DMatrix::zeros(d, d);
    for i in 0..d {
        let fp = next();
        let fm = next();
        hm[(i, i)] = (fp - 2.0 * fx + fm) / (h[i] * h[i]);
        for j in 0..i {
            let (fpp, fpm, fmp, fmm) = (next(), next(), next(), next());
            let v = (fpp - fpm - fmp + fmm) / (4.0 * h[i] * h[j]);
            hm[(i, j)] = v;
            hm[(j, i)] = v;
        }
    }
    hm
}

/// The covariance of the Laplace approximation, Σ = H⁻¹ of the negative log posterior's
/// Hessian H, made usable: a non-positive-definite H (a flat or noisy direction) falls back to
/// its diagonal with each curvature at least `1/fallback_var[i]` (the prior's variance).
pub fn laplace_covariance(h: &DMatrix<f64>, fallback_var: &[f64]) -> (DMatrix<f64>, bool) {
    if let Some(c) = h.clone().cholesky() {
        let cov = c.inverse();
        if cov.iter().all(|v| v.is_finite()) {
            return (cov, true);
        }
    }
    let d = h.nrows();
    let mut cov = DMatrix::zeros(d, d);
    for i in 0..d {
        let curv = h[(i, i)].max(1.0 / fallback_var[i]);
        cov[(i, i)] = 1.0 / curv;
    }
    (cov, false)
}

/// A multivariate Student-t proposal: location, scale matrix's Cholesky factor, ν.
#[derive(Debug, Clone)]
pub struct StudentT {
    /// Location.
    pub mean: DVector<f64>,
    /// Lower Cholesky factor L of the scale matrix (Σ = L Lᵀ).
    pub chol: DMatrix<f64>,
    /// Degrees of freedom.
    pub dof: f64,
    log_norm: f64,
}

impl StudentT {
    /// A proposal of scale matrix `scale` (positive definite).
    pub fn new(mean: DVector<f64>, scale: &DMatrix<f64>, dof: f64) -> Option<Self> {
        let chol = scale.clone().cholesky()?.l();
        let d = mean.len() as f64;
        let log_det: f64 = (0..mean.len()).map(|i| chol[(i, i)].ln()).sum::<f64>() * 2.0;
        let log_norm = libm::lgamma((dof + d) / 2.0)
            - libm::lgamma(dof / 2.0)
            - 0.5 * d * (dof * std::f64::consts::PI).ln()
            - 0.5 * log_det;
        Some(StudentT {
            mean,
            chol,
            dof,
            log_norm,
        })
    }

    /// One draw: μ + L z √(ν/χ²_ν).
    pub fn sample(&self, rng: &mut impl Rng) -> DVector<f64> {
        let d = self.mean.len();
        let z = DVector::from_iterator(d, (0..d).map(|_| -> f64 { StandardNormal.sample(rng) }));
        let chi: f64 = ChiSquared::new(self.dof).expect("ν > 0").sample(rng);
        &self.mean + &self.chol * z * (self.dof / chi).sqrt()
    }

    /// ln q(x).
    pub fn ln_pdf(&self, x: &DVector<f64>) -> f64 {
        let d = self.mean.len() as f64;
        let y = self
            .chol
            .solve_lower_triangular(&(x - &self.mean))
            .expect("non-singular factor");
        let m = y.norm_squared();
        self.log_norm - 0.5 * (self.dof + d) * (1.0 + m / self.dof).ln()
    }
}

/// Normalised weights from log weights (max-shifted), and Kish's ESS = (Σw)²/Σw².
pub fn normalise(ln_w: &[f64]) -> (Vec<f64>, f64) {
    let max = ln_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        let n = ln_w.len().max(1) as f64;
        return (vec![1.0 / n; ln_w.len()], 0.0);
    }
    let w: Vec<f64> = ln_w.iter().map(|l| (l - max).exp()).collect();
    let s: f64 = w.iter().sum();
    let w: Vec<f64> = w.iter().map(|v| v / s).collect();
    let ess = 1.0 / w.iter().map(|v| v * v).sum::<f64>();
    (w, ess)
}

/// Weighted quantile p of `values` (weights sum to 1): the smallest value whose cumulative
/// weight reaches p, linearly interpolated between the mid-points of the weights (so that equal
/// weights reproduce the usual empirical quantile).
pub fn weighted_quantile(values: &[f64], weights: &[f64], p: f64) -> f64 {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut cum = 0.0;
    let mut mids = Vec::with_capacity(idx.len());
    for &i in &idx {
        mids.push(cum + 0.5 * weights[i]);
        cum += weights[i];
    }
    if idx.is_empty() {
        return f64::NAN;
    }
    if p <= mids[0] {
        return values[idx[0]];
    }
    for k in 1..idx.len() {
        if p <= mids[k] {
            let t = (p - mids[k - 1]) / (mids[k] - mids[k - 1]).max(f64::MIN_POSITIVE);
            return values[idx[k - 1]] + t * (values[idx[k]] - values[idx[k - 1]]);
        }
    }
    values[*idx.last().expect("non-empty")]
}

/// Systematic resampling: `n` indices drawn with probabilities `weights` from one uniform `u0`
/// in [0, 1) (Kitagawa 1996).
pub fn systematic_resample(weights: &[f64], n: usize, u0: f64) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut cum = 0.0;
    let mut i = 0;
    for k in 0..n {
        let u = (k as f64 + u0) / n as f64;
        while i + 1 < weights.len() && cum + weights[i] < u {
            cum += weights[i];
            i += 1;
        }
        out.push(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_the_minimum_of_a_quadratic() {
        let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2);
        let (x, v, _) = nelder_mead(f, &[0.0, 0.0], &[0.5, 0.5], 1e-12, 500);
        assert!(
            (x[0] - 1.0).abs() < 1e-4 && (x[1] + 2.0).abs() < 1e-4,
            "{x:?}"
        );
        assert!(v < 1e-8);
    }

    #[test]
    fn hessian_and_laplace_covariance_of_a_gaussian() {
        // −ln N(x; 0, Σ) with Σ = [[1, 0.5], [0.5, 2]].
        let s = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.5, 2.0]);
        let p = s.clone().try_inverse().unwrap();
        let f = |x: &[f64]| {
            let v = DVector::from_column_slice(x);
            0.5 * (v.transpose() * &p * &v)[(0, 0)]
        };
        let h = hessian(f, &[0.0, 0.0], 0.0, &[0.1, 0.1]);
        assert!(
            (hessian_par(f, &[0.0, 0.0], 0.0, &[0.1, 0.1]) - &h)
                .abs()
                .max()
                < 1e-12
        );
        let (cov, pd) = laplace_covariance(&h, &[1.0, 1.0]);
        assert!(pd);
        assert!((cov - s).abs().max() < 1e-6);
    }

    #[test]
    fn importance_sampling_recovers_a_gaussian_mean_and_interval() {
        // Target N(3, 0.2²) sampled from a t proposal at 2.9 with scale 0.3: weighted mean and
        // 90 % interval within Monte Carlo error of the truth.
        let q = StudentT::new(
            DVector::from_element(1, 2.9),
            &DMatrix::from_element(1, 1, 0.09),
            PROPOSAL_DOF,
        )
        .unwrap();
        let mut rng = crate::rng::stream(1, crate::rng::Stream::CalibrationSample, 0);
        let xs: Vec<f64> = (0..4000).map(|_| q.sample(&mut rng)[0]).collect();
        let lw: Vec<f64> = xs
            .iter()
            .map(|&x| -0.5 * ((x - 3.0) / 0.2f64).powi(2) - q.ln_pdf(&DVector::from_element(1, x)))
            .collect();
        let (w, ess) = normalise(&lw);
        assert!(ess > 1500.0, "ESS {ess}");
        let mean: f64 = xs.iter().zip(&w).map(|(x, w)| x * w).sum();
        assert!((mean - 3.0).abs() < 0.02, "{mean}");
        let lo = weighted_quantile(&xs, &w, 0.05);
        let hi = weighted_quantile(&xs, &w, 0.95);
        assert!((lo - (3.0 - 1.645 * 0.2)).abs() < 0.03, "{lo}");
        assert!((hi - (3.0 + 1.645 * 0.2)).abs() < 0.03, "{hi}");
    }

    #[test]
    fn student_t_density_integrates_to_one() {
        let q = StudentT::new(
            DVector::from_element(1, 0.0),
            &DMatrix::from_element(1, 1, 4.0),
            PROPOSAL_DOF,
        )
        .unwrap();
        let dx = 0.01;
        let total: f64 = (-40000..40000)
            .map(|i| q.ln_pdf(&DVector::from_element(1, i as f64 * dx)).exp() * dx)
            .sum();
        assert!((total - 1.0).abs() < 2e-3, "{total}");
    }

    #[test]
    fn the_scan_covers_three_prior_sd_and_flags_a_second_mode() {
        let pts = scan_points(&[(2.66, 0.5)]);
        assert_eq!(pts.len(), 13);
        assert!((pts[0][0] - 1.16).abs() < 1e-12 && (pts[12][0] - 4.16).abs() < 1e-12);
        let pts2 = scan_points(&[(0.0, 1.0), (10.0, 2.0)]);
        assert_eq!(pts2.len(), 25);
        assert!(
            pts2.iter()
                .all(|p| p[0].abs() <= 3.0 && (p[1] - 10.0).abs() <= 6.0)
        );
        // Two equal modes at ±1 of width 0.1: from the mode at +1, the scan point at −1 competes;
        // a single mode has no competitor.
        let two = |x: f64| {
            let a = -0.5 * ((x - 1.0) / 0.1f64).powi(2);
            let b = -0.5 * ((x + 1.0) / 0.1f64).powi(2);
            a.max(b)
        };
        let pts = scan_points(&[(0.0, 2.0 / 3.0)]);
        let cov = DMatrix::from_element(1, 1, 0.01);
        let lp: Vec<f64> = pts.iter().map(|p| two(p[0])).collect();
        assert_eq!(distant_competitors(&pts, &lp, &[1.0], 0.0, &cov), 1);
        let one: Vec<f64> = pts
            .iter()
            .map(|p| -0.5 * ((p[0] - 1.0) / 0.1f64).powi(2))
            .collect();
        assert_eq!(distant_competitors(&pts, &one, &[1.0], 0.0, &cov), 0);
        // The second start lies in the other basin.
        let starts = two_starts(&pts, &lp, &[(0.0, 2.0 / 3.0)]);
        assert_eq!(starts.len(), 2);
        assert!(pts[starts[0]][0] * pts[starts[1]][0] < 0.0, "{starts:?}");
    }

    #[test]
    fn systematic_resampling_follows_the_weights() {
        let idx = systematic_resample(&[0.5, 0.0, 0.25, 0.25], 8, 0.5);
        assert_eq!(idx, vec![0, 0, 0, 0, 2, 2, 3, 3]);
    }
}
