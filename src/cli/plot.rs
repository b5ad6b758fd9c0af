//! `millage plot DIR`: redraw figures from the CSV files a run, sweep, comparison or
//! `bca-table --out` saved, without re-running physics, into `DIR/figures/`: heat maps over
//! sweep axes (`points.csv`), the lifetime, aging, comparison and BCA figures, and the
//! cross-section (`profile.csv`), each as PNG and SVG. A run's figures redraw identically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Result};
use crate::output::figures;
use crate::output::layout::{PLOTTABLE_TABLES, RunLayout};
use crate::output::run::FigureTitles;
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
    let layout = RunLayout::new(&args.dir);
    if layout.plottable_present().is_empty() {
        return Err(Error::input(
            None,
            "DIR",
            None,
            format!(
                "{} holds none of {}",
                args.dir.display(),
                PLOTTABLE_TABLES.join(", ")
            ),
            "pass a directory written by `millage run`, `sweep`, `compare` or `bca-table --out`, \
             or results/validation after scripts/validate_bca.sh",
        ));
    }
    let figures_dir = layout.figures_dir();
    std::fs::create_dir_all(&figures_dir).map_err(|source| Error::Io {
        path: figures_dir.clone(),
        source,
    })?;
    let mut drawn = heat_maps(&args.dir.join("points.csv"), &figures_dir, &args.metric)?;
    // The run titles its figures with the scenario name (summary.json `scenario`).
    let titles = FigureTitles::read(&layout)?;
    let title = titles
        .as_ref()
        .map(|t| t.scenario.clone())
        .or_else(|| args.dir.file_name()?.to_str().map(str::to_string))
        .unwrap_or_else(|| "run".into());
    let dir = layout.dir();
    drawn.extend(crate::output::lifetime_figures::draw_all(
        dir,
        &figures_dir,
        &title,
    )?);
    drawn.extend(crate::output::aging_figure::draw(
        dir,
        &figures_dir,
        &title,
    )?);
    drawn.extend(crate::output::compare::draw(dir, &figures_dir)?);
    drawn.extend(crate::output::bca_figures::draw_yield_vs_angle(
        dir,
        &figures_dir,
    )?);
    drawn.extend(crate::output::bca_figures::draw_yield_comparison(
        dir,
        &figures_dir,
    )?);
    drawn.extend(crate::output::robustness::draw(dir, &figures_dir)?);
    let cross_section_title = titles
        .map(|t| t.cross_section())
        .unwrap_or_else(|| format!("{title}: surface through the centre of the middle symbol row"));
    drawn.extend(crate::output::run::draw_cross_section(
        &layout.profile_csv(),
        &RunLayout::new(&figures_dir).cross_section_stem(),
        &cross_section_title,
    )?);
    for p in &drawn {
        println!("{}", p.display());
    }
    Ok(())
}

/// Heat maps of `points.csv` over its first two sweep axes: the default metrics plus
/// `extra` (an unknown extra column is an input error). Nothing without the file or with
/// fewer than two axes.
fn heat_maps(points: &Path, figures_dir: &Path, extra: &[String]) -> Result<Vec<PathBuf>> {
    let Some(Table { header, rows }) = Table::read_if_present(points)? else {
        return Ok(Vec::new());
    };
    let summary_start = header
        .iter()
        .position(|h| h.starts_with("summary."))
        .unwrap_or(header.len());
    let axes: Vec<usize> = (2..summary_start).collect();
    if axes.len() < 2 {
        return Ok(Vec::new());
    }
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
    metrics.extend(extra.iter().cloned());
    let mut drawn = Vec::new();
    for metric in metrics {
        let Some(mc) = header.iter().position(|h| *h == metric) else {
            if extra.contains(&metric) {
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
    Ok(drawn)
}
