//! Viscous flow of a glass surface (Mullins 1959, J. Appl. Phys. 30, 77, eq. for the k¹ term;
//! aging.md §4.7): a relief of wavenumber k on a Newtonian liquid of viscosity η and surface
//! tension γ decays as exp(−F k t) with
//!
//!   F = γ / (2 η)   [m/s from N/m over Pa·s; here nm/s].
//!
//! η(T) is a Vogel–Fulcher–Tammann law log₁₀ η = A + B/(T − T₀) [Pa·s, K] through the glass's
//! three standard fixed points (strain 10^13.5, annealing 10^12, softening 10^6.6 Pa·s; see
//! [`crate::material::Viscosity`]). Below the strain point a glass is no longer in equilibrium:
//! its viscosity follows an Arrhenius law with the structure frozen, far below the diverging
//! equilibrium VFT extrapolation (Gupta & Mauro, J. Chem. Phys. 126 (2007) 224504: the
//! non-equilibrium viscosity of glass). The continuation used here is the Arrhenius tangent of
//! the VFT curve at the strain point (same value and slope d log η / d(1/T) there): it is
//! continuous, stays below the VFT divergence (so flow is, if anything, overestimated), and
//! needs no parameter beyond the fixed points.

use crate::material::{
    LOG10_ETA_ANNEALING_PA_S, LOG10_ETA_SOFTENING_PA_S, LOG10_ETA_STRAIN_PA_S, Viscosity,
};

/// 1 m/s in nm/s.
const M_PER_S_IN_NM_PER_S: f64 = 1.0e9;

/// A VFT law log₁₀ η [Pa·s] = A + B/(T − T₀), with its Arrhenius continuation below the
/// strain point.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Vft {
    /// A (log₁₀ of the high-temperature limit, Pa·s).
    pub a_log10_pa_s: f64,
    /// B [K].
    pub b_k: f64,
    /// T₀ [K].
    pub t0_k: f64,
    /// Strain point [K]: below it the Arrhenius tangent is used.
    pub strain_k: f64,
}

impl Vft {
    /// The VFT law through the three fixed points of `v` (exact: three equations, three
    /// unknowns). With r = (y₁ − y₂)/(y₂ − y₃) · (T₃ − T₂)/(T₂ − T₁) = (T₃ − T₀)/(T₁ − T₀),
    /// T₀ = (r T₁ − T₃)/(r − 1), B = (y₁ − y₂)/(1/(T₁ − T₀) − 1/(T₂ − T₀)), A = y₁ − B/(T₁ − T₀)
    /// (1 = strain, 2 = annealing, 3 = softening). `None` if the points do not bend like a
    /// liquid (r ≤ 1: T₀ would not lie below the strain point).
    pub fn through_fixed_points(v: &Viscosity) -> Option<Vft> {
        let (t1, t2, t3) = (
            v.strain_point_k.value,
            v.annealing_point_k.value,
            v.softening_point_k.value,
        );
        let (y1, y2, y3) = (
            LOG10_ETA_STRAIN_PA_S,
            LOG10_ETA_ANNEALING_PA_S,
            LOG10_ETA_SOFTENING_PA_S,
        );
        if !(t1 < t2 && t2 < t3) {
            return None;
        }
        let r = (y1 - y2) / (y2 - y3) * (t3 - t2) / (t2 - t1);
        if r <= 1.0 + 1e-9 || r.is_nan() {
            return None;
        }
        let t0 = (r * t1 - t3) / (r - 1.0);
        let b = (y1 - y2) / (1.0 / (t1 - t0) - 1.0 / (t2 - t0));
        let a = y1 - b / (t1 - t0);
        (t0 < t1 && b > 0.0 && a.is_finite()).then_some(Vft {
            a_log10_pa_s: a,
            b_k: b,
            t0_k: t0,
            strain_k: t1,
        })
    }

    /// Slope d log₁₀ η / d(1/T) [K] of the VFT law at T: B T² / (T − T₀)².
    pub fn slope_k(&self, temperature_k: f64) -> f64 {
        let d = temperature_k - self.t0_k;
        self.b_k * temperature_k * temperature_k / (d * d)
    }

    /// Apparent activation energy of viscous flow below the strain point [eV]:
    /// E = ln 10 · k_B · slope(T_strain).
    pub fn activation_below_strain_ev(&self) -> f64 {
        std::f64::consts::LN_10 * crate::units::BOLTZMANN_EV_PER_K * self.slope_k(self.strain_k)
    }

    /// log₁₀ η [Pa·s] at T: VFT at and above the strain point, its Arrhenius tangent below.
    pub fn log10_eta_pa_s(&self, temperature_k: f64) -> f64 {
        if temperature_k >= self.strain_k {
            self.a_log10_pa_s + self.b_k / (temperature_k - self.t0_k)
        } else {
            let ys = self.a_log10_pa_s + self.b_k / (self.strain_k - self.t0_k);
            ys + self.slope_k(self.strain_k) * (1.0 / temperature_k - 1.0 / self.strain_k)
        }
    }
}

/// The viscous-flow rate of a glass.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ViscousFlow {
    /// η(T).
    pub vft: Vft,
    /// Surface tension γ [J/m² = N/m].
    pub surface_tension_j_m2: f64,
}

impl ViscousFlow {
    /// The flow law of a glass (`None` if its fixed points admit no VFT law; the config layer
    /// rejects such files).
    pub fn of(v: &Viscosity) -> Option<ViscousFlow> {
        Vft::through_fixed_points(v).map(|vft| ViscousFlow {
            vft,
            surface_tension_j_m2: v.surface_tension_j_m2.value,
        })
    }

    /// ln F(T) with F = γ/(2η) in nm/s (finite where F underflows).
    pub fn ln_f_nm_per_s(&self, temperature_k: f64) -> f64 {
        (self.surface_tension_j_m2 / 2.0 * M_PER_S_IN_NM_PER_S).ln()
            - self.vft.log10_eta_pa_s(temperature_k) * std::f64::consts::LN_10
    }

    /// F(T) = γ/(2η) [nm/s].
    pub fn f_nm_per_s(&self, temperature_k: f64) -> f64 {
        self.ln_f_nm_per_s(temperature_k).exp()
    }

    /// Relaxation time τ = 1/(F k) of a relief of period λ [nm] at T [s].
    pub fn relaxation_time_s(&self, temperature_k: f64, period_nm: f64) -> f64 {
        let k = 2.0 * std::f64::consts::PI / period_nm;
        1.0 / (self.f_nm_per_s(temperature_k) * k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material::{Provenance, Sourced};

    fn s(v: f64) -> Sourced {
        Sourced {
            value: v,
            provenance: Provenance::Estimated,
            source: "test".into(),
            uncertainty: None,
            ln_uncertainty: None,
        }
    }

    fn glass(strain: f64, anneal: f64, soft: f64) -> Viscosity {
        Viscosity {
            strain_point_k: s(strain),
            annealing_point_k: s(anneal),
            softening_point_k: s(soft),
            glass_transition_k: s(anneal),
            surface_tension_j_m2: s(0.3),
        }
    }

    #[test]
    fn vft_passes_through_the_three_fixed_points() {
        let g = glass(784.15, 821.15, 1003.15);
        let v = Vft::through_fixed_points(&g).unwrap();
        for (t, y) in [
            (784.15, LOG10_ETA_STRAIN_PA_S),
            (821.15, LOG10_ETA_ANNEALING_PA_S),
            (1003.15, LOG10_ETA_SOFTENING_PA_S),
        ] {
            assert!(
                (v.log10_eta_pa_s(t) - y).abs() < 1e-9,
                "{t}: {}",
                v.log10_eta_pa_s(t)
            );
        }
    }

    #[test]
    fn continuation_below_strain_is_continuous_arrhenius_and_below_vft() {
        let v = Vft::through_fixed_points(&glass(784.15, 821.15, 1003.15)).unwrap();
        let ts = v.strain_k;
        assert!((v.log10_eta_pa_s(ts - 1e-6) - v.log10_eta_pa_s(ts)).abs() < 1e-6);
        // Straight in 1/T below the strain point.
        let (a, b, c) = (700.0, 600.0, 500.0);
        let slope =
            |x: f64, y: f64| (v.log10_eta_pa_s(x) - v.log10_eta_pa_s(y)) / (1.0 / x - 1.0 / y);
        assert!((slope(a, b) / slope(b, c) - 1.0).abs() < 1e-9);
        // Below the diverging VFT extrapolation.
        let vft_700 = v.a_log10_pa_s + v.b_k / (700.0 - v.t0_k);
        assert!(v.log10_eta_pa_s(700.0) < vft_700);
    }

    #[test]
    fn points_that_do_not_bend_like_a_liquid_are_rejected() {
        // Equal spacing in T for 1.5 and 5.4 decades: r < 1.
        assert!(Vft::through_fixed_points(&glass(800.0, 900.0, 1000.0)).is_none());
        assert!(Vft::through_fixed_points(&glass(900.0, 800.0, 1000.0)).is_none());
    }

    #[test]
    fn f_is_surface_tension_over_twice_viscosity() {
        let flow = ViscousFlow::of(&glass(784.15, 821.15, 1003.15)).unwrap();
        // At the annealing point η = 1e12 Pa·s: F = 0.3 / 2e12 m/s = 1.5e-13 m/s = 1.5e-4 nm/s.
        let f = flow.f_nm_per_s(821.15);
        assert!((f / 1.5e-4 - 1.0).abs() < 1e-9, "{f}");
    }
}
