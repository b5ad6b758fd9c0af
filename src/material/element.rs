//! Chemical elements: symbol, atomic number and standard atomic weight.
//!
//! Masses are the IUPAC/CIAAW 2021 abridged standard atomic weights [amu]
//! (Prohaska et al., Pure Appl. Chem. 94 (2022) 573); where CIAAW gives an interval the
//! conventional value is used. Elements without a standard atomic weight (Tc, Pm, Po, At, Rn, Fr,
//! Ra, Ac) carry the mass number of a long-lived isotope, as periodic tables print in brackets
//! (Tc 98, Pm 145, Po 209, At 210, Rn 222, Fr 223, Ra 226, Ac 227). These are constants, not
//! material parameters, so they carry no provenance tag of their own.

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

/// The element table, Z = 1 … 92 in order (index = Z − 1).
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
    el("As", 33, 74.921_595),
    el("Se", 34, 78.971),
    el("Br", 35, 79.904),
    el("Kr", 36, 83.798),
    el("Rb", 37, 85.4678),
    el("Sr", 38, 87.62),
    el("Y", 39, 88.905_838),
    el("Zr", 40, 91.224),
    el("Nb", 41, 92.906_37),
    el("Mo", 42, 95.95),
    el("Tc", 43, 98.0),
    el("Ru", 44, 101.07),
    el("Rh", 45, 102.905_49),
    el("Pd", 46, 106.42),
    el("Ag", 47, 107.8682),
    el("Cd", 48, 112.414),
    el("In", 49, 114.818),
    el("Sn", 50, 118.710),
    el("Sb", 51, 121.760),
    el("Te", 52, 127.60),
    el("I", 53, 126.904_47),
    el("Xe", 54, 131.293),
    el("Cs", 55, 132.905_451_96),
    el("Ba", 56, 137.327),
    el("La", 57, 138.905_47),
    el("Ce", 58, 140.116),
    el("Pr", 59, 140.907_66),
    el("Nd", 60, 144.242),
    el("Pm", 61, 145.0),
    el("Sm", 62, 150.36),
    el("Eu", 63, 151.964),
    el("Gd", 64, 157.25),
    el("Tb", 65, 158.925_354),
    el("Dy", 66, 162.500),
    el("Ho", 67, 164.930_329),
    el("Er", 68, 167.259),
    el("Tm", 69, 168.934_219),
    el("Yb", 70, 173.045),
    el("Lu", 71, 174.9668),
    el("Hf", 72, 178.486),
    el("Ta", 73, 180.947_88),
    el("W", 74, 183.84),
    el("Re", 75, 186.207),
    el("Os", 76, 190.23),
    el("Ir", 77, 192.217),
    el("Pt", 78, 195.084),
    el("Au", 79, 196.966_570),
    el("Hg", 80, 200.592),
    el("Tl", 81, 204.38),
    el("Pb", 82, 207.2),
    el("Bi", 83, 208.980_40),
    el("Po", 84, 209.0),
    el("At", 85, 210.0),
    el("Rn", 86, 222.0),
    el("Fr", 87, 223.0),
    el("Ra", 88, 226.0),
    el("Ac", 89, 227.0),
    el("Th", 90, 232.0377),
    el("Pa", 91, 231.035_88),
    el("U", 92, 238.028_91),
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
    fn table_is_complete_to_uranium() {
        assert_eq!(ELEMENTS.len(), 92);
        for (i, e) in ELEMENTS.iter().enumerate() {
            assert_eq!(e.z as usize, i + 1, "{e:?}");
            assert_eq!(by_z(e.z), Some(*e));
            assert_eq!(by_symbol(e.symbol), Some(*e));
        }
        // Masses increase with Z except at the four known inversions Ar/K, Co/Ni, Te/I and
        // Th/Pa: a check against typos in the table.
        let inversions: Vec<&str> = ELEMENTS
            .windows(2)
            .filter(|p| p[1].mass_amu < p[0].mass_amu)
            .map(|p| p[1].symbol)
            .collect();
        assert_eq!(inversions, ["K", "Ni", "I", "Pa"]);
        assert!((by_symbol("U").unwrap().mass_amu - 238.028_91).abs() < 1e-9);
        assert!((by_symbol("O").unwrap().mass_amu - 15.999).abs() < 1e-9);
    }

    #[test]
    fn gallium_is_found() {
        let ga = by_symbol("Ga").unwrap();
        assert_eq!(ga.z, 31);
        assert_eq!(by_z(31), Some(ga));
        assert!(by_symbol("Xx").is_none());
    }
}
