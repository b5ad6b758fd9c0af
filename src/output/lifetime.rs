//! Lifetime tables and figures: `lifetime.csv`, `uncertainty.csv`, `degradation.csv`,
//! `frontier.csv` (units in the headers), and `degradation.png`, `arrhenius.png`,
//! `image_strip.png`, `frontier.png` (plotters, bundled font).

use std::path::Path;

use plotters::prelude::*;

use super::figures::{draw_err, ensure_font, save_rgb};
use crate::error::Result;
use crate::image::Micrograph;
use crate::lifetime::Criterion;
use crate::pipeline::lifetime::{LifetimeAnalysis, LifetimeRow, UncertaintyRow};
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

fn opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.6e}")).unwrap_or_default()
}

/// `lifetime.csv`: one row per storage temperature; empty cells where the failure is beyond
/// the horizon (never a number there) — see the status columns.
pub fn lifetime_csv(rows: &[LifetimeRow]) -> String {
    let mut s = String::from(
        "temperature_c,temperature_k,decoder_failure_yr,information_failure_yr,beyond_horizon,horizon_yr,decoder_status,information_status,decoder_probes,information_probes\n",
    );
    for r in rows {
        s += &format!(
            "{},{},{},{},{},{:.6e},{},{},{},{}\n",
            r.temperature_c,
            r.temperature_k,
            opt(r.decoder_failure_yr),
            opt(r.information_failure_yr),
            r.beyond_horizon,
            r.horizon_yr,
            r.decoder_status,
            r.information_status,
            r.decoder_probes,
            r.information_probes
        );
    }
    s
}

/// `uncertainty.csv`: Monte Carlo lifetime distribution per temperature.
pub fn uncertainty_csv(rows: &[UncertaintyRow]) -> String {
    let mut s = String::from(
        "temperature_c,criterion,b50_yr,b5_yr,lower_95_yr,sigma_ln_t,fraction_within_horizon,samples\n",
    );
    for r in rows {
        s += &format!(
            "{},{},{},{},{},{:.4},{:.4},{}\n",
            kelvin_to_celsius(r.temperature_k),
            criterion_name(r.criterion),
            opt(r.b50_yr),
            opt(r.b5_yr),
            opt(r.lower_95_yr),
            r.sigma_ln,
            r.fraction_within_horizon,
            r.samples
        );
    }
    s
}

fn criterion_name(c: Criterion) -> &'static str {
    match c {
        Criterion::DecoderFailure => "decoder",
        Criterion::InformationFailure => "information",
    }
}

/// `degradation.csv`: the degradation curve in equivalent time, with the time at each storage
/// temperature.
pub fn degradation_csv(a: &LifetimeAnalysis, decoder_names: &[&str]) -> String {
    let mut s = String::from("s_nm4");
    for t in &a.temperatures_k {
        s += &format!(",time_yr_at_{}c", kelvin_to_celsius(*t));
    }
    s += ",decode_probability";
    for d in decoder_names {
        s += &format!(",{d}_probability");
    }
    s += ",median_block_error_ratio,michelson_contrast\n";
    for p in &a.curve {
        s += &format!("{:.6e}", p.s_nm4);
        for t in &p.time_yr {
            s += &format!(",{t:.6e}");
        }
        s += &format!(",{:.4}", p.reading.decode_probability);
        for q in &p.reading.decoder_probabilities {
            s += &format!(",{q:.4}");
        }
        s += &format!(
            ",{:.4},{:.5}\n",
            p.reading.median_block_error_ratio, p.reading.michelson_contrast
        );
    }
    s
}

/// `frontier.csv`: density and lifetime per pitch, surface and temperature.
pub fn frontier_csv(a: &LifetimeAnalysis) -> String {
    let mut s = String::from(
        "pitch_nm,raw_bits_per_um2,raw_tb_per_a4,tiled_bits_per_um2,tiled_tb_per_a4,surface,temperature_c,lifetime_yr,beyond_horizon,temperature_for_target_c\n",
    );
    let Some(f) = &a.frontier else {
        return s;
    };
    for row in &f.rows {
        let d = &row.density;
        for l in &row.lifetimes {
            let target = row
                .temperature_for_target_k
                .iter()
                .find(|(n, _)| *n == l.surface)
                .and_then(|(_, t)| t.map(kelvin_to_celsius));
            s += &format!(
                "{},{:.6e},{:.6e},{:.6e},{:.6e},{},{},{},{},{}\n",
                d.pitch_nm,
                d.raw_bits_per_um2,
                d.raw_tb_per_a4,
                d.tiled_bits_per_um2,
                d.tiled_tb_per_a4,
                l.surface,
                kelvin_to_celsius(l.temperature_k),
                opt(l.lifetime_yr),
                l.beyond_horizon,
                target.map(|t| format!("{t:.2}")).unwrap_or_default()
            );
        }
    }
    s
}

fn colour(i: usize) -> RGBColor {
    const C: [RGBColor; 6] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
    ];
    C[i % C.len()]
}

/// `degradation.png`: decode probability (top) and |Michelson contrast| (bottom) against
/// log₁₀ time at each storage temperature (t = s / B_eff(T)); the horizon is the right edge,
/// so temperatures whose whole curve lies beyond it draw nothing (named in the legend).
pub fn degradation_png(
    path: &Path,
    a: &LifetimeAnalysis,
    title: &str,
    horizon_yr: f64,
) -> Result<()> {
    ensure_font();
    let (w, h) = (900u32, 700u32);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (top, bottom) = root.split_vertically(h / 2);
        let x_hi = horizon_yr.log10();
        let x_lo = a
            .curve
            .iter()
            .flat_map(|p| p.time_yr.iter())
            .filter(|t| **t > 0.0)
            .map(|t| t.log10())
            .fold(f64::INFINITY, f64::min)
            .max(x_hi - 14.0)
            .min(x_hi - 1.0);
        let cmax = a
            .curve
            .iter()
            .map(|p| p.reading.michelson_contrast.abs())
            .fold(0.0, f64::max)
            .max(1e-3);
        for (panel, area) in [(0, &top), (1, &bottom)] {
            let (ylo, yhi, ydesc) = if panel == 0 {
                (-0.05, 1.05, "P(decode), any decoder")
            } else {
                (0.0, cmax * 1.1, "|Michelson contrast|")
            };
            let mut chart = ChartBuilder::on(area)
                .caption(
                    if panel == 0 {
                        title
                    } else {
                        "module contrast of the raw signal"
                    },
                    ("sans-serif", 15),
                )
                .margin(10)
                .x_label_area_size(36)
                .y_label_area_size(60)
                .build_cartesian_2d(x_lo..x_hi, ylo..yhi)
                .map_err(draw_err)?;
            chart
                .configure_mesh()
                .x_desc("log10 time at storage temperature [yr]")
                .y_desc(ydesc)
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(draw_err)?;
            for (i, t_k) in a.temperatures_k.iter().enumerate() {
                let pts: Vec<(f64, f64)> = a
                    .curve
                    .iter()
                    .filter(|p| p.time_yr[i] > 0.0)
                    .map(|p| {
                        let y = if panel == 0 {
                            p.reading.decode_probability
                        } else {
                            p.reading.michelson_contrast.abs()
                        };
                        (p.time_yr[i].log10(), y)
                    })
                    .filter(|(x, _)| *x >= x_lo && *x <= x_hi)
                    .collect();
                let c = colour(i);
                let label = if pts.is_empty() {
                    format!("{:.0} °C: beyond the horizon", kelvin_to_celsius(*t_k))
                } else {
                    format!("{:.0} °C", kelvin_to_celsius(*t_k))
                };
                chart
                    .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                    .map_err(draw_err)?
                    .label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
                    .map_err(draw_err)?;
            }
            if panel == 0 {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 12))
                    .draw()
                    .map_err(draw_err)?;
            }
        }
        root.present().map_err(draw_err)?;
    }
    save_rgb(path, buffer, w, h)
}

/// `arrhenius.png`: log₁₀ lifetime against 1000/T. Points: searched lifetimes within the
/// horizon per criterion; dashed line: the single-mechanism model s_fail / B_eff(T) of the
/// decoder criterion (or the first searched), drawn also above the horizon line, where it is an
/// extrapolation and not a reported lifetime; dotted: the target.
pub fn arrhenius_png(
    path: &Path,
    a: &LifetimeAnalysis,
    rows: &[LifetimeRow],
    horizon_yr: f64,
    target_yr: f64,
    title: &str,
) -> Result<()> {
    ensure_font();
    let (w, h) = (900u32, 600u32);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let s_fail = a.searches.iter().find_map(|s| s.s_fail_nm4);
        let t_lo = a.temperatures_k.first().copied().unwrap_or(300.0);
        let t_hi = a.temperatures_k.last().copied().unwrap_or(700.0);
        let (x_lo, x_hi) = (1000.0 / t_hi - 0.1, 1000.0 / t_lo + 0.1);
        let model =
            |t_k: f64| s_fail.map(|s| (s.ln() - a.rate_model.ln_b(t_k)).exp() / SECONDS_PER_YEAR);
        let mut ys: Vec<f64> = vec![horizon_yr.log10(), target_yr.log10()];
        ys.extend(
            a.temperatures_k
                .iter()
                .filter_map(|t| model(*t))
                .map(f64::log10),
        );
        let y_lo = ys.iter().cloned().fold(f64::INFINITY, f64::min) - 1.0;
        let y_hi = (ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max) + 1.0).min(80.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("1000 / T [1/K]")
            .y_desc("log10 lifetime [yr]")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;
        let hz = horizon_yr.log10();
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
        if s_fail.is_some() {
            let line: Vec<(f64, f64)> = (0..=100)
                .map(|i| {
                    let x = x_lo + (x_hi - x_lo) * i as f64 / 100.0;
                    (x, model(1000.0 / x).unwrap_or(0.0).log10())
                })
                .filter(|(_, y)| *y <= y_hi)
                .collect();
            chart
                .draw_series(DashedLineSeries::new(line, 6, 4, BLUE.stroke_width(2)))
                .map_err(draw_err)?
                .label("s_fail / B_eff(T) (single mechanism)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE));
        }
        let ty = target_yr.log10();
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x_lo, ty), (x_hi, ty)],
                2,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(draw_err)?
            .label(format!("target {target_yr} yr"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        for (ci, crit) in [Criterion::DecoderFailure, Criterion::InformationFailure]
            .iter()
            .enumerate()
        {
            let pts: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| {
                    let v = match crit {
                        Criterion::DecoderFailure => r.decoder_failure_yr,
                        Criterion::InformationFailure => r.information_failure_yr,
                    };
                    v.map(|y| (1000.0 / r.temperature_k, y.log10()))
                })
                .collect();
            let c = colour(ci + 2);
            let fit = a
                .arrhenius
                .iter()
                .find(|r| r.criterion == *crit)
                .and_then(|r| r.fit)
                .map(|f| format!(", fitted Ea = {:.2} eV", f.ea_ev))
                .unwrap_or_default();
            chart
                .draw_series(
                    pts.iter()
                        .map(|p| Circle::new(*p, 5 - ci as i32, c.filled())),
                )
                .map_err(draw_err)?
                .label(format!("{} failure{fit}", criterion_name(*crit)))
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    save_rgb(path, buffer, w, h)
}

/// `image_strip.png`: the micrographs (noise realization 0) of the strip side by side, each
/// captioned with the time at the probe temperature and the decode probability.
pub fn image_strip_png(
    path: &Path,
    strip: &[(f64, Micrograph)],
    a: &LifetimeAnalysis,
) -> Result<()> {
    ensure_font();
    let tile = 240u32;
    let bar = 40u32;
    let n = strip.len().max(1) as u32;
    let (w, h) = (tile * n, tile + bar);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        root.fill(&BLACK).map_err(draw_err)?;
        let b_probe = a.rate_model.ln_b(a.probe_temperature_k).exp();
        for (k, (s, m)) in strip.iter().enumerate() {
            let g = &m.grey;
            let (gw, gh) = (g.width().max(1), g.height().max(1));
            for v in 0..tile {
                for u in 0..tile {
                    let px = g.get_pixel(u * gw / tile, v * gh / tile)[0];
                    root.draw_pixel(
                        ((k as u32 * tile + u) as i32, v as i32),
                        &RGBColor(px, px, px),
                    )
                    .map_err(draw_err)?;
                }
            }
            let p = a
                .curve
                .iter()
                .find(|c| c.s_nm4 == *s)
                .map(|c| c.reading.decode_probability)
                .unwrap_or(f64::NAN);
            let t_yr = s / b_probe / SECONDS_PER_YEAR;
            let font = ("sans-serif", 13).into_font().color(&WHITE);
            root.draw(&Text::new(
                format!(
                    "{} yr at {:.0} °C",
                    super::aging::time_label(t_yr),
                    kelvin_to_celsius(a.probe_temperature_k)
                ),
                ((k as u32 * tile + 6) as i32, tile as i32 + 4),
                font.clone(),
            ))
            .map_err(draw_err)?;
            root.draw(&Text::new(
                format!("P(decode) {p:.2}"),
                ((k as u32 * tile + 6) as i32, tile as i32 + 21),
                font,
            ))
            .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    save_rgb(path, buffer, w, h)
}

/// `frontier.png`: TB per A4 (raw and tiled QR) against pitch (left) and the temperature at
/// which the lifetime equals the target per surface (right); 2 TB and 49 nm marked.
pub fn frontier_png(path: &Path, a: &LifetimeAnalysis, target_yr: f64) -> Result<()> {
    ensure_font();
    let Some(f) = &a.frontier else {
        return Ok(());
    };
    let (w, h) = (1200u32, 520u32);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (left, right) = root.split_horizontally(w / 2);
        let px: Vec<f64> = f.rows.iter().map(|r| r.density.pitch_nm.log10()).collect();
        let (x_lo, x_hi) = (
            px.iter().cloned().fold(f64::INFINITY, f64::min) - 0.05,
            px.iter().cloned().fold(f64::NEG_INFINITY, f64::max) + 0.05,
        );
        let tb: Vec<f64> = f
            .rows
            .iter()
            .flat_map(|r| [r.density.raw_tb_per_a4, r.density.tiled_tb_per_a4])
            .map(f64::log10)
            .collect();
        let (y_lo, y_hi) = (
            tb.iter().cloned().fold(f64::INFINITY, f64::min) - 0.3,
            tb.iter().cloned().fold(f64::NEG_INFINITY, f64::max) + 0.3,
        );
        let mut chart = ChartBuilder::on(&left)
            .caption("density: TB per A4 sheet", ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("log10 module pitch [nm]")
            .y_desc("log10 TB per A4")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;
        let claim = &f.claim_49nm;
        for (i, (name, pick)) in [
            ("raw, 1 bit per module", 0usize),
            (&*format!("tiled {} payload", claim.tiled_symbol), 1),
        ]
        .iter()
        .enumerate()
        {
            let pts: Vec<(f64, f64)> = f
                .rows
                .iter()
                .map(|r| {
                    let v = if *pick == 0 {
                        r.density.raw_tb_per_a4
                    } else {
                        r.density.tiled_tb_per_a4
                    };
                    (r.density.pitch_nm.log10(), v.log10())
                })
                .collect();
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                .map_err(draw_err)?
                .label(*name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))
                .map_err(draw_err)?;
        }
        let two = 2f64.log10();
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x_lo, two), (x_hi, two)],
                4,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(draw_err)?
            .label(format!(
                "2 TB claim; 49 nm: raw {:.2} TB, tiled {:.2} TB",
                claim.density.raw_tb_per_a4, claim.density.tiled_tb_per_a4
            ))
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
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;

        let names: Vec<String> = f.rows[0]
            .temperature_for_target_k
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        let temps: Vec<f64> = f
            .rows
            .iter()
            .flat_map(|r| r.temperature_for_target_k.iter().filter_map(|(_, t)| *t))
            .map(kelvin_to_celsius)
            .collect();
        let (t_lo, t_hi) = (
            temps.iter().cloned().fold(f64::INFINITY, f64::min) - 50.0,
            temps.iter().cloned().fold(f64::NEG_INFINITY, f64::max) + 50.0,
        );
        let mut chart = ChartBuilder::on(&right)
            .caption(
                format!("temperature for a {target_yr} yr lifetime (surface diffusion)"),
                ("sans-serif", 15),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x_lo..x_hi, t_lo.min(0.0)..t_hi.max(100.0))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("log10 module pitch [nm]")
            .y_desc("temperature [°C]")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(draw_err)?;
        for (i, name) in names.iter().enumerate() {
            let pts: Vec<(f64, f64)> = f
                .rows
                .iter()
                .filter_map(|r| {
                    r.temperature_for_target_k
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, t)| *t)
                        .map(|t| (r.density.pitch_nm.log10(), kelvin_to_celsius(t)))
                })
                .collect();
            let c = if i == 0 { BLACK } else { colour(i - 1) };
            let style = if i == 0 {
                c.stroke_width(3)
            } else {
                c.stroke_width(1)
            };
            chart
                .draw_series(LineSeries::new(pts, style))
                .map_err(draw_err)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    save_rgb(path, buffer, w, h)
}
