//! The focused ion beam: species, energy, current, spot profile and the scan over each milled
//! module. Dose per module and writing time follow from these.
//!
//! Spot: a double Gaussian, the usual description of a FIB probe with tails (Masteghin et al.,
//! Small Methods 2026, arXiv:2511.00320; ../shared/research/milling_imaging_qr.md §2.2):
//!
//!   j(r) = N [ (1 − w) G(r; σ₁) + w G(r; σ₂) ],  G(r; σ) = exp(−r²/2σ²) / (2πσ²),
//!
//! with σ = FWHM / (2√(2 ln 2)), w the tail weight and N the ions delivered.
//!
//! Scan: each milled module is covered by n × n dwell points at pitch p_module / n, n =
//! max(1, round(p_module / p_dwell)), visited row by row (raster) or boustrophedon
//! (serpentine), `passes` times; every dwell delivers I τ / e ions.

use crate::material::Element;
use crate::units::ELEMENTARY_CHARGE_C;

/// FWHM → σ of a Gaussian.
pub const FWHM_PER_SIGMA: f64 = 2.354_820_045_030_949_3;

/// Order in which the dwell points of a module are visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanOrder {
    /// Every row left to right.
    Raster,
    /// Rows alternate direction (boustrophedon).
    Serpentine,
}
crate::choices!(ScanOrder { ScanOrder::Raster => "raster", ScanOrder::Serpentine => "serpentine" });

/// The beam's current-density profile.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SpotProfile {
    /// Core FWHM [nm].
    pub core_fwhm_nm: f64,
    /// Fraction w of the ions in the wide tail, in [0, 1).
    pub tail_weight: f64,
    /// Tail FWHM [nm].
    pub tail_fwhm_nm: f64,
}

impl SpotProfile {
    /// Core σ₁ [nm].
    pub fn core_sigma_nm(&self) -> f64 {
        self.core_fwhm_nm / FWHM_PER_SIGMA
    }

    /// Tail σ₂ [nm].
    pub fn tail_sigma_nm(&self) -> f64 {
        self.tail_fwhm_nm / FWHM_PER_SIGMA
    }

    /// Areal density of one ion's arrival probability at distance r [1/nm²].
    pub fn density_per_nm2(&self, r_nm: f64) -> f64 {
        let g =
            |s: f64| (-r_nm * r_nm / (2.0 * s * s)).exp() / (2.0 * std::f64::consts::PI * s * s);
        let core = (1.0 - self.tail_weight) * g(self.core_sigma_nm());
        if self.tail_weight > 0.0 {
            core + self.tail_weight * g(self.tail_sigma_nm())
        } else {
            core
        }
    }
}

/// The scan strategy.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scan {
    /// Requested spacing of dwell points [nm].
    pub dwell_pitch_nm: f64,
    /// Dwell per point τ [s].
    pub dwell_s: f64,
    /// Passes over every milled module.
    pub passes: u32,
    /// Point order within a module.
    pub order: ScanOrder,
}

/// A focused ion beam and how it is scanned.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Beam {
    /// Ion species.
    #[serde(serialize_with = "ser_symbol")]
    pub ion: Element,
    /// Ion energy [eV].
    pub energy_ev: f64,
    /// Beam current I [A].
    pub current_a: f64,
    /// Spot profile.
    pub spot: SpotProfile,
    /// Scan strategy.
    pub scan: Scan,
}

fn ser_symbol<S: serde::Serializer>(e: &Element, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(e.symbol)
}

impl Beam {
    /// Ions per second, I / e.
    pub fn ions_per_s(&self) -> f64 {
        self.current_a / ELEMENTARY_CHARGE_C
    }

    /// Ions per dwell, I τ / e.
    pub fn ions_per_dwell(&self) -> f64 {
        self.ions_per_s() * self.scan.dwell_s
    }

    /// Dwell points per module side.
    pub fn points_per_side(&self, module_pitch_nm: f64) -> usize {
        ((module_pitch_nm / self.scan.dwell_pitch_nm).round() as usize).max(1)
    }

    /// Dwell-point offsets inside a module [nm] (origin at the module's corner), in visiting
    /// order.
    pub fn dwell_points(&self, module_pitch_nm: f64) -> Vec<(f64, f64)> {
        let n = self.points_per_side(module_pitch_nm);
        let step = module_pitch_nm / n as f64;
        let mut points = Vec::with_capacity(n * n);
        for row in 0..n {
            for k in 0..n {
                let col = if self.scan.order == ScanOrder::Serpentine && row % 2 == 1 {
                    n - 1 - k
                } else {
                    k
                };
                points.push(((col as f64 + 0.5) * step, (row as f64 + 0.5) * step));
            }
        }
        points
    }

    /// Mean dose over a milled module's area after all passes [ions/nm²].
    pub fn dose_per_module_ions_per_nm2(&self, module_pitch_nm: f64) -> f64 {
        let n = self.points_per_side(module_pitch_nm) as f64;
        self.ions_per_dwell() * n * n * f64::from(self.scan.passes)
            / (module_pitch_nm * module_pitch_nm)
    }

    /// Beam-on writing time for `milled_modules` modules [s] (blanking and settling excluded).
    pub fn write_time_s(&self, milled_modules: usize, module_pitch_nm: f64) -> f64 {
        let n = self.points_per_side(module_pitch_nm) as f64;
        milled_modules as f64 * n * n * self.scan.dwell_s * f64::from(self.scan.passes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material::element::by_symbol;

    fn beam(order: ScanOrder) -> Beam {
        Beam {
            ion: by_symbol("Ga").unwrap(),
            energy_ev: 30e3,
            current_a: 2e-12,
            spot: SpotProfile {
                core_fwhm_nm: 10.0,
                tail_weight: 0.01,
                tail_fwhm_nm: 100.0,
            },
            scan: Scan {
                dwell_pitch_nm: 5.0,
                dwell_s: 1e-6,
                passes: 100,
                order,
            },
        }
    }

    #[test]
    fn spot_integrates_to_one() {
        let b = beam(ScanOrder::Raster);
        // ∫ 2πr j(r) dr by the midpoint rule out to 10 tail σ.
        let (n, rmax) = (400_000, 10.0 * b.spot.tail_sigma_nm());
        let h = rmax / n as f64;
        let total: f64 = (0..n)
            .map(|i| {
                let r = (i as f64 + 0.5) * h;
                2.0 * std::f64::consts::PI * r * b.spot.density_per_nm2(r) * h
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        // FWHM of the core alone: j(FWHM/2) = j(0)/2.
        let core = SpotProfile {
            tail_weight: 0.0,
            ..b.spot
        };
        assert!((core.density_per_nm2(5.0) / core.density_per_nm2(0.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn dose_and_time_follow_from_current_dwell_and_passes() {
        let b = beam(ScanOrder::Raster);
        // 2 pA → 12.48 ions per µs dwell; 10 × 10 points × 100 passes over 50 × 50 nm².
        let ions = 2e-12 * 1e-6 / ELEMENTARY_CHARGE_C;
        assert!(
            (b.dose_per_module_ions_per_nm2(50.0) - ions * 100.0 * 100.0 / 2500.0).abs() < 1e-9
        );
        assert!((b.write_time_s(3, 50.0) - 3.0 * 100.0 * 1e-6 * 100.0).abs() < 1e-15);
    }

    #[test]
    fn serpentine_visits_the_same_points_in_another_order() {
        let mut raster = beam(ScanOrder::Raster).dwell_points(50.0);
        let mut serp = beam(ScanOrder::Serpentine).dwell_points(50.0);
        assert_ne!(raster, serp);
        assert_eq!(serp[10], (47.5, 7.5));
        raster.sort_by(|a, b| a.partial_cmp(b).unwrap());
        serp.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(raster, serp);
    }
}
