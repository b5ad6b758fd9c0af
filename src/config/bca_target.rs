//! Targets for `millage bca`: a material name, an element symbol (elemental solid from
//! `sims/materials/elements/`), or a layered-target TOML file:
//!
//! ```toml
//! # 15 nm CrN on glass
//! [[layers]]
//! material = "CrN"
//! thickness_nm = 15.0
//! [[layers]]
//! material = "SiO2"      # last layer: semi-infinite, thickness_nm optional
//! ```

use std::path::Path;

use serde::Deserialize;

use super::MaterialLibrary;
use crate::bca::Target;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    material: String,
    #[serde(default)]
    thickness_nm: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    layers: Vec<RawLayer>,
}

/// Resolves the `--target` value: a path to a `.toml` layered-target file, or a material /
/// element name from the library.
pub fn resolve_target(lib: &MaterialLibrary, spec: &str) -> Result<Target> {
    if spec.ends_with(".toml") {
        let path = Path::new(spec);
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        return parse_layered(lib, &text, path);
    }
    let m = lib.load(spec, "--target", None)?;
    Ok(Target::from_material(&m))
}

/// Parses a layered-target file.
pub fn parse_layered(lib: &MaterialLibrary, text: &str, file: &Path) -> Result<Target> {
    let raw: RawTarget = super::from_toml_str(
        text,
        file,
        "expected [[layers]] tables with `material` and `thickness_nm`",
    )?;
    if raw.layers.is_empty() {
        return Err(Error::input(
            Some(file.to_path_buf()),
            "layers",
            None,
            "at least one layer is required",
            "add a [[layers]] table",
        ));
    }
    let mut mats = Vec::new();
    let n = raw.layers.len();
    for (i, l) in raw.layers.iter().enumerate() {
        let m = lib.load(&l.material, &format!("layers[{i}].material"), Some(file))?;
        let t = match (l.thickness_nm, i + 1 == n) {
            (Some(t), _) if !(t.is_finite() && t > 0.0) => {
                return Err(Error::input(
                    Some(file.to_path_buf()),
                    format!("layers[{i}].thickness_nm"),
                    None,
                    format!("must be > 0 nm (got {t})"),
                    "give the layer thickness in nm",
                ));
            }
            (Some(t), _) => t,
            (None, true) => f64::INFINITY,
            (None, false) => {
                return Err(Error::input(
                    Some(file.to_path_buf()),
                    format!("layers[{i}].thickness_nm"),
                    None,
                    "missing: every layer but the last needs a thickness",
                    "add `thickness_nm = …`",
                ));
            }
        };
        mats.push((m, t));
    }
    let refs: Vec<_> = mats.iter().map(|(m, t)| (m, *t)).collect();
    Ok(Target::layered(&refs))
}
