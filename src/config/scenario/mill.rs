//! `[mill]` and `[beam]`: the mill model and, for the Monte Carlo models, the beam, the table
//! angles and the direct mode's size limits.

use super::Layout;
use crate::beam::{Beam, Scan, ScanOrder, SpotProfile};
use crate::config::engine::Parsed;
use crate::error::Result;
use crate::material::Material;
use crate::mill::fast::FastMillOptions;
use crate::mill::{BcaMill, IdealPit, MillModel, MillModelKind};
use crate::units;

/// Cells an ideal wall's footprint should span for the SEM image of its rim to be resolved.
/// Measured on the record with 80° ideal walls (3.5 nm footprint; results/reference/resolution/):
/// the brightest 5 % of the t = 0 image (the walls) is 18 % dimmer at 2.02 nm cells (1.7 cells
/// per wall) than at 1.01 nm (3.5 cells), and the decoders' first failure at 300 °C moves from
/// 0.56 yr (2.02 nm) to 0.1 yr (1.515 nm, 2.3 cells) to t = 0 (1.01 nm); with 66.7° walls
/// (8.6 nm) the image's percentiles agree within 8 % from 2.02 to 0.505 nm cells. Four cells is
/// the least the measurements support, not a proven bound (the image converges near 0.76 nm,
/// 4.6 cells; the decoders' verdicts also scatter with the reader's locator).
const WALL_CELLS_FOR_SEM: f64 = 4.0;

/// The `[mill]` section (and `[beam]` for the Monte Carlo models) → the mill model. The pit
/// keys are read (and echoed) whatever the model.
pub(super) fn resolve(
    p: &mut Parsed<'_>,
    layout: &Layout,
    materials: &[Material],
    warnings: &mut Vec<String>,
) -> Result<MillModel> {
    let kind = p.choice::<MillModelKind>("mill.model")?;
    let pit = IdealPit {
        depth_nm: p.float("mill.depth_nm")?,
        sidewall_angle_deg: p.float("mill.sidewall_angle_deg")?,
        corner_radius_nm: p.float("mill.corner_radius_nm")?,
    };
    let half_pitch_nm = layout.module_pitch_nm / 2.0;
    Ok(match kind {
        MillModelKind::Ideal => {
            if pit.corner_radius_nm > half_pitch_nm {
                warnings.push(format!(
                    "mill.corner_radius_nm = {} nm exceeds half the module pitch ({half_pitch_nm:.1} nm): isolated pits become discs",
                    pit.corner_radius_nm
                ));
            }
            let wall_nm = pit.wall_width_nm();
            if wall_nm > 0.0 && wall_nm < WALL_CELLS_FOR_SEM * layout.cell_nm {
                warnings.push(format!(
                    "the ideal wall is {wall_nm:.2} nm wide (mill.depth_nm / tan mill.sidewall_angle_deg), fewer than {WALL_CELLS_FOR_SEM} cells of {:.3} nm: the SEM's wall rims are not resolved and the decoders' verdicts depend on the cell (results/reference/resolution/README.md); set grid.cell_nm ≤ {:.3} nm or a shallower wall",
                    layout.cell_nm,
                    wall_nm / WALL_CELLS_FOR_SEM
                ));
            }
            MillModel::Ideal(pit)
        }
        MillModelKind::Bca => MillModel::Bca(Box::new(monte_carlo(p, layout.cell_nm)?)),
        MillModelKind::BcaDirect => {
            let settings = Box::new(monte_carlo(p, layout.cell_nm)?);
            check_direct_domain(p, &settings, materials, layout)?;
            MillModel::BcaDirect(settings)
        }
    })
}

/// The `[beam]` section → the beam and its scan.
fn beam(p: &mut Parsed<'_>, cell_nm: f64) -> Result<Beam> {
    let ion_symbol = p.text("beam.ion")?;
    let Some(ion) = crate::material::element::by_symbol(&ion_symbol) else {
        return Err(p.err_at(
            "beam.ion",
            format!("unknown element `{ion_symbol}`"),
            "write the ion's chemical symbol, e.g. \"Ga\", \"Ne\", \"Xe\"",
        ));
    };
    let spot_fwhm_nm = p.float("beam.spot_fwhm_nm")?;
    let spot = SpotProfile {
        core_fwhm_nm: spot_fwhm_nm,
        tail_weight: p.float("beam.tail_weight")?,
        tail_fwhm_nm: p.float("beam.tail_fwhm_nm")?,
    };
    let scan = Scan {
        dwell_pitch_nm: p.float_or("beam.dwell_pitch_nm", spot_fwhm_nm / 2.0)?,
        dwell_s: p.float("beam.dwell_us")? * 1e-6,
        passes: p.int("beam.passes")? as u32,
        order: p.choice::<ScanOrder>("beam.scan_order")?,
    };
    let beam = Beam {
        ion,
        energy_ev: units::kev_to_ev(p.float("beam.energy_kev")?),
        current_a: units::picoamp_to_amp(p.float("beam.current_pa")?),
        spot,
        scan,
    };
    if cell_nm > spot_fwhm_nm / 4.0 {
        return Err(p.err_at(
            "grid.cell_nm",
            format!(
                "{cell_nm:.3} nm cells are larger than a quarter of the spot FWHM ({spot_fwhm_nm} nm / 4 = {:.3} nm): the beam profile would not be resolved",
                spot_fwhm_nm / 4.0
            ),
            "set grid.cell_nm ≤ beam.spot_fwhm_nm / 4, or widen the spot",
        ));
    }
    Ok(beam)
}

/// The settings shared by the fast and the direct Monte Carlo mills.
fn monte_carlo(p: &mut Parsed<'_>, cell_nm: f64) -> Result<BcaMill> {
    let beam = beam(p, cell_nm)?;
    let step = p.float("mill.table_angle_step_deg")?;
    let mut table_angles_deg: Vec<f64> = (0..)
        .map(|k| k as f64 * step)
        .take_while(|a| *a < 89.0)
        .collect();
    table_angles_deg.push(89.0);
    Ok(BcaMill {
        beam,
        options: FastMillOptions {
            sticking: p.float("mill.sticking")?,
            redeposition_samples: p.int("mill.redeposition_samples")? as usize,
            max_step_fraction: p.float("mill.max_step_fraction")?,
            implant: p.boolean("mill.implant")?,
        },
        table_ions_per_angle: p.int("mill.table_ions_per_angle")? as u64,
        table_angles_deg,
    })
}

/// Refuses `mill.model = "bca-direct"` on fields it cannot mill in reasonable time and memory:
/// more than [`DIRECT_MAX_IONS`](crate::mill::direct::DIRECT_MAX_IONS) ions (≈ 10 h on 2 cores)
/// or more than [`DIRECT_MAX_COUNTS`](crate::mill::direct::DIRECT_MAX_COUNTS) voxel counts
/// (8 bytes each: 1.6 GB; the initial grid, which then grows downward by the milled depth,
/// `mill::direct`). The ion count is estimated with half of the symbol's modules milled (a QR
/// symbol is about half dark). Either limit admits a 3 × 3 block of record modules at the record
/// dose and refuses any full QR symbol at the record's pitch and dose.
fn check_direct_domain(
    p: &Parsed<'_>,
    settings: &BcaMill,
    materials: &[Material],
    layout: &Layout,
) -> Result<()> {
    use crate::mill::direct::{DIRECT_MAX_COUNTS, DIRECT_MAX_IONS, DirectMillOptions};
    let (pitch_nm, modules, quiet, cell_nm) = (
        layout.module_pitch_nm,
        layout.modules,
        layout.quiet_zone_modules,
        layout.cell_nm,
    );
    let beam = &settings.beam;
    let ions = beam.dose_per_module_ions_per_nm2(pitch_nm)
        * pitch_nm
        * pitch_nm
        * (modules * modules) as f64
        / 2.0;
    if ions > DIRECT_MAX_IONS {
        return Err(p.err_at(
            "mill.model",
            format!(
                "bca-direct would follow ≈ {ions:.2e} ions ({modules} × {modules} modules, about half milled, at {:.0} ions/nm²); the direct reference mode takes at most {DIRECT_MAX_IONS:.0e} (≈ 10 h on 2 cores)",
                beam.dose_per_module_ions_per_nm2(pitch_nm)
            ),
            "use mill.model = \"bca\" (the fast mode) for whole symbols; the direct mode is for a few modules (scripts/validate_mill.sh)",
        ));
    }
    let o = DirectMillOptions::default();
    let field_cells = ((modules + 2 * quiet) as f64 * pitch_nm / cell_nm).powi(2);
    let mut elements: Vec<&str> = materials
        .iter()
        .flat_map(|m| m.constituents.iter().map(|c| c.element.symbol))
        .collect();
    elements.push(beam.ion.symbol);
    elements.sort_unstable();
    elements.dedup();
    let counts =
        field_cells * ((o.depth_nm + o.headroom_nm) / cell_nm).ceil() * elements.len() as f64;
    if counts > DIRECT_MAX_COUNTS {
        return Err(p.err_at(
            "mill.model",
            format!(
                "bca-direct needs {counts:.2e} voxel counts ({:.0}² columns of {cell_nm:.3} nm, {} elements); the limit is {DIRECT_MAX_COUNTS:.0e} (1.6 GB)",
                field_cells.sqrt(),
                elements.len()
            ),
            "use mill.model = \"bca\", a larger grid.cell_nm, or a smaller symbol",
        ));
    }
    let known = materials.iter().any(|m| {
        m.constituents
            .iter()
            .any(|c| c.element.symbol == beam.ion.symbol)
    });
    if !known && !matches!(beam.ion.symbol, "Ga" | "He" | "Ne" | "Ar" | "Kr" | "Xe") {
        return Err(p.err(
            "beam.ion",
            p.line("beam.ion"),
            format!(
                "bca-direct has no surface-binding energy for implanted {}",
                beam.ion.symbol
            ),
            "use Ga or a noble gas, or mill.model = \"bca\"",
        ));
    }
    Ok(())
}
