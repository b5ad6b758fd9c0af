//! Bulk interdiffusion: implanted Ga spreading, film/substrate mixing and nitrogen loss, as far
//! as the grid represents composition and as far as data exist.
//!
//! Fick's law c_t = ∇·(D∇c), D = D₀ exp(−E_a/kT) (Crank, "The Mathematics of Diffusion",
//! 2nd ed. 1975; aging.md §2.4). With D constant in space, any history enters through
//! ∫D dt [nm²] (single-mechanism rescaling).
//!
//! What the grid holds: per column the areal density of implanted atoms (`implanted_per_nm2`)
//! mixed uniformly into the top `implant_depth_nm` of the column. Ga spreading therefore acts
//! laterally (the areal density diffuses as c_t = D∇²c: exact spectral propagator
//! exp(−k² ∫D dt)) and in depth (the implant depth grows as √(d₀² + 2∫D dt), the second
//! moment of the Gaussian spreading formula below). N loss and film/substrate mixing change no
//! field of the grid; they are reported as a retained fraction and a mixing length.
//!
//! Data: the library has no Ga, N, or cross-species (film ↔ substrate) diffusivities for any
//! nitride (aging.md §4.4: "no data found"). Where no data exist a process is reported as
//! "no data: mechanism off", never given invented numbers.

use super::history::Arrhenius;
use super::spectral::Spectral2d;
use crate::material::{Element, Material};

/// Boundary at the surface for the Gaussian implant solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SurfaceBoundary {
    /// No flux through the surface (image source added).
    Reflecting,
    /// The surface is a perfect sink (image source subtracted).
    Absorbing,
}

/// Concentration [atoms/nm³] at depth x [nm] of a Gaussian implant of dose Φ [atoms/nm²],
/// projected range R_p [nm] and straggle ΔR_p [nm] after spreading by ∫D dt [nm²] in a half
/// space (aging.md §2.4, T11; Crank §3.3 method of images):
///
///   c(x) = Φ/√(2πσ²) [exp(−(x−R_p)²/2σ²) ± exp(−(x+R_p)²/2σ²)],  σ² = ΔR_p² + 2∫D dt.
pub fn gaussian_implant_per_nm3(
    depth_nm: f64,
    dose_per_nm2: f64,
    range_nm: f64,
    straggle_nm: f64,
    dt_integral_nm2: f64,
    boundary: SurfaceBoundary,
) -> f64 {
    let s2 = straggle_nm * straggle_nm + 2.0 * dt_integral_nm2;
    let norm = dose_per_nm2 / (2.0 * std::f64::consts::PI * s2).sqrt();
    let a = (-(depth_nm - range_nm).powi(2) / (2.0 * s2)).exp();
    let b = (-(depth_nm + range_nm).powi(2) / (2.0 * s2)).exp();
    match boundary {
        SurfaceBoundary::Reflecting => norm * (a + b),
        SurfaceBoundary::Absorbing => norm * (a - b),
    }
}

/// Fraction M(t)/M₀ of a species still in a film of thickness L [nm] on an impermeable
/// substrate with a perfect sink at the surface, after ∫D dt [nm²] (Crank eq. 4.18; aging.md
/// §2.4, T11): M/M₀ = Σ_{n≥0} 8/((2n+1)²π²) exp(−(2n+1)²π² ∫D dt / (4L²)). Summed until the
/// terms fall below 10⁻¹⁷ of the total (for tiny Dt the series converges slowly; the short-time
/// form 1 − (2/L)√(Dt/π) is used when Dt/L² < 10⁻⁴).
pub fn crank_retained_fraction(dt_integral_nm2: f64, film_nm: f64) -> f64 {
    let r = dt_integral_nm2 / (film_nm * film_nm);
    if r < 1e-4 {
        return 1.0 - 2.0 * (r / std::f64::consts::PI).sqrt();
    }
    let pi2 = std::f64::consts::PI * std::f64::consts::PI;
    let mut sum = 0.0;
    for n in 0..100_000u32 {
        let m = (2 * n + 1) as f64;
        let term = 8.0 / (m * m * pi2) * (-m * m * pi2 * r / 4.0).exp();
        sum += term;
        if term < 1e-17 * sum {
            break;
        }
    }
    sum
}

/// Spreads an areal density field (atoms/nm² per column) laterally by c_t = D∇²c over
/// ∫D dt [nm²], exactly: ĉ(k) → ĉ(k) exp(−k² ∫D dt). Conserves the total.
pub fn spread_laterally(spectral: &Spectral2d, field: &mut [f64], cell_nm: f64, dt_nm2: f64) {
    let mut spec = spectral.forward(field);
    spectral.apply(&mut spec, cell_nm, |kx, ky| {
        (-(kx * kx + ky * ky) * dt_nm2).exp()
    });
    spectral.inverse(spec, field);
}

/// The diffusivity of `species` in `material`, if the library has it.
pub fn diffusivity(material: &Material, species: &Element) -> Option<Arrhenius> {
    material
        .bulk_diffusion
        .iter()
        .find(|b| b.species.z == species.z)
        .map(|b| Arrhenius {
            prefactor: b.d0_nm2_per_s.value,
            activation_ev: b.activation_ev.value,
        })
}

/// A bulk process and whether it can run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BulkProcess {
    /// "implant spreading", "nitrogen loss" or "film/substrate mixing".
    pub process: String,
    /// Material the species moves in.
    pub material: String,
    /// Diffusing species.
    pub species: String,
    /// `Some` when data exist (then the process runs); `None` → "no data: mechanism off".
    #[serde(skip)]
    pub diffusivity: Option<Arrhenius>,
    /// "active" or "no data: mechanism off".
    pub status: String,
}
