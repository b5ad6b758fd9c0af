//! Oxidation of the film: parabolic (Wagner) and logarithmic (Cabrera–Mott regime) growth,
//! Pilling–Bedworth swelling and the change of surface material.
//!
//! Convention (decided here, used everywhere): the kinetic laws give the **oxide** thickness
//! x_ox. Chen & Lu (Thin Solid Films 515 (2006) 2179) fitted the oxide-layer thickness of CrN,
//! Deal & Grove's B for Si is an oxide-thickness constant, Tompkins' TiN data are oxide
//! thicknesses; the library's `parabolic_kp0_cm2_per_s` is documented the same way
//! (sims/materials/README.md). The film consumed is x_n = x_ox / PBR, with PBR the
//! Pilling–Bedworth ratio (oxide volume per volume of film consumed). Research note aging.md
//! §4.5 applied Chen & Lu's constant to the nitride consumed; with the oxide convention 15 nm
//! of CrN (20.3 nm of Cr2O3) takes PBR² ≈ 1.8× longer than quoted there.
//!
//! Both laws are written as state equations so that any temperature history is exact by the
//! single-mechanism rescaling (aging.md §2.6):
//! - parabolic, dx/dt = k_p/(2x): x² = x₀² + ∫k_p(T(t)) dt, k_p = k_p0 exp(−E_a/kT) [nm²/s]
//!   (Wagner, Z. phys. Chem. B 21 (1933) 25);
//! - logarithmic, dx/dt = (a/τ) e^{−x/a}: e^{x/a} = e^{x₀/a} + ∫dt/τ(T(t)), τ = τ₀ exp(E_a/kT),
//!   which from x₀ = 0 at constant T is x = a ln(1 + t/τ) (Cabrera & Mott, Rep. Prog. Phys. 12
//!   (1949) 163, the direct-logarithmic form).
//!
//! Geometry on the 2.5-D grid (`FilmGrid`): `surface_nm` is the film/oxide interface and the
//! outer surface is `surface_nm + oxide_nm`. Growing the oxide by Δx lowers the interface by
//! Δx/PBR and raises the outer surface by Δx(1 − 1/PBR) (the swelling). Oxidation proceeds
//! into the material at the top of each column (the film in unmilled areas, the remaining film
//! or the substrate in pits) and stops when that layer is consumed. Limits of the
//! representation: sidewalls oxidize only vertically (no lateral growth), and a consumed layer
//! keeps a 10⁻⁶ nm sliver so that the column's oxide keeps its host's composition in the SEM
//! model (the grid has no per-column oxide-host field).

use crate::material::{Oxidation, OxidationLaw};
use crate::units::BOLTZMANN_EV_PER_K;

/// Thickness of the host layer left in a fully oxidized column [nm], see module docs.
pub const CONSUMED_LAYER_SLIVER_NM: f64 = 1.0e-6;

/// The rate constant of a law at temperature T, in the unit its state equation integrates:
/// parabolic k_p(T) = k_p0 exp(−E_a/kT) [nm²/s]; logarithmic 1/τ(T) = exp(−E_a/kT)/τ₀ [1/s];
/// inert 0.
pub fn law_rate(law: &OxidationLaw, temperature_k: f64) -> f64 {
    ln_law_rate(law, temperature_k).map(f64::exp).unwrap_or(0.0)
}

/// ln of [`law_rate`] (`None` for an inert material).
pub fn ln_law_rate(law: &OxidationLaw, temperature_k: f64) -> Option<f64> {
    let kt = BOLTZMANN_EV_PER_K * temperature_k;
    match law {
        OxidationLaw::Inert => None,
        OxidationLaw::Parabolic {
            kp0_nm2_per_s,
            activation_ev,
        } => Some(kp0_nm2_per_s.value.ln() - activation_ev.value / kt),
        OxidationLaw::Logarithmic {
            time_constant_s,
            activation_ev,
            ..
        } => Some(-time_constant_s.value.ln() - activation_ev.value / kt),
    }
}

/// Oxide thickness after growth from x₀ [nm] by the integrated rate s (∫k_p dt [nm²] for the
/// parabolic law, ∫dt/τ [1] for the logarithmic law): x = √(x₀² + s) or
/// x = x₀ + a ln(1 + s e^{−x₀/a}) (the overflow-free form of a ln(e^{x₀/a} + s)).
pub fn grow_oxide_nm(law: &OxidationLaw, x0_nm: f64, integrated: f64) -> f64 {
    match law {
        OxidationLaw::Inert => x0_nm,
        OxidationLaw::Parabolic { .. } => (x0_nm * x0_nm + integrated).sqrt(),
        OxidationLaw::Logarithmic { amplitude_nm, .. } => {
            let a = amplitude_nm.value;
            x0_nm + a * (integrated * (-x0_nm / a).exp()).ln_1p()
        }
    }
}

/// Integrated rate needed to grow the oxide from 0 to x [nm] (inverse of [`grow_oxide_nm`]):
/// x² (parabolic) or e^{x/a} − 1 (logarithmic); ∞ for an inert material.
pub fn integrated_rate_for_oxide(law: &OxidationLaw, x_nm: f64) -> f64 {
    match law {
        OxidationLaw::Inert => f64::INFINITY,
        OxidationLaw::Parabolic { .. } => x_nm * x_nm,
        OxidationLaw::Logarithmic { amplitude_nm, .. } => (x_nm / amplitude_nm.value).exp_m1(),
    }
}

/// ln of the time [s] to consume a film thickness x_n [nm] at constant T: the oxide must reach
/// PBR·x_n, so t = s(PBR·x_n) / rate(T). `None` for an inert material.
pub fn ln_time_to_consume_s(ox: &Oxidation, film_nm: f64, temperature_k: f64) -> Option<f64> {
    let ln_rate = ln_law_rate(&ox.law, temperature_k)?;
    let s = integrated_rate_for_oxide(&ox.law, ox.pilling_bedworth_ratio.value * film_nm);
    Some(s.ln() - ln_rate)
}

/// Result of oxidizing one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnOxidation {
    /// New film/oxide interface height [nm].
    pub surface_nm: f64,
    /// New oxide thickness [nm].
    pub oxide_nm: f64,
}

/// Oxidizes one column whose top material (host) has oxidation `ox`, with `available_nm` of the
/// host left above the next material (∞ for a substrate), by the integrated rate `integrated`.
/// The consumed thickness is Δx_ox/PBR, capped at `available_nm` − sliver.
pub fn oxidize_column(
    ox: &Oxidation,
    surface_nm: f64,
    oxide_nm: f64,
    available_nm: f64,
    integrated: f64,
) -> ColumnOxidation {
    if matches!(ox.law, OxidationLaw::Inert) || integrated <= 0.0 {
        return ColumnOxidation {
            surface_nm,
            oxide_nm,
        };
    }
    let pbr = ox.pilling_bedworth_ratio.value;
    let grown = grow_oxide_nm(&ox.law, oxide_nm, integrated);
    let room = (available_nm - CONSUMED_LAYER_SLIVER_NM).max(0.0);
    let consumed = ((grown - oxide_nm) / pbr).min(room);
    ColumnOxidation {
        surface_nm: surface_nm - consumed,
        oxide_nm: oxide_nm + consumed * pbr,
    }
}
