//! The BCA validation figures, each drawn from a CSV that `millage plot` redraws it from:
//! - `yield_vs_angle.csv` (the BCA angular table normalised to normal incidence, with standard
//!   errors, beside Yamamura's angular formula in both ψ readings) → `yield_vs_angle.{png,svg}`;
//!   `millage bca-table --out` writes both;
//! - `bca_yields.csv` (BCA yields at normal incidence against Yamamura–Tawara 1996, per
//!   electronic-stopping model) → `bca_yields.{png,svg}`, a log–log parity plot with the ±30 %
//!   band; `scripts/validate_bca.sh` writes both into `results/validation/`.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{Scale, cartesian, draw_err, ensure_font, legend};
use super::table::Table;
use crate::bca::empirical::YamamuraAngular;
use crate::bca::{AngularTable, Estimate};
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
            Scale::Linear,
        ),
        (0.0..y_hi, "Y(θ) / Y(0)", Scale::Linear),
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

/// One sputtering yield of the BCA beside Yamamura–Tawara's empirical value (a row of
/// `bca_yields.csv`).
#[derive(Debug, Clone)]
pub struct YieldComparison {
    /// Model label (e.g. the electronic-stopping model), one colour in the figure.
    pub model: String,
    /// Ion symbol.
    pub ion: String,
    /// Ion energy [keV].
    pub energy_kev: f64,
    /// Target symbol or material.
    pub target: String,
    /// Yamamura & Tawara, ADNDT 62 (1996) 149, at normal incidence [atoms/ion].
    pub yamamura_tawara: f64,
    /// BCA total yield [atoms/ion] with its standard error.
    pub bca: Estimate,
    /// Fraction of the ion energy the whole cascade lost to electrons.
    pub electronic_fraction: f64,
}

/// `bca_yields.csv`: one row per [`YieldComparison`], deviation in per cent of Y–T (fields
/// quoted where needed: model labels may hold commas).
pub fn yield_comparison_csv(rows: &[YieldComparison]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "model",
        "ion",
        "energy_kev",
        "target",
        "yamamura_tawara_atoms_per_ion",
        "yield_atoms_per_ion",
        "yield_stderr",
        "deviation_pct",
        "electronic_fraction",
    ];
    // Writing to a Vec cannot fail.
    w.write_record(header).expect("in-memory CSV");
    for r in rows {
        w.write_record([
            r.model.clone(),
            r.ion.clone(),
            format!("{}", r.energy_kev),
            r.target.clone(),
            format!("{:.5}", r.yamamura_tawara),
            format!("{:.6}", r.bca.mean),
            format!("{:.6}", r.bca.stderr),
            format!("{:.2}", (r.bca.mean / r.yamamura_tawara - 1.0) * 100.0),
            format!("{:.4}", r.electronic_fraction),
        ])
        .expect("in-memory CSV");
    }
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("UTF-8 fields")
}

/// Draws `bca_yields.{png,svg}` into `figures_dir` from `tables_dir/bca_yields.csv`.
pub fn draw_yield_comparison(tables_dir: &Path, figures_dir: &Path) -> Result<Option<PathBuf>> {
    let Some(t) = Table::read_if_present(&tables_dir.join("bca_yields.csv"))? else {
        return Ok(None);
    };
    ensure_font();
    let stem = figures_dir.join("bca_yields");
    png_and_svg!(stem, (900, 760), |root| draw_parity(root, &t))?;
    Ok(Some(stem.with_extension("png")))
}

/// The relative band of the validation tolerance (±30 % of Yamamura–Tawara).
const PARITY_BAND: f64 = 0.30;

fn draw_parity<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, t: &Table) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    // (model, case label, log₁₀ Y–T, log₁₀ Y, log₁₀ (Y − e), log₁₀ (Y + e)): both axes are
    // logarithmic ([`Scale::Log10`] takes log₁₀ coordinates).
    let points: Vec<(String, String, f64, f64, f64, f64)> = t
        .rows
        .iter()
        .filter_map(|r| {
            let (yt, y, e) = (
                t.num(r, "yamamura_tawara_atoms_per_ion")?,
                t.num(r, "yield_atoms_per_ion")?,
                t.num(r, "yield_stderr")?,
            );
            (yt > 0.0 && y > 0.0).then(|| {
                let case = format!(
                    "{} {} keV → {}",
                    t.text(r, "ion").unwrap_or("?"),
                    t.num(r, "energy_kev").unwrap_or(f64::NAN),
                    t.text(r, "target").unwrap_or("?")
                );
                let model = t.text(r, "model").unwrap_or("").to_string();
                let low = (y - e).max(y * 1e-3);
                (
                    model,
                    case,
                    yt.log10(),
                    y.log10(),
                    low.log10(),
                    (y + e).log10(),
                )
            })
        })
        .collect();
    let margin = 1.4f64.log10();
    let (lo, hi) = super::figures::finite_range(points.iter().flat_map(|p| [p.2, p.4, p.5]))
        .map_or((-1.0, 1.0), |(lo, hi)| (lo - margin, hi + margin));
    let mut chart = cartesian(
        &root,
        "BCA sputtering yields vs Yamamura–Tawara 1996, normal incidence",
        (lo..hi, "Yamamura–Tawara yield [atoms/ion]", Scale::Log10),
        (lo..hi, "BCA yield [atoms/ion]", Scale::Log10),
    )?;
    let grey = RGBColor(120, 120, 120);
    chart
        .draw_series(LineSeries::new(
            vec![(lo, lo), (hi, hi)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)?
        .label("BCA = Y–T")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
    let band = [(1.0 - PARITY_BAND).log10(), (1.0 + PARITY_BAND).log10()];
    for (k, shift) in band.into_iter().enumerate() {
        let series = chart
            .draw_series(DashedLineSeries::new(
                vec![(lo, lo + shift), (hi, hi + shift)],
                5,
                4,
                grey.stroke_width(1),
            ))
            .map_err(draw_err)?;
        if k == 0 {
            series
                .label("±30 % (the validation tolerance)")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], grey));
        }
    }
    let mut models: Vec<&str> = Vec::new();
    for p in &points {
        if !models.contains(&p.0.as_str()) {
            models.push(&p.0);
        }
    }
    const PALETTE: [RGBColor; 4] = [BLUE, RED, RGBColor(0, 150, 0), MAGENTA];
    for (k, model) in models.iter().enumerate() {
        let c = PALETTE[k % PALETTE.len()];
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.0 == *model)
                    .map(|p| ErrorBar::new_vertical(p.2, p.4, p.3, p.5, c.filled(), 5)),
            )
            .map_err(draw_err)?
            .label(*model)
            .legend(move |(x, y)| Circle::new((x + 9, y), 3, c.filled()));
    }
    // Name the cases of the first (checked) model that fall outside the band, left of the point.
    let outside = points.iter().filter(|p| {
        Some(p.0.as_str()) == models.first().copied() && !(band[0]..=band[1]).contains(&(p.3 - p.2))
    });
    let style = ("sans-serif", 12).into_font().into_text_style(&root).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    chart
        .draw_series(outside.map(|p| {
            Text::new(
                format!("{} ({:+.0} %)", p.1, (10f64.powf(p.3 - p.2) - 1.0) * 100.0),
                (p.2 - 1.06f64.log10(), p.3),
                style.clone(),
            )
        }))
        .map_err(draw_err)?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(draw_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(model: &str, target: &str, yt: f64, y: f64) -> YieldComparison {
        YieldComparison {
            model: model.into(),
            ion: "Ga".into(),
            energy_kev: 30.0,
            target: target.into(),
            yamamura_tawara: yt,
            bca: Estimate {
                mean: y,
                stderr: 0.05 * y,
            },
            electronic_fraction: 0.5,
        }
    }

    #[test]
    fn yield_comparison_is_written_and_redrawn_identically() {
        let rows = [
            row("equipartition (default, checked)", "Si", 2.37, 2.31),
            row("equipartition (default, checked)", "Au", 17.48, 10.37),
            row("Lindhard–Scharff", "Si", 2.37, 1.98),
        ];
        let csv = yield_comparison_csv(&rows);
        assert!(csv.lines().nth(2).unwrap().contains(",-40.68,"), "{csv}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bca_yields.csv"), &csv).unwrap();
        let png = draw_yield_comparison(dir.path(), dir.path())
            .unwrap()
            .unwrap();
        let first = std::fs::read(&png).unwrap();
        let svg = std::fs::read_to_string(png.with_extension("svg")).unwrap();
        assert!(
            svg.contains("Ga 30 keV → Au (-41 %)"),
            "the failing case is named"
        );
        assert!(
            !svg.contains("→ Si (-"),
            "cases inside the band are not named"
        );
        draw_yield_comparison(dir.path(), dir.path()).unwrap();
        assert_eq!(first, std::fs::read(&png).unwrap());
        assert!(
            draw_yield_comparison(&dir.path().join("none"), dir.path())
                .unwrap()
                .is_none()
        );
    }
}
