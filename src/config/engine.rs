//! The key engine of scenario files: TOML text → a flat map of spanned values, and typed,
//! range-checked getters over it.
//!
//! Every key is checked against [`keys::KEYS`] while flattening (unknown keys and sections are
//! rejected with a suggestion); a getter converts one value to its type, applies the table's
//! default, checks the range and records the final value for the manifest's `resolved` echo.
//! It knows no section: the resolvers of [`super::scenario`] give the keys their meaning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};
use toml::de::{DeTable, DeValue};

use super::keys::{self, KeyDef, KeyDefault, KeyKind};
use super::suggest;
use crate::choice::Choice;
use crate::error::{Error, Result};
use crate::qr::MaskChoice;

/// One value of the file with where it stands.
struct Entry<'a> {
    value: DeValue<'a>,
    line: usize,
}

/// A scenario file flattened to its keys.
pub(crate) struct Parsed<'a> {
    /// The file, for messages.
    pub(crate) file: PathBuf,
    /// Concrete path (`film.layers[0].material`) → entry.
    entries: BTreeMap<String, Entry<'a>>,
    /// Number of `[[film.layers]]` tables.
    pub(crate) layer_count: usize,
    /// Number of `[[aging.schedule]]` tables.
    pub(crate) schedule_count: usize,
    /// Whether an `[aging]` section (or any `aging.` key) is present.
    pub(crate) aging_present: bool,
    /// Whether a `[lifetime]` section (or any `lifetime.` key) is present.
    pub(crate) lifetime_present: bool,
    /// Every key read so far with its final value (the manifest's `resolved` echo).
    pub(crate) resolved: BTreeMap<String, Json>,
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
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

/// The key's definition; every path a resolver asks for is in the table.
pub(crate) fn def(path: &str) -> &'static KeyDef {
    keys::lookup(&pattern_of(path)).unwrap_or_else(|| panic!("key {path} missing from keys::KEYS"))
}

/// The table default of a key that has a value default, as text.
fn default_text(path: &str) -> &'static str {
    match def(path).default {
        KeyDefault::Value(v) => v,
        _ => unreachable!("{path} has no value default"),
    }
}

/// The default of a boolean key of the key table.
pub(crate) fn default_bool(path: &str) -> bool {
    default_text(path) == "true"
}

/// The default of an integer key of the key table.
pub(crate) fn default_int(path: &str) -> i64 {
    default_text(path)
        .parse()
        .expect("defaults in keys::KEYS parse")
}

/// The default of a float key of the key table.
pub(crate) fn default_float(path: &str) -> f64 {
    default_text(path)
        .parse()
        .expect("defaults in keys::KEYS parse")
}

/// The default of a choice key of the key table.
pub(crate) fn default_choice<T: crate::choice::Choice>(path: &str) -> T {
    T::from_name(default_text(path)).expect("choice defaults in keys::KEYS are words of T")
}

impl<'a> Parsed<'a> {
    /// Parses `text` (from `file`) and flattens it, rejecting unknown keys and sections.
    pub(crate) fn parse(text: &'a str, file: &Path) -> Result<Parsed<'a>> {
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
        Ok(p)
    }

    /// An input error about `key` of this file.
    pub(crate) fn err(
        &self,
        key: &str,
        line: Option<usize>,
        rule: impl Into<String>,
        hint: impl Into<String>,
    ) -> Error {
        Error::input(Some(self.file.clone()), key, line, rule, hint)
    }

    /// An input error about `key`, at the key's line if the file gives it.
    pub(crate) fn err_at(
        &self,
        key: &str,
        rule: impl Into<String>,
        hint: impl Into<String>,
    ) -> Error {
        self.err(key, self.line(key), rule, hint)
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

    /// The line of `path` in the file, if the file gives it.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        self.entries.get(path).map(|e| e.line)
    }

    fn type_error(&self, path: &str, def: &KeyDef, got: &DeValue<'_>) -> Error {
        self.err_at(
            path,
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
                unit_suffix(def)
            ),
        )
    }

    /// Records the final value of `path` for the manifest.
    pub(crate) fn record(&mut self, path: &str, value: Json) {
        self.resolved.insert(path.to_string(), value);
    }

    /// A float key with a value default (or required): the given value, else the default.
    pub(crate) fn float(&mut self, path: &str) -> Result<f64> {
        let v = self.float_opt(path)?;
        Ok(v.unwrap_or_else(|| unreachable!("{path} has an auto default: use float_opt")))
    }

    /// A float key with an auto default: the given value, or `auto` (both recorded).
    pub(crate) fn float_or(&mut self, path: &str, auto: f64) -> Result<f64> {
        let v = self.float_opt(path)?.unwrap_or(auto);
        self.record(path, json!(v));
        Ok(v)
    }

    /// A float key: the given value, else its value default; `None` (not recorded) when an
    /// auto key is absent.
    pub(crate) fn float_opt(&mut self, path: &str) -> Result<Option<f64>> {
        let def = def(path);
        let value = match self.entries.get(path) {
            Some(e) => number(&e.value)
                .map_err(|other| self.type_error(path, def, other))?
                .ok_or_else(|| self.err_at(path, "not a number", ""))?,
            None => match def.default {
                KeyDefault::Required => return Err(self.missing(path, def)),
                KeyDefault::Value(v) => v.parse().expect("defaults in keys::KEYS parse"),
                KeyDefault::Auto(_) => return Ok(None),
            },
        };
        self.check_float(path, def, value)?;
        self.record(path, json!(value));
        Ok(Some(value))
    }

    fn check_float(&self, path: &str, def: &KeyDef, value: f64) -> Result<()> {
        let (below, above) = match def.kind {
            KeyKind::Float {
                min,
                max,
                min_exclusive,
            } => (
                if min_exclusive {
                    value <= min
                } else {
                    value < min
                },
                value > max,
            ),
            KeyKind::FloatList { min, max } => (value < min, value > max),
            _ => unreachable!("{path} is not a float key"),
        };
        if !value.is_finite() || below || above {
            return Err(self.err_at(
                path,
                format!(
                    "{value} is out of range: allowed {}{}",
                    def.kind.describe(),
                    unit_suffix(def)
                ),
                range_hint(def),
            ));
        }
        Ok(())
    }

    /// An integer key (integer keys always have a value default or are required).
    pub(crate) fn int(&mut self, path: &str) -> Result<i64> {
        let def = def(path);
        let KeyKind::Int { min, max } = def.kind else {
            unreachable!("{path} is not an integer key")
        };
        let value = match self.entries.get(path) {
            Some(e) => match &e.value {
                DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                    .map_err(|_| self.err_at(path, "integer out of range", ""))?,
                other => return Err(self.type_error(path, def, other)),
            },
            None => match def.default {
                KeyDefault::Required => return Err(self.missing(path, def)),
                KeyDefault::Value(v) => v.parse().expect("defaults in keys::KEYS parse"),
                KeyDefault::Auto(_) => unreachable!("integer keys have no auto default"),
            },
        };
        if value < min || value > max {
            return Err(self.err_at(
                path,
                format!("{value} is out of range: allowed {}", def.kind.describe()),
                range_hint(def),
            ));
        }
        self.record(path, json!(value));
        Ok(value)
    }

    /// A text key with a value default (or required).
    pub(crate) fn text(&mut self, path: &str) -> Result<String> {
        let v = self.text_opt(path)?;
        Ok(v.unwrap_or_else(|| unreachable!("{path} has an auto default: use text_opt")))
    }

    /// A text key: the given value, else its value default; `None` (not recorded) when an auto
    /// key is absent.
    pub(crate) fn text_opt(&mut self, path: &str) -> Result<Option<String>> {
        let def = def(path);
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
        self.record(path, json!(value));
        Ok(Some(value))
    }

    /// A choice key: the variant of `T` its word names. An unknown word is an error listing
    /// the allowed words, with a suggestion.
    pub(crate) fn choice<T: Choice>(&mut self, path: &str) -> Result<T> {
        debug_assert_eq!(def(path).kind, KeyKind::Choice(T::NAMES), "{path}");
        let given = self.text(path)?;
        T::from_name(&given).ok_or_else(|| {
            let hint = match suggest(&given, T::NAMES.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("use one of {}", T::NAMES.join(", ")),
            };
            self.err_at(
                path,
                format!("\"{given}\" is not one of {}", T::NAMES.join(" | ")),
                hint,
            )
        })
    }

    /// A choice-list key: the variants its words name, first mention first, duplicates
    /// dropped; absent means every variant. An empty list is an error.
    pub(crate) fn choice_list<T: Choice>(&mut self, path: &str) -> Result<Vec<T>> {
        let def = def(path);
        debug_assert_eq!(def.kind, KeyKind::ChoiceList(T::NAMES), "{path}");
        let words: Vec<String> = match self.entries.get(path).map(|e| &e.value) {
            None => T::NAMES.iter().map(|s| s.to_string()).collect(),
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
            match T::from_name(w) {
                Some(v) if !out.contains(&v) => out.push(v),
                Some(_) => {}
                None => {
                    return Err(self.err_at(
                        path,
                        format!("\"{w}\" is not one of {}", T::NAMES.join(" | ")),
                        format!("list only {}", T::NAMES.join(", ")),
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err(self.err_at(
                path,
                "the list is empty",
                format!("name at least one of {}", T::NAMES.join(", ")),
            ));
        }
        self.record(
            path,
            json!(out.iter().map(|v| v.name()).collect::<Vec<_>>()),
        );
        Ok(out)
    }

    /// A boolean key (boolean keys always have a value default).
    pub(crate) fn boolean(&mut self, path: &str) -> Result<bool> {
        let def = def(path);
        let value = match self.entries.get(path).map(|e| &e.value) {
            Some(DeValue::Boolean(b)) => *b,
            Some(other) => return Err(self.type_error(path, def, other)),
            None => match def.default {
                KeyDefault::Value(v) => v == "true",
                _ => return Err(self.missing(path, def)),
            },
        };
        self.record(path, json!(value));
        Ok(value)
    }

    /// The QR mask key: `"auto"` or a pattern 0–7.
    pub(crate) fn mask(&mut self, path: &str) -> Result<MaskChoice> {
        let def = def(path);
        let choice = match self.entries.get(path).map(|e| &e.value) {
            None => MaskChoice::Auto,
            Some(DeValue::String(s)) if s.as_ref() == "auto" => MaskChoice::Auto,
            Some(DeValue::Integer(i)) => match i.as_str().parse::<u8>() {
                Ok(m) if m <= 7 => MaskChoice::Pattern(m),
                _ => {
                    return Err(self.err_at(
                        path,
                        format!("{} is not a mask pattern", i.as_str()),
                        "use \"auto\" or an integer 0–7",
                    ));
                }
            },
            Some(other) => return Err(self.type_error(path, def, other)),
        };
        self.record(
            path,
            match choice {
                MaskChoice::Auto => json!("auto"),
                MaskChoice::Pattern(m) => json!(m),
            },
        );
        Ok(choice)
    }

    /// A float-list key with a value default (`"[a, b, …]"`): the given list (not empty), else
    /// the default.
    pub(crate) fn float_list(&mut self, path: &str) -> Result<Vec<f64>> {
        if let Some(v) = self.float_list_opt(path)? {
            if v.is_empty() {
                return Err(self.err_at(
                    path,
                    "the list is empty",
                    "list at least one value (see `millage explain`)",
                ));
            }
            return Ok(v);
        }
        let v: Vec<f64> = default_text(path)
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|x| x.trim().parse().expect("defaults in keys::KEYS parse"))
            .collect();
        self.record(path, json!(v));
        Ok(v)
    }

    /// A float-list key: the given list (possibly empty), `None` (not recorded) when absent.
    pub(crate) fn float_list_opt(&mut self, path: &str) -> Result<Option<Vec<f64>>> {
        let def = def(path);
        let items = match self.entries.get(path).map(|e| &e.value) {
            None => return Ok(None),
            Some(DeValue::Array(items)) => items.clone(),
            Some(other) => return Err(self.type_error(path, def, other)),
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let v = number(item.get_ref())
                .map_err(|other| self.type_error(path, def, other))?
                .ok_or_else(|| self.err_at(path, "not a number", ""))?;
            self.check_float(path, def, v)?;
            out.push(v);
        }
        self.record(path, json!(out));
        Ok(Some(out))
    }
}

/// A TOML float or integer as f64 (`Ok(None)`: unparsable digits); any other value is handed
/// back for the type error.
fn number<'v, 'a>(value: &'v DeValue<'a>) -> std::result::Result<Option<f64>, &'v DeValue<'a>> {
    match value {
        DeValue::Float(f) => Ok(parse_float(f.as_str())),
        DeValue::Integer(i) => Ok(i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .ok()
            .map(|v| v as f64)),
        other => Err(other),
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
