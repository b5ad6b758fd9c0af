//! Chemical elements: symbol, atomic number and standard atomic weight.
//!
//! Masses are the IUPAC/CIAAW 2021 abridged standard atomic weights [amu]
//! (Prohaska et al., Pure Appl. Chem. 94 (2022) 573); where CIAAW gives an interval the
//! conventional value is used. These are constants, not material parameters, so they carry no
//! provenance tag of their own.

/// One chemical element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Element {
    /// Chemical symbol, e.g. `"Ga"`.
    pub symbol: &'static str,
    /// Atomic number Z.
    pub z: u8,
    /// Standard atomic weight [amu].
    pub mass_amu: f64,
}

const fn el(symbol: &'static str, z: u8, mass_amu: f64) -> Element {
    Element {
        symbol,
        z,
        mass_amu,
    }
}

/// The element table, ordered by Z.
pub const ELEMENTS: &[Element] = &[
    el("H", 1, 1.008),
    el("He", 2, 4.002_602),
    el("Li", 3, 6.94),
    el("Be", 4, 9.012_183_1),
    el("B", 5, 10.81),
    el("C", 6, 12.011),
    el("N", 7, 14.007),
    el("O", 8, 15.999),
    el("F", 9, 18.998_403_162),
    el("Ne", 10, 20.1797),
    el("Na", 11, 22.989_769_28),
    el("Mg", 12, 24.305),
    el("Al", 13, 26.981_538_4),
    el("Si", 14, 28.085),
    el("P", 15, 30.973_761_998),
    el("S", 16, 32.06),
    el("Cl", 17, 35.45),
    el("Ar", 18, 39.95),
    el("K", 19, 39.0983),
    el("Ca", 20, 40.078),
    el("Sc", 21, 44.955_907),
    el("Ti", 22, 47.867),
    el("V", 23, 50.9415),
    el("Cr", 24, 51.9961),
    el("Mn", 25, 54.938_043),
    el("Fe", 26, 55.845),
    el("Co", 27, 58.933_194),
    el("Ni", 28, 58.6934),
    el("Cu", 29, 63.546),
    el("Zn", 30, 65.38),
    el("Ga", 31, 69.723),
    el("Ge", 32, 72.630),
    el("Kr", 36, 83.798),
    el("Zr", 40, 91.224),
    el("Nb", 41, 92.906_37),
    el("Mo", 42, 95.95),
    el("Ag", 47, 107.8682),
    el("In", 49, 114.818),
    el("Xe", 54, 131.293),
    el("Hf", 72, 178.486),
    el("Ta", 73, 180.947_88),
    el("W", 74, 183.84),
    el("Pt", 78, 195.084),
    el("Au", 79, 196.966_570),
    el("Pb", 82, 207.2),
];

/// Looks an element up by its symbol (case-sensitive, as chemistry writes it).
pub fn by_symbol(symbol: &str) -> Option<Element> {
    ELEMENTS.iter().copied().find(|e| e.symbol == symbol)
}

/// Looks an element up by atomic number.
pub fn by_z(z: u8) -> Option<Element> {
    ELEMENTS.iter().copied().find(|e| e.z == z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_ordered_by_z_and_symbols_are_unique() {
        for pair in ELEMENTS.windows(2) {
            assert!(pair[0].z < pair[1].z, "{:?} before {:?}", pair[0], pair[1]);
        }
        let mut symbols: Vec<_> = ELEMENTS.iter().map(|e| e.symbol).collect();
        symbols.sort();
        symbols.dedup();
        assert_eq!(symbols.len(), ELEMENTS.len());
    }

    #[test]
    fn gallium_is_found() {
        let ga = by_symbol("Ga").unwrap();
        assert_eq!(ga.z, 31);
        assert_eq!(by_z(31), Some(ga));
        assert!(by_symbol("Xx").is_none());
    }
}
