//! `millage plot DIR`: redraw figures from the CSV files a run or sweep saved, without
//! re-running physics: heat maps over sweep axes (`points.csv`), degradation curves
//! (`degradation.csv`), the Arrhenius plot (`lifetime.csv`) and the cross-section
//! (`profile.csv`), each as PNG and SVG (the cross-section PNG only).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::output::figures;
use crate::output::table::Table;

/// Arguments of `millage plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A results directory of `millage run` or `millage sweep`.
    pub dir: PathBuf,
    /// Extra `points.csv` column to draw as a heat map over the first two sweep axes
    /// (repeatable), e.g. `summary.mill.mean_depth_nm`.
    #[arg(long)]
    pub metric: Vec<String>,
}

/// Runs `millage plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    let figures_dir = args.dir.join("figures");
    let mut drawn = Vec::new();
    let points = args.dir.join("points.csv");
    let profile = args.dir.join("profile.csv");
    let known = [
        "points.csv",
        "profile.csv",
        "degradation.csv",
        "lifetime.csv",
        "aging.csv",
        "frontier.csv",
        "compare.csv",
        "yield_vs_angle.csv",
        "bca_yields.csv",
    ];
    if !known.iter().any(|f| args.dir.join(f).is_file()) {
        return Err(Error::input(
            None,
            "DIR",
            None,
            format!("{} holds none of {}", args.dir.display(), known.join(", ")),
            "pass a directory written by `millage run`, `sweep`, `compare` or `bca-table --out`, \
             or results/validation after scripts/validate_bca.sh",
        ));
    }
    std::fs::create_dir_all(&figures_dir).map_err(|source| Error::Io {
        path: figures_dir.clone(),
        source,
    })?;
    if points.is_file() {
        let Table { header, rows } = Table::read(&points)?;
        let summary_start = header
            .iter()
            .position(|h| h.starts_with("summary."))
            .unwrap_or(header.len());
        let axes: Vec<usize> = (2..summary_start).collect();
        if axes.len() >= 2 {
            let (ax, ay) = (axes[0], axes[1]);
            let distinct = |c: usize| -> Vec<String> {
                let mut v: Vec<String> = Vec::new();
                for r in &rows {
                    if !v.contains(&r[c]) {
                        v.push(r[c].clone());
                    }
                }
                v
            };
            let (xs, ys) = (distinct(ax), distinct(ay));
            let mut metrics: Vec<String> = vec![
                "summary.readout.information.max_block_error_ratio".into(),
                "summary.readout.contrast.michelson".into(),
            ];
            // For aging sweeps: the worst block at the last snapshot every point has.
            let last_snapshot = (0..64)
                .rev()
                .map(|n| format!("summary.aging.snapshots[{n}].max_block_error_ratio"))
                .find(|c| {
                    header
                        .iter()
                        .position(|h| h == c)
                        .is_some_and(|k| rows.iter().all(|r| !r[k].is_empty()))
                });
            metrics.extend(last_snapshot);
            metrics.extend(args.metric.iter().cloned());
            for metric in metrics {
                let Some(mc) = header.iter().position(|h| *h == metric) else {
                    if args.metric.contains(&metric) {
                        return Err(Error::input(
                            None,
                            "--metric",
                            None,
                            format!("no column `{metric}` in points.csv"),
                            "copy a column name from the header of points.csv",
                        ));
                    }
                    continue;
                };
                // Mean over points sharing (x, y) (further axes are averaged).
                let mut cells: BTreeMap<(usize, usize), (f64, usize)> = BTreeMap::new();
                for r in &rows {
                    let (Some(i), Some(j)) = (
                        xs.iter().position(|x| *x == r[ax]),
                        ys.iter().position(|y| *y == r[ay]),
                    ) else {
                        continue;
                    };
                    if let Ok(v) = r[mc].parse::<f64>() {
                        let e = cells.entry((i, j)).or_insert((0.0, 0));
                        e.0 += v;
                        e.1 += 1;
                    }
                }
                let stem = figures_dir.join(format!(
                    "heatmap_{}",
                    metric
                        .trim_start_matches("summary.")
                        .replace(['.', '[', ']'], "_")
                ));
                let grid = figures::CategoryGrid {
                    x_label: &header[ax],
                    x_values: &xs,
                    y_label: &header[ay],
                    y_values: &ys,
                };
                figures::heat_map(&stem, &grid, &metric, &|i, j| {
                    cells.get(&(i, j)).map(|(s, n)| s / *n as f64)
                })?;
                drawn.push(stem.with_extension("png"));
            }
        }
    }
    // Lifetime figures (degradation, Arrhenius, image strip, frontier) from the run's CSVs.
    // The run titles its figures with the scenario name (summary.json `scenario`).
    let title = std::fs::read_to_string(args.dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("scenario")?.as_str().map(str::to_string))
        .or_else(|| args.dir.file_name()?.to_str().map(str::to_string))
        .unwrap_or_else(|| "run".into());
    drawn.extend(crate::output::lifetime_figures::draw_all(
        &args.dir,
        &figures_dir,
        &title,
    )?);
    drawn.extend(crate::output::aging_figure::draw(
        &args.dir,
        &figures_dir,
        &title,
    )?);
    drawn.extend(crate::output::compare::draw(&args.dir, &figures_dir)?);
    drawn.extend(crate::output::bca_figures::draw_yield_vs_angle(
        &args.dir,
        &figures_dir,
    )?);
    drawn.extend(crate::output::bca_figures::draw_yield_comparison(
        &args.dir,
        &figures_dir,
    )?);
    if profile.is_file() {
        let Table { rows, .. } = Table::read(&profile)?;
        let x: Vec<f64> = rows.iter().filter_map(|r| r[0].parse().ok()).collect();
        let z: Vec<f64> = rows.iter().filter_map(|r| r[1].parse().ok()).collect();
        let stem = figures_dir.join("cross_section");
        figures::cross_section(
            &stem,
            &x,
            &z,
            &format!("{title}: surface through the centre of the middle symbol row"),
        )?;
        drawn.push(figures::with_suffix(&stem, "png"));
    }
    for p in &drawn {
        println!("{}", p.display());
    }
    Ok(())
}
