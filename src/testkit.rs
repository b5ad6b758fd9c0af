//! Fixtures shared by the in-module tests of the physics layers: bundled materials and small
//! specimens. Test-only (`#[cfg(test)]`); the one place physics tests reach the material
//! library, so the physics modules themselves never import `config`.

use crate::config::MaterialLibrary;
use crate::grid::{FilmGrid, FilmStack, Layer, Specimen};
use crate::material::Material;
use crate::material::element::by_symbol;

/// A material of the bundled library by name (panics if absent: a test fixture).
pub(crate) fn material(name: &str) -> Material {
    MaterialLibrary::bundled()
        .load(name, "test", None)
        .unwrap_or_else(|e| panic!("bundled material {name}: {e}"))
}

/// Chromium nitride, the reference film.
pub(crate) fn crn() -> Material {
    material("CrN")
}

/// Fused silica, the reference substrate.
pub(crate) fn glass() -> Material {
    material("SiO2")
}

/// A flat `cells` × `cells` specimen of 15 nm CrN on SiO2 with Ga as the implant species.
pub(crate) fn crn_on_glass(cells: usize, cell_nm: f64) -> Specimen {
    Specimen {
        grid: FilmGrid::new(cells, cells, cell_nm),
        stack: FilmStack {
            layers: vec![Layer {
                material: 0,
                thickness_nm: 15.0,
            }],
            substrate: 1,
        },
        materials: vec![crn(), glass()],
        implant_species: by_symbol("Ga").unwrap(),
        implant_depth_nm: 0.0,
    }
}
