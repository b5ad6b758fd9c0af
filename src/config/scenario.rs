//! Scenario files: TOML text → validated, resolved [`Scenario`].
//!
//! Two stages, as ripgrep separates low-level from high-level arguments: the file is parsed
//! into a flat map of spanned values (every key checked against [`keys::KEYS`], unknown keys
//! rejected with a suggestion), then each value is typed, range-checked and converted to
//! internal units, materials are loaded and cross-key rules are checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};
use toml::de::{DeTable, DeValue};

use super::keys::{self, KeyDef, KeyDefault, KeyKind};
use super::{MaterialLibrary, suggest};
use crate::age::{
    AgingSettings, Mechanisms, Segment, SurfaceRule, SurfaceSolver, TemperatureHistory,
};
use crate::beam::{Beam, Scan, ScanOrder, SpotProfile};
use crate::error::{Error, Result};
use crate::grid::{FilmStack, Layer};
use crate::image::{Contrast, HeightSettings, SemSettings};
use crate::material::Material;
use crate::mill::IdealPit;
use crate::mill::fast::FastMillOptions;
use crate::qr::{EcLevel, MaskChoice, MilledModules, QrSymbol, SymbolGeometry, SymbolSpec};
use crate::units;

/// How the pattern is written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum MillModel {
    /// Geometric reference pits.
    Ideal(IdealPit),
    /// The beam mills the grid with binary-collision sputtering tables (fast mode).
    Bca(Box<BcaMill>),
    /// Every ion's full cascade runs through a voxelized field (direct reference mode).
    #[serde(rename = "bca-direct")]
    BcaDirect(Box<BcaMill>),
}

/// Settings of the fast Monte Carlo milling.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BcaMill {
    /// The beam and its scan.
    pub beam: Beam,
    /// Physics and numerics of the surface evolution.
    pub options: FastMillOptions,
    /// Ions per incidence angle in the BCA tables.
    pub table_ions_per_angle: u64,
    /// Incidence angles of the BCA tables [deg].
    pub table_angles_deg: Vec<f64>,
}

/// How the written specimen is read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Readout {
    /// Secondary-electron image.
    Sem(SemSettings),
    /// Height map.
    Height(HeightSettings),
}

impl Readout {
    /// Pixel size [nm].
    pub fn pixel_nm(&self) -> f64 {
        match self {
            Readout::Sem(s) => s.pixel_nm,
            Readout::Height(h) => h.pixel_nm,
        }
    }
}

/// A QR decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecoderKind {
    /// rxing (ZXing port) with reader-side preprocessing.
    Rxing,
    /// rqrr (quirc port).
    Rqrr,
}

/// A validated, resolved scenario in internal units.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it came from.
    pub file: PathBuf,
    /// The scenario's name.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// The QR symbol to write.
    pub symbol: SymbolSpec,
    /// Where and how large the modules are.
    pub geometry: SymbolGeometry,
    /// Film layers and substrate (indices into `materials`).
    pub stack: FilmStack,
    /// The materials the stack refers to.
    pub materials: Vec<Material>,
    /// Film-grid cell [nm].
    pub cell_nm: f64,
    /// The write.
    pub mill: MillModel,
    /// The read.
    pub readout: Readout,
    /// Decoders to run.
    pub decoders: Vec<DecoderKind>,
    /// The aging stage, if the scenario has an `[aging]` section.
    pub aging: Option<AgingSettings>,
    /// The lifetime stage, if the scenario has a `[lifetime]` section.
    pub lifetime: Option<crate::lifetime::LifetimeSettings>,
    /// Legal but unwise settings, each with the reason.
    pub warnings: Vec<String>,
    /// Every key with its final value (given, default or derived), for the manifest.
    pub resolved: Json,
}

/// One value of the file with where it stands.
struct Entry<'a> {
    value: DeValue<'a>,
    line: usize,
}

struct Parsed<'a> {
    file: PathBuf,
    /// Concrete path (`film.layers[0].material`) → entry.
    entries: BTreeMap<String, Entry<'a>>,
    /// Number of `[[film.layers]]` tables.
    layer_count: usize,
    /// Number of `[[aging.schedule]]` tables.
    schedule_count: usize,
    /// Whether an `[aging]` section (or any `aging.` key) is present.
    aging_present: bool,
    /// Whether a `[lifetime]` section (or any `lifetime.` key) is present.
    lifetime_present: bool,
    resolved: BTreeMap<String, Json>,
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text[..offset.min(text.len())].matches('\n').count()
}

/// The pattern form of a concrete path: indices become `[]`.
fn pattern_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for ch in path.chars() {
        match ch {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(ch),
        }
    }
    out
}

impl<'a> Parsed<'a> {
    fn err(
        &self,
        key: &str,
        line: Option<usize>,
        rule: impl Into<String>,
        hint: impl Into<String>,
    ) -> Error {
        Error::input(Some(self.file.clone()), key, line, rule, hint)
    }

    fn flatten(&mut self, text: &str, prefix: &str, table: &DeTable<'a>) -> Result<()> {
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            let line = line_of(text, key.span().start);
            if path == "aging" || path.starts_with("aging.") {
                self.aging_present = true;
            }
            if path == "lifetime" || path.starts_with("lifetime.") {
                self.lifetime_present = true;
            }
            match value.get_ref() {
                DeValue::Table(sub) => {
                    self.check_section(&path, line)?;
                    self.flatten(text, &path, sub)?;
                }
                DeValue::Array(items) if items.iter().any(|v| v.get_ref().is_table()) => {
                    self.check_section(&format!("{path}[]"), line)?;
                    for (i, item) in items.iter().enumerate() {
                        let DeValue::Table(sub) = item.get_ref() else {
                            return Err(self.err(
                                &path,
                                Some(line),
                                "mixes tables and values",
                                "write each element as a [[table]]",
                            ));
                        };
                        if path == "film.layers" {
                            self.layer_count = self.layer_count.max(i + 1);
                        }
                        if path == "aging.schedule" {
                            self.schedule_count = self.schedule_count.max(i + 1);
                        }
                        self.flatten(text, &format!("{path}[{i}]"), sub)?;
                    }
                }
                other => {
                    let pattern = pattern_of(&path);
                    if keys::lookup(&pattern).is_none() {
                        return Err(self.unknown_key(&path, &pattern, line));
                    }
                    self.entries.insert(
                        path,
                        Entry {
                            value: other.clone(),
                            line,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// A table header must be a known section.
    fn check_section(&self, path: &str, line: usize) -> Result<()> {
        let pattern = pattern_of(path);
        let known = keys::KEYS
            .iter()
            .any(|k| k.path.starts_with(&format!("{pattern}.")));
        if known {
            return Ok(());
        }
        let candidates: Vec<String> = keys::KEYS
            .iter()
            .filter_map(|k| k.path.rsplit_once('.').map(|(s, _)| s.to_string()))
            .collect();
        let suggestion = suggest(&pattern, candidates.iter().map(String::as_str));
        Err(self.err(
            path,
            Some(line),
            "unknown section",
            match suggestion {
                Some(s) => format!(
                    "did you mean [{}]? Sections: {}",
                    s.replace("[]", ""),
                    keys::sections().join(", ")
                ),
                None => format!(
                    "sections: {} (see `millage explain`)",
                    keys::sections().join(", ")
                ),
            },
        ))
    }

    fn unknown_key(&self, path: &str, pattern: &str, line: usize) -> Error {
        let (section, _) = pattern.rsplit_once('.').unwrap_or(("", pattern));
        let same_section: Vec<&str> = keys::KEYS
            .iter()
            .filter(|k| k.path.rsplit_once('.').map(|(s, _)| s) == Some(section))
            .map(|k| k.path)
            .collect();
        let all: Vec<&str> = keys::KEYS.iter().map(|k| k.path).collect();
        let suggestion = suggest(pattern, same_section.iter().copied())
            .or_else(|| suggest(pattern, all.iter().copied()));
        let hint = match suggestion {
            Some(s) => format!(
                "did you mean `{}`? (`millage explain` lists every key)",
                s.rsplit('.').next().unwrap_or(s)
            ),
            None if !same_section.is_empty() => format!(
                "keys of [{section}]: {}",
                same_section
                    .iter()
                    .map(|p| p.rsplit('.').next().unwrap_or(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "`millage explain` lists every key".into(),
        };
        self.err(path, Some(line), "unknown key", hint)
    }

    fn def(path: &str) -> &'static KeyDef {
        keys::lookup(&pattern_of(path))
            .unwrap_or_else(|| panic!("key {path} missing from keys::KEYS"))
    }

    fn line(&self, path: &str) -> Option<usize> {
        self.entries.get(path).map(|e| e.line)
    }

    fn type_error(&self, path: &str, def: &KeyDef, got: &DeValue<'_>) -> Error {
        self.err(
            path,
            self.line(path),
            format!("expected {}, got a {}", def.kind.describe(), got.type_str()),
            format!(
                "write e.g. `{} = {}`",
                path.rsplit('.').next().unwrap_or(path),
                example(def)
            ),
        )
    }

    fn missing(&self, path: &str, def: &KeyDef) -> Error {
        self.err(
            path,
            None,
            "missing required key",
            format!(
                "add `{} = {}` ({}{})",
                path.rsplit('.').next().unwrap_or(path),
                example(def),
                def.doc,
                if def.unit.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", def.unit)
                }
            ),
        )
    }

    fn float(&mut self, path: &str) -> Result<Option<f64>> {
        let def = Self::def(path);
        let KeyKind::Float {
            min,
            max,
            min_exclusive,
        } = def.kind
        else {
            unreachable!("{path} is not a float key")
        };
        let value = match self.entries.get(path) {
            Some(e) => match &e.value {
                DeValue::Float(f) => parse_float(f.as_str()),
                DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .ok()
                    .map(|v| v as f64),
                other => return Err(self.type_error(path, def, other)),
            }
            .ok_or_else(|| self.err(path, self.line(path), "not a number", ""))?,
            None => match def.default {
                KeyDefault::Required => return Err(self.missing(path, def)),
                KeyDefault::Value(v) => v.parse().expect("defaults in keys::KEYS parse"),
                KeyDefault::Auto(_) => return Ok(None),
            },
        };
        let below = if min_exclusive {
            value <= min
        } else {
            value < min
        };
        if !value.is_finite() || below || value > max {
            return Err(self.err(
                path,
                self.line(path),
                format!(
                    "{value} is out of range: allowed {}{}",
                    def.kind.describe(),
                    unit_suffix(def)
                ),
                range_hint(def),
            ));
        }
        self.resolved.insert(path.to_string(), json!(value));
        Ok(Some(value))
    }

    fn float_or(&mut self, path: &str, auto: f64) -> Result<f64> {
        let v = self.float(path)?;
        let v = v.unwrap_or(auto);
        self.resolved.insert(path.to_string(), json!(v));
        Ok(v)
    }

    fn int(&mut self, path: &str) -> Result<i64> {
        let def = Self::def(path);
        let KeyKind::Int { min, max } = def.kind else {
            unreachable!("{path} is not an integer key")
        };
        let value = match self.entries.get(path) {
            Some(e) => match &e.value {
                DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .map_err(|_| self.err(path, self.line(path), "integer out of range", ""))?,
                other => return Err(self.type_error(path, def, other)),
            },
            None => match def.default {
                KeyDefault::Required => return Err(self.missing(path, def)),
                KeyDefault::Value(v) => v.parse().expect("defaults in keys::KEYS parse"),
                KeyDefault::Auto(_) => unreachable!("integer keys have no auto default"),
            },
        };
        if value < min || value > max {
            return Err(self.err(
                path,
                self.line(path),
                format!("{value} is out of range: allowed {}", def.kind.describe()),
                range_hint(def),
            ));
        }
        self.resolved.insert(path.to_string(), json!(value));
        Ok(value)
    }

    fn text(&mut self, path: &str) -> Result<Option<String>> {
        let def = Self::def(path);
        let value = match self.entries.get(path) {
            Some(e) => match &e.value {
                DeValue::String(s) => s.to_string(),
                other => return Err(self.type_error(path, def, other)),
            },
            None => match def.default {
                KeyDefault::Required => return Err(self.missing(path, def)),
                KeyDefault::Value(v) => v.to_string(),
                KeyDefault::Auto(_) => return Ok(None),
            },
        };
        self.resolved.insert(path.to_string(), json!(value));
        Ok(Some(value))
    }

    fn choice(&mut self, path: &str) -> Result<&'static str> {
        let def = Self::def(path);
        let KeyKind::Choice(options) = def.kind else {
            unreachable!("{path} is not a choice key")
        };
        let given = self.text(path)?.expect("choice keys have a value default");
        match options.iter().find(|o| **o == given) {
            Some(o) => Ok(o),
            None => {
                let hint = match suggest(&given, options.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!("use one of {}", options.join(", ")),
                };
                Err(self.err(
                    path,
                    self.line(path),
                    format!("\"{given}\" is not one of {}", options.join(" | ")),
                    hint,
                ))
            }
        }
    }

    fn boolean(&mut self, path: &str) -> Result<bool> {
        let def = Self::def(path);
        let value = match self.entries.get(path).map(|e| &e.value) {
            Some(DeValue::Boolean(b)) => *b,
            Some(other) => return Err(self.type_error(path, def, other)),
            None => match def.default {
                KeyDefault::Value(v) => v == "true",
                _ => return Err(self.missing(path, def)),
            },
        };
        self.resolved.insert(path.to_string(), json!(value));
        Ok(value)
    }

    fn mask(&mut self, path: &str) -> Result<MaskChoice> {
        let def = Self::def(path);
        let choice = match self.entries.get(path).map(|e| &e.value) {
            None => MaskChoice::Auto,
            Some(DeValue::String(s)) if s.as_ref() == "auto" => MaskChoice::Auto,
            Some(DeValue::Integer(i)) => match i.as_str().parse::<u8>() {
                Ok(m) if m <= 7 => MaskChoice::Pattern(m),
                _ => {
                    return Err(self.err(
                        path,
                        self.line(path),
                        format!("{} is not a mask pattern", i.as_str()),
                        "use \"auto\" or an integer 0–7",
                    ));
                }
            },
            Some(other) => return Err(self.type_error(path, def, other)),
        };
        self.resolved.insert(
            path.to_string(),
            match choice {
                MaskChoice::Auto => json!("auto"),
                MaskChoice::Pattern(m) => json!(m),
            },
        );
        Ok(choice)
    }

    fn choice_list(&mut self, path: &str) -> Result<Vec<&'static str>> {
        let def = Self::def(path);
        let KeyKind::ChoiceList(options) = def.kind else {
            unreachable!("{path} is not a list key")
        };
        let words: Vec<String> = match self.entries.get(path).map(|e| &e.value) {
            None => options.iter().map(|s| s.to_string()).collect(),
            Some(DeValue::Array(items)) => {
                let mut words = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => words.push(s.to_string()),
                        other => return Err(self.type_error(path, def, other)),
                    }
                }
                words
            }
            Some(other) => return Err(self.type_error(path, def, other)),
        };
        let mut out = Vec::new();
        for w in &words {
            match options.iter().find(|o| *o == w) {
                Some(o) if !out.contains(o) => out.push(*o),
                Some(_) => {}
                None => {
                    return Err(self.err(
                        path,
                        self.line(path),
                        format!("\"{w}\" is not one of {}", options.join(" | ")),
                        "list known decoders only",
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err(self.err(
                path,
                self.line(path),
                "the list is empty",
                format!("name at least one of {}", options.join(", ")),
            ));
        }
        self.resolved.insert(path.to_string(), json!(out));
        Ok(out)
    }
}

impl Parsed<'_> {
    fn float_list(&mut self, path: &str) -> Result<Option<Vec<f64>>> {
        let def = Self::def(path);
        let KeyKind::FloatList { min, max } = def.kind else {
            unreachable!("{path} is not a float-list key")
        };
        let items = match self.entries.get(path).map(|e| &e.value) {
            None => return Ok(None),
            Some(DeValue::Array(items)) => items.clone(),
            Some(other) => return Err(self.type_error(path, def, other)),
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let v = match item.get_ref() {
                DeValue::Float(f) => parse_float(f.as_str()),
                DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .ok()
                    .map(|v| v as f64),
                other => return Err(self.type_error(path, def, other)),
            }
            .ok_or_else(|| self.err(path, self.line(path), "not a number", ""))?;
            if !v.is_finite() || v < min || v > max {
                return Err(self.err(
                    path,
                    self.line(path),
                    format!(
                        "{v} is out of range: allowed {}{}",
                        def.kind.describe(),
                        unit_suffix(def)
                    ),
                    range_hint(def),
                ));
            }
            out.push(v);
        }
        self.resolved.insert(path.to_string(), json!(out));
        Ok(Some(out))
    }
}

fn parse_float(text: &str) -> Option<f64> {
    let t = text.replace('_', "");
    match t.as_str() {
        "nan" | "+nan" | "-nan" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse().ok(),
    }
}

fn unit_suffix(def: &KeyDef) -> String {
    if def.unit.is_empty() {
        String::new()
    } else {
        format!(" [{}]", def.unit)
    }
}

fn example(def: &KeyDef) -> String {
    match def.kind {
        KeyKind::Float { .. } => match def.default {
            KeyDefault::Value(v) => v.to_string(),
            _ => "1.0".into(),
        },
        KeyKind::Int { min, .. } => match def.default {
            KeyDefault::Value(v) => v.to_string(),
            _ => min.to_string(),
        },
        KeyKind::Text => "\"…\"".into(),
        KeyKind::Choice(c) => format!("\"{}\"", c[0]),
        KeyKind::Material => "\"CrN\"".into(),
        KeyKind::Mask => "\"auto\"".into(),
        KeyKind::ChoiceList(c) => format!("[\"{}\"]", c[0]),
        KeyKind::Bool => "true".into(),
        KeyKind::FloatList { .. } => "[0.0, 100.0, 1000.0]".into(),
    }
}

fn range_hint(def: &KeyDef) -> String {
    format!("{}{}; {}", def.kind.describe(), unit_suffix(def), def.doc)
}

/// Reads and resolves a scenario file. Materials are looked up in `library`.
pub fn load_scenario(file: &Path, library: &MaterialLibrary) -> Result<Scenario> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::input(
            Some(file.to_path_buf()),
            "",
            None,
            format!("cannot read scenario file: {e}"),
            "check the path; bundled scenarios are in sims/ (e.g. sims/record.toml)",
        )
    })?;
    parse_scenario(&text, file, library)
}

/// Resolves scenario text; `file` names it in messages and gives the default name.
pub fn parse_scenario(text: &str, file: &Path, library: &MaterialLibrary) -> Result<Scenario> {
    let table = DeTable::parse(text).map_err(|e| {
        Error::input(
            Some(file.to_path_buf()),
            "",
            e.span().map(|s| line_of(text, s.start)),
            format!("not valid TOML: {}", e.message()),
            "fix the syntax at that line (a truncated file, a missing quote or bracket?)",
        )
    })?;
    let mut p = Parsed {
        file: file.to_path_buf(),
        entries: BTreeMap::new(),
        layer_count: 0,
        schedule_count: 0,
        aging_present: false,
        lifetime_present: false,
        resolved: BTreeMap::new(),
    };
    p.flatten(text, "", table.get_ref())?;
    resolve(p, library)
}

fn resolve(mut p: Parsed<'_>, library: &MaterialLibrary) -> Result<Scenario> {
    let mut warnings = Vec::new();
    let stem = p
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let name = p.text("run.name")?.unwrap_or(stem);
    p.resolved.insert("run.name".into(), json!(name));
    let seed = p.int("run.seed")? as u64;

    // Pattern.
    let payload = p.text("pattern.payload")?.expect("required");
    let version = p.int("pattern.version")? as u8;
    let ec_level = match p.choice("pattern.ec_level")? {
        "L" => EcLevel::L,
        "M" => EcLevel::M,
        "Q" => EcLevel::Q,
        _ => EcLevel::H,
    };
    let mask = p.mask("pattern.mask")?;
    let symbol = SymbolSpec {
        payload,
        version,
        ec_level,
        mask,
    };
    if let Err(e) = QrSymbol::encode(&symbol) {
        return Err(p.err(
            "pattern.payload",
            p.line("pattern.payload"),
            e.to_string(),
            "shorten the payload, raise pattern.version or lower pattern.ec_level",
        ));
    }
    let module_pitch_nm = p.float("pattern.module_pitch_nm")?.expect("required");
    let quiet_zone_modules = p.int("pattern.quiet_zone_modules")? as usize;
    let milled = match p.choice("pattern.milled_modules")? {
        "dark" => MilledModules::Dark,
        _ => MilledModules::Light,
    };
    let geometry = SymbolGeometry {
        module_pitch_nm,
        quiet_zone_modules,
        milled,
    };

    // Film.
    let mut materials: Vec<Material> = Vec::new();
    let index_of = |p: &mut Parsed, path: &str, materials: &mut Vec<Material>| -> Result<usize> {
        let name = p.text(path)?.expect("required");
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
    };
    // No [[film.layers]] means a bare substrate (a pattern etched into it).
    let mut layers = Vec::new();
    for i in 0..p.layer_count {
        let material = index_of(
            &mut p,
            &format!("film.layers[{i}].material"),
            &mut materials,
        )?;
        let thickness_nm = p
            .float(&format!("film.layers[{i}].thickness_nm"))?
            .expect("required");
        layers.push(Layer {
            material,
            thickness_nm,
        });
    }
    let substrate = index_of(&mut p, "film.substrate", &mut materials)?;
    let stack = FilmStack { layers, substrate };

    // Grid.
    let cell_nm = p.float_or("grid.cell_nm", module_pitch_nm / 24.0)?;
    if cell_nm > module_pitch_nm / 8.0 {
        return Err(p.err("grid.cell_nm", p.line("grid.cell_nm"), format!("{cell_nm} nm cells cannot resolve {module_pitch_nm} nm modules (need ≤ pitch/8 = {:.3} nm)", module_pitch_nm / 8.0), "use a smaller cell or remove the key (auto: pitch/24)"));
    }
    let modules = 17 + 4 * version as usize;
    let field_nm = geometry.field_side_nm(modules);
    let cells_per_side = (field_nm / cell_nm).round() as usize;
    const MAX_CELLS: usize = 64_000_000;
    if cells_per_side * cells_per_side > MAX_CELLS {
        return Err(p.err(
            "grid.cell_nm",
            p.line("grid.cell_nm"),
            format!("{cells_per_side}² cells exceed the limit of {MAX_CELLS} (≈ 1.5 GB)"),
            "use a larger cell",
        ));
    }

    // Mill.
    let model = p.choice("mill.model")?;
    let pit = IdealPit {
        depth_nm: p.float("mill.depth_nm")?.expect("has default"),
        sidewall_angle_deg: p.float("mill.sidewall_angle_deg")?.expect("has default"),
        corner_radius_nm: p.float("mill.corner_radius_nm")?.expect("has default"),
    };
    let mill = if model == "ideal" {
        if pit.corner_radius_nm > module_pitch_nm / 2.0 {
            warnings.push(format!("mill.corner_radius_nm = {} nm exceeds half the module pitch ({:.1} nm): isolated pits become discs", pit.corner_radius_nm, module_pitch_nm / 2.0));
        }
        MillModel::Ideal(pit)
    } else {
        let ion_symbol = p.text("beam.ion")?.expect("has default");
        let Some(ion) = crate::material::element::by_symbol(&ion_symbol) else {
            return Err(p.err(
                "beam.ion",
                p.line("beam.ion"),
                format!("unknown element `{ion_symbol}`"),
                "write the ion's chemical symbol, e.g. \"Ga\", \"Ne\", \"Xe\"",
            ));
        };
        let spot_fwhm_nm = p.float("beam.spot_fwhm_nm")?.expect("has default");
        let spot = SpotProfile {
            core_fwhm_nm: spot_fwhm_nm,
            tail_weight: p.float("beam.tail_weight")?.expect("has default"),
            tail_fwhm_nm: p.float("beam.tail_fwhm_nm")?.expect("has default"),
        };
        let scan = Scan {
            dwell_pitch_nm: p.float_or("beam.dwell_pitch_nm", spot_fwhm_nm / 2.0)?,
            dwell_s: p.float("beam.dwell_us")?.expect("has default") * 1e-6,
            passes: p.int("beam.passes")? as u32,
            order: if p.choice("beam.scan_order")? == "raster" {
                ScanOrder::Raster
            } else {
                ScanOrder::Serpentine
            },
        };
        let beam = Beam {
            ion,
            energy_ev: units::kev_to_ev(p.float("beam.energy_kev")?.expect("has default")),
            current_a: units::picoamp_to_amp(p.float("beam.current_pa")?.expect("has default")),
            spot,
            scan,
        };
        if cell_nm > spot_fwhm_nm / 4.0 {
            return Err(p.err(
                "grid.cell_nm",
                p.line("grid.cell_nm"),
                format!("{cell_nm:.3} nm cells are larger than a quarter of the spot FWHM ({spot_fwhm_nm} nm / 4 = {:.3} nm): the beam profile would not be resolved", spot_fwhm_nm / 4.0),
                "set grid.cell_nm ≤ beam.spot_fwhm_nm / 4, or widen the spot",
            ));
        }
        let step = p.float("mill.table_angle_step_deg")?.expect("has default");
        let mut table_angles_deg: Vec<f64> = (0..)
            .map(|k| k as f64 * step)
            .take_while(|a| *a < 89.0)
            .collect();
        table_angles_deg.push(89.0);
        let settings = Box::new(BcaMill {
            beam,
            options: FastMillOptions {
                sticking: p.float("mill.sticking")?.expect("has default"),
                redeposition_samples: p.int("mill.redeposition_samples")? as usize,
                max_step_fraction: p.float("mill.max_step_fraction")?.expect("has default"),
                implant: p.boolean("mill.implant")?,
            },
            table_ions_per_angle: p.int("mill.table_ions_per_angle")? as u64,
            table_angles_deg,
        });
        if model == "bca" {
            MillModel::Bca(settings)
        } else {
            check_direct_domain(
                &p,
                &settings,
                &materials,
                (module_pitch_nm, modules, quiet_zone_modules),
                cell_nm,
            )?;
            MillModel::BcaDirect(settings)
        }
    };

    // Readout.
    let pixel_nm = p.float_or("readout.pixel_nm", module_pitch_nm / 8.0)?;
    let probe_fwhm_nm = p.float("readout.probe_fwhm_nm")?.expect("has default");
    let module_px = module_pitch_nm / pixel_nm;
    if module_px < 3.0 {
        warnings.push(format!(
            "readout.pixel_nm = {pixel_nm} nm gives {module_px:.2} px per module: below 3 px/module rqrr is unreliable and below 1.75 rxing fails (../shared/validation/decoders.md)"
        ));
    }
    if pixel_nm < cell_nm {
        warnings.push(format!("readout.pixel_nm = {pixel_nm} nm is finer than the grid cell ({cell_nm:.3} nm): the image interpolates between cells"));
    }
    let mode = p.choice("readout.mode")?;
    let sem = SemSettings {
        beam_energy_ev: units::kev_to_ev(p.float("readout.beam_energy_kev")?.expect("has default")),
        probe_current_a: units::picoamp_to_amp(
            p.float("readout.probe_current_pa")?.expect("has default"),
        ),
        dwell_s: p.float("readout.dwell_us")?.expect("has default") * 1e-6,
        pixel_nm,
        probe_fwhm_nm,
        detector_efficiency: p
            .float("readout.detector_efficiency")?
            .expect("has default"),
        tilt_exponent: p.float("readout.tilt_exponent")?.expect("has default"),
        edge_gain: p.float("readout.edge_gain")?.expect("has default"),
        bse_se_gain: p.float("readout.bse_se_gain")?.expect("has default"),
        film_weight_kappa: p.float("readout.film_weight_kappa")?.expect("has default"),
        bse_spread_fraction: p
            .float("readout.bse_spread_fraction")?
            .expect("has default"),
        contrast: if p.choice("readout.contrast")? == "reversed" {
            Contrast::Reversed
        } else {
            Contrast::Natural
        },
    };
    let height_noise_nm = p.float("readout.height_noise_nm")?.expect("has default");
    let readout = if mode == "sem" {
        let blur_module = probe_fwhm_nm / 2.355 / module_pitch_nm;
        if blur_module > 0.3 {
            warnings.push(format!("readout.probe_fwhm_nm = {probe_fwhm_nm} nm blurs by σ = {blur_module:.2} module: rqrr fails beyond ≈ 0.35, rxing beyond ≈ 0.5 (decoders.md)"));
        }
        Readout::Sem(sem)
    } else {
        Readout::Height(HeightSettings {
            pixel_nm,
            probe_fwhm_nm,
            height_noise_nm,
        })
    };
    let decoders = p
        .choice_list("decode.decoders")?
        .into_iter()
        .map(|d| {
            if d == "rxing" {
                DecoderKind::Rxing
            } else {
                DecoderKind::Rqrr
            }
        })
        .collect();

    let aging = if p.aging_present {
        Some(resolve_aging(&mut p, &stack, &materials)?)
    } else {
        None
    };

    let lifetime = if p.lifetime_present {
        Some(resolve_lifetime(
            &mut p,
            &stack,
            &materials,
            library,
            aging.as_ref(),
        )?)
    } else {
        None
    };

    let mut resolved = serde_json::Map::new();
    for (k, v) in std::mem::take(&mut p.resolved) {
        resolved.insert(k, v);
    }
    Ok(Scenario {
        file: p.file,
        name,
        seed,
        symbol,
        geometry,
        stack,
        materials,
        cell_nm,
        mill,
        readout,
        decoders,
        aging,
        lifetime,
        warnings,
        resolved: Json::Object(resolved),
    })
}

/// Refuses `mill.model = "bca-direct"` on fields it cannot mill in reasonable time and memory:
/// more than [`DIRECT_MAX_IONS`] ions (≈ 10 h on 2 cores) or more than
/// [`DIRECT_MAX_COUNTS`] voxel counts (8 bytes each: 1.6 GB; the initial grid, which then grows
/// downward by the milled depth, `mill::direct`). The ion count is estimated with
/// half of the symbol's modules milled (a QR symbol is about half dark). Either limit admits a
/// 3 × 3 block of record modules at the record dose and refuses any full QR symbol at the
/// record's pitch and dose.
fn check_direct_domain(
    p: &Parsed<'_>,
    settings: &BcaMill,
    materials: &[Material],
    (pitch_nm, modules, quiet): (f64, usize, usize),
    cell_nm: f64,
) -> Result<()> {
    use crate::mill::direct::{DIRECT_MAX_COUNTS, DIRECT_MAX_IONS, DirectMillOptions};
    let beam = &settings.beam;
    let ions = beam.dose_per_module_ions_per_nm2(pitch_nm)
        * pitch_nm
        * pitch_nm
        * (modules * modules) as f64
        / 2.0;
    if ions > DIRECT_MAX_IONS {
        return Err(p.err(
            "mill.model",
            p.line("mill.model"),
            format!(
                "bca-direct would follow ≈ {ions:.2e} ions ({modules} × {modules} modules, about half milled, at {:.0} ions/nm²); the direct reference mode takes at most {DIRECT_MAX_IONS:.0e} (≈ 10 h on 2 cores)",
                beam.dose_per_module_ions_per_nm2(pitch_nm)
            ),
            "use mill.model = \"bca\" (the fast mode) for whole symbols; the direct mode is for a few modules (scripts/validate_mill.sh)",
        ));
    }
    let o = DirectMillOptions::default();
    let field_cells = ((modules + 2 * quiet) as f64 * pitch_nm / cell_nm).powi(2);
    let mut elements: Vec<&str> = materials
        .iter()
        .flat_map(|m| m.constituents.iter().map(|c| c.element.symbol))
        .collect();
    elements.push(beam.ion.symbol);
    elements.sort_unstable();
    elements.dedup();
    let counts =
        field_cells * ((o.depth_nm + o.headroom_nm) / cell_nm).ceil() * elements.len() as f64;
    if counts > DIRECT_MAX_COUNTS {
        return Err(p.err(
            "mill.model",
            p.line("mill.model"),
            format!(
                "bca-direct needs {counts:.2e} voxel counts ({:.0}² columns of {cell_nm:.3} nm, {} elements); the limit is {DIRECT_MAX_COUNTS:.0e} (1.6 GB)",
                field_cells.sqrt(),
                elements.len()
            ),
            "use mill.model = \"bca\", a larger grid.cell_nm, or a smaller symbol",
        ));
    }
    let known = materials.iter().any(|m| {
        m.constituents
            .iter()
            .any(|c| c.element.symbol == beam.ion.symbol)
    });
    if !known && !matches!(beam.ion.symbol, "Ga" | "He" | "Ne" | "Ar" | "Kr" | "Xe") {
        return Err(p.err(
            "beam.ion",
            p.line("beam.ion"),
            format!(
                "bca-direct has no surface-binding energy for implanted {}",
                beam.ion.symbol
            ),
            "use Ga or a noble gas, or mill.model = \"bca\"",
        ));
    }
    Ok(())
}

/// The `[aging]` section → validated [`AgingSettings`] (internal units: K, s).
fn resolve_aging(
    p: &mut Parsed<'_>,
    stack: &FilmStack,
    materials: &[Material],
) -> Result<AgingSettings> {
    use crate::age::history::HistoryError;
    let year = units::SECONDS_PER_YEAR;
    let constant_c = p.float("aging.temperature_c")?;
    let repeat = p.int("aging.repeat")? as usize;
    let horizon_given = p.float("aging.horizon_yr")?;
    let segments: Vec<Segment> = match (constant_c, p.schedule_count) {
        (Some(_), n) if n > 0 => {
            return Err(p.err(
                "aging.temperature_c",
                p.line("aging.temperature_c"),
                "both a constant temperature_c and [[aging.schedule]] segments are given",
                "keep one: temperature_c for constant storage, or the schedule",
            ));
        }
        (None, 0) => {
            return Err(p.err(
                "aging",
                None,
                "no temperature history",
                "add `temperature_c = 25.0` and `horizon_yr = 1000.0`, or [[aging.schedule]] segments with temperature_c and duration_yr",
            ));
        }
        (Some(t_c), _) => {
            let Some(h) = horizon_given else {
                return Err(p.err(
                    "aging.horizon_yr",
                    None,
                    "missing: a constant temperature needs a horizon",
                    "add `horizon_yr = 1000.0`",
                ));
            };
            vec![Segment {
                temperature_k: units::celsius_to_kelvin(t_c),
                duration_s: h * year,
            }]
        }
        (None, n) => {
            let mut segs = Vec::with_capacity(n);
            let mut end_yr: f64 = 0.0;
            for i in 0..n {
                let key = |k: &str| format!("aging.schedule[{i}].{k}");
                let t_c = p.float(&key("temperature_c"))?.expect("required");
                let yr = p.float(&key("duration_yr"))?;
                let h = p.float(&key("duration_h"))?;
                let duration_yr = match (yr, h) {
                    (Some(y), None) => y,
                    (None, Some(h)) => h * 3600.0 / year,
                    (Some(_), Some(_)) => {
                        return Err(p.err(
                            &key("duration_h"),
                            p.line(&key("duration_h")),
                            "both duration_yr and duration_h are given",
                            "give the segment's duration once",
                        ));
                    }
                    (None, None) => {
                        return Err(p.err(
                            &key("duration_yr"),
                            None,
                            "empty schedule segment: no duration",
                            "add `duration_yr = …` or `duration_h = …` (> 0)",
                        ));
                    }
                };
                if let Some(start) = p.float(&key("start_yr"))? {
                    let tol = 1e-9 * end_yr.max(1.0);
                    if start < end_yr - tol {
                        return Err(p.err(
                            &key("start_yr"),
                            p.line(&key("start_yr")),
                            format!(
                                "segment {i} starts at {start} yr, inside segment {} which ends at {end_yr} yr: segments overlap",
                                i.saturating_sub(1)
                            ),
                            "segments follow one another; start each where the previous one ends",
                        ));
                    }
                    if start > end_yr + tol {
                        return Err(p.err(
                            &key("start_yr"),
                            p.line(&key("start_yr")),
                            format!(
                                "segment {i} starts at {start} yr but the previous one ends at {end_yr} yr: the schedule has a gap"
                            ),
                            "fill the gap with a segment at the storage temperature",
                        ));
                    }
                }
                end_yr += duration_yr;
                segs.push(Segment {
                    temperature_k: units::celsius_to_kelvin(t_c),
                    duration_s: duration_yr * year,
                });
            }
            segs
        }
    };
    let history = TemperatureHistory::repeated(&segments, repeat).map_err(|e| {
        let (key, rule) = match e {
            HistoryError::NonPositiveTemperature(_) => {
                ("aging.temperature_c", "temperature must be above 0 K")
            }
            HistoryError::EmptySegment(_) => ("aging.schedule", "empty segment (duration ≤ 0)"),
            HistoryError::NoSegments => ("aging.schedule", "no segments"),
        };
        p.err(
            key,
            None,
            rule,
            "see `millage explain` for the [aging] keys",
        )
    })?;
    let total_s = history.duration_s();
    let horizon_s = match horizon_given {
        Some(h) if h * year > total_s * (1.0 + 1e-12) => {
            return Err(p.err(
                "aging.horizon_yr",
                p.line("aging.horizon_yr"),
                format!(
                    "horizon {h} yr is beyond the end of the schedule ({} yr)",
                    total_s / year
                ),
                "extend the schedule, raise repeat, or lower horizon_yr",
            ));
        }
        Some(h) => h * year,
        None => total_s,
    };
    p.resolved
        .insert("aging.horizon_yr".into(), json!(horizon_s / year));
    let snapshots_s = match p.float_list("aging.snapshots_yr")? {
        Some(list) => {
            if list.is_empty() {
                return Err(p.err(
                    "aging.snapshots_yr",
                    p.line("aging.snapshots_yr"),
                    "the list is empty",
                    "list at least one time, e.g. [0.0, 1000.0]",
                ));
            }
            let mut v: Vec<f64> = list.iter().map(|y| y * year).collect();
            if let Some(bad) = v.iter().find(|t| **t > horizon_s * (1.0 + 1e-12)) {
                return Err(p.err(
                    "aging.snapshots_yr",
                    p.line("aging.snapshots_yr"),
                    format!(
                        "snapshot at {} yr is beyond the horizon ({} yr)",
                        bad / year,
                        horizon_s / year
                    ),
                    "list times within [0, horizon_yr]",
                ));
            }
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        }
        None => {
            let v: Vec<f64> = [0.0, 1e-3, 1e-2, 1e-1, 1.0]
                .iter()
                .map(|f| f * horizon_s)
                .collect();
            p.resolved.insert(
                "aging.snapshots_yr".into(),
                json!(v.iter().map(|t| t / year).collect::<Vec<_>>()),
            );
            v
        }
    };
    let mechanisms = Mechanisms {
        surface_diffusion: p.boolean("aging.surface_diffusion")?,
        oxidation: p.boolean("aging.oxidation")?,
        bulk_diffusion: p.boolean("aging.bulk_diffusion")?,
    };
    let solver = if p.choice("aging.solver")? == "nonlinear" {
        SurfaceSolver::Nonlinear
    } else {
        SurfaceSolver::Linear
    };
    let surface_rule = if p.choice("aging.surface_rule")? == "slowest" {
        SurfaceRule::Slowest
    } else {
        SurfaceRule::AreaWeighted
    };
    let splitting_steps = p.int("aging.splitting_steps")? as usize;
    let native_oxide = p.boolean("aging.native_oxide")?;
    let tolerance_nm = p
        .float("aging.nonlinear_tolerance_nm")?
        .expect("has default");
    let mut in_stack: Vec<&Material> = stack
        .layers
        .iter()
        .map(|l| &materials[l.material])
        .collect();
    in_stack.push(&materials[stack.substrate]);
    if let Some(miss) = crate::age::missing_parameter(&in_stack, &mechanisms) {
        use crate::age::{KineticTable, Mechanism};
        let switch = match miss.mechanism {
            Mechanism::SurfaceDiffusion => "surface_diffusion",
            Mechanism::Oxidation => "oxidation",
        };
        let parameter = match miss.table {
            KineticTable::Surface => {
                "[surface] (surface_energy_j_m2, formula_volume_nm3, diffusion_d0_cm2_per_s, diffusion_ea_ev)"
            }
            KineticTable::Oxidation => {
                "[oxidation] (law and its rate constants, pilling_bedworth_ratio)"
            }
        };
        return Err(p.err(
            &format!("aging.{switch}"),
            p.line(&format!("aging.{switch}")),
            format!(
                "material {} has no kinetic parameters for {}: missing {parameter}",
                miss.material,
                switch.replace('_', " "),
            ),
            format!(
                "add {parameter} to the material file of {}, or set `{switch} = false`",
                miss.material
            ),
        ));
    }
    Ok(AgingSettings {
        history,
        horizon_s,
        snapshots_s,
        mechanisms,
        solver,
        surface_rule,
        splitting_steps,
        nonlinear: crate::age::NonlinearSettings {
            tolerance_nm,
            ..Default::default()
        },
        native_oxide,
    })
}

/// A float-list key with a `Value("[a, b, …]")` default: the given list, else the default.
fn float_list_or_default(p: &mut Parsed<'_>, path: &str) -> Result<Vec<f64>> {
    if let Some(v) = p.float_list(path)? {
        if v.is_empty() {
            return Err(p.err(
                path,
                p.line(path),
                "the list is empty",
                "list at least one value (see `millage explain`)",
            ));
        }
        return Ok(v);
    }
    let KeyDefault::Value(text) = Parsed::def(path).default else {
        unreachable!("{path} has a list default")
    };
    let v: Vec<f64> = text
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|x| x.trim().parse().expect("defaults in keys::KEYS parse"))
        .collect();
    p.resolved.insert(path.to_string(), json!(v));
    Ok(v)
}

/// The `[lifetime]` section → validated [`crate::lifetime::LifetimeSettings`] (K, s). Needs
/// `[surface]` data of every stack material (the search runs in the surface-diffusion
/// equivalent time); loads every library material with `[surface]` data for the frontier.
fn resolve_lifetime(
    p: &mut Parsed<'_>,
    stack: &FilmStack,
    materials: &[Material],
    library: &MaterialLibrary,
    aging: Option<&AgingSettings>,
) -> Result<crate::lifetime::LifetimeSettings> {
    use crate::lifetime::{Criterion, LifetimeSettings, ProbeAgingModel};
    let year = units::SECONDS_PER_YEAR;
    let mut temps_c = float_list_or_default(p, "lifetime.temperatures_c")?;
    temps_c.sort_by(f64::total_cmp);
    temps_c.dedup();
    let horizon_yr = p.float("lifetime.horizon_yr")?.expect("has default");
    let target_yr = p.float("lifetime.target_yr")?.expect("has default");
    let use_c = p.float("lifetime.use_temperature_c")?.expect("has default");
    let test_h = p.float("lifetime.test_duration_h")?.expect("has default");
    let realizations = p.int("lifetime.realizations")? as usize;
    let uq_samples = p.int("lifetime.uq_samples")? as usize;
    let criteria = p
        .choice_list("lifetime.criteria")?
        .into_iter()
        .map(|c| {
            if c == "decoder" {
                Criterion::DecoderFailure
            } else {
                Criterion::InformationFailure
            }
        })
        .collect();
    let mut pitches = float_list_or_default(p, "lifetime.frontier_pitches_nm")?;
    pitches.sort_by(f64::total_cmp);
    pitches.dedup();
    let curve_points = p.int("lifetime.curve_points")? as usize;
    let rel_tolerance = p.float("lifetime.tolerance")?.expect("has default");
    let max_probes = p.int("lifetime.max_probes")? as usize;
    let mut in_stack: Vec<&Material> = stack
        .layers
        .iter()
        .map(|l| &materials[l.material])
        .collect();
    in_stack.push(&materials[stack.substrate]);
    if let Some(m) = in_stack.iter().find(|m| m.surface.is_none()) {
        return Err(p.err(
            "lifetime",
            None,
            format!(
                "material {} has no [surface] kinetics: the lifetime search runs in the surface-diffusion equivalent time",
                m.name
            ),
            format!(
                "add [surface] (surface_energy_j_m2, formula_volume_nm3, diffusion_d0_cm2_per_s, diffusion_ea_ev) to the material file of {}, or remove [lifetime]",
                m.name
            ),
        ));
    }
    let mut frontier_materials = Vec::new();
    for name in library.names() {
        let m = library.load(&name, "lifetime.frontier_pitches_nm", Some(&p.file))?;
        if m.surface.is_some() {
            frontier_materials.push(m);
        }
    }
    Ok(LifetimeSettings {
        temperatures_k: temps_c
            .iter()
            .map(|c| units::celsius_to_kelvin(*c))
            .collect(),
        horizon_s: horizon_yr * year,
        target_s: target_yr * year,
        use_temperature_k: units::celsius_to_kelvin(use_c),
        test_duration_s: test_h * 3600.0,
        realizations,
        uq_samples,
        criteria,
        frontier_pitches_nm: pitches,
        curve_points,
        rel_tolerance,
        max_probes,
        frontier_materials,
        aging_model: match aging {
            Some(a) => ProbeAgingModel {
                mechanisms: a.mechanisms,
                native_oxide: a.native_oxide,
                splitting_steps: a.splitting_steps,
                from_aging_section: true,
            },
            // Without [aging], the probes age with the model an [aging] section gets by default
            // (every mechanism on, native oxide, 8 sub-steps: the key table's defaults), so the
            // lifetime is about the same aging a user gets by asking for it.
            None => ProbeAgingModel {
                mechanisms: Mechanisms {
                    surface_diffusion: key_default_bool("aging.surface_diffusion"),
                    oxidation: key_default_bool("aging.oxidation"),
                    bulk_diffusion: key_default_bool("aging.bulk_diffusion"),
                },
                native_oxide: key_default_bool("aging.native_oxide"),
                splitting_steps: match keys::lookup("aging.splitting_steps").map(|k| &k.default) {
                    Some(KeyDefault::Value(v)) => v.parse().expect("integer default"),
                    _ => 8,
                },
                from_aging_section: false,
            },
        },
    })
}

/// The default of a boolean key of the key table.
fn key_default_bool(path: &str) -> bool {
    matches!(
        keys::lookup(path).map(|k| &k.default),
        Some(KeyDefault::Value("true"))
    )
}
