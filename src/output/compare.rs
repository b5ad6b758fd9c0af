//! The material-comparison chart, drawn from `compare.csv` (PNG and SVG): the decoder-failure
//! lifetime of each variant per storage temperature as grouped bars on a log axis (a lifetime
//! beyond the horizon is drawn at the horizon and named so in the axis label), or the module
//! contrast at t = 0 when the comparison has no lifetimes. `millage compare` draws it right
//! after writing the CSV, `millage plot` redraws it from the CSV alone.

use std::path::{Path, PathBuf};

use super::figures::{self, BarChart, Series};
use super::table::Table;
use crate::error::Result;

/// Draws `compare.{png,svg}` into `figures_dir` from `tables_dir/compare.csv`; the title is
/// the first heading of `compare.md` (the comparison's name). None when there is no CSV.
pub fn draw(tables_dir: &Path, figures_dir: &Path) -> Result<Option<PathBuf>> {
    let Some(t) = Table::read_if_present(&tables_dir.join("compare.csv"))? else {
        return Ok(None);
    };
    let title = std::fs::read_to_string(tables_dir.join("compare.md"))
        .ok()
        .and_then(|md| {
            md.lines()
                .next()
                .and_then(|l| l.strip_prefix("# "))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "comparison".into());
    let labels: Vec<String> = t
        .rows
        .iter()
        .map(|r| t.text(r, "variant").unwrap_or("").to_string())
        .collect();
    // Columns `decoder_failure_yr_at_<T>C`, in file order.
    let temperature_columns: Vec<(String, usize)> = t
        .header
        .iter()
        .enumerate()
        .filter_map(|(c, h)| {
            let temp = h
                .strip_prefix("decoder_failure_yr_at_")?
                .strip_suffix('C')?;
            Some((temp.to_string(), c))
        })
        .collect();
    let (series, y_label, log_y) = if temperature_columns.is_empty() {
        let values = t
            .rows
            .iter()
            .map(|r| t.num(r, "contrast_michelson_t0").map(f64::abs))
            .collect();
        (
            vec![Series {
                name: "t = 0".into(),
                values,
            }],
            "|Michelson contrast| at t = 0",
            false,
        )
    } else {
        let series = temperature_columns
            .iter()
            .map(|(temp, c)| {
                let values = t
                    .rows
                    .iter()
                    .map(|r| match r[*c].as_str() {
                        "beyond horizon" => t.num(r, "horizon_yr"),
                        v => v.parse().ok(),
                    })
                    .collect();
                Series {
                    name: format!("{temp} °C"),
                    values,
                }
            })
            .collect();
        (
            series,
            "decoder-failure lifetime [yr] (beyond horizon drawn at the horizon)",
            true,
        )
    };
    let chart = BarChart {
        title: &title,
        labels: &labels,
        series: &series,
        y_label,
        log_y,
    };
    let stem = figures_dir.join("compare");
    figures::grouped_bars(&stem, &chart)?;
    Ok(Some(stem.with_extension("png")))
}
