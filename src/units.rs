//! Physical constants and unit conversions: the one internal unit system of millage.
//!
//! Internal units, used in every physics function and named in every field:
//!
//! | quantity      | unit | suffix    |
//! |---------------|------|-----------|
//! | length        | nm   | `_nm`     |
//! | energy        | eV   | `_ev`     |
//! | mass          | amu  | `_amu`    |
//! | time          | s    | `_s` (`_yr` only at the input/output boundary) |
//! | temperature   | K    | `_k`      |
//! | number density| nm⁻³ | `_per_nm3`|
//! | current       | A    | `_a` (`_pa` at the boundary) |
//!
//! Conversions from user units (keV, °C, years, pA, g/cm³) happen once, in `config`.
//! Constants are CODATA 2018 exact or recommended values.

/// Boltzmann constant k_B [eV/K] (CODATA 2018, exact).
pub const BOLTZMANN_EV_PER_K: f64 = 8.617_333_262e-5;
/// Elementary charge e [C] (CODATA 2018, exact).
pub const ELEMENTARY_CHARGE_C: f64 = 1.602_176_634e-19;
/// Avogadro constant N_A [1/mol] (CODATA 2018, exact).
pub const AVOGADRO_PER_MOL: f64 = 6.022_140_76e23;
/// Atomic mass constant m_u [kg] (CODATA 2018).
pub const AMU_KG: f64 = 1.660_539_066_60e-27;
/// Electron mass [amu] (CODATA 2018), for Lindhard–Scharff stopping.
pub const ELECTRON_MASS_AMU: f64 = 5.485_799_090_65e-4;
/// Bohr radius a₀ [nm] (CODATA 2018).
pub const BOHR_RADIUS_NM: f64 = 0.052_917_721_090_3;
/// e²/(4πε₀) [eV·nm]: the Coulomb coupling constant in internal units (CODATA 2018).
pub const COULOMB_EV_NM: f64 = 1.439_964_547_8;
/// Julian year [s]: the year used for every `_yr` quantity.
pub const SECONDS_PER_YEAR: f64 = 365.25 * 86_400.0;
/// 0 °C in kelvin.
pub const ZERO_CELSIUS_K: f64 = 273.15;
/// 1 J/m² in eV/nm² (surface energies): 1 J = 6.241 509 074 × 10¹⁸ eV (CODATA 2018 exact e),
/// 1 m² = 10¹⁸ nm².
pub const J_PER_M2_IN_EV_PER_NM2: f64 = 6.241_509_074;

/// keV → eV.
pub fn kev_to_ev(energy_kev: f64) -> f64 {
    energy_kev * 1.0e3
}

/// °C → K.
pub fn celsius_to_kelvin(temperature_c: f64) -> f64 {
    temperature_c + ZERO_CELSIUS_K
}

/// K → °C.
pub fn kelvin_to_celsius(temperature_k: f64) -> f64 {
    temperature_k - ZERO_CELSIUS_K
}

/// years → s.
pub fn years_to_seconds(time_yr: f64) -> f64 {
    time_yr * SECONDS_PER_YEAR
}

/// s → years.
pub fn seconds_to_years(time_s: f64) -> f64 {
    time_s / SECONDS_PER_YEAR
}

/// Mass density [g/cm³] and mean atomic mass [amu] → atomic number density [atoms/nm³].
///
/// n = ρ N_A / M; 1 cm³ = 10²¹ nm³.
pub fn number_density_per_nm3(density_g_cm3: f64, mean_atomic_mass_amu: f64) -> f64 {
    density_g_cm3 * AVOGADRO_PER_MOL / mean_atomic_mass_amu * 1.0e-21
}

/// pA → A.
pub fn picoamp_to_amp(current_pa: f64) -> f64 {
    current_pa * 1.0e-12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silicon_number_density_matches_handbook() {
        // Si: 2.329 g/cm³, 28.0855 amu → 4.994e22 atoms/cm³ = 49.94 nm⁻³ (CRC Handbook).
        let n = number_density_per_nm3(2.329, 28.0855);
        assert!((n - 49.94).abs() < 0.05, "n = {n}");
    }

    #[test]
    fn temperature_round_trip() {
        assert_eq!(kelvin_to_celsius(celsius_to_kelvin(25.0)), 25.0);
    }

    #[test]
    fn coulomb_constant_is_consistent_with_bohr_radius() {
        // e²/(4πε₀ a₀) = 2 Ry = 27.211386 eV (Hartree energy, CODATA 2018).
        let hartree = COULOMB_EV_NM / BOHR_RADIUS_NM;
        assert!((hartree - 27.211_386).abs() < 1e-5, "{hartree}");
    }
}
