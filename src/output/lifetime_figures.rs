//! The lifetime figures, drawn from the CSV tables of a run directory, each as PNG and SVG:
//! `degradation` (decode probability and contrast against log time per storage temperature),
//! `arrhenius` (lifetime against 1000/T with the model line, horizon and target),
//! `image_strip` (the micrograph over time) and `frontier` (density and the temperature for the
//! target lifetime against pitch) and `tornado` (the share of the lifetime's variance per
//! error source at each storage temperature, from `sensitivity.csv`).
//!
//! `millage run` writes the CSVs and then calls [`draw_all`] on them; `millage plot` calls the
//! same function on a finished directory. Figures are therefore a pure function of the CSVs,
//! and a redraw reproduces the run's figures without re-running physics.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{Scale, cartesian, draw_err, ensure_font, finite_range, legend};
use super::table::Table;
use crate::error::{Error, Result};

/// The ten "tab10" colours (matplotlib's default cycle), so that up to ten series differ.
fn colour(i: usize) -> RGBColor {
    const C: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    C[i % C.len()]
}

/// Draws every lifetime figure whose tables are in `tables_dir` into `figures_dir`; returns the
/// PNG paths drawn (each has an SVG sibling). `title` prefixes the figure captions.
pub fn draw_all(tables_dir: &Path, figures_dir: &Path, title: &str) -> Result<Vec<PathBuf>> {
    ensure_font();
    let mut drawn = Vec::new();
    let lifetime = Table::read_if_present(&tables_dir.join("lifetime.csv"))?;
    let horizon_yr = lifetime
        .as_ref()
        .and_then(|t| t.rows.first().and_then(|r| t.num(r, "horizon_yr")));
    if let (Some(curve), Some(horizon_yr)) = (
        Table::read_if_present(&tables_dir.join("degradation.csv"))?,
        horizon_yr,
    ) {
        let stem = figures_dir.join("degradation");
        let mut data = Degradation::from_table(&curve, horizon_yr);
        if let Some(measured) =
            Table::read_if_present(&tables_dir.join("degradation_real_time.csv"))?
        {
            data.add_real_time(&measured);
        }
        let caption = format!("{title}: decode probability over time");
        png_and_svg!(stem, (900, 700), |root| draw_degradation(
            root, &data, &caption
        ))?;
        drawn.push(stem.with_extension("png"));
    }
    if let Some(lifetime) = &lifetime {
        let model = Table::read_if_present(&tables_dir.join("arrhenius_model.csv"))?;
        let fit = Table::read_if_present(&tables_dir.join("arrhenius_fit.csv"))?;
        let data = Arrhenius::from_tables(lifetime, model.as_ref(), fit.as_ref());
        let stem = figures_dir.join("arrhenius");
        let caption = format!("{title}: lifetime vs 1/T");
        png_and_svg!(stem, (900, 600), |root| draw_arrhenius(
            root, &data, &caption
        ))?;
        drawn.push(stem.with_extension("png"));
    }
    if let Some(strip) = Table::read_if_present(&tables_dir.join("image_strip.csv"))? {
        let data = Strip::load(&strip, &tables_dir.join("image_strip"))?;
        let stem = figures_dir.join("image_strip");
        let (w, h) = data.size();
        png_and_svg!(stem, (w, h), |root| draw_strip(root, &data))?;
        drawn.push(stem.with_extension("png"));
    }
    if let Some(frontier) = Table::read_if_present(&tables_dir.join("frontier.csv"))? {
        let claim = Table::read_if_present(&tables_dir.join("frontier_claim.csv"))?;
        if let Some(data) = Frontier::from_tables(&frontier, claim.as_ref()) {
            let stem = figures_dir.join("frontier");
            png_and_svg!(stem, (1200, 520), |root| draw_frontier(root, &data))?;
            drawn.push(stem.with_extension("png"));
        }
    }
    if let Some(sens) = Table::read_if_present(&tables_dir.join("sensitivity.csv"))? {
        let data = Tornado::from_table(&sens);
        if !data.panels.is_empty() {
            let stem = figures_dir.join("tornado");
            let caption = format!("{title}: share of the variance of ln t per error source");
            let rows = data.panels.iter().map(|p| p.1.len()).max().unwrap_or(1) as u32;
            let w = 420 * data.panels.len() as u32;
            png_and_svg!(stem, (w.max(600), 160 + 34 * rows), |root| {
                draw_tornado(root, &data, &caption)
            })?;
            drawn.push(stem.with_extension("png"));
        }
    }
    Ok(drawn)
}

/// The tornado figure: per storage temperature, the error sources by descending share, with
/// the sign of their rank correlation with ln t.
struct Tornado {
    /// (temperature label, bars) per temperature.
    panels: Vec<(String, Vec<Bar>)>,
}

/// One tornado bar: (parameter, share, rank correlation).
type Bar = (String, f64, f64);

impl Tornado {
    fn from_table(t: &Table) -> Tornado {
        let mut panels: Vec<(String, Vec<Bar>)> = Vec::new();
        for r in &t.rows {
            let (Some(temp), Some(param), Some(share)) = (
                t.text(r, "temperature_c"),
                t.text(r, "parameter"),
                t.num(r, "share"),
            ) else {
                continue;
            };
            let rho = t.num(r, "rank_correlation").unwrap_or(0.0);
            let label = format!("{temp} °C");
            let k = match panels.iter().position(|p| p.0 == label) {
                Some(k) => k,
                None => {
                    panels.push((label, Vec::new()));
                    panels.len() - 1
                }
            };
            panels[k].1.push((param.to_string(), share, rho));
        }
        for p in &mut panels {
            p.1.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        Tornado { panels }
    }
}

/// One panel per temperature: horizontal bars of the variance share [0, 1] of each error
/// source, largest on top, blue where a larger z lengthens the lifetime (ρ_S > 0), red where it
/// shortens it; the parameter name and share are written beside each bar.
fn draw_tornado<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    t: &Tornado,
    title: &str,
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let root = root.titled(title, ("sans-serif", 16)).map_err(draw_err)?;
    let panels = root.split_evenly((1, t.panels.len()));
    for (area, (temp, bars)) in panels.iter().zip(&t.panels) {
        let n = bars.len().max(1) as f64;
        let mut chart = cartesian(
            area,
            temp,
            (0.0..1.0, "share of var(ln t) [1]", Scale::Linear),
            (0.0..n, "error source (rank)", Scale::Linear),
        )?;
        for (i, (name, share, rho)) in bars.iter().enumerate() {
            let y = n - i as f64 - 1.0;
            let c = if *rho >= 0.0 { colour(0) } else { colour(3) };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.15), (*share, y + 0.85)],
                    c.mix(0.8).filled(),
                )))
                .map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{name}  {share:.2}"),
                    (0.02, y + 0.5),
                    ("sans-serif", 11),
                )))
                .map_err(draw_err)?;
        }
    }
    root.present().map_err(draw_err)?;
    Ok(())
}

/// The degradation curve: per storage temperature, (log₁₀ t [yr], P(decode), |contrast|).
struct Degradation {
    temperatures: Vec<String>,
    /// Surface diffusion alone (rescaled curve), per temperature.
    curves: Vec<Vec<(f64, f64, f64)>>,
    /// Real-time probes (all active mechanisms), per temperature; empty where none.
    measured: Vec<Vec<(f64, f64, f64)>>,
    horizon_yr: f64,
}

impl Degradation {
    fn from_table(t: &Table, horizon_yr: f64) -> Degradation {
        let time_cols: Vec<usize> = (0..t.header.len())
            .filter(|&c| t.header[c].starts_with("time_yr_at_"))
            .collect();
        let temperatures = time_cols
            .iter()
            .map(|&c| {
                let label = t.header[c].trim_start_matches("time_yr_at_");
                format!("{} °C", label.trim_end_matches('c'))
            })
            .collect();
        let curves = time_cols
            .iter()
            .map(|&c| {
                t.rows
                    .iter()
                    .filter_map(|r| {
                        let time: f64 = r.get(c)?.parse().ok()?;
                        let p = t.num(r, "decode_probability")?;
                        let m = t.num(r, "michelson_contrast")?;
                        (time > 0.0).then(|| (time.log10(), p, m.abs()))
                    })
                    .collect()
            })
            .collect();
        Degradation {
            measured: vec![Vec::new(); time_cols.len()],
            temperatures,
            curves,
            horizon_yr,
        }
    }

    /// Adds the real-time probes of `degradation_real_time.csv` to their temperatures.
    fn add_real_time(&mut self, t: &Table) {
        for r in &t.rows {
            let label = format!("{} °C", t.text(r, "temperature_c").unwrap_or(""));
            let (Some(k), Some(time), Some(p), Some(m)) = (
                self.temperatures.iter().position(|n| *n == label),
                t.num(r, "time_yr").filter(|v| *v > 0.0),
                t.num(r, "decode_probability"),
                t.num(r, "michelson_contrast"),
            ) else {
                continue;
            };
            self.measured[k].push((time.log10(), p, m.abs()));
        }
        for m in &mut self.measured {
            m.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
    }
}

/// Decode probability (top) and |Michelson contrast| (bottom) against log₁₀ time at each
/// storage temperature; the horizon is the right edge, so temperatures whose whole curve lies
/// beyond it draw nothing (and say so in the legend).
fn draw_degradation<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    d: &Degradation,
    title: &str,
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let (_, h) = root.dim_in_pixel();
    let (top, bottom) = root.split_vertically(h / 2);
    let x_hi = d.horizon_yr.log10();
    // From the earliest curve point, or a decade before the earliest real-time probe that did
    // not decode every realization (the real-time searches start at 0.01 s; their early,
    // all-passing probes would squeeze the failures against the right edge).
    let first_loss = d
        .measured
        .iter()
        .flatten()
        .filter(|p| p.1 < 1.0)
        .map(|p| p.0 - 1.0);
    let x_lo = finite_range(d.curves.iter().flatten().map(|p| p.0).chain(first_loss))
        .map_or(x_hi - 14.0, |(lo, _)| lo)
        .max(x_hi - 14.0)
        .min(x_hi - 1.0);
    let cmax = d
        .curves
        .iter()
        .flatten()
        .map(|p| p.2)
        .fold(0.0, f64::max)
        .max(1e-3);
    for (panel, area) in [(0, &top), (1, &bottom)] {
        let (ylo, yhi, ydesc, caption) = if panel == 0 {
            (-0.05, 1.05, "P(decode), any decoder", title)
        } else {
            (
                0.0,
                cmax * 1.1,
                "|Michelson contrast|",
                "module contrast of the raw signal",
            )
        };
        let mut chart = cartesian(
            area,
            caption,
            (x_lo..x_hi, "time at storage temperature [yr]", Scale::Log10),
            (ylo..yhi, ydesc, Scale::Linear),
        )?;
        for (i, (name, curve)) in d.temperatures.iter().zip(&d.curves).enumerate() {
            let pick = |p: &(f64, f64, f64)| (p.0, if panel == 0 { p.1 } else { p.2 });
            let pts: Vec<(f64, f64)> = curve
                .iter()
                .filter(|p| p.0 >= x_lo && p.0 <= x_hi)
                .map(pick)
                .collect();
            let measured: Vec<(f64, f64)> = d.measured[i]
                .iter()
                .filter(|p| p.0 >= x_lo && p.0 <= x_hi)
                .map(pick)
                .collect();
            let c = colour(i);
            let label = match (pts.is_empty(), d.measured[i].is_empty()) {
                (true, true) => format!("{name}: beyond the horizon"),
                (_, true) => name.clone(),
                (_, false) => format!("{name}, surface diffusion alone"),
            };
            // Solid where it is the whole story; dashed where real-time probes supersede it.
            let curve_annotation = if d.measured[i].is_empty() {
                chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            } else {
                chart.draw_series(DashedLineSeries::new(pts.clone(), 6, 4, c.stroke_width(2)))
            };
            curve_annotation
                .map_err(draw_err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
                .map_err(draw_err)?;
            if !d.measured[i].is_empty() {
                chart
                    .draw_series(LineSeries::new(measured.clone(), c.stroke_width(1)))
                    .map_err(draw_err)?;
                chart
                    .draw_series(
                        measured
                            .iter()
                            .map(|p| Circle::new(*p, 5, c.stroke_width(2))),
                    )
                    .map_err(draw_err)?
                    .label(format!("{name}, real time (all active mechanisms)"))
                    .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.stroke_width(2)));
            }
        }
        if panel == 0 {
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
    }
    root.present().map_err(draw_err)?;
    Ok(())
}

/// The Arrhenius data: lifetimes per temperature and criterion, the model line, the fits.
struct Arrhenius {
    /// (1000/T, log₁₀ t_decoder, log₁₀ t_information) per storage temperature.
    points: Vec<(f64, Option<f64>, Option<f64>)>,
    /// (1000/T, log₁₀ t) of the single-mechanism model.
    model: Vec<(f64, f64)>,
    /// Fitted E_a per criterion (decoder, information).
    ea_ev: [Option<f64>; 2],
    horizon_yr: f64,
    target_yr: Option<f64>,
}

impl Arrhenius {
    fn from_tables(lifetime: &Table, model: Option<&Table>, fit: Option<&Table>) -> Arrhenius {
        let points = lifetime
            .rows
            .iter()
            .filter_map(|r| {
                let t_k = lifetime.num(r, "temperature_k")?;
                let y = |key: &str| lifetime.num(r, key).filter(|v| *v > 0.0).map(f64::log10);
                Some((
                    1000.0 / t_k,
                    y("decoder_failure_yr"),
                    y("information_failure_yr"),
                ))
            })
            .collect();
        let horizon_yr = lifetime
            .rows
            .first()
            .and_then(|r| lifetime.num(r, "horizon_yr"))
            .unwrap_or(f64::NAN);
        let model = model
            .map(|m| {
                m.rows
                    .iter()
                    .filter_map(|r| {
                        Some((
                            m.num(r, "inverse_temperature_per_kk")?,
                            m.num(r, "model_lifetime_yr").filter(|v| *v > 0.0)?.log10(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ea_ev = [None, None];
        let mut target_yr = None;
        if let Some(f) = fit {
            for r in &f.rows {
                let k = match f.text(r, "criterion") {
                    Some("decoder") => 0,
                    Some("information") => 1,
                    _ => continue,
                };
                ea_ev[k] = f.num(r, "fitted_ea_ev");
                target_yr = target_yr.or(f.num(r, "target_yr"));
            }
        }
        Arrhenius {
            points,
            model,
            ea_ev,
            horizon_yr,
            target_yr,
        }
    }
}

/// log₁₀ lifetime against 1000/T. Points: searched lifetimes within the horizon per criterion;
/// dashed: the single-mechanism model (drawn also above the horizon, where it is an
/// extrapolation and not a reported lifetime); dotted: the target.
fn draw_arrhenius<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    a: &Arrhenius,
    title: &str,
) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let (x_lo, x_hi) = finite_range(
        a.points
            .iter()
            .map(|p| p.0)
            .chain(a.model.iter().map(|p| p.0)),
    )
    .map_or((1.0, 3.5), |(lo, hi)| (lo - 0.1, hi + 0.1));
    let hz = a.horizon_yr.log10();
    let mut ys: Vec<f64> = vec![hz];
    ys.extend(a.target_yr.map(f64::log10));
    ys.extend(a.points.iter().flat_map(|p| [p.1, p.2]).flatten());
    ys.extend(a.model.iter().map(|p| p.1).filter(|y| *y < hz + 20.0));
    let (y_lo, y_hi) =
        finite_range(ys).map_or((-3.0, 7.0), |(lo, hi)| (lo - 1.0, (hi + 1.0).min(80.0)));
    let mut chart = cartesian(
        &root,
        title,
        (x_lo..x_hi, "1000 / T [1/K]", Scale::Linear),
        (y_lo..y_hi, "lifetime [yr]", Scale::Log10),
    )?;
    if hz.is_finite() && hz < y_hi {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x_lo, hz), (x_hi, y_hi)],
                RGBColor(220, 220, 220).mix(0.5).filled(),
            )))
            .map_err(draw_err)?
            .label("beyond the horizon (model extrapolation only)")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 18, y + 5)],
                    RGBColor(200, 200, 200).filled(),
                )
            });
    }
    if !a.model.is_empty() {
        let line: Vec<(f64, f64)> = a
            .model
            .iter()
            .copied()
            .filter(|(_, y)| *y <= y_hi && *y >= y_lo)
            .collect();
        chart
            .draw_series(DashedLineSeries::new(line, 6, 4, BLUE.stroke_width(2)))
            .map_err(draw_err)?
            .label("surface diffusion alone: s_fail / B_eff(T)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE));
    }
    if let Some(target) = a.target_yr {
        let ty = target.log10();
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x_lo, ty), (x_hi, ty)],
                2,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(draw_err)?
            .label(format!("target {target} yr"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
    }
    for (ci, name) in ["decoder", "information"].iter().enumerate() {
        let pts: Vec<(f64, f64)> = a
            .points
            .iter()
            .filter_map(|p| (if ci == 0 { p.1 } else { p.2 }).map(|y| (p.0, y)))
            .collect();
        let c = colour(ci + 2);
        let fit = a.ea_ev[ci]
            .map(|ea| format!(", fitted Ea = {ea:.2} eV"))
            .unwrap_or_default();
        chart
            .draw_series(
                pts.iter()
                    .map(|p| Circle::new(*p, 5 - ci as i32, c.filled())),
            )
            .map_err(draw_err)?
            .label(format!("{name} failure{fit}"))
            .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    root.present().map_err(draw_err)?;
    Ok(())
}

/// Side length of one strip tile [px].
const TILE_PX: u32 = 240;
/// Height of the caption band under the tiles [px].
const CAPTION_PX: u32 = 40;

/// The image strip: tiles (RGB, `TILE_PX`² each) and their captions.
struct Strip {
    tiles: Vec<(Vec<u8>, String, String)>,
}

impl Strip {
    fn load(t: &Table, tile_dir: &Path) -> Result<Strip> {
        let mut tiles = Vec::new();
        for r in &t.rows {
            let Some(file) = t.text(r, "file") else {
                continue;
            };
            let path = tile_dir.join(file);
            let grey = ::image::open(&path)
                .map_err(|e| Error::Numerical(format!("{}: {e}", path.display())))?
                .to_luma8();
            let (gw, gh) = (grey.width().max(1), grey.height().max(1));
            // Nearest-neighbour resampling keeps the pixels the decoder saw.
            let mut rgb = Vec::with_capacity((TILE_PX * TILE_PX * 3) as usize);
            for v in 0..TILE_PX {
                for u in 0..TILE_PX {
                    let px = grey.get_pixel(u * gw / TILE_PX, v * gh / TILE_PX)[0];
                    rgb.extend_from_slice(&[px, px, px]);
                }
            }
            let time = t.num(r, "time_yr").unwrap_or(f64::NAN);
            let temp = t.text(r, "temperature_c").unwrap_or("?");
            let p = t
                .num(r, "decode_probability")
                .map_or("n/a".to_string(), |p| format!("{p:.2}"));
            tiles.push((
                rgb,
                format!("{} yr at {temp} °C", super::aging::time_label(time)),
                format!("P(decode) {p}"),
            ));
        }
        Ok(Strip { tiles })
    }

    fn size(&self) -> (u32, u32) {
        (
            TILE_PX * self.tiles.len().max(1) as u32,
            TILE_PX + CAPTION_PX,
        )
    }
}

/// The micrographs side by side, each captioned with its time and decode probability.
fn draw_strip<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, s: &Strip) -> Result<()> {
    root.fill(&BLACK).map_err(draw_err)?;
    for (k, (rgb, line1, line2)) in s.tiles.iter().enumerate() {
        let x0 = (k as u32 * TILE_PX) as i32;
        let tile = BitMapElement::with_ref((x0, 0), (TILE_PX, TILE_PX), rgb)
            .ok_or_else(|| Error::Numerical("strip tile has the wrong size".into()))?;
        root.draw(&tile).map_err(draw_err)?;
        let font = ("sans-serif", 13).into_font().color(&WHITE);
        root.draw(&Text::new(
            line1.clone(),
            (x0 + 6, TILE_PX as i32 + 4),
            font.clone(),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            line2.clone(),
            (x0 + 6, TILE_PX as i32 + 21),
            font,
        ))
        .map_err(draw_err)?;
    }
    root.present().map_err(draw_err)?;
    Ok(())
}

/// The density–lifetime frontier.
struct Frontier {
    /// (log₁₀ pitch, log₁₀ raw TB/A4, log₁₀ tiled TB/A4) per pitch.
    density: Vec<(f64, f64, f64)>,
    /// Per surface: (log₁₀ pitch, temperature for the target [°C]).
    target_temperature: Vec<(String, Vec<(f64, f64)>)>,
    /// 49 nm claim: (raw TB, tiled TB, tiled symbol).
    claim: Option<(f64, f64, String)>,
    target_yr: Option<f64>,
}

impl Frontier {
    fn from_tables(t: &Table, claim: Option<&Table>) -> Option<Frontier> {
        let mut density: Vec<(f64, f64, f64)> = Vec::new();
        let mut target_temperature: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for r in &t.rows {
            let pitch = t.num(r, "pitch_nm")?;
            let x = pitch.log10();
            if !density.iter().any(|d| d.0 == x) {
                density.push((
                    x,
                    t.num(r, "raw_tb_per_a4")?.log10(),
                    t.num(r, "tiled_tb_per_a4")?.log10(),
                ));
            }
            let surface = t.text(r, "surface").unwrap_or("").to_string();
            let k = match target_temperature.iter().position(|(n, _)| *n == surface) {
                Some(k) => k,
                None => {
                    target_temperature.push((surface, Vec::new()));
                    target_temperature.len() - 1
                }
            };
            if let Some(tc) = t.num(r, "temperature_for_target_c")
                && !target_temperature[k].1.iter().any(|p| p.0 == x)
            {
                target_temperature[k].1.push((x, tc));
            }
        }
        if density.is_empty() {
            return None;
        }
        let (claim, target_yr) = claim
            .and_then(|c| {
                let r = c.rows.first()?;
                Some((
                    Some((
                        c.num(r, "raw_tb_per_a4")?,
                        c.num(r, "tiled_tb_per_a4")?,
                        c.text(r, "tiled_symbol")?.to_string(),
                    )),
                    c.num(r, "target_yr"),
                ))
            })
            .unwrap_or((None, None));
        Some(Frontier {
            density,
            target_temperature,
            claim,
            target_yr,
        })
    }
}

/// TB per A4 (raw and tiled QR) against pitch (left) and the temperature at which the lifetime
/// equals the target per surface (right); 2 TB and 49 nm marked.
fn draw_frontier<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, f: &Frontier) -> Result<()> {
    root.fill(&WHITE).map_err(draw_err)?;
    let (w, _) = root.dim_in_pixel();
    let (left, right) = root.split_horizontally(w / 2);
    let (x_lo, x_hi) = finite_range(f.density.iter().map(|d| d.0))
        .map(|(lo, hi)| (lo - 0.05, hi + 0.05))
        .unwrap_or((0.5, 2.5));
    let (y_lo, y_hi) = finite_range(f.density.iter().flat_map(|d| [d.1, d.2]))
        .map(|(lo, hi)| (lo - 0.3, hi + 0.3))
        .unwrap_or((-1.0, 2.0));
    let mut chart = cartesian(
        &left,
        "density: TB per A4 sheet",
        (x_lo..x_hi, "module pitch [nm]", Scale::Log10),
        (y_lo..y_hi, "TB per A4 sheet", Scale::Log10),
    )?;
    let tiled_name = f
        .claim
        .as_ref()
        .map_or("tiled QR payload".to_string(), |c| {
            format!("tiled {} payload", c.2)
        });
    for (i, name) in ["raw, 1 bit per module".to_string(), tiled_name]
        .iter()
        .enumerate()
    {
        let pts: Vec<(f64, f64)> = f
            .density
            .iter()
            .map(|d| (d.0, if i == 0 { d.1 } else { d.2 }))
            .collect();
        let c = colour(i);
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
        chart
            .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
            .map_err(draw_err)?;
    }
    let two = 2f64.log10();
    let claim_label = f.claim.as_ref().map_or("2 TB claim".to_string(), |c| {
        format!("2 TB claim; 49 nm: raw {:.2} TB, tiled {:.2} TB", c.0, c.1)
    });
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x_lo, two), (x_hi, two)],
            4,
            4,
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)?
        .label(claim_label)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
    let x49 = 49f64.log10();
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x49, y_lo), (x49, y_hi)],
            4,
            4,
            RED.stroke_width(1),
        ))
        .map_err(draw_err)?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    let (t_lo, t_hi) = finite_range(
        f.target_temperature
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.1)),
    )
    .map(|(lo, hi)| ((lo - 50.0).min(0.0), (hi + 50.0).max(100.0)))
    .unwrap_or((0.0, 100.0));
    let caption = f.target_yr.map_or(
        "temperature for the target lifetime (surface diffusion)".to_string(),
        |t| format!("temperature for a {t} yr lifetime (surface diffusion)"),
    );
    let mut chart = cartesian(
        &right,
        &caption,
        (x_lo..x_hi, "module pitch [nm]", Scale::Log10),
        (t_lo..t_hi, "temperature [°C]", Scale::Linear),
    )?;
    for (i, (name, pts)) in f.target_temperature.iter().enumerate() {
        let c = if i == 0 { BLACK } else { colour(i - 1) };
        let style = if i == 0 {
            c.stroke_width(3)
        } else {
            c.stroke_width(1)
        };
        chart
            .draw_series(LineSeries::new(pts.clone(), style))
            .map_err(draw_err)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present().map_err(draw_err)?;
    Ok(())
}
