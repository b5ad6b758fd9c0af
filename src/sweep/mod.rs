//! Parameter sweeps: a base scenario and axes → points, each a scenario with its own seed;
//! point records → `points.csv`.
//!
//! Pure: no I/O ([`executor`] runs the points, `output` persists them). A point's seed is
//! `rng::derived_seed(master, Stream::SweepPoint, index)`, so a point's result does not depend
//! on which shard, process or thread runs it, and `points.csv` is the same for an unsharded
//! run, a resumed run and merged shards.

use std::collections::{BTreeMap, BTreeSet};

use rand::RngExt;

use crate::config::sweep_file::{AxisValues, SweepMode, SweepSpec};
use crate::error::{Error, Result};
use crate::rng::{self, Stream};

pub mod executor;

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SweepPoint {
    /// Index in the sweep (0-based, the order of `points.csv`).
    pub index: usize,
    /// The point's master seed.
    pub seed: u64,
    /// (key, value) for every axis, in axis order.
    pub assignments: Vec<(String, toml::Value)>,
}

/// Expands a sweep into its points.
pub fn expand(spec: &SweepSpec) -> Vec<SweepPoint> {
    let keys: Vec<&str> = spec.axes.iter().map(|a| a.key.as_str()).collect();
    let values_of = |i: usize| match &spec.axes[i].values {
        AxisValues::Values(v) => v.clone(),
        AxisValues::Range { .. } => Vec::new(),
    };
    let combos: Vec<Vec<toml::Value>> = match spec.mode {
        SweepMode::Grid => {
            let mut combos: Vec<Vec<toml::Value>> = vec![Vec::new()];
            for i in 0..spec.axes.len() {
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        values_of(i).into_iter().map(move |v| {
                            let mut c = c.clone();
                            c.push(v);
                            c
                        })
                    })
                    .collect();
            }
            combos
        }
        SweepMode::List => {
            let n = values_of(0).len();
            (0..n)
                .map(|p| {
                    (0..spec.axes.len())
                        .map(|i| values_of(i)[p].clone())
                        .collect()
                })
                .collect()
        }
        SweepMode::Lhs => {
            // McKay, Beckman & Conover, Technometrics 21 (1979) 239: each axis is cut into n
            // equal strata, each stratum sampled once, strata permuted independently per axis.
            let n = spec.samples;
            let columns: Vec<Vec<f64>> = spec
                .axes
                .iter()
                .enumerate()
                .map(|(i, axis)| {
                    let AxisValues::Range { min, max } = axis.values else {
                        unreachable!("lhs axes are ranges")
                    };
                    let mut r = rng::stream(spec.seed, Stream::SweepPoint, u64::MAX - i as u64);
                    let mut strata: Vec<usize> = (0..n).collect();
                    for k in (1..n).rev() {
                        let j = (r.random::<f64>() * (k + 1) as f64) as usize;
                        strata.swap(k, j.min(k));
                    }
                    strata
                        .iter()
                        .map(|s| min + (max - min) * (*s as f64 + r.random::<f64>()) / n as f64)
                        .collect()
                })
                .collect();
            (0..n)
                .map(|p| columns.iter().map(|c| toml::Value::Float(c[p])).collect())
                .collect()
        }
    };
    combos
        .into_iter()
        .enumerate()
        .map(|(index, values)| SweepPoint {
            index,
            seed: rng::derived_seed(spec.seed, Stream::SweepPoint, index as u64),
            assignments: keys.iter().map(|k| k.to_string()).zip(values).collect(),
        })
        .collect()
}

/// The points of shard `i` of `n` (every n-th point starting at i).
pub fn shard(points: &[SweepPoint], i: usize, n: usize) -> Vec<SweepPoint> {
    points
        .iter()
        .filter(|p| p.index % n == i)
        .cloned()
        .collect()
}

/// The base scenario with a point's assignments applied (dotted keys; `name[k]` indexes an
/// array of tables), as TOML text.
pub fn scenario_text(base_text: &str, point: &SweepPoint) -> Result<String> {
    let mut doc: toml::Table = toml::from_str(base_text).map_err(|e| {
        Error::input(
            None,
            "base",
            None,
            format!("base scenario is not valid TOML: {}", e.message()),
            "",
        )
    })?;
    for (key, value) in &point.assignments {
        set_dotted(&mut doc, key, value.clone()).map_err(|rule| {
            Error::input(
                None,
                key.clone(),
                None,
                rule,
                "axis keys are scenario keys (see `millage explain`); array elements as layers[0]",
            )
        })?;
    }
    Ok(toml::to_string(&doc).expect("a table serialises"))
}

fn set_dotted(
    table: &mut toml::Table,
    key: &str,
    value: toml::Value,
) -> std::result::Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut current = table;
    for (depth, part) in parts.iter().enumerate() {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (
                n,
                Some(
                    rest.trim_end_matches(']')
                        .parse::<usize>()
                        .map_err(|_| format!("bad index in {part}"))?,
                ),
            ),
            None => (*part, None),
        };
        let last = depth + 1 == parts.len();
        if last && index.is_none() {
            current.insert(name.to_string(), value);
            return Ok(());
        }
        let entry = current.entry(name.to_string()).or_insert_with(|| {
            if index.is_some() {
                toml::Value::Array(Vec::new())
            } else {
                toml::Value::Table(toml::Table::new())
            }
        });
        current = match (entry, index) {
            (toml::Value::Table(t), None) => t,
            (toml::Value::Array(a), Some(i)) => match a.get_mut(i) {
                Some(toml::Value::Table(t)) => t,
                _ => return Err(format!("{name}[{i}] does not exist in the base scenario")),
            },
            _ => return Err(format!("{name} is not a table in the base scenario")),
        };
        if last {
            return Err("an axis key must end in a value, not a table".into());
        }
    }
    Ok(())
}

/// Flattens a JSON summary into dotted leaves (numbers, booleans, strings; arrays indexed).
pub fn flatten(value: &serde_json::Value) -> BTreeMap<String, String> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(
                        &if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        },
                        v,
                        out,
                    );
                }
            }
            serde_json::Value::Array(items) if items.len() <= 16 => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, out);
                }
            }
            serde_json::Value::Array(_) => {}
            serde_json::Value::Null => {
                out.insert(prefix.to_string(), String::new());
            }
            serde_json::Value::String(s) => {
                out.insert(prefix.to_string(), csv_field(s));
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out);
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn toml_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => csv_field(s),
        other => csv_field(&other.to_string()),
    }
}

/// `points.csv`: one row per point in index order — index, seed, every varied key, then every
/// summary leaf (the union over points, sorted; empty where a point lacks it). Keys carry their
/// unit suffixes (`_nm`, `_yr`, …), which is the units-in-headers convention of millage.
pub fn points_csv(axes: &[String], rows: &[(SweepPoint, serde_json::Value)]) -> String {
    let flat: Vec<BTreeMap<String, String>> = rows.iter().map(|(_, s)| flatten(s)).collect();
    let columns: BTreeSet<&String> = flat.iter().flat_map(|f| f.keys()).collect();
    let mut out = String::from("point,seed");
    for a in axes {
        out.push(',');
        out.push_str(&csv_field(a));
    }
    for c in &columns {
        out.push(',');
        out.push_str(&csv_field(&format!("summary.{c}")));
    }
    out.push('\n');
    for ((point, _), f) in rows.iter().zip(&flat) {
        out.push_str(&format!("{},{}", point.index, point.seed));
        for (_, v) in &point.assignments {
            out.push(',');
            out.push_str(&toml_cell(v));
        }
        for c in &columns {
            out.push(',');
            out.push_str(f.get(*c).map(String::as_str).unwrap_or(""));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sweep_file::Axis;

    fn spec(mode: SweepMode, axes: Vec<Axis>, samples: usize) -> SweepSpec {
        SweepSpec {
            file: "s.toml".into(),
            name: "s".into(),
            base_file: "b.toml".into(),
            base_text: String::new(),
            seed: 3,
            mode,
            samples,
            axes,
        }
    }

    fn values(key: &str, v: &[f64]) -> Axis {
        Axis {
            key: key.into(),
            values: AxisValues::Values(v.iter().map(|x| toml::Value::Float(*x)).collect()),
        }
    }

    #[test]
    fn grid_is_the_cartesian_product_with_distinct_seeds() {
        let p = expand(&spec(
            SweepMode::Grid,
            vec![values("a.x", &[1.0, 2.0]), values("b.y", &[3.0, 4.0, 5.0])],
            0,
        ));
        assert_eq!(p.len(), 6);
        assert_eq!(p[1].assignments[1].1, toml::Value::Float(4.0));
        assert_eq!(p[3].assignments[0].1, toml::Value::Float(2.0));
        let seeds: BTreeSet<u64> = p.iter().map(|x| x.seed).collect();
        assert_eq!(seeds.len(), 6);
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let axes = vec![
            Axis {
                key: "a".into(),
                values: AxisValues::Range {
                    min: 0.0,
                    max: 10.0,
                },
            },
            Axis {
                key: "b".into(),
                values: AxisValues::Range {
                    min: -1.0,
                    max: 1.0,
                },
            },
        ];
        let p = expand(&spec(SweepMode::Lhs, axes, 8));
        for (axis, (lo, hi)) in [(0usize, (0.0, 10.0)), (1, (-1.0, 1.0))] {
            let mut strata: Vec<usize> = p
                .iter()
                .map(|x| {
                    let v = x.assignments[axis].1.as_float().unwrap();
                    ((v - lo) / (hi - lo) * 8.0) as usize
                })
                .collect();
            strata.sort();
            assert_eq!(strata, (0..8).collect::<Vec<_>>());
        }
    }

    #[test]
    fn dotted_keys_and_array_elements_are_set() {
        let base = "[pattern]\nmodule_pitch_nm = 48.0\n[[film.layers]]\nmaterial = \"CrN\"\nthickness_nm = 15.0\n";
        let point = SweepPoint {
            index: 0,
            seed: 1,
            assignments: vec![
                ("pattern.module_pitch_nm".into(), toml::Value::Float(30.0)),
                (
                    "film.layers[0].material".into(),
                    toml::Value::String("TiN".into()),
                ),
                ("readout.beam_energy_kev".into(), toml::Value::Float(1.0)),
            ],
        };
        let t: toml::Table = toml::from_str(&scenario_text(base, &point).unwrap()).unwrap();
        assert_eq!(t["pattern"]["module_pitch_nm"].as_float(), Some(30.0));
        assert_eq!(t["film"]["layers"][0]["material"].as_str(), Some("TiN"));
        assert_eq!(t["readout"]["beam_energy_kev"].as_float(), Some(1.0));
        let bad = SweepPoint {
            assignments: vec![("film.layers[3].material".into(), toml::Value::Integer(1))],
            ..point
        };
        assert!(scenario_text(base, &bad).is_err());
    }

    #[test]
    fn csv_has_axes_then_summary_columns() {
        let p = SweepPoint {
            index: 0,
            seed: 9,
            assignments: vec![("a.x".into(), toml::Value::Float(1.5))],
        };
        let csv = points_csv(
            &["a.x".into()],
            &[(
                p,
                serde_json::json!({"m": {"depth_nm": 2.5, "ok": true}, "s": "x,y"}),
            )],
        );
        assert_eq!(
            csv,
            "point,seed,a.x,summary.m.depth_nm,summary.m.ok,summary.s\n0,9,1.5,2.5,true,\"x,y\"\n"
        );
    }
}
