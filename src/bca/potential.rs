//! Screened-Coulomb interatomic potentials V(r) = Z₁Z₂e²/r · φ(r/a).
//!
//! Each potential is a screening function φ(x) of the reduced distance x = r/a, written as a
//! sum of exponentials Σ cᵢ exp(−dᵢ x), together with the screening length a of the pair.
//! All lengths are in nm.

use crate::units::BOHR_RADIUS_NM;

/// Interatomic potential (screening function and its screening length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Potential {
    /// Ziegler–Biersack–Littmark universal potential with the universal screening length
    /// (ZBL 1985, "The Stopping and Range of Ions in Solids", ch. 2). The SRIM convention and
    /// the default.
    Zbl,
    /// Kr–C potential (Wilson, Haggmark & Biersack, Phys. Rev. B 15 (1977) 2458) with the
    /// Firsov screening length (Eckstein 1991, §4.2). The RustBCA/SDTrimSP default.
    KrC,
    /// Molière's approximation to the Thomas–Fermi potential (Z. Naturforsch. 2a (1947) 133)
    /// with the Firsov screening length.
    Moliere,
    /// Lenz–Jensen potential, three-exponential fit of Eckstein 1991 (Table 4.1) with the Firsov
    /// screening length.
    LenzJensen,
}

crate::choices!(Potential {
    Potential::Zbl => "zbl",
    Potential::KrC => "kr-c",
    Potential::Moliere => "moliere",
    Potential::LenzJensen => "lenz-jensen",
});

impl Potential {
    /// All potentials, for tests and option listings.
    pub const ALL: [Potential; 4] = [
        Potential::Zbl,
        Potential::KrC,
        Potential::Moliere,
        Potential::LenzJensen,
    ];

    /// One line for option listings (`millage bca --help`).
    pub fn summary(self) -> &'static str {
        match self {
            Potential::Zbl => "ZBL universal (SRIM convention)",
            Potential::KrC => "Kr–C",
            Potential::Moliere => "Molière",
            Potential::LenzJensen => "Lenz–Jensen",
        }
    }

    /// Coefficients (cᵢ, dᵢ) of φ(x) = Σ cᵢ exp(−dᵢ x).
    ///
    /// ZBL: ZBL 1985 eq. 2-74. Kr–C: Wilson et al. 1977. Molière: Molière 1947.
    /// Lenz–Jensen: Eckstein 1991 Table 4.1.
    pub fn coefficients(self) -> &'static [(f64, f64)] {
        match self {
            Potential::Zbl => &[
                (0.18175, 3.1998),
                (0.50986, 0.94229),
                (0.28022, 0.4029),
                (0.02817, 0.20162),
            ],
            Potential::KrC => &[
                (0.190945, 0.278544),
                (0.473674, 0.637174),
                (0.335381, 1.919249),
            ],
            Potential::Moliere => &[(0.35, 0.3), (0.55, 1.2), (0.10, 6.0)],
            Potential::LenzJensen => &[(0.01018, 0.206), (0.24330, 0.3876), (0.7466, 1.038)],
        }
    }

    /// Screening function φ(x) and its derivative dφ/dx at reduced distance x = r/a.
    #[inline]
    pub fn phi_dphi(self, x: f64) -> (f64, f64) {
        let mut phi = 0.0;
        let mut dphi = 0.0;
        for &(c, d) in self.coefficients() {
            let t = c * (-d * x).exp();
            phi += t;
            dphi -= d * t;
        }
        (phi, dphi)
    }

    /// Screening function φ(x).
    #[inline]
    pub fn phi(self, x: f64) -> f64 {
        self.coefficients()
            .iter()
            .map(|&(c, d)| c * (-d * x).exp())
            .sum()
    }

    /// Screening length a [nm] of the pair (Z₁, Z₂).
    ///
    /// ZBL universal: a_U = 0.88534 a₀ / (Z₁^0.23 + Z₂^0.23) (ZBL 1985 eq. 2-73).
    /// Firsov (Kr–C, Molière, Lenz–Jensen): a_F = 0.88534 a₀ (Z₁^½ + Z₂^½)^(−2/3)
    /// (Firsov 1957; Eckstein 1991 eq. 4.5).
    pub fn screening_length_nm(self, z1: f64, z2: f64) -> f64 {
        match self {
            Potential::Zbl => 0.88534 * BOHR_RADIUS_NM / (z1.powf(0.23) + z2.powf(0.23)),
            _ => 0.88534 * BOHR_RADIUS_NM * (z1.sqrt() + z2.sqrt()).powf(-2.0 / 3.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screening_functions_are_normalised_and_decreasing() {
        for p in Potential::ALL {
            let (phi0, _) = p.phi_dphi(0.0);
            assert!((phi0 - 1.0).abs() < 2e-4, "{p:?}: φ(0) = {phi0}");
            let mut last = phi0;
            for i in 1..200 {
                let x = i as f64 * 0.1;
                let (phi, dphi) = p.phi_dphi(x);
                assert!(phi < last && dphi < 0.0, "{p:?} at x = {x}");
                // derivative agrees with a central difference
                let h = 1e-6;
                let fd = (p.phi(x + h) - p.phi(x - h)) / (2.0 * h);
                assert!((fd - dphi).abs() < 1e-7, "{p:?} x={x}: {fd} vs {dphi}");
                last = phi;
            }
        }
    }

    #[test]
    fn universal_screening_length_for_si_si() {
        // a_U(Si, Si) = 0.88534 · 0.0529177 / (2 · 14^0.23) = 0.012767 nm.
        let a = Potential::Zbl.screening_length_nm(14.0, 14.0);
        assert!((a - 0.012_767).abs() < 2e-6, "{a}");
    }
}
