//! Saving one run: [`save`] writes every file of a run's results directory (names from
//! [`RunLayout`]) atomically, and the cross-section figure is drawn from `profile.csv` by the
//! same function `millage plot` redraws it with.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::figures;
use super::layout::RunLayout;
use super::manifest::{Manifest, RunInputs};
use super::table::Table;
use super::{RunDir, aging, write_atomic};
use crate::choice::Choice;
use crate::error::{Error, Result};
use crate::image::Readout;
use crate::output::fmt::short;
use crate::pipeline::Scenario;
use crate::pipeline::{self, RunProducts};

/// One row of `profile.csv`: the surface through the middle symbol row.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProfileRow {
    x_nm: String,
    surface_z_nm: String,
}

/// The cross-section's title; `row` is the symbol row the profile runs through.
pub fn cross_section_title(scenario: &str, row: usize, mill_model: &str) -> String {
    format!("{scenario}: surface through the centre of symbol row {row} ({mill_model} write)")
}

/// The parts of `summary.json` that title a run's figures.
#[derive(Debug, Clone, Deserialize)]
pub struct FigureTitles {
    /// Scenario name (the title of every run figure).
    pub scenario: String,
    symbol: TitleSymbol,
    mill: TitleMill,
}

#[derive(Debug, Clone, Deserialize)]
struct TitleSymbol {
    modules_per_side: usize,
}

#[derive(Debug, Clone, Deserialize)]
struct TitleMill {
    model: String,
}

impl FigureTitles {
    /// Reads them from a run's `summary.json`; None when the directory has none (a sweep).
    pub fn read(layout: &RunLayout) -> Result<Option<FigureTitles>> {
        let path = layout.summary_json();
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Numerical(format!("{}: {e}", path.display())))
    }

    /// The cross-section title the run gave its figure (the row is the middle one, as in
    /// `pipeline::cross_section`).
    pub fn cross_section(&self) -> String {
        cross_section_title(
            &self.scenario,
            self.symbol.modules_per_side / 2,
            &self.mill.model,
        )
    }
}

/// Draws the cross-section (PNG and SVG) to `stem` from the profile table `profile_csv`:
/// the run and `millage plot` both draw it from the file, so a redraw is identical.
/// Returns the PNG path, None without the table.
pub fn draw_cross_section(profile_csv: &Path, stem: &Path, title: &str) -> Result<Option<PathBuf>> {
    let Some(Table { rows, .. }) = Table::read_if_present(profile_csv)? else {
        return Ok(None);
    };
    let x: Vec<f64> = rows.iter().filter_map(|r| r[0].parse().ok()).collect();
    let z: Vec<f64> = rows.iter().filter_map(|r| r[1].parse().ok()).collect();
    figures::cross_section(stem, &x, &z, title)?;
    Ok(Some(figures::with_suffix(stem, "png")))
}

fn csv_text<R: Serialize>(rows: &[R], header: &str) -> Result<String> {
    let fail = |e: &dyn std::fmt::Display| Error::Numerical(format!("cannot write CSV: {e}"));
    if rows.is_empty() {
        // serde writes the header with the first row; an empty table still has one.
        return Ok(format!("{header}\n"));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

/// `profile.csv` text: x at 0.1 pm, z at 1 fm resolution (the digits the figure is drawn from).
fn profile_csv(x_nm: &[f64], z_nm: &[f64]) -> Result<String> {
    let rows: Vec<ProfileRow> = x_nm
        .iter()
        .zip(z_nm)
        .map(|(x, z)| ProfileRow {
            x_nm: format!("{x:.4}"),
            surface_z_nm: format!("{z:.6}"),
        })
        .collect();
    csv_text(&rows, "x_nm,surface_z_nm")
}

/// The micrograph caption: the readout's settings.
fn caption(readout: &Readout) -> String {
    match readout {
        Readout::Sem(s) => format!(
            "SEM {} kV  {} pA  {} µs/px  pixel {:.2} nm",
            short(s.beam_energy_ev / 1e3),
            short(s.probe_current_a * 1e12),
            short(s.dwell_s * 1e6),
            s.pixel_nm
        ),
        Readout::Height(h) => format!("height map  pixel {:.2} nm", h.pixel_nm),
    }
}

/// Writes a run's results directory `out` (atomically: nothing under that name until every
/// file is written); returns its path. `summary_md` is the markdown report
/// ([`super::report::summary::summary_markdown`]).
pub fn save(
    out: &Path,
    scenario: &Scenario,
    products: &RunProducts,
    manifest: &Manifest<RunInputs<'_>>,
    summary_md: &str,
) -> Result<PathBuf> {
    let dir = RunDir::create(out)?;
    let layout = dir.layout();
    let r = &products.record;
    write_atomic(
        &layout.summary_json(),
        super::json_text(r, "summary.json")?.as_bytes(),
    )?;
    write_atomic(&layout.manifest_json(), manifest.to_json_text()?.as_bytes())?;

    let g = &products.specimen.grid;
    figures::height_map(
        &layout.height_stem(),
        &g.surface_nm,
        g.nx(),
        g.ny(),
        g.cell_nm(),
        &format!(
            "{}: surface height after {} write",
            r.scenario, r.mill.model
        ),
    )?;
    let caption = caption(&scenario.readout);
    let sem = matches!(scenario.readout, Readout::Sem(_));
    figures::micrograph_png(
        &layout.micrograph_png(sem),
        &products.micrograph.grey,
        products.micrograph.pixel_nm,
        &caption,
    )?;
    figures::save_grey(&layout.micrograph_raw_png(sem), &products.micrograph.grey)?;
    let (profile_x, profile_z, row) = pipeline::cross_section(products);
    write_atomic(
        &layout.profile_csv(),
        profile_csv(&profile_x, &profile_z)?.as_bytes(),
    )?;
    draw_cross_section(
        &layout.profile_csv(),
        &layout.cross_section_stem(),
        &cross_section_title(&r.scenario, row, r.mill.model.name()),
    )?;
    if let Some(aging_record) = &r.aging {
        write_atomic(
            &layout.aging_csv(),
            aging::aging_csv(aging_record).as_bytes(),
        )?;
        super::aging_figure::draw(layout.dir(), layout.dir(), &r.scenario)?;
        for snap in &products.aged {
            let label = aging::time_label(snap.time_yr);
            figures::height_map(
                &layout.aged_height_stem(&label),
                &snap.outer_height_nm,
                g.nx(),
                g.ny(),
                g.cell_nm(),
                &format!("{}: outer surface after {label} yr", r.scenario),
            )?;
            figures::micrograph_png(
                &layout.aged_micrograph_png(sem, &label),
                &snap.micrograph.grey,
                snap.micrograph.pixel_nm,
                &format!("{caption}  aged {label} yr"),
            )?;
        }
    }
    if let (Some(life), Some(settings)) = (&products.lifetime, &scenario.lifetime) {
        save_lifetime(&layout, scenario, life, settings, &r.scenario)?;
    }
    write_atomic(&layout.summary_md(), summary_md.as_bytes())?;
    dir.commit()
}

/// Writes the lifetime tables and figures.
fn save_lifetime(
    layout: &RunLayout,
    scenario: &Scenario,
    life: &pipeline::lifetime::LifetimeProducts,
    settings: &crate::lifetime::LifetimeSettings,
    name: &str,
) -> Result<()> {
    use crate::output::lifetime as out;
    let year = crate::units::SECONDS_PER_YEAR;
    let a = &life.analysis;
    let write = |path: PathBuf, text: String| write_atomic(&path, text.as_bytes());
    write(layout.lifetime_csv(), out::lifetime_csv(&life.rows))?;
    write(
        layout.uncertainty_csv(),
        out::uncertainty_csv(&life.uncertainty),
    )?;
    write(
        layout.dir().join("sensitivity.csv"),
        out::sensitivity_csv(&life.uncertainty),
    )?;
    let names: Vec<&str> = scenario.decoders.iter().map(|d| d.name()).collect();
    write(layout.degradation_csv(), out::degradation_csv(a, &names))?;
    write(layout.frontier_csv(), out::frontier_csv(a))?;
    write(
        layout.degradation_real_time_csv(),
        out::degradation_real_time_csv(a),
    )?;
    let target_yr = settings.target_s / year;
    write(layout.arrhenius_model_csv(), out::arrhenius_model_csv(a))?;
    write(
        layout.arrhenius_fit_csv(),
        out::arrhenius_fit_csv(a, target_yr),
    )?;
    write(
        layout.frontier_claim_csv(),
        out::frontier_claim_csv(a, target_yr),
    )?;
    let (strip_csv, tiles) = out::image_strip_csv(&life.strip, a);
    for (file, (_, micrograph)) in tiles.iter().zip(&life.strip) {
        figures::save_grey(&layout.image_strip_dir().join(file), &micrograph.grey)?;
    }
    write(layout.image_strip_csv(), strip_csv)?;
    // Figures are drawn from the CSVs just written, exactly as `millage plot` redraws them.
    super::lifetime_figures::draw_all(layout.dir(), layout.dir(), name)?;
    Ok(())
}
