//! `millage compare COMPARE.toml`: scenario variants (e.g. film materials) side by side.

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

use crate::config::{self, compare_file};
use crate::error::{Error, Result};
use crate::output::{self, sweep as store};
use crate::sweep::{self, SweepPoint};

/// Arguments of `millage compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Compare file (TOML), e.g. sims/compare/materials.toml.
    pub compare: PathBuf,
    /// Output directory (default: results/compare-<name>/); rerunning resumes.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (default: as for `run`).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

fn find<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|x| find(x, key))),
        Value::Array(items) => items.iter().find_map(|x| find(x, key)),
        _ => None,
    }
}

fn num(v: &Value, path: &str) -> Option<f64> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_f64)
}

fn fmt(x: Option<f64>) -> String {
    match x {
        Some(v) if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-2) => format!("{v:.3e}"),
        Some(v) => format!("{v:.3}"),
        None => "–".into(),
    }
}

/// Runs `millage compare`.
pub fn run(args: &CompareArgs) -> Result<()> {
    let spec = compare_file::load_compare(&args.compare)?;
    let library = super::run::library_for(&spec.base_file, args.materials.as_ref());
    let points: Vec<SweepPoint> = spec
        .variants
        .iter()
        .enumerate()
        .map(|(index, v)| SweepPoint {
            index,
            seed: spec.seed,
            assignments: v.assignments.clone(),
        })
        .collect();
    let scenarios: Vec<config::Scenario> = points
        .iter()
        .zip(&spec.variants)
        .map(|(p, v)| {
            let text = sweep::scenario_text(&spec.base_text, p)?;
            let label = PathBuf::from(format!(
                "{} (variant {})",
                spec.base_file.display(),
                v.label
            ));
            config::parse_scenario(&text, &label, &library)
        })
        .collect::<Result<_>>()?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| output::default_results_root().join(format!("compare-{}", spec.name)));
    let todo: Vec<usize> = (0..points.len())
        .filter(|&k| !store::point_path(&dir, k).is_file())
        .collect();
    super::sweep::run_points(
        &spec.name,
        &points,
        &scenarios,
        &todo,
        &dir,
        args.threads,
        spec.seed,
    )?;

    let mut summaries = Vec::new();
    for p in &points {
        let (_, s) = store::read_point(&dir, p.index)?
            .ok_or_else(|| Error::Numerical(format!("variant {} has no result", p.index)))?;
        summaries.push(s);
    }
    // Temperatures with lifetimes (from the first variant that has any).
    let temperatures: Vec<f64> = summaries
        .iter()
        .find_map(|s| s.get("lifetime").and_then(Value::as_array))
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r.get("temperature_c").and_then(Value::as_f64))
                .collect()
        })
        .unwrap_or_default();
    let lifetime = |s: &Value, t: f64, key: &str| -> (Option<f64>, String) {
        let row = s
            .get("lifetime")
            .and_then(Value::as_array)
            .and_then(|rows| {
                rows.iter().find(|r| {
                    r.get("temperature_c")
                        .and_then(Value::as_f64)
                        .is_some_and(|x| (x - t).abs() < 1e-9)
                })
            });
        // Each criterion has its own status ("beyond_horizon", "fails_as_written", …).
        let status_key = key.replace("_failure_yr", "_status");
        match row {
            Some(r) => (
                r.get(key).and_then(Value::as_f64),
                r.get(&status_key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            ),
            None => (None, String::new()),
        }
    };
    // B50/B5 of the decoder criterion at temperature t (°C) from `uncertainty[]` (kelvin).
    let uncertainty = |s: &Value, t: f64, key: &str| -> Option<f64> {
        s.get("uncertainty")?
            .as_array()?
            .iter()
            .find(|r| {
                r.get("temperature_k")
                    .and_then(Value::as_f64)
                    .is_some_and(|k| (k - crate::units::celsius_to_kelvin(t)).abs() < 1e-6)
                    && r.get("criterion")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c.to_lowercase().contains("decoder"))
            })?
            .get(key)?
            .as_f64()
    };
    let mut header = vec![
        "variant".to_string(),
        "write_dose_ions_per_nm2".into(),
        "write_time_s".into(),
        "contrast_michelson_t0".into(),
        "pixel_snr_t0".into(),
        "rxing_decoded_t0".into(),
        "rqrr_decoded_t0".into(),
    ];
    for t in &temperatures {
        header.push(format!("decoder_failure_yr_at_{t}C"));
        header.push(format!("information_failure_yr_at_{t}C"));
        header.push(format!("decoder_b50_yr_at_{t}C"));
        header.push(format!("decoder_b5_yr_at_{t}C"));
    }
    header.push("temperature_for_target_c".into());
    header.push("horizon_yr".into());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (v, s) in spec.variants.iter().zip(&summaries) {
        let mut row = vec![
            v.label.clone(),
            fmt(num(s, "mill.dose_ions_per_nm2")),
            fmt(num(s, "mill.write_time_s")),
            fmt(num(s, "readout.contrast.michelson")),
            fmt(num(s, "readout.contrast.pixel_snr")),
            s.pointer("/readout/decoders/rxing/payload_matches")
                .map(|b| b.to_string())
                .unwrap_or_default(),
            s.pointer("/readout/decoders/rqrr/payload_matches")
                .map(|b| b.to_string())
                .unwrap_or_default(),
        ];
        for t in &temperatures {
            for key in ["decoder_failure_yr", "information_failure_yr"] {
                let (value, status) = lifetime(s, *t, key);
                row.push(match (value, status.as_str()) {
                    (None, "beyond_horizon") => "beyond horizon".into(),
                    (None, "fails_as_written") => "fails as written".into(),
                    (None, "fails_at_first_probe") => "fails at first probe".into(),
                    (v, _) => fmt(v),
                });
            }
            for key in ["b50_yr", "b5_yr"] {
                row.push(fmt(uncertainty(s, *t, key)));
            }
        }
        row.push(fmt(
            find(s, "temperature_for_target_c").and_then(Value::as_f64)
        ));
        row.push(fmt(s
            .get("lifetime")
            .and_then(|l| find(l, "horizon_yr"))
            .and_then(Value::as_f64)));
        rows.push(row);
    }
    let csv: String = std::iter::once(header.join(","))
        .chain(rows.iter().map(|r| {
            r.iter()
                .map(|c| {
                    if c.contains(',') {
                        format!("\"{c}\"")
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        }))
        .map(|l| l + "\n")
        .collect();
    store::write_file(&dir, "compare.csv", &csv)?;
    let mut md = format!(
        "# {}\n\n| {} |\n|{}\n",
        spec.name,
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in &rows {
        md += &format!("| {} |\n", r.join(" | "));
    }
    store::write_file(&dir, "compare.md", &md)?;

    // The chart is drawn from the CSV just written, as `millage plot` redraws it.
    output::compare::draw(&dir, &dir)?;
    let labels = &spec.variants;
    println!(
        "{}: {} variants → {}",
        spec.name,
        labels.len(),
        dir.join("compare.md").display()
    );
    print!("{md}");
    Ok(())
}
