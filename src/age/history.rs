//! Temperature histories T(t) and the equivalent-time integrals of Arrhenius rates over them.
//!
//! A history is a sequence of constant-temperature segments (storage at T₁ for t₁, a bake at T₂
//! for t₂, …), possibly a repeated cycle. Every thermally activated mechanism m of millage has a
//! rate constant r_m(T) (an Arrhenius form, for surface diffusion with the extra 1/T of
//! B = D_s γ Ω² ν / kT). With a single mechanism the state depends on the history only through
//!
//!   s_m(t) = ∫₀ᵗ r_m(T(t')) dt'
//!
//! (aging.md §2.6 and §0 item 4, "single-mechanism time rescaling"), and because T is constant
//! on each segment the integral is exact: Σ r_m(T_i)·Δt_i. No quadrature error enters.

use crate::units::BOLTZMANN_EV_PER_K;

/// One constant-temperature segment of a history.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Segment {
    /// Temperature T [K], > 0.
    pub temperature_k: f64,
    /// Duration Δt [s], > 0.
    pub duration_s: f64,
}

/// Why a history is not valid (the config layer turns this into a message naming the key).
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryError {
    /// A segment (index) has T ≤ 0 K or a non-finite temperature.
    NonPositiveTemperature(usize),
    /// A segment (index) has a duration ≤ 0 or non-finite.
    EmptySegment(usize),
    /// No segments at all.
    NoSegments,
}

/// A piecewise-constant temperature history starting at t = 0.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TemperatureHistory {
    segments: Vec<Segment>,
}

impl TemperatureHistory {
    /// A history from segments in order (each must have T > 0 K and a positive duration).
    pub fn new(segments: Vec<Segment>) -> Result<Self, HistoryError> {
        if segments.is_empty() {
            return Err(HistoryError::NoSegments);
        }
        for (i, s) in segments.iter().enumerate() {
            if !(s.temperature_k.is_finite() && s.temperature_k > 0.0) {
                return Err(HistoryError::NonPositiveTemperature(i));
            }
            if !(s.duration_s.is_finite() && s.duration_s > 0.0) {
                return Err(HistoryError::EmptySegment(i));
            }
        }
        Ok(TemperatureHistory { segments })
    }

    /// Constant temperature T [K] for `duration_s`.
    pub fn constant(temperature_k: f64, duration_s: f64) -> Result<Self, HistoryError> {
        Self::new(vec![Segment {
            temperature_k,
            duration_s,
        }])
    }

    /// The cycle `segments` repeated `repeat` times (a thermal cycle, or daily/seasonal storage).
    pub fn repeated(segments: &[Segment], repeat: usize) -> Result<Self, HistoryError> {
        let mut all = Vec::with_capacity(segments.len() * repeat);
        for _ in 0..repeat {
            all.extend_from_slice(segments);
        }
        Self::new(all)
    }

    /// The segments in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Total duration [s].
    pub fn duration_s(&self) -> f64 {
        self.segments.iter().map(|s| s.duration_s).sum()
    }

    /// Temperature at time t [K] (the segment containing t; the last one beyond the end).
    pub fn temperature_at_k(&self, time_s: f64) -> f64 {
        let mut end = 0.0;
        for s in &self.segments {
            end += s.duration_s;
            if time_s < end {
                return s.temperature_k;
            }
        }
        self.segments
            .last()
            .map(|s| s.temperature_k)
            .unwrap_or(f64::NAN)
    }

    /// Distinct temperatures of the history [K], ascending.
    pub fn distinct_temperatures_k(&self) -> Vec<f64> {
        let mut t: Vec<f64> = self.segments.iter().map(|s| s.temperature_k).collect();
        t.sort_by(f64::total_cmp);
        t.dedup();
        t
    }

    /// The equivalent-time integral s = ∫_{t0}^{t1} r(T(t)) dt of a rate function r(T)
    /// [unit of r × s], exact for the piecewise-constant history: Σ r(T_i)·|[t0,t1] ∩ segment i|.
    /// Beyond the history's end the last temperature is held. Sums in segment order
    /// (deterministic). Source: aging.md §2.6 (t_eq = ∫ B(T(t))/B(T_ref) dt).
    pub fn integrate(&self, t0_s: f64, t1_s: f64, rate: impl Fn(f64) -> f64) -> f64 {
        self.pieces(t0_s, t1_s)
            .iter()
            .map(|(temperature_k, dt_s)| rate(*temperature_k) * dt_s)
            .sum()
    }

    /// The constant-temperature pieces (T [K], Δt [s]) covering [t0, t1], in order (the last
    /// temperature is held beyond the end).
    pub fn pieces(&self, t0_s: f64, t1_s: f64) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut start = 0.0;
        let n = self.segments.len();
        for (i, s) in self.segments.iter().enumerate() {
            let end = if i + 1 == n {
                f64::INFINITY
            } else {
                start + s.duration_s
            };
            let lo = t0_s.max(start);
            let hi = t1_s.min(end);
            if hi > lo {
                out.push((s.temperature_k, hi - lo));
            }
            start += s.duration_s;
            if start >= t1_s {
                break;
            }
        }
        out
    }

    /// Equivalent isothermal time at T_ref [s] of the interval [t0, t1] for a rate r(T):
    /// t_eq = ∫ r(T(t)) dt / r(T_ref) (aging.md §2.6).
    pub fn equivalent_time_s(
        &self,
        t0_s: f64,
        t1_s: f64,
        reference_k: f64,
        rate: impl Fn(f64) -> f64,
    ) -> f64 {
        let r_ref = rate(reference_k);
        self.integrate(t0_s, t1_s, rate) / r_ref
    }
}

/// An Arrhenius rate constant r(T) = r₀ exp(−E_a / k_B T).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Arrhenius {
    /// Prefactor r₀ (unit of the rate).
    pub prefactor: f64,
    /// Activation energy E_a [eV].
    pub activation_ev: f64,
}

impl Arrhenius {
    /// r(T) = r₀ exp(−E_a / k_B T), T in K (k_B = 8.617 333 262 × 10⁻⁵ eV/K, CODATA 2018).
    pub fn rate(&self, temperature_k: f64) -> f64 {
        self.prefactor * (-self.activation_ev / (BOLTZMANN_EV_PER_K * temperature_k)).exp()
    }

    /// ln r(T) (finite even where r underflows to zero, for timescale reports).
    pub fn ln_rate(&self, temperature_k: f64) -> f64 {
        self.prefactor.ln() - self.activation_ev / (BOLTZMANN_EV_PER_K * temperature_k)
    }
}

/// Acceleration factor of a stress temperature over a use temperature for a rate r(T):
/// AF = r(T_stress)/r(T_use) (aging.md §2.6; for surface diffusion r ∝ exp(−Ea/kT)/T gives
/// AF = exp[(Ea/k)(1/T_use − 1/T_stress)]·T_use/T_stress).
pub fn acceleration_factor(use_k: f64, stress_k: f64, ln_rate: impl Fn(f64) -> f64) -> f64 {
    (ln_rate(stress_k) - ln_rate(use_k)).exp()
}

/// Solves ln τ(T) = ln τ_target for T [K] by bisection on [lo_k, hi_k], for a timescale τ(T)
/// that decreases monotonically with T (every thermally activated mechanism). `ln_tau` returns
/// ln τ [ln s]. Returns `None` if the target is not bracketed (τ(hi) > target or τ(lo) <
/// target). 200 halvings bring the bracket to machine precision.
pub fn temperature_for_timescale_k(
    ln_tau_target: f64,
    lo_k: f64,
    hi_k: f64,
    ln_tau: impl Fn(f64) -> f64,
) -> Option<f64> {
    let (mut lo, mut hi) = (lo_k, hi_k);
    let f = |t: f64| ln_tau(t) - ln_tau_target;
    let (flo, fhi) = (f(lo), f(hi));
    if !(flo >= 0.0 && fhi <= 0.0) {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_is_exact_per_segment_and_additive() {
        let h = TemperatureHistory::new(vec![
            Segment {
                temperature_k: 300.0,
                duration_s: 10.0,
            },
            Segment {
                temperature_k: 600.0,
                duration_s: 5.0,
            },
        ])
        .unwrap();
        let r = |t: f64| t; // r(T) = T
        assert_eq!(h.integrate(0.0, 15.0, r), 300.0 * 10.0 + 600.0 * 5.0);
        assert_eq!(h.integrate(5.0, 12.0, r), 300.0 * 5.0 + 600.0 * 2.0);
        let a = h.integrate(0.0, 7.0, r) + h.integrate(7.0, 15.0, r);
        assert!((a - h.integrate(0.0, 15.0, r)).abs() < 1e-9);
        // The last temperature is held beyond the end.
        assert_eq!(h.integrate(15.0, 17.0, r), 1200.0);
        assert_eq!(h.temperature_at_k(11.0), 600.0);
    }

    #[test]
    fn invalid_segments_are_rejected() {
        assert_eq!(
            TemperatureHistory::constant(0.0, 1.0),
            Err(HistoryError::NonPositiveTemperature(0))
        );
        assert_eq!(
            TemperatureHistory::constant(300.0, 0.0),
            Err(HistoryError::EmptySegment(0))
        );
        assert_eq!(
            TemperatureHistory::new(vec![]),
            Err(HistoryError::NoSegments)
        );
    }

    #[test]
    fn bisection_inverts_arrhenius() {
        let a = Arrhenius {
            prefactor: 1e13,
            activation_ev: 1.5,
        };
        // τ = 1/r; find T where τ = 1 h.
        let target = 3600f64.ln();
        let t = temperature_for_timescale_k(target, 1.0, 5000.0, |t| -a.ln_rate(t)).unwrap();
        assert!(((1.0 / a.rate(t)) / 3600.0 - 1.0).abs() < 1e-9);
        assert!(temperature_for_timescale_k(target, 1.0, 2.0, |t| -a.ln_rate(t)).is_none());
    }
}
