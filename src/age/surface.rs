//! Capillary surface transport (Mullins 1957, 1959): the linear spectral propagator and the
//! nonlinear surface-diffusion solver for steep milled walls.
//!
//! Small-slope theory (aging.md §2.1; Mullins, J. Appl. Phys. 28 (1957) 333 and 30 (1959) 77):
//!
//!   dĥ/dt = −(F k + A k² + C k³ + B k⁴) ĥ,
//!
//! h(x, y, t) [nm] the surface height, ĥ its Fourier transform, k = |k| [1/nm]; F [nm/s] viscous
//! flow, A [nm²/s] evaporation–condensation, C [nm³/s] volume diffusion, B [nm⁴/s] surface
//! diffusion with B = D_s γ Ω² ν / k_B T (D_s [nm²/s] surface self-diffusivity, γ [eV/nm²]
//! surface energy, Ω [nm³] volume per formula unit, ν = Ω^{−2/3} [nm⁻²] areal site density).
//! With a temperature history each coefficient·t becomes ∫coef(T(t)) dt (test T2), so any
//! horizon costs one FFT pair.
//!
//! Nonlinear theory (aging.md §2.2): for a graph z = h(x, y) with metric g = 1 + |∇h|²,
//! g^{ij} = δ_ij − h_i h_j / g and mean curvature H = ∇·(∇h/√g),
//!
//!   h_t = −∂_i( B √g g^{ij} ∂_j H ),
//!
//! which conserves ∫h, decreases the area ∫√g dA (test T12) and reduces to h_t = −B∇⁴h for
//! small slopes.

use rayon::prelude::*;
use rustfft::num_complex::Complex64;

use super::spectral::Spectral2d;
use crate::material::SurfaceTransport;
use crate::units::{BOLTZMANN_EV_PER_K, J_PER_M2_IN_EV_PER_NM2};

/// Coefficients of the small-slope capillary equation, or their time integrals.
///
/// As rates: F [nm/s], A [nm²/s], C [nm³/s], B [nm⁴/s]. As integrals over a history (what the
/// propagator takes): F·t [nm], A·t [nm²], C·t [nm³], B·t [nm⁴].
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Capillary {
    /// Viscous flow F = γ/(2η) (k¹ term).
    pub viscous: f64,
    /// Evaporation–condensation A = p₀ γ Ω² / ((2π m)^{1/2} (kT)^{3/2}) (k² term).
    pub evaporation: f64,
    /// Volume diffusion C = D_v γ Ω / kT (k³ term).
    pub volume: f64,
    /// Surface diffusion B = D_s γ Ω² ν / kT (k⁴ term).
    pub surface: f64,
}

impl Capillary {
    /// Only surface diffusion, integrated: ∫B dt [nm⁴].
    pub fn surface_only(b_integral_nm4: f64) -> Self {
        Capillary {
            surface: b_integral_nm4,
            ..Default::default()
        }
    }

    /// The decay exponent F k + A k² + C k³ + B k⁴ of a mode of wavenumber k [1/nm].
    pub fn exponent(&self, k_per_nm: f64) -> f64 {
        let k2 = k_per_nm * k_per_nm;
        self.viscous * k_per_nm
            + self.evaporation * k2
            + self.volume * k2 * k_per_nm
            + self.surface * k2 * k2
    }

    /// The sum of two integrals (successive intervals).
    pub fn plus(&self, other: &Capillary) -> Capillary {
        Capillary {
            viscous: self.viscous + other.viscous,
            evaporation: self.evaporation + other.evaporation,
            volume: self.volume + other.volume,
            surface: self.surface + other.surface,
        }
    }
}

/// Mullins' surface-diffusion constant B(T) = D_s(T) γ Ω² ν / (k_B T) [nm⁴/s] with
/// D_s = D₀ exp(−E_a / k_B T), ν = Ω^{−2/3} (Mullins 1959, J. Appl. Phys. 30, 77; aging.md
/// §2.1). γ from J/m² to eV/nm² (1 J/m² = 6.2415 eV/nm²), Ω [nm³], D₀ [nm²/s], E_a [eV].
pub fn mullins_b_nm4_per_s(s: &SurfaceTransport, temperature_k: f64) -> f64 {
    ln_mullins_b(s, temperature_k).exp()
}

/// ln B(T) with B in nm⁴/s (finite where B underflows; for timescale reports).
pub fn ln_mullins_b(s: &SurfaceTransport, temperature_k: f64) -> f64 {
    let kt = BOLTZMANN_EV_PER_K * temperature_k;
    let gamma = s.surface_energy_j_m2.value * J_PER_M2_IN_EV_PER_NM2;
    let omega = s.formula_volume_nm3.value;
    let nu = omega.powf(-2.0 / 3.0);
    s.diffusion_d0_nm2_per_s.value.ln() - s.diffusion_ea_ev.value / kt
        + (gamma * omega * omega * nu / kt).ln()
}

/// Exact linear propagation of a periodic height field [nm] by the integrated coefficients:
/// ĥ(k, t) = ĥ(k, 0) exp(−(F̄ k + Ā k² + C̄ k³ + B̄ k⁴)) with F̄ = ∫F dt etc. (tests T1, T2,
/// T13). One FFT pair for any horizon; the k = 0 mode (the mean height, i.e. the volume) is
/// multiplied by exactly 1.
pub fn propagate_linear(
    spectral: &Spectral2d,
    field_nm: &mut [f64],
    cell_nm: f64,
    integrated: &Capillary,
) {
    let mut spec = spectral.forward(field_nm);
    spectral.apply(&mut spec, cell_nm, |kx, ky| {
        (-integrated.exponent((kx * kx + ky * ky).sqrt())).exp()
    });
    spectral.inverse(spec, field_nm);
}

/// Settings of the nonlinear solver.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct NonlinearSettings {
    /// Local error allowed per step (step-doubling estimate, max norm) [nm].
    pub tolerance_nm: f64,
    /// Once max |∇h| falls below this slope, the rest of an interval is done by the exact
    /// linear propagator (the nonlinear terms are O(slope²): < 0.25 % at 0.05).
    pub linear_below_slope: f64,
    /// Hard limit on steps per call, to bound cost; exceeding it is an error.
    pub max_steps: usize,
}

impl Default for NonlinearSettings {
    fn default() -> Self {
        NonlinearSettings {
            tolerance_nm: 0.01,
            linear_below_slope: 0.05,
            max_steps: 20_000,
        }
    }
}

/// What a nonlinear integration did.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct NonlinearStats {
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Rejected steps.
    pub rejected_steps: usize,
    /// Scaled time τ = ∫B_max dt finished by the linear propagator after slopes became small
    /// [nm⁴].
    pub linear_tail_nm4: f64,
}

/// The discrete nonlinear operator in scaled time τ = B₀ t:
/// ∂h/∂τ = −∇·(b √g g^{ij} ∂_j H), H = ∇·(∇h/√g), with the relative mobility b = B/B₀ ≤ 1 per
/// column (face values: harmonic mean of the two columns). Conservative finite volumes on the
/// periodic grid: face fluxes, so Σ ∂h/∂τ = 0 to round-off. For small slopes it is
/// −b Δ₅Δ₅ h (Δ₅ the 5-point Laplacian), whose symbol is −b K⁴ with
/// K² = (4/d²)[sin²(k_x d/2) + sin²(k_y d/2)].
pub fn nonlinear_rate(h: &[f64], mobility: &[f64], nx: usize, ny: usize, d: f64, out: &mut [f64]) {
    let n = nx * ny;
    let idx = |i: usize, j: usize| j * nx + i;
    let e = |i: usize| if i + 1 == nx { 0 } else { i + 1 };
    let w = |i: usize| if i == 0 { nx - 1 } else { i - 1 };
    let s = |j: usize| if j + 1 == ny { 0 } else { j + 1 };
    let nn = |j: usize| if j == 0 { ny - 1 } else { j - 1 };
    // Central slopes at cell centres.
    let mut cx = vec![0.0; n];
    let mut cy = vec![0.0; n];
    cx.par_chunks_mut(nx)
        .zip(cy.par_chunks_mut(nx))
        .enumerate()
        .for_each(|(j, (rx, ry))| {
            for i in 0..nx {
                rx[i] = (h[idx(e(i), j)] - h[idx(w(i), j)]) / (2.0 * d);
                ry[i] = (h[idx(i, s(j))] - h[idx(i, nn(j))]) / (2.0 * d);
            }
        });
    // Face quantities: x-face (i+½, j) stored at (i, j); y-face (i, j+½) at (i, j).
    // hx, hy on faces, and √g.
    let face = |i: usize, j: usize, xdir: bool| -> (f64, f64, f64) {
        if xdir {
            let hx = (h[idx(e(i), j)] - h[idx(i, j)]) / d;
            let hy = 0.5 * (cy[idx(i, j)] + cy[idx(e(i), j)]);
            (hx, hy, (1.0 + hx * hx + hy * hy).sqrt())
        } else {
            let hy = (h[idx(i, s(j))] - h[idx(i, j)]) / d;
            let hx = 0.5 * (cx[idx(i, j)] + cx[idx(i, s(j))]);
            (hx, hy, (1.0 + hx * hx + hy * hy).sqrt())
        }
    };
    // Mean curvature H at centres.
    let mut px = vec![0.0; n];
    let mut py = vec![0.0; n];
    px.par_chunks_mut(nx)
        .zip(py.par_chunks_mut(nx))
        .enumerate()
        .for_each(|(j, (rx, ry))| {
            for i in 0..nx {
                let (hx, _, sg) = face(i, j, true);
                rx[i] = hx / sg;
                let (_, hy, sg) = face(i, j, false);
                ry[i] = hy / sg;
            }
        });
    let mut curv = vec![0.0; n];
    curv.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        for i in 0..nx {
            row[i] = (px[idx(i, j)] - px[idx(w(i), j)] + py[idx(i, j)] - py[idx(i, nn(j))]) / d;
        }
    });
    // Central gradients of H.
    let mut gx = vec![0.0; n];
    let mut gy = vec![0.0; n];
    gx.par_chunks_mut(nx)
        .zip(gy.par_chunks_mut(nx))
        .enumerate()
        .for_each(|(j, (rx, ry))| {
            for i in 0..nx {
                rx[i] = (curv[idx(e(i), j)] - curv[idx(w(i), j)]) / (2.0 * d);
                ry[i] = (curv[idx(i, s(j))] - curv[idx(i, nn(j))]) / (2.0 * d);
            }
        });
    let harmonic = |a: f64, b: f64| {
        if a + b > 0.0 {
            2.0 * a * b / (a + b)
        } else {
            0.0
        }
    };
    // Fluxes J = b √g g^{ij} ∂_j H on faces: √g g^{xx} = (1 + hy²)/√g, √g g^{xy} = −hx hy/√g.
    let mut jx = vec![0.0; n];
    let mut jy = vec![0.0; n];
    jx.par_chunks_mut(nx)
        .zip(jy.par_chunks_mut(nx))
        .enumerate()
        .for_each(|(j, (rx, ry))| {
            for i in 0..nx {
                let (hx, hy, sg) = face(i, j, true);
                let dhx = (curv[idx(e(i), j)] - curv[idx(i, j)]) / d;
                let dhy = 0.5 * (gy[idx(i, j)] + gy[idx(e(i), j)]);
                let b = harmonic(mobility[idx(i, j)], mobility[idx(e(i), j)]);
                rx[i] = b * ((1.0 + hy * hy) * dhx - hx * hy * dhy) / sg;
                let (hx, hy, sg) = face(i, j, false);
                let dhy = (curv[idx(i, s(j))] - curv[idx(i, j)]) / d;
                let dhx = 0.5 * (gx[idx(i, j)] + gx[idx(i, s(j))]);
                let b = harmonic(mobility[idx(i, j)], mobility[idx(i, s(j))]);
                ry[i] = b * ((1.0 + hx * hx) * dhy - hx * hy * dhx) / sg;
            }
        });
    out.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        for i in 0..nx {
            row[i] = -(jx[idx(i, j)] - jx[idx(w(i), j)] + jy[idx(i, j)] - jy[idx(i, nn(j))]) / d;
        }
    });
}

/// The discrete biharmonic Δ₅Δ₅ h on the periodic grid (the small-slope limit of
/// [`nonlinear_rate`] with b = 1, up to sign).
fn biharmonic(h: &[f64], nx: usize, ny: usize, d: f64) -> Vec<f64> {
    let lap = |f: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; nx * ny];
        out.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
            let jn = if j == 0 { ny - 1 } else { j - 1 };
            let js = if j + 1 == ny { 0 } else { j + 1 };
            for i in 0..nx {
                let iw = if i == 0 { nx - 1 } else { i - 1 };
                let ie = if i + 1 == nx { 0 } else { i + 1 };
                row[i] = (f[j * nx + ie] + f[j * nx + iw] + f[js * nx + i] + f[jn * nx + i]
                    - 4.0 * f[j * nx + i])
                    / (d * d);
            }
        });
        out
    };
    lap(&lap(h))
}

/// Maximum slope |∇h| (central differences, periodic).
pub fn max_slope(h: &[f64], nx: usize, ny: usize, d: f64) -> f64 {
    (0..ny)
        .map(|j| {
            let jn = if j == 0 { ny - 1 } else { j - 1 };
            let js = if j + 1 == ny { 0 } else { j + 1 };
            (0..nx)
                .map(|i| {
                    let iw = if i == 0 { nx - 1 } else { i - 1 };
                    let ie = if i + 1 == nx { 0 } else { i + 1 };
                    let sx = (h[j * nx + ie] - h[j * nx + iw]) / (2.0 * d);
                    let sy = (h[js * nx + i] - h[jn * nx + i]) / (2.0 * d);
                    sx.hypot(sy)
                })
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

/// Surface area ∫√g dA [nm²] of the discrete surface (forward differences), for test T12.
pub fn surface_area_nm2(h: &[f64], nx: usize, ny: usize, d: f64) -> f64 {
    let mut total = 0.0;
    for j in 0..ny {
        let js = if j + 1 == ny { 0 } else { j + 1 };
        let mut row = 0.0;
        for i in 0..nx {
            let ie = if i + 1 == nx { 0 } else { i + 1 };
            let sx = (h[j * nx + ie] - h[j * nx + i]) / d;
            let sy = (h[js * nx + i] - h[j * nx + i]) / d;
            row += (1.0 + sx * sx + sy * sy).sqrt();
        }
        total += row;
    }
    total * d * d
}

/// One exponential-Euler (ETD1) step of length Δτ (Cox & Matthews, J. Comput. Phys. 176
/// (2002) 430): with the stiff linear part L = −K⁴ (the FD symbol of −Δ₅Δ₅) treated exactly
/// and the remainder R(h) = N(h) − L h explicitly,
///
///   ĥ^{n+1} = e^{LΔτ} ĥ^n + (e^{LΔτ} − 1)/L · R̂(h^n).
///
/// For frozen coefficients c ∈ (0, 1] (all graph slopes and mobilities b ≤ 1 give c ≤ 1) the
/// amplification 1 − (1 − e^{LΔτ})·c lies in [0, 1] for every Δτ: the step is set by
/// accuracy, never by stiffness. At small slope and b = 1, R = 0 and the step is the exact
/// solution of the discrete linear equation.
fn etd1_step(spectral: &Spectral2d, h: &mut [f64], mobility: &[f64], d: f64, dtau: f64) {
    let (nx, ny) = (spectral.nx(), spectral.ny());
    let mut rate = vec![0.0; nx * ny];
    nonlinear_rate(h, mobility, nx, ny, d, &mut rate);
    let bih = biharmonic(h, nx, ny, d);
    // R = N(h) − L h = N(h) + Δ₅Δ₅ h.
    let rem: Vec<f64> = rate.iter().zip(&bih).map(|(a, b)| a + b).collect();
    let symbol = |kx: f64, ky: f64| {
        let sx = (0.5 * kx * d).sin();
        let sy = (0.5 * ky * d).sin();
        let k2 = 4.0 / (d * d) * (sx * sx + sy * sy);
        k2 * k2
    };
    // Both real fields in one complex transform: Z = FFT(h + iR), then
    // ĥ(k) = (Z(k) + Z̄(−k))/2 and R̂(k) = (Z(k) − Z̄(−k))/(2i).
    let packed: Vec<Complex64> = h
        .iter()
        .zip(&rem)
        .map(|(a, b)| Complex64::new(*a, *b))
        .collect();
    let z = spectral.forward_complex(packed);
    let mut combined = vec![Complex64::default(); nx * ny];
    combined
        .par_chunks_mut(ny)
        .enumerate()
        .for_each(|(ix, row)| {
            let kx = super::spectral::wavenumber(ix, nx, d);
            let mx = (nx - ix) % nx;
            for (iy, out) in row.iter_mut().enumerate() {
                let ky = super::spectral::wavenumber(iy, ny, d);
                let zk = z[ix * ny + iy];
                let zm = z[mx * ny + (ny - iy) % ny].conj();
                let hk = 0.5 * (zk + zm);
                let rk = (zk - zm) * Complex64::new(0.0, -0.5);
                let lz = -symbol(kx, ky) * dtau;
                // φ₁(z)·Δτ = (e^z − 1)/z · Δτ, series near z = 0.
                let phi = if lz.abs() < 1e-8 {
                    1.0 + 0.5 * lz
                } else {
                    lz.exp_m1() / lz
                };
                *out = hk * lz.exp() + rk * (phi * dtau);
            }
        });
    spectral.inverse(combined, h);
}

/// Integrates the nonlinear surface-diffusion equation over scaled time τ = B₀·t [nm⁴] with
/// per-column relative mobility b = B/B₀ ∈ [0, 1]. Adaptive ETD1 with step doubling: a step
/// Δτ is compared with two steps Δτ/2; accepted (keeping the two-half-step result) when the
/// max difference ≤ tolerance, and the next Δτ is scaled by 0.9·√(tol/err) within [0.2, 2]
/// (first-order local error ∝ Δτ²). When max |∇h| drops below `linear_below_slope` the rest
/// is propagated exactly by the linear solver with B = b_mean·B₀ (b_mean the column mean;
/// exactly 1 for a single material).
pub fn integrate_nonlinear(
    spectral: &Spectral2d,
    h: &mut [f64],
    mobility: &[f64],
    d: f64,
    tau_nm4: f64,
    settings: &NonlinearSettings,
    first_step_nm4: &mut f64,
) -> Result<NonlinearStats, String> {
    let (nx, ny) = (spectral.nx(), spectral.ny());
    let mut stats = NonlinearStats::default();
    let mut done = 0.0;
    let mut dtau = first_step_nm4.max(1e-6 * d.powi(4)).min(tau_nm4);
    while done < tau_nm4 {
        if max_slope(h, nx, ny, d) < settings.linear_below_slope {
            let rest = tau_nm4 - done;
            let b_mean = mobility.iter().sum::<f64>() / mobility.len() as f64;
            propagate_linear(spectral, h, d, &Capillary::surface_only(b_mean * rest));
            stats.linear_tail_nm4 = rest;
            break;
        }
        if stats.accepted_steps + stats.rejected_steps >= settings.max_steps {
            return Err(format!(
                "nonlinear surface-diffusion solver: {} steps did not reach τ = {tau_nm4:.3e} nm⁴ (at {done:.3e}); use solver = \"linear\" or a larger nonlinear_tolerance_nm",
                settings.max_steps
            ));
        }
        let step = dtau.min(tau_nm4 - done);
        let mut full = h.to_vec();
        etd1_step(spectral, &mut full, mobility, d, step);
        let mut half = h.to_vec();
        etd1_step(spectral, &mut half, mobility, d, 0.5 * step);
        etd1_step(spectral, &mut half, mobility, d, 0.5 * step);
        let err = full
            .iter()
            .zip(&half)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let factor = if err > 0.0 {
            (0.9 * (settings.tolerance_nm / err).sqrt()).clamp(0.2, 2.0)
        } else {
            2.0
        };
        if err <= settings.tolerance_nm {
            h.copy_from_slice(&half);
            done += step;
            stats.accepted_steps += 1;
            // A step shortened to land on the interval's end says nothing against the
            // proposal: keep the larger one for the next interval.
            dtau = (step * factor).max(if step < dtau { dtau } else { 0.0 });
        } else {
            stats.rejected_steps += 1;
            dtau = step * factor;
        }
    }
    *first_step_nm4 = dtau;
    Ok(stats)
}
