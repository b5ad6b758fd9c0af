//! The aging figure of a run with `[aging]`, drawn from `aging.csv` (PNG and SVG): against
//! log₁₀ time, the pit geometry and oxide (top), the worst-block codeword errors relative to
//! the Reed–Solomon capacity with the decoders' verdicts (middle) and the module contrast
//! (bottom). The t = 0 snapshot has no place on a log axis; it is named in the caption.
//! `millage run` draws it from the CSV it wrote, `millage plot` redraws it.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{Scale, cartesian, draw_err, ensure_font, legend};
use super::table::Table;
use crate::choice::Choice;
use crate::decode::Decoder;
use crate::error::Result;

/// Draws `aging.{png,svg}` into `figures_dir` from `tables_dir/aging.csv` (None without it or
/// with fewer than one snapshot after t = 0).
pub fn draw(tables_dir: &Path, figures_dir: &Path, title: &str) -> Result<Option<PathBuf>> {
    let Some(t) = Table::read_if_present(&tables_dir.join("aging.csv"))? else {
        return Ok(None);
    };
    let rows: Vec<&Vec<String>> = t
        .rows
        .iter()
        .filter(|r| t.num(r, "time_yr").is_some_and(|y| y > 0.0))
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    ensure_font();
    let series = |col: &str| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| Some((t.num(r, "time_yr")?.log10(), t.num(r, col)?)))
            .collect()
    };
    let at_zero = t
        .rows
        .iter()
        .find(|r| t.num(r, "time_yr") == Some(0.0))
        .map(|r| {
            format!(
                " (t = 0: depth {:.1} nm, worst block {:.2}, contrast {:.3})",
                t.num(r, "pit_depth_nm").unwrap_or(f64::NAN),
                t.num(r, "max_block_error_ratio").unwrap_or(f64::NAN),
                t.num(r, "michelson_contrast").unwrap_or(f64::NAN)
            )
        })
        .unwrap_or_default();
    let data = Panels {
        geometry: [
            ("pit depth", series("pit_depth_nm")),
            ("edge width", series("edge_width_nm")),
            ("rms roughness", series("rms_roughness_nm")),
            ("oxide (mean)", series("oxide_mean_nm")),
        ],
        errors: series("max_block_error_ratio"),
        decoded: Decoder::NAMES
            .iter()
            .map(|&d| (d, series(&format!("{d}_decoded"))))
            .collect(),
        contrast: series("michelson_contrast"),
        caption: format!("{title}: aging{at_zero}"),
    };
    let stem = figures_dir.join("aging");
    png_and_svg!(stem, (900, 900), |root| draw_panels(root, &data))?;
    Ok(Some(stem.with_extension("png")))
}

struct Panels {
    geometry: [(&'static str, Vec<(f64, f64)>); 4],
    errors: Vec<(f64, f64)>,
    decoded: Vec<(&'static str, Vec<(f64, f64)>)>,
    contrast: Vec<(f64, f64)>,
    caption: String,
}

fn span(points: impl Iterator<Item = f64>, pad_to: (f64, f64)) -> std::ops::Range<f64> {
    let (lo, hi) = points
        .filter(|v| v.is_finite())
        .fold((pad_to.0, pad_to.1), |(a, b), v| (a.min(v), b.max(v)));
    let pad = 0.05 * (hi - lo).max(1e-9);
    (lo - pad)..(hi + pad)
}

fn colour(i: usize) -> RGBColor {
    [BLUE, RED, RGBColor(44, 160, 44), RGBColor(148, 103, 189)][i % 4]
}

fn draw_panels<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, p: &Panels) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let x_all = p
        .geometry
        .iter()
        .flat_map(|(_, s)| s.iter().map(|q| q.0))
        .chain(p.errors.iter().map(|q| q.0));
    let x = span(x_all, (f64::INFINITY, f64::NEG_INFINITY));
    let panels = root.split_evenly((3, 1));
    let time = "storage time [yr]";

    let y = span(
        p.geometry.iter().flat_map(|(_, s)| s.iter().map(|q| q.1)),
        (0.0, 1.0),
    );
    let mut chart = cartesian(
        &panels[0],
        &p.caption,
        (x.clone(), time, Scale::Log10),
        (y, "[nm]", Scale::Linear),
    )?;
    for (i, (name, pts)) in p.geometry.iter().enumerate() {
        let c = colour(i);
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(draw_err)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
        chart
            .draw_series(pts.iter().map(|q| Circle::new(*q, 3, c.filled())))
            .map_err(draw_err)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let y = span(
        p.errors
            .iter()
            .map(|q| q.1)
            .chain(p.decoded.iter().flat_map(|(_, s)| s.iter().map(|q| q.1))),
        (0.0, 1.2),
    );
    let mut chart = cartesian(
        &panels[1],
        "worst-block codeword errors / RS capacity (decodable below 1); decoders 1 = read",
        (x.clone(), time, Scale::Log10),
        (y, "errors / capacity, decoded", Scale::Linear),
    )?;
    chart
        .draw_series(LineSeries::new(p.errors.clone(), BLACK.stroke_width(2)))
        .map_err(draw_err)?
        .label("worst block")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x.start, 1.0), (x.end, 1.0)],
            4,
            4,
            RED.stroke_width(1),
        ))
        .map_err(draw_err)?
        .label("RS capacity")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED));
    for (i, (name, pts)) in p.decoded.iter().enumerate() {
        let c = colour(i + 2);
        let size = 5 - 2 * i as i32;
        chart
            .draw_series(pts.iter().map(|q| Circle::new(*q, size, c.filled())))
            .map_err(draw_err)?
            .label(format!("{name} decoded"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let y = span(p.contrast.iter().map(|q| q.1), (0.0, 0.0));
    let mut chart = cartesian(
        &panels[2],
        "module contrast of the raw signal",
        (x, time, Scale::Log10),
        (y, "Michelson contrast", Scale::Linear),
    )?;
    chart
        .draw_series(LineSeries::new(p.contrast.clone(), BLUE.stroke_width(2)))
        .map_err(draw_err)?;
    chart
        .draw_series(p.contrast.iter().map(|q| Circle::new(*q, 3, BLUE.filled())))
        .map_err(draw_err)?;
    root.present().map_err(draw_err)?;
    Ok(())
}
