//! The read-robustness figure (issue 19, Must show): decode probability of the t = 0 specimen
//! against scan rotation, drift and dose per pixel, one panel (PNG and SVG) per axis with a
//! line per decoder, drawn from `robustness.csv`. `millage robustness` writes the CSV and draws
//! the figures; `millage plot` redraws them from the CSV alone.

use std::path::{Path, PathBuf};

use super::figures;
use super::table::Table;
use crate::choice::Choice;
use crate::error::Result;
use crate::lifetime::readout::{RobustnessAxis, RobustnessRow};

/// The table's file name.
pub const ROBUSTNESS_CSV: &str = "robustness.csv";

/// Column names of [`ROBUSTNESS_CSV`].
const HEADER: [&str; 9] = [
    "scenario",
    "axis",
    "value",
    "decoder",
    "decoded",
    "realizations",
    "probability",
    "probability_low_95",
    "probability_high_95",
];

/// The rows as CSV text (axis and decoder by their scenario words; the scenario name, which
/// titles the figures, in the first column of every row, commas replaced).
pub fn csv_text(scenario: &str, rows: &[RobustnessRow]) -> String {
    let scenario = scenario.replace([',', '"', '\n'], " ");
    let mut out = HEADER.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "{scenario},{},{},{},{},{},{},{},{}\n",
            r.axis,
            r.value,
            r.decoder,
            r.decoded,
            r.realizations,
            r.probability,
            r.probability_low,
            r.probability_high
        ));
    }
    out
}

/// Writes `dir/robustness.csv` and draws the figures into `dir` (the run directory layout:
/// figures beside the table). Returns the PNG paths drawn.
pub fn save(dir: &Path, rows: &[RobustnessRow], title: &str) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| crate::error::Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    super::write_atomic(&dir.join(ROBUSTNESS_CSV), csv_text(title, rows).as_bytes())?;
    draw(dir, dir)
}

/// Draws `robustness_<axis>.{png,svg}` into `figures_dir` from `tables_dir/robustness.csv`
/// (nothing without the file), titled with the CSV's scenario column: the figures of
/// `millage robustness` and of `millage plot` are the same.
pub fn draw(tables_dir: &Path, figures_dir: &Path) -> Result<Vec<PathBuf>> {
    let Some(t) = Table::read_if_present(&tables_dir.join(ROBUSTNESS_CSV))? else {
        return Ok(Vec::new());
    };
    let title = t
        .rows
        .first()
        .and_then(|r| t.text(r, "scenario"))
        .unwrap_or("read robustness")
        .to_string();
    let mut drawn = Vec::new();
    for &axis in RobustnessAxis::VARIANTS {
        let word = axis.to_string();
        let rows: Vec<&Vec<String>> = t
            .rows
            .iter()
            .filter(|r| t.text(r, "axis") == Some(word.as_str()))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut decoders: Vec<String> = Vec::new();
        for r in &rows {
            let d = t.text(r, "decoder").unwrap_or("").to_string();
            if !decoders.contains(&d) {
                decoders.push(d);
            }
        }
        // Per decoder: the probability and the lower end of its 95 % interval.
        let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for d in &decoders {
            let pick = |col: &str| -> Vec<(f64, f64)> {
                let mut pts: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| t.text(r, "decoder") == Some(d.as_str()))
                    .filter_map(|r| Some((transform(axis, t.num(r, "value")?), t.num(r, col)?)))
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                pts
            };
            series.push((format!("{d} P(decode)"), pick("probability")));
            series.push((format!("{d} 95 % low"), pick("probability_low_95")));
        }
        let n = rows
            .first()
            .and_then(|r| t.num(r, "realizations"))
            .unwrap_or(0.0);
        let stem = figures_dir.join(format!("robustness_{word}"));
        figures::line_chart(
            &stem,
            &format!(
                "{title}: decode probability vs {} ({n} frames per point)",
                label(axis)
            ),
            (&axis_label(axis), "P(decode)"),
            &series,
            false,
        )?;
        drawn.push(stem.with_extension("png"));
    }
    Ok(drawn)
}

/// The x coordinate drawn: log10 for the dose and drift axes (they span decades; a zero
/// drift is drawn at 10⁻³ nm/s).
fn transform(axis: RobustnessAxis, value: f64) -> f64 {
    match axis {
        RobustnessAxis::RotationDeg => value,
        RobustnessAxis::DriftNmPerS => value.max(1e-3).log10(),
        RobustnessAxis::DoseElectronsPerPx => value.max(1e-9).log10(),
    }
}

fn label(axis: RobustnessAxis) -> &'static str {
    match axis {
        RobustnessAxis::RotationDeg => "scan rotation",
        RobustnessAxis::DriftNmPerS => "drift",
        RobustnessAxis::DoseElectronsPerPx => "dose per pixel",
    }
}

fn axis_label(axis: RobustnessAxis) -> String {
    match axis {
        RobustnessAxis::RotationDeg => "scan rotation [deg]".into(),
        RobustnessAxis::DriftNmPerS => "log10 drift [nm/s] (0 drawn at -3)".into(),
        RobustnessAxis::DoseElectronsPerPx => "log10 primary electrons per pixel".into(),
    }
}
