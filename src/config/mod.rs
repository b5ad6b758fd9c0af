//! Input files: scenarios (`sims/*.toml`) and the materials library (`sims/materials/`).
//!
//! Raw text → validated, resolved domain records with errors that name the file, the key, the
//! line, the rule and the fix. The only module that reads `sims/`.

pub mod bca_target;
pub mod calibration_file;
pub mod compare_file;
mod engine;
pub mod keys;
pub mod material_file;
pub mod scenario;
pub mod sweep_file;

#[cfg(test)]
mod material_library_checks;

pub use material_file::MaterialLibrary;
pub use scenario::{load_scenario, parse_scenario};

/// The materials library for a scenario file: `flag` (`--materials`), else `materials/`
/// beside the scenario file, else the bundled library.
pub fn library_for(scenario: &std::path::Path, flag: Option<&std::path::Path>) -> MaterialLibrary {
    if let Some(dir) = flag {
        return MaterialLibrary::new(dir);
    }
    match scenario.parent().map(|p| p.join("materials")) {
        Some(dir) if dir.is_dir() => MaterialLibrary::new(dir),
        _ => MaterialLibrary::bundled(),
    }
}

/// The closest candidate to `word` by Jaro–Winkler similarity, if it is close enough to be a
/// plausible typo (similarity ≥ 0.8).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Deserialises a TOML file's text into `T`; a syntax or schema error becomes an input error
/// naming the file and the line the parser points at, with `hint` on what the file should hold.
pub fn from_toml_str<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &std::path::Path,
    hint: &str,
) -> crate::error::Result<T> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| 1 + text[..s.start].matches('\n').count());
        crate::error::Error::input(
            Some(file.to_path_buf()),
            "",
            line,
            e.message().to_string(),
            hint,
        )
    })
}

/// A file of a base-scenario kind (sweep or compare) read together with its base scenario:
/// the raw record, the base file's path (relative to `file`) and its text. `kind` names the
/// file in messages ("sweep", "compare"); `examples` is where the bundled ones live.
pub(crate) fn load_with_base<T: serde::de::DeserializeOwned>(
    file: &std::path::Path,
    kind: &str,
    examples: &str,
    base_of: impl Fn(&T) -> &std::path::Path,
) -> crate::error::Result<(T, std::path::PathBuf, String)> {
    let err = |key: &str, rule: String, hint: String| {
        crate::error::Error::input(Some(file.to_path_buf()), key, None, rule, hint)
    };
    let text = std::fs::read_to_string(file).map_err(|e| {
        err(
            "",
            format!("cannot read {kind} file: {e}"),
            format!("check the path; examples are in {examples}"),
        )
    })?;
    let raw: T = from_toml_str(&text, file, &format!("see {examples} for the format"))?;
    let base_file = file
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join(base_of(&raw));
    let base_text = std::fs::read_to_string(&base_file).map_err(|e| {
        err(
            "base",
            format!("cannot read base scenario {}: {e}", base_file.display()),
            format!("give the base scenario's path relative to the {kind} file"),
        )
    })?;
    Ok((raw, base_file, base_text))
}
