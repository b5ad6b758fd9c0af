//! Calibration files (`millage calibrate CALIBRATION.toml`): the base scenario, the
//! observations table and the parameters with their priors → [`CalibrationSettings`].
//!
//! ```toml
//! scenario = "sims/record.toml"   # base scenario (path relative to this file)
//! observations = "bakes.csv"      # temperature_c,time_h,metric,value,stderr
//! [[parameter]]
//! material = "CrN"
//! key = "diffusion_ea_ev"
//! prior = { normal = [2.66, 0.5] }   # or { lognormal = [mu_ln, sigma_ln] } | { uniform = [lo, hi] }
//! [predict]
//! temperatures_c = [25.0, 150.0, 300.0]
//! horizon_yr = 1.0e6              # optional
//! [sampler]                       # optional
//! samples = 96                    # importance samples
//! mode_evaluations = 24           # budget per start of the mode search (default 16 + 8·d)
//! realizations = 3                # SEM noise realizations per read
//! ```
//! Every error names the file, the line and the key or column, and what to change.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::calibrate::{CalibratedParameter, CalibrationSettings, Metric, Observation, Prior};
use crate::choice::Choice;
use crate::error::{Error, Result};
use crate::material::parameter::{KineticKey, Parameter};
use crate::pipeline::Scenario;

const EXAMPLES: &str = "sims/calibration/";
/// The observation file's columns.
pub const COLUMNS: [&str; 5] = ["temperature_c", "time_h", "metric", "value", "stderr"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: PathBuf,
    observations: PathBuf,
    parameter: Vec<RawParameter>,
    predict: RawPredict,
    #[serde(default)]
    sampler: RawSampler,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    material: toml::Spanned<String>,
    key: toml::Spanned<String>,
    prior: toml::Spanned<RawPrior>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrior {
    normal: Option<[f64; 2]>,
    lognormal: Option<[f64; 2]>,
    uniform: Option<[f64; 2]>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPredict {
    temperatures_c: Vec<f64>,
    horizon_yr: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSampler {
    samples: Option<usize>,
    mode_evaluations: Option<usize>,
    realizations: Option<usize>,
}

/// A calibration file read and checked.
#[derive(Debug, Clone)]
pub struct CalibrationFile {
    /// The file.
    pub file: PathBuf,
    /// The base scenario's file.
    pub scenario_file: PathBuf,
    /// The observations file.
    pub observations_file: PathBuf,
    /// Settings for [`crate::calibrate::calibrate`].
    pub settings: CalibrationSettings,
    /// SEM noise realizations per read.
    pub realizations: usize,
    /// The aging the forward runs use: the scenario's `[aging]` switches, else the `[aging]`
    /// key defaults (as the lifetime probes do).
    pub aging_model: crate::lifetime::ProbeAgingModel,
}

/// The aging model of the forward runs (the lifetime probes' rule, design §2.4).
fn aging_model(sc: &Scenario) -> crate::lifetime::ProbeAgingModel {
    if let Some(l) = &sc.lifetime {
        return l.aging_model;
    }
    super::scenario::probe_aging_model(sc.aging.as_ref())
}

/// The failure-search settings of the lifetime prediction: the scenario's `[lifetime]`
/// tolerance and probe budget if it has that section, else the `[lifetime]` key defaults.
pub fn prediction_settings(sc: &Scenario) -> Result<crate::calibrate::PredictionSearch> {
    let default = |key: &str| -> Result<f64> {
        match super::keys::lookup(key).map(|k| &k.default) {
            Some(super::keys::KeyDefault::Value(v)) => v
                .parse::<f64>()
                .map_err(|e| Error::Numerical(format!("default of {key} ({v}): {e}"))),
            _ => Err(Error::Numerical(format!("{key} has no default value"))),
        }
    };
    let (rel_tolerance, max_probes) = match &sc.lifetime {
        Some(l) => (l.rel_tolerance, l.max_probes),
        None => (
            default("lifetime.tolerance")?,
            default("lifetime.max_probes")? as usize,
        ),
    };
    Ok(crate::calibrate::PredictionSearch {
        rel_tolerance,
        max_probes,
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text[..offset.min(text.len())].matches('\n').count()
}

/// Reads a calibration file and its observations; `load_scenario` loads the base scenario
/// (given its path) so that materials are checked against the scenario's stack.
pub fn load(
    file: &Path,
    load_scenario: impl FnOnce(&Path) -> Result<Scenario>,
) -> Result<(CalibrationFile, Scenario)> {
    let err = |line: Option<usize>, key: &str, rule: String, hint: String| {
        Error::input(Some(file.to_path_buf()), key, line, rule, hint)
    };
    let text = std::fs::read_to_string(file).map_err(|e| {
        err(
            None,
            "",
            format!("cannot read calibration file: {e}"),
            format!("check the path; an example is in {EXAMPLES}"),
        )
    })?;
    let raw: RawFile = super::from_toml_str(
        &text,
        file,
        &format!("see {EXAMPLES}README.md for the format"),
    )?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let scenario_file = dir.join(&raw.scenario);
    let scenario = load_scenario(&scenario_file)?;
    let observations_file = dir.join(&raw.observations);
    let observations = read_observations(&observations_file)?;

    let mut parameters: Vec<CalibratedParameter> = Vec::new();
    for p in &raw.parameter {
        let line = Some(line_of(&text, p.material.span().start));
        let name = p.material.get_ref();
        let names: Vec<&str> = scenario.materials.iter().map(|m| m.name.as_str()).collect();
        let Some(material) = scenario.materials.iter().find(|m| &m.name == name) else {
            let near = super::suggest(name, names.iter().copied())
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            return Err(err(
                line,
                "parameter.material",
                format!("unknown material \"{name}\"{near}"),
                format!(
                    "give a material of the base scenario's film stack: {}",
                    names.join(", ")
                ),
            ));
        };
        let kline = Some(line_of(&text, p.key.span().start));
        let key_word = p.key.get_ref();
        let Some(key) = KineticKey::from_name(key_word) else {
            let near = super::suggest(key_word, KineticKey::NAMES.iter().copied())
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            return Err(err(
                kline,
                "parameter.key",
                format!("unknown key \"{key_word}\"{near}"),
                format!("calibratable material-file keys: {}", KineticKey::allowed()),
            ));
        };
        if let Err(e) = key.get(material) {
            return Err(err(
                kline,
                "parameter.key",
                format!("{name} has no {key}: {e}"),
                format!("choose a key of the [{}] table {name} has", key.table()),
            ));
        }
        let handle = Parameter {
            material: name.clone(),
            key,
        };
        if parameters.iter().any(|q| q.parameter == handle) {
            return Err(err(
                kline,
                "parameter",
                format!("{} is listed twice", handle.label()),
                "give each parameter once".into(),
            ));
        }
        let pline = Some(line_of(&text, p.prior.span().start));
        let prior = prior_of(p.prior.get_ref()).map_err(|rule| {
            err(
                pline,
                "parameter.prior",
                rule,
                "write prior = { normal = [mean, sd] } | { lognormal = [mu_ln, sigma_ln] } | \
                 { uniform = [lo, hi] } with sd, sigma_ln > 0 and lo < hi"
                    .into(),
            )
        })?;
        if let Prior::Uniform { lo, .. } = prior
            && lo <= 0.0
        {
            return Err(err(
                pline,
                "parameter.prior",
                format!("uniform lower bound {lo} allows values ≤ 0 for {key}"),
                "kinetic constants are positive: give lo > 0".into(),
            ));
        }
        parameters.push(CalibratedParameter {
            parameter: handle,
            prior,
        });
    }
    if parameters.is_empty() {
        return Err(err(
            None,
            "parameter",
            "no [[parameter]] given".into(),
            "add at least one [[parameter]] table".into(),
        ));
    }
    let temps = &raw.predict.temperatures_c;
    if temps.is_empty() || temps.iter().any(|t| !t.is_finite() || *t <= -273.15) {
        return Err(err(
            None,
            "predict.temperatures_c",
            format!("must be a non-empty list of temperatures above −273.15 °C (got {temps:?})"),
            "e.g. temperatures_c = [25.0, 150.0, 300.0]".into(),
        ));
    }
    let horizon_yr = raw.predict.horizon_yr.unwrap_or(1.0e6);
    if !(horizon_yr.is_finite() && horizon_yr > 0.0) {
        return Err(err(
            None,
            "predict.horizon_yr",
            format!("must be > 0 (got {horizon_yr})"),
            "e.g. horizon_yr = 1.0e6".into(),
        ));
    }
    let s = &raw.sampler;
    let samples = s.samples.unwrap_or(96);
    let realizations = s.realizations.unwrap_or(3);
    if samples < 8 || realizations == 0 {
        return Err(err(
            None,
            "sampler",
            format!("samples must be ≥ 8 and realizations ≥ 1 (got {samples}, {realizations})"),
            "e.g. samples = 96, realizations = 3".into(),
        ));
    }
    let mut t_k: Vec<f64> = temps
        .iter()
        .map(|&c| crate::units::celsius_to_kelvin(c))
        .collect();
    t_k.sort_by(f64::total_cmp);
    let d = parameters.len();
    let settings = CalibrationSettings {
        parameters,
        observations,
        predict_temperatures_k: t_k,
        samples,
        mode_evaluations: s.mode_evaluations.unwrap_or(16 + 8 * d),
        horizon_s: horizon_yr * crate::units::SECONDS_PER_YEAR,
        seed: scenario.seed,
        prediction: prediction_settings(&scenario)?,
    };
    Ok((
        CalibrationFile {
            file: file.to_path_buf(),
            scenario_file,
            observations_file,
            settings,
            realizations,
            aging_model: aging_model(&scenario),
        },
        scenario,
    ))
}

fn prior_of(p: &RawPrior) -> std::result::Result<Prior, String> {
    let given = [p.normal, p.lognormal, p.uniform]
        .iter()
        .filter(|x| x.is_some())
        .count();
    if given != 1 {
        return Err(format!("give exactly one prior kind (got {given})"));
    }
    let finite = |v: [f64; 2]| v.iter().all(|x| x.is_finite());
    if let Some(v) = p.normal {
        if !finite(v) || v[1] <= 0.0 {
            return Err(format!("normal = [mean, sd] needs sd > 0 (got {v:?})"));
        }
        return Ok(Prior::Normal {
            mean: v[0],
            sd: v[1],
        });
    }
    if let Some(v) = p.lognormal {
        if !finite(v) || v[1] <= 0.0 {
            return Err(format!(
                "lognormal = [mu_ln, sigma_ln] needs sigma_ln > 0 (got {v:?})"
            ));
        }
        return Ok(Prior::LogNormal {
            mu_ln: v[0],
            sigma_ln: v[1],
        });
    }
    let v = p.uniform.expect("one kind given");
    if !finite(v) || v[0] >= v[1] {
        return Err(format!("uniform = [lo, hi] needs lo < hi (got {v:?})"));
    }
    Ok(Prior::Uniform { lo: v[0], hi: v[1] })
}

/// Reads the observations table (CSV with a header naming [`COLUMNS`], any order).
pub fn read_observations(path: &Path) -> Result<Vec<Observation>> {
    let err = |line: Option<usize>, key: &str, rule: String, hint: String| {
        Error::input(Some(path.to_path_buf()), key, line, rule, hint)
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            None,
            "observations",
            format!("cannot read observations file: {e}"),
            "give the CSV path relative to the calibration file".into(),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| err(Some(1), "", format!("bad CSV header: {e}"), String::new()))?
        .clone();
    let mut col = [0usize; 5];
    for (k, name) in COLUMNS.iter().enumerate() {
        col[k] = header.iter().position(|h| h == *name).ok_or_else(|| {
            err(
                Some(1),
                &format!("column {name}"),
                format!("missing column \"{name}\""),
                format!("the header must name the columns {}", COLUMNS.join(",")),
            )
        })?;
    }
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            err(line, "", format!("bad CSV row: {e}"), String::new())
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let cell = |k: usize| rec.get(col[k]).unwrap_or("");
        let number = |k: usize| -> Result<f64> {
            cell(k)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    err(
                        Some(line),
                        &format!("column {}", COLUMNS[k]),
                        format!("not a finite number: \"{}\"", cell(k)),
                        "write a decimal number".into(),
                    )
                })
        };
        let temperature_c = number(0)?;
        if temperature_c <= -273.15 {
            return Err(err(
                Some(line),
                "column temperature_c",
                format!("must be above −273.15 °C (got {temperature_c})"),
                "give the bake temperature in °C".into(),
            ));
        }
        let time_h = number(1)?;
        if time_h <= 0.0 {
            return Err(err(
                Some(line),
                "column time_h",
                format!("must be > 0 (got {time_h})"),
                "give the bake duration in hours; the as-written state is t = 0 and needs no row"
                    .into(),
            ));
        }
        let metric = Metric::from_name(cell(2)).ok_or_else(|| {
            err(
                Some(line),
                "column metric",
                format!("unknown metric \"{}\"", cell(2)),
                format!("one of {}", Metric::allowed()),
            )
        })?;
        let value = number(3)?;
        let stderr = number(4)?;
        if stderr < 0.0 {
            return Err(err(
                Some(line),
                "column stderr",
                format!("must be ≥ 0 (got {stderr})"),
                "give the standard error of the value (a spread, never negative)".into(),
            ));
        }
        match metric {
            Metric::Decoded => {
                if value != 0.0 && value != 1.0 {
                    return Err(err(
                        Some(line),
                        "column value",
                        format!("decoded must be 0 or 1 (got {value})"),
                        "1 if the code decoded after the bake, else 0".into(),
                    ));
                }
                if stderr >= 0.5 {
                    return Err(err(
                        Some(line),
                        "column stderr",
                        format!(
                            "for decoded, the verdict's error probability must be < 0.5 (got {stderr})"
                        ),
                        "e.g. 0.02".into(),
                    ));
                }
            }
            _ => {
                if stderr == 0.0 {
                    return Err(err(
                        Some(line),
                        "column stderr",
                        "must be > 0 for a measured value (the Gaussian likelihood needs a spread)"
                            .into(),
                        "give the measurement's standard error".into(),
                    ));
                }
            }
        }
        out.push(Observation {
            temperature_k: crate::units::celsius_to_kelvin(temperature_c),
            time_s: time_h * 3600.0,
            metric,
            value,
            stderr,
            line,
        });
    }
    if out.is_empty() {
        return Err(err(
            None,
            "observations",
            "no observation rows".into(),
            format!("add rows {}", COLUMNS.join(",")),
        ));
    }
    Ok(out)
}
