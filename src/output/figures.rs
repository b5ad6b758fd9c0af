//! PNG figures of a run: the micrograph with a data bar and scale bar, and the height map with
//! a colour bar. Drawn with plotters on a bitmap, text in the bundled DejaVu Sans (no system
//! fonts needed).

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{Error, Result};

/// Draws one chart twice, as `<path_stem>.png` and `<path_stem>.svg`: `$draw` is evaluated
/// once per backend with the drawing area bound to `$root`.
macro_rules! png_and_svg {
    ($path_stem:expr, ($w:expr, $h:expr), |$root:ident| $draw:expr) => {{
        let (w, h): (u32, u32) = ($w, $h);
        let mut buffer = vec![0u8; (w * h * 3) as usize];
        {
            let $root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
            $draw?;
        }
        $crate::output::figures::save_rgb(
            &$crate::output::figures::with_suffix(&$path_stem, "png"),
            buffer,
            w,
            h,
        )?;
        let mut svg = String::new();
        {
            let $root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            $draw?;
        }
        // plotters-svg 0.3.7 labels embedded rasters `data:png`, not a MIME type browsers
        // accept; `image/png` is the registered one (RFC 2397 data URLs take a MIME type).
        let svg = svg.replace("\"data:png;base64,", "\"data:image/png;base64,");
        $crate::output::write_atomic(
            &$crate::output::figures::with_suffix(&$path_stem, "svg"),
            svg.as_bytes(),
        )
    }};
}

/// `stem` + "." + `extension`, keeping dots inside the stem (`height_0.01yr` → `height_0.01yr.png`,
/// where `Path::with_extension` would give `height_0.png`).
pub fn with_suffix(stem: &Path, extension: &str) -> std::path::PathBuf {
    let mut s = stem.as_os_str().to_os_string();
    s.push(".");
    s.push(extension);
    s.into()
}

static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the bundled font as "sans-serif" (once per process).
pub fn ensure_font() {
    REGISTER.call_once(|| {
        // The font is bundled and known-good; failure here is a build defect.
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("bundled DejaVuSans.ttf is not a valid font"));
    });
}

/// A chart with f64 axes on some backend.
pub(crate) type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// How an axis maps its quantity to the page. The chart's coordinates are the values
/// ([`Scale::Linear`]) or their base-10 logarithms ([`Scale::Log10`], the tick labels then show
/// the values: 10⁻², 1, 10², …, so an axis reads like a logarithmic axis of the quantity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    Linear,
    Log10,
}

/// Tick label of the coordinate `log10_value` on a [`Scale::Log10`] axis: a power of ten with
/// a superscript exponent on whole decades, else the value to two significant digits.
pub(crate) fn log10_tick_label(log10_value: f64) -> String {
    let decade = log10_value.round();
    if (log10_value - decade).abs() < 1e-9 {
        return match decade as i64 {
            0 => "1".to_string(),
            1 => "10".to_string(),
            n => {
                let superscript: String = n
                    .to_string()
                    .chars()
                    .map(|c| match c {
                        '-' => '⁻',
                        d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                            [d.to_digit(10).unwrap_or(0) as usize],
                    })
                    .collect();
                format!("10{superscript}")
            }
        };
    }
    let value = 10f64.powf(log10_value);
    if (1e-3..1e4).contains(&value) {
        let magnitude = value.log10().floor() as i32;
        let step = 10f64.powi(magnitude - 1);
        let decimals = (1 - magnitude).max(0) as usize;
        format!("{:.decimals$}", (value / step).round() * step)
    } else {
        format!("{value:.1e}")
    }
}

/// The house style of every x–y chart: caption, margins, axis descriptions (with units) and
/// tick labels in the bundled font; the mesh is drawn. A [`Scale::Log10`] axis takes log₁₀
/// coordinates and labels its ticks with the values ([`log10_tick_label`]).
pub(crate) fn cartesian<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    (x_range, x_desc, x_scale): (std::ops::Range<f64>, &str, Scale),
    (y_range, y_desc, y_scale): (std::ops::Range<f64>, &str, Scale),
) -> Result<Chart<'a, DB>> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range, y_range)
        .map_err(draw_err)?;
    let log_label = |v: &f64| log10_tick_label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(("sans-serif", 12));
    if x_scale == Scale::Log10 {
        mesh.x_label_formatter(&log_label);
    }
    if y_scale == Scale::Log10 {
        mesh.y_label_formatter(&log_label);
    }
    mesh.draw().map_err(draw_err)?;
    Ok(chart)
}

#[cfg(test)]
mod scale_tests {
    use super::log10_tick_label;

    #[test]
    fn log_ticks_read_as_values() {
        let cases = [
            (0.0, "1"),
            (1.0, "10"),
            (3.0, "10³"),
            (-12.0, "10⁻¹²"),
            (2.5, "320"),
            (0.5, "3.2"),
            (-0.5, "0.32"),
            (0.2, "1.6"),
            (-4.5, "3.2e-5"),
        ];
        for (x, label) in cases {
            assert_eq!(log10_tick_label(x), label, "log10 value {x}");
        }
    }
}

/// The legend of `chart` at `position`, boxed on a translucent white background.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(draw_err)
}

/// The smallest and largest finite value, None if there is none.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    (lo <= hi).then_some((lo, hi))
}

/// [`finite_range`] widened to ±1 around a single value (and (−1, 1) without values), so that
/// an axis or colour scale always has extent.
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    match finite_range(values) {
        Some((lo, hi)) if hi > lo => (lo, hi),
        Some((lo, _)) => (lo - 1.0, lo + 1.0),
        None => (-1.0, 1.0),
    }
}

/// A plotters or encoder failure as a crate error.
pub(crate) fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Numerical(format!("drawing failed: {e:?}"))
}

/// A "nice" scale-bar length (1, 2 or 5 × 10ⁿ nm) near a quarter of `field_nm`.
pub fn scale_bar_nm(field_nm: f64) -> f64 {
    let target = field_nm / 4.0;
    let decade = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * decade)
        .filter(|l| *l <= target)
        .fold(decade, f64::max)
}

fn length_label(nm: f64) -> String {
    if nm >= 1000.0 {
        format!("{} µm", nm / 1000.0)
    } else {
        format!("{nm} nm")
    }
}

/// Encodes an RGB buffer as PNG and writes it atomically.
pub(crate) fn save_rgb(path: &Path, buffer: Vec<u8>, width: u32, height: u32) -> Result<()> {
    let img = ::image::RgbImage::from_raw(width, height, buffer).expect("buffer size matches");
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        ::image::ImageFormat::Png,
    )
    .map_err(draw_err)?;
    super::write_atomic(path, &bytes)
}

/// Saves a grey image as PNG exactly as given (what the decoders read).
pub fn save_grey(path: &Path, grey: &::image::GrayImage) -> Result<()> {
    let mut bytes = Vec::new();
    grey.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        ::image::ImageFormat::Png,
    )
    .map_err(draw_err)?;
    super::write_atomic(path, &bytes)
}

/// The micrograph enlarged to at least ~600 px with a data bar: scale bar and `caption`.
pub fn micrograph_png(
    path: &Path,
    grey: &::image::GrayImage,
    pixel_nm: f64,
    caption: &str,
) -> Result<()> {
    ensure_font();
    let (w, h) = (grey.width(), grey.height());
    let zoom = (600 / w.max(1)).max(1);
    let bar_h = 56;
    let (cw, ch) = (w * zoom, h * zoom + bar_h);
    let mut buffer = vec![0u8; (cw * ch * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (cw, ch)).into_drawing_area();
        root.fill(&BLACK).map_err(draw_err)?;
        for v in 0..h * zoom {
            for u in 0..w * zoom {
                let g = grey.get_pixel(u / zoom, v / zoom)[0];
                root.draw_pixel((u as i32, v as i32), &RGBColor(g, g, g))
                    .map_err(draw_err)?;
            }
        }
        let field_nm = f64::from(w) * pixel_nm;
        let bar_nm = scale_bar_nm(field_nm);
        let bar_px = (bar_nm / pixel_nm * f64::from(zoom)).round() as i32;
        let y0 = (h * zoom) as i32 + 12;
        root.draw(&Rectangle::new(
            [(12, y0), (12 + bar_px, y0 + 8)],
            WHITE.filled(),
        ))
        .map_err(draw_err)?;
        let font = ("sans-serif", 16).into_font().color(&WHITE);
        root.draw(&Text::new(
            length_label(bar_nm),
            (12, y0 + 14),
            font.clone(),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            caption.to_string(),
            (24 + bar_px.max(80), y0 + 2),
            font,
        ))
        .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    save_rgb(path, buffer, cw, ch)
}

/// Height map (viridis) with a colour bar in nm and a scale bar, as `<path_stem>.png` and
/// `<path_stem>.svg` (the map is one embedded raster in the SVG).
pub fn height_map(
    path_stem: &Path,
    field: &[f64],
    nx: usize,
    ny: usize,
    cell_nm: f64,
    title: &str,
) -> Result<()> {
    ensure_font();
    let map_px: u32 = 600;
    let (margin, bar_w, right) = (40u32, 20u32, 90u32);
    let (cw, ch) = (margin + map_px + 20 + bar_w + right, margin + map_px + 50);
    let (zmin, zmax) = extent(field.iter().copied());
    let mut raster = Vec::with_capacity((map_px * map_px * 3) as usize);
    for v in 0..map_px {
        for u in 0..map_px {
            let i = ((f64::from(u) + 0.5) / f64::from(map_px) * nx as f64) as usize;
            let j = ((f64::from(v) + 0.5) / f64::from(map_px) * ny as f64) as usize;
            let z = field[j.min(ny - 1) * nx + i.min(nx - 1)];
            let c = ViridisRGB.get_color_normalized(z, zmin, zmax);
            raster.extend_from_slice(&[c.0, c.1, c.2]);
        }
    }
    fn draw<DB: DrawingBackend>(
        root: DrawingArea<DB, plotters::coord::Shift>,
        raster: &[u8],
        (map_px, margin, bar_w): (u32, u32, u32),
        (zmin, zmax): (f64, f64),
        field_nm: f64,
        title: &str,
    ) -> Result<()> {
        root.fill(&WHITE).map_err(draw_err)?;
        let font = ("sans-serif", 16).into_font();
        root.draw(&Text::new(
            title.to_string(),
            (margin as i32, 10),
            font.clone(),
        ))
        .map_err(draw_err)?;
        let map = BitMapElement::with_ref((margin as i32, margin as i32), (map_px, map_px), raster)
            .ok_or_else(|| Error::Numerical("height-map raster has the wrong size".into()))?;
        root.draw(&map).map_err(draw_err)?;
        // Colour bar with five ticks.
        let bx = (margin + map_px + 20) as i32;
        for v in 0..map_px {
            let z = zmax - (zmax - zmin) * f64::from(v) / f64::from(map_px - 1);
            let c = ViridisRGB.get_color_normalized(z, zmin, zmax);
            root.draw(&Rectangle::new(
                [
                    (bx, (margin + v) as i32),
                    (bx + bar_w as i32, (margin + v) as i32 + 1),
                ],
                c.filled(),
            ))
            .map_err(draw_err)?;
        }
        for t in 0..5 {
            let frac = f64::from(t) / 4.0;
            let z = zmax - (zmax - zmin) * frac;
            let y = margin as i32 + (frac * f64::from(map_px - 1)) as i32;
            root.draw(&Text::new(
                format!("{z:.1} nm"),
                (bx + bar_w as i32 + 6, y - 8),
                font.clone(),
            ))
            .map_err(draw_err)?;
        }
        root.draw(&Text::new("height", (bx, margin as i32 - 22), font.clone()))
            .map_err(draw_err)?;
        let bar_nm = scale_bar_nm(field_nm);
        let bar_px = (bar_nm / field_nm * f64::from(map_px)).round() as i32;
        let y0 = (margin + map_px + 14) as i32;
        root.draw(&Rectangle::new(
            [(margin as i32, y0), (margin as i32 + bar_px, y0 + 8)],
            BLACK.filled(),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            length_label(bar_nm),
            (margin as i32 + bar_px + 10, y0 - 4),
            font,
        ))
        .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
        Ok(())
    }
    let field_nm = nx as f64 * cell_nm;
    png_and_svg!(path_stem, (cw, ch), |root| draw(
        root,
        &raster,
        (map_px, margin, bar_w),
        (zmin, zmax),
        field_nm,
        title
    ))
}

/// Line plot of a surface cross-section z(x) with labelled axes, as `<path_stem>.png` and
/// `<path_stem>.svg`.
pub fn cross_section(path_stem: &Path, x_nm: &[f64], z_nm: &[f64], title: &str) -> Result<()> {
    ensure_font();
    fn draw<DB: DrawingBackend>(
        root: DrawingArea<DB, plotters::coord::Shift>,
        x_nm: &[f64],
        z_nm: &[f64],
        title: &str,
    ) -> Result<()> {
        root.fill(&WHITE).map_err(draw_err)?;
        let (zmin, zmax) = finite_range(z_nm.iter().copied()).unwrap_or((0.0, 0.0));
        let pad = 0.1 * (zmax - zmin).max(1.0);
        let xmax = x_nm.last().copied().unwrap_or(1.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..xmax, (zmin - pad)..(zmax + pad))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("x [nm]")
            .y_desc("surface height z [nm]")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(LineSeries::new(
                x_nm.iter().copied().zip(z_nm.iter().copied()),
                &BLUE,
            ))
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
        Ok(())
    }
    png_and_svg!(path_stem, (900, 360), |root| draw(root, x_nm, z_nm, title))
}

/// A line (or marker) chart of several (x, y) series, PNG and SVG, with labelled axes and a
/// legend. `markers` draws points instead of lines (e.g. Arrhenius data).
pub fn line_chart(
    path_stem: &Path,
    title: &str,
    axes: (&str, &str),
    series: &[(String, Vec<(f64, f64)>)],
    markers: bool,
) -> Result<()> {
    ensure_font();
    let points: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let span = |v: Vec<f64>| match finite_range(v) {
        None => (0.0, 1.0),
        Some((lo, hi)) if hi > lo => {
            let pad = 0.05 * (hi - lo);
            (lo - pad, hi + pad)
        }
        Some((lo, _)) => (lo - 1.0, lo + 1.0),
    };
    let xr = span(points.iter().map(|p| p.0).collect());
    let yr = span(points.iter().map(|p| p.1).collect());
    let (w, h) = (900u32, 480u32);
    fn draw<DB: DrawingBackend>(
        root: DrawingArea<DB, plotters::coord::Shift>,
        title: &str,
        (x_label, y_label): (&str, &str),
        series: &[(String, Vec<(f64, f64)>)],
        markers: bool,
        (xr, yr): ((f64, f64), (f64, f64)),
    ) -> Result<()> {
        const PALETTE: [RGBColor; 6] = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(draw_err)?;
        for (k, (name, pts)) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64)> = pts
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            let anno = if markers {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 4, colour.filled())))
                    .map_err(draw_err)?
            } else {
                chart
                    .draw_series(LineSeries::new(pts, colour.stroke_width(2)))
                    .map_err(draw_err)?
            };
            anno.label(name.clone()).legend(move |(x, y)| {
                Rectangle::new([(x, y - 4), (x + 12, y + 4)], colour.filled())
            });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE)
            .border_style(BLACK)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
        Ok(())
    }
    png_and_svg!(path_stem, (w, h), |root| draw(
        root,
        title,
        axes,
        series,
        markers,
        (xr, yr),
    ))
}

/// One series of a bar chart: a name (legend) and a value per group (None: no bar).
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// One value per group label.
    pub values: Vec<Option<f64>>,
}

/// A grouped bar chart: one group per label, one bar per series.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// Chart title.
    pub title: &'a str,
    /// Group labels along x.
    pub labels: &'a [String],
    /// The series.
    pub series: &'a [Series],
    /// y-axis label with unit.
    pub y_label: &'a str,
    /// Logarithmic y (bars drawn to log10 of the value, ticks labelled with values).
    pub log_y: bool,
}

/// Draws a [`BarChart`] as PNG and SVG at `path_stem`.
pub fn grouped_bars(path_stem: &Path, chart: &BarChart<'_>) -> Result<()> {
    ensure_font();
    let values: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite() && (!chart.log_y || *v > 0.0))
        .collect();
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let range = if chart.log_y {
        let l = if lo.is_finite() {
            lo.log10().floor() - 0.5
        } else {
            -1.0
        };
        let h = if hi.is_finite() {
            hi.log10().ceil() + 0.5
        } else {
            1.0
        };
        (l, h)
    } else {
        (0.0, if hi > 0.0 { hi * 1.15 } else { 1.0 })
    };
    let (w, h) = (220 + 120 * chart.labels.len() as u32, 460u32);
    fn draw<DB: DrawingBackend>(
        root: DrawingArea<DB, plotters::coord::Shift>,
        c: &BarChart<'_>,
        (y0, y1): (f64, f64),
    ) -> Result<()> {
        const PALETTE: [RGBColor; 6] = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];
        root.fill(&WHITE).map_err(draw_err)?;
        let n = c.labels.len();
        let mut chart = ChartBuilder::on(&root)
            .caption(c.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..n as f64, y0..y1)
            .map_err(draw_err)?;
        let log_label = |v: &f64| log10_tick_label(*v);
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .x_labels(0)
            .y_desc(if c.log_y {
                format!("{} (log scale)", c.y_label)
            } else {
                c.y_label.to_string()
            })
            .label_style(("sans-serif", 13));
        if c.log_y {
            mesh.y_label_formatter(&log_label);
        }
        mesh.draw().map_err(draw_err)?;
        let width = 0.8 / c.series.len().max(1) as f64;
        for (k, series) in c.series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let bars = series.values.iter().enumerate().filter_map(|(i, v)| {
                let v = (*v)?;
                let top = if c.log_y { v.log10() } else { v };
                let x0 = i as f64 + 0.1 + k as f64 * width;
                Some(Rectangle::new(
                    [(x0, y0), (x0 + width * 0.9, top)],
                    colour.filled(),
                ))
            });
            chart
                .draw_series(bars)
                .map_err(draw_err)?
                .label(series.name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
        }
        for (i, l) in c.labels.iter().enumerate() {
            chart
                .draw_series(std::iter::once(Text::new(
                    l.clone(),
                    (i as f64 + 0.4, y0),
                    ("sans-serif", 13).into_font(),
                )))
                .map_err(draw_err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE)
            .border_style(BLACK)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
        Ok(())
    }
    png_and_svg!(path_stem, (w, h), |root| draw(root, chart, range))
}

/// Two categorical axes (e.g. the first two axes of a sweep) and their values.
#[derive(Debug, Clone, Copy)]
pub struct CategoryGrid<'a> {
    /// x-axis label.
    pub x_label: &'a str,
    /// x categories, left to right.
    pub x_values: &'a [String],
    /// y-axis label.
    pub y_label: &'a str,
    /// y categories, bottom to top.
    pub y_values: &'a [String],
}

fn segment_label(v: &SegmentValue<usize>, labels: &[String]) -> String {
    match v {
        SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Heat map of a metric over two categorical axes (sweep axes), PNG and SVG: one cell per
/// (x value, y value), colour = metric (viridis), the value printed in each cell; empty cells
/// where a point lacks the metric.
pub fn heat_map(
    path_stem: &Path,
    grid: &CategoryGrid<'_>,
    metric_label: &str,
    value: &dyn Fn(usize, usize) -> Option<f64>,
) -> Result<()> {
    ensure_font();
    let (x_values, y_values) = (grid.x_values, grid.y_values);
    let (w, h) = (
        160 + 110 * x_values.len() as u32,
        140 + 60 * y_values.len() as u32,
    );
    let (lo, hi) = extent(
        (0..x_values.len())
            .flat_map(|i| (0..y_values.len()).map(move |j| (i, j)))
            .filter_map(|(i, j)| value(i, j)),
    );
    fn draw<DB: DrawingBackend>(
        root: DrawingArea<DB, plotters::coord::Shift>,
        grid: &CategoryGrid<'_>,
        metric_label: &str,
        value: &dyn Fn(usize, usize) -> Option<f64>,
        (lo, hi): (f64, f64),
    ) -> Result<()> {
        let CategoryGrid {
            x_label,
            x_values,
            y_label,
            y_values,
        } = *grid;
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(metric_label, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(110)
            .build_cartesian_2d(
                (0..x_values.len()).into_segmented(),
                (0..y_values.len()).into_segmented(),
            )
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(x_values.len() + 1)
            .y_labels(y_values.len() + 1)
            .x_label_formatter(&|v| segment_label(v, x_values))
            .y_label_formatter(&|v| segment_label(v, y_values))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(draw_err)?;
        for i in 0..x_values.len() {
            for j in 0..y_values.len() {
                let Some(v) = value(i, j) else { continue };
                let colour = ViridisRGB.get_color_normalized(v.clamp(lo, hi), lo, hi);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                            (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                        ],
                        colour.filled(),
                    )))
                    .map_err(draw_err)?;
                let text_colour = if (v - lo) / (hi - lo) > 0.6 {
                    BLACK
                } else {
                    WHITE
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{v:.3}"),
                        (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                        ("sans-serif", 13).into_font().color(&text_colour),
                    )))
                    .map_err(draw_err)?;
            }
        }
        root.present().map_err(draw_err)?;
        Ok(())
    }
    png_and_svg!(path_stem, (w, h), |root| draw(
        root,
        grid,
        metric_label,
        value,
        (lo, hi),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_is_nice_and_fits() {
        assert_eq!(scale_bar_nm(1794.0), 200.0);
        assert_eq!(scale_bar_nm(2960.0), 500.0);
        assert_eq!(scale_bar_nm(100.0), 20.0);
        for f in [37.0, 123.0, 5_000.0, 77_777.0] {
            let l = scale_bar_nm(f);
            assert!(l <= f / 4.0 && l > f / 12.0, "{f} → {l}");
        }
    }
}
