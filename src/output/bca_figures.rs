//! The yield-vs-angle validation figure: `yield_vs_angle.csv` (the BCA angular table
//! normalised to normal incidence, with standard errors, beside Yamamura's angular formula in
//! both ψ readings) and `yield_vs_angle.{png,svg}` drawn from it. `millage bca-table --out`
//! writes both; `millage plot` redraws the figure from the CSV.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{cartesian, draw_err, ensure_font, legend};
use super::table::Table;
use crate::bca::AngularTable;
use crate::bca::empirical::YamamuraAngular;
use crate::error::Result;

/// `yield_vs_angle.csv`: per angle, Y(θ) ± stderr, Y(θ)/Y(0) ± stderr (errors of the two
/// independent estimates combined in quadrature) and Yamamura's Y(θ)/Y(0) without and with e²
/// in ψ (empty for targets that are not monatomic). `case` names the ion, energy and target.
pub fn yield_vs_angle_csv(
    table: &AngularTable,
    yamamura: Option<[YamamuraAngular; 2]>,
    case: &str,
) -> String {
    let mut s = String::from(
        "case,angle_deg,yield_atoms_per_ion,yield_stderr,yield_ratio,yield_ratio_stderr,yamamura_ratio_psi_without_e2,yamamura_ratio_psi_with_e2\n",
    );
    let Some(normal) = table.points.iter().find(|p| p.angle_deg == 0.0) else {
        return s;
    };
    let (y0, e0) = (normal.yield_total.mean, normal.yield_total.stderr);
    for p in &table.points {
        let (y, e) = (p.yield_total.mean, p.yield_total.stderr);
        let ratio = y / y0;
        let ratio_err = ratio * ((e / y).powi(2) + (e0 / y0).powi(2)).sqrt();
        let yam = |k: usize| {
            yamamura
                .map(|m| format!("{:.5}", m[k].ratio(p.angle_deg)))
                .unwrap_or_default()
        };
        s += &format!(
            "{case},{},{y:.6},{e:.6},{ratio:.6},{ratio_err:.6},{},{}\n",
            p.angle_deg,
            yam(0),
            yam(1)
        );
    }
    s
}

/// Draws `yield_vs_angle.{png,svg}` into `figures_dir` from `tables_dir/yield_vs_angle.csv`.
pub fn draw_yield_vs_angle(tables_dir: &Path, figures_dir: &Path) -> Result<Option<PathBuf>> {
    let Some(t) = Table::read_if_present(&tables_dir.join("yield_vs_angle.csv"))? else {
        return Ok(None);
    };
    ensure_font();
    let stem = figures_dir.join("yield_vs_angle");
    png_and_svg!(stem, (900, 560), |root| draw(root, &t))?;
    Ok(Some(stem.with_extension("png")))
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, t: &Table) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let case = t
        .rows
        .first()
        .and_then(|r| t.text(r, "case"))
        .unwrap_or("")
        .to_string();
    let bca: Vec<(f64, f64, f64)> = t
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                t.num(r, "angle_deg")?,
                t.num(r, "yield_ratio")?,
                t.num(r, "yield_ratio_stderr")?,
            ))
        })
        .filter(|p| p.1.is_finite())
        .collect();
    let curve = |col: &str| -> Vec<(f64, f64)> {
        t.rows
            .iter()
            .filter_map(|r| Some((t.num(r, "angle_deg")?, t.num(r, col)?)))
            .collect()
    };
    let yam = [
        (
            "Yamamura 1983, ψ without e²",
            curve("yamamura_ratio_psi_without_e2"),
        ),
        (
            "Yamamura 1983, ψ with e² = 14.4 eV·Å",
            curve("yamamura_ratio_psi_with_e2"),
        ),
    ];
    let y_hi = bca
        .iter()
        .map(|p| p.1 + p.2)
        .chain(yam.iter().flat_map(|(_, c)| c.iter().map(|p| p.1)))
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max)
        * 1.1;
    let mut chart = cartesian(
        &root,
        &format!("sputtering yield vs angle of incidence: {case}"),
        (
            0.0..90.0,
            "angle of incidence from the surface normal [deg]",
        ),
        (0.0..y_hi, "Y(θ) / Y(0)"),
    )?;
    for (k, (name, pts)) in yam.iter().enumerate() {
        if pts.is_empty() {
            continue;
        }
        let c = if k == 0 { RED } else { RGBColor(255, 127, 14) };
        let pts: Vec<(f64, f64)> = pts.iter().copied().filter(|p| p.1 <= y_hi).collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .map_err(draw_err)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
    }
    chart
        .draw_series(
            bca.iter()
                .map(|&(x, y, e)| ErrorBar::new_vertical(x, y - e, y, y + e, BLUE.filled(), 4)),
        )
        .map_err(draw_err)?
        .label("BCA (this code), ± 1 standard error")
        .legend(|(x, y)| Circle::new((x + 9, y), 3, BLUE.filled()));
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(draw_err)?;
    Ok(())
}
