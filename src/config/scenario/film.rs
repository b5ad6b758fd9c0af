//! `[film]`: the layer stack and its materials, loaded from the library.

use crate::config::MaterialLibrary;
use crate::config::engine::Parsed;
use crate::error::{Error, Result};
use crate::grid::{FilmStack, Layer};
use crate::material::Material;

/// The `[film]` section → the stack (indices into the returned materials, each loaded once).
/// No `[[film.layers]]` means a bare substrate (a pattern etched into it).
pub(super) fn resolve(
    p: &mut Parsed<'_>,
    library: &MaterialLibrary,
) -> Result<(FilmStack, Vec<Material>)> {
    let mut materials: Vec<Material> = Vec::new();
    let mut layers = Vec::new();
    for i in 0..p.layer_count {
        let material = index_of(
            p,
            library,
            &format!("film.layers[{i}].material"),
            &mut materials,
        )?;
        let thickness_nm = p.float(&format!("film.layers[{i}].thickness_nm"))?;
        layers.push(Layer {
            material,
            thickness_nm,
        });
    }
    let substrate = index_of(p, library, "film.substrate", &mut materials)?;
    Ok((FilmStack { layers, substrate }, materials))
}

/// The index of the material that `path` names, loading it on first mention (names compare
/// case-insensitively, as the library's file stems do).
fn index_of(
    p: &mut Parsed<'_>,
    library: &MaterialLibrary,
    path: &str,
    materials: &mut Vec<Material>,
) -> Result<usize> {
    let name = p.text(path)?;
    if let Some(i) = materials
        .iter()
        .position(|m| m.name.eq_ignore_ascii_case(&name))
    {
        return Ok(i);
    }
    let m = library
        .load(&name, path, Some(&p.file))
        .map_err(|e| match e {
            Error::Input(mut ie) => {
                ie.line = p.line(path);
                Error::Input(ie)
            }
            other => other,
        })?;
    materials.push(m);
    Ok(materials.len() - 1)
}
