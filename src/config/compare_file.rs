//! Compare files (`sims/compare/*.toml`): a base scenario and named variants, each a set of
//! scenario keys to change.
//!
//! ```toml
//! base = "../record_ideal.toml"
//! name = "materials"
//! [[variants]]
//! label = "TiN"
//! set = { "film.layers[0].material" = "TiN" }
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    label: String,
    #[serde(default)]
    set: toml::Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompare {
    base: PathBuf,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "default_seed")]
    seed: u64,
    variants: Vec<RawVariant>,
}

fn default_seed() -> u64 {
    1
}

/// One variant: a label and (dotted key, value) assignments.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Variant {
    /// Label in tables and charts.
    pub label: String,
    /// Scenario keys to set.
    pub assignments: Vec<(String, toml::Value)>,
}

/// A validated comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CompareSpec {
    /// The compare file.
    pub file: PathBuf,
    /// Name (default: the file stem).
    pub name: String,
    /// Base scenario file.
    pub base_file: PathBuf,
    /// Its text.
    #[serde(skip)]
    pub base_text: String,
    /// Master seed: every variant runs with the same seed (common random numbers).
    pub seed: u64,
    /// The variants.
    pub variants: Vec<Variant>,
}

/// Reads and validates a compare file.
pub fn load_compare(file: &Path) -> Result<CompareSpec> {
    let err = |key: &str, rule: String, hint: &str| {
        Error::input(Some(file.to_path_buf()), key, None, rule, hint)
    };
    let (raw, base_file, base_text) =
        super::load_with_base::<RawCompare>(file, "compare", "sims/compare/", |r| {
            r.base.as_path()
        })?;
    if raw.variants.is_empty() {
        return Err(err(
            "variants",
            "no variant given".into(),
            "add [[variants]] tables with label and set",
        ));
    }
    let mut variants: Vec<Variant> = Vec::new();
    for (i, v) in raw.variants.into_iter().enumerate() {
        if variants.iter().any(|x| x.label == v.label) {
            return Err(err(
                &format!("variants[{i}].label"),
                format!("label `{}` appears twice", v.label),
                "give every variant its own label",
            ));
        }
        let assignments = v.set.into_iter().collect();
        variants.push(Variant {
            label: v.label,
            assignments,
        });
    }
    let name = raw.name.unwrap_or_else(|| {
        file.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("compare")
            .to_string()
    });
    Ok(CompareSpec {
        file: file.to_path_buf(),
        name,
        base_file,
        base_text,
        seed: raw.seed,
        variants,
    })
}
