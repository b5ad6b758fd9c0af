//! The run report: `summary.md` and the lines `millage run` prints about the write, the read
//! and the aged snapshots (the lifetime lines are the lifetime report's).

use crate::choice::Choice;
use crate::decode::Decoder;
use crate::output::aging;
use crate::output::fmt::short;
use crate::pipeline::Scenario;
use crate::pipeline::{DecoderRecord, DecodersRecord, RunProducts, RunRecord};

/// Every decoder with its verdict for the terminal: "rxing decoded, rqrr FAILED".
fn verdicts(decoders: &DecodersRecord) -> String {
    Decoder::VARIANTS
        .iter()
        .map(|&d| format!("{d} {}", DecoderRecord::verdict(decoders.get(d))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a decoder did, for summary.md (with the reason of a failure).
fn markdown_verdict(d: Option<&DecoderRecord>) -> String {
    match d {
        Some(d) if d.payload_matches => "decoded".to_string(),
        Some(d) => format!("failed ({})", d.error.clone().unwrap_or_default()),
        None => "not run".into(),
    }
}

/// The lines `millage run` prints about the symbol, the read at t = 0 and every aged snapshot.
pub fn run_lines(r: &RunRecord) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{}: V{} {}×{} modules at {} nm, {:.3} µm²",
            r.scenario,
            r.symbol.version,
            r.symbol.modules_per_side,
            r.symbol.modules_per_side,
            r.symbol.module_pitch_nm,
            r.symbol.area_um2
        ),
        format!(
            "  read at t = 0: {}; worst RS block {:.2} of capacity",
            verdicts(&r.readout.decoders),
            r.readout.information.max_block_error_ratio
        ),
    ];
    if let Some(a) = &r.aging {
        for snap in &a.snapshots {
            lines.push(format!(
                "  aged {:>10} yr: {}; worst RS block {:.2}; pit depth {:.2} nm, oxide {:.2} nm",
                aging::time_label(snap.time_yr),
                verdicts(&snap.decoded),
                snap.max_block_error_ratio,
                snap.metrics.pit_depth_nm,
                snap.metrics.oxide_mean_nm
            ));
        }
    }
    lines
}

/// `summary.md`: the run in prose and tables. `lifetime_section` is the markdown of the
/// lifetime stage (empty without one), appended where it always stood.
pub fn summary_markdown(scenario: &Scenario, p: &RunProducts, lifetime_section: &str) -> String {
    let r = &p.record;
    let mut s = format!("# {}\n\n", r.scenario);
    s += &format!(
        "QR version {} ({}×{} modules), EC {}, mask {}, module pitch {} nm, symbol area {:.4} µm² (without quiet zone).\n\n",
        r.symbol.version,
        r.symbol.modules_per_side,
        r.symbol.modules_per_side,
        r.symbol.ec_level,
        r.symbol.mask,
        r.symbol.module_pitch_nm,
        r.symbol.area_um2
    );
    let layers: Vec<String> = r
        .film
        .layers
        .iter()
        .map(|l| format!("{} nm {}", l.thickness_nm, l.material))
        .collect();
    s += &format!(
        "Film: {} on {}. Grid: {}×{} cells of {:.3} nm.\n\n",
        layers.join(" / "),
        r.film.substrate,
        r.grid.cells_x,
        r.grid.cells_y,
        r.grid.cell_nm
    );
    let m = &r.mill;
    match (&m.ideal, &m.beam) {
        (Some(ideal), _) => {
            s += &format!(
                "Write: **ideal** model (geometric reference, not ion physics): pits {} nm deep, walls {}°, corner radius {} nm.\n",
                ideal.pit.depth_nm, ideal.pit.sidewall_angle_deg, ideal.pit.corner_radius_nm
            )
        }
        (None, Some(beam)) => {
            s += &format!(
                "Write: **bca** model (Monte Carlo sputtering tables): {} at {} keV, {} pA, spot {} nm FWHM (tail weight {}), {} passes of {} µs dwells; dose {:.1} ions/nm² per module, beam-on time {:.1} s.\n",
                beam.ion.symbol,
                short(beam.energy_ev / 1e3),
                short(beam.current_a * 1e12),
                beam.spot.core_fwhm_nm,
                beam.spot.tail_weight,
                beam.scan.passes,
                short(beam.scan.dwell_s * 1e6),
                m.dose_ions_per_nm2.unwrap_or(0.0),
                m.write_time_s.unwrap_or(0.0)
            )
        }
        _ => {}
    }
    s += &format!(
        "{} modules milled; mean depth {:.2} nm (RMS {:.2} nm){}; walls {:.1}°; neighbours over-milled by {:.2} nm; surface Ga fraction {:.3}.\n\n",
        m.milled_modules,
        m.metrics.mean_depth_nm,
        m.metrics.depth_rms_nm,
        if m.milled_through_film {
            ", through the film into the substrate"
        } else {
            ""
        },
        m.metrics.sidewall_angle_deg,
        m.metrics.neighbour_overmill_nm,
        m.metrics.ga_surface_fraction
    );
    s += &format!(
        "Read ({}): {}×{} px of {:.2} nm ({:.1} px/module). {} Information criterion: {} module errors, worst RS block at {:.2} of its capacity ({}).\n\n",
        r.readout.mode,
        r.readout.width_px,
        r.readout.height_px,
        r.readout.pixel_nm,
        r.readout.module_px,
        Decoder::VARIANTS
            .iter()
            .map(|&d| format!("{d}: {}.", markdown_verdict(r.readout.decoders.get(d))))
            .collect::<Vec<_>>()
            .join(" "),
        r.readout.information.module_errors,
        r.readout.information.max_block_error_ratio,
        if r.readout.information.decodable {
            "decodable"
        } else {
            "beyond capacity"
        }
    );
    s += &format!(
        "Module contrast (raw signal): unmilled {:.4}, milled {:.4}, Michelson {:.3}, per-pixel SNR {:.1}.\n",
        r.readout.contrast.mean_unmilled,
        r.readout.contrast.mean_milled,
        r.readout.contrast.michelson,
        r.readout.contrast.pixel_snr
    );
    if let Some(a) = &r.aging {
        s += &format!(
            "\n## Aging\n\n{} segment(s), horizon {} yr, {} surface solver, {} sub-steps per interval.\n\n",
            a.segment_count,
            aging::time_label(a.horizon_yr),
            if a.solver == crate::age::SurfaceSolver::Linear {
                "linear"
            } else {
                "nonlinear"
            },
            a.splitting_steps
        );
        let names: Vec<&str> = Decoder::NAMES.to_vec();
        s += &format!(
            "| t / yr | pit depth / nm | edge width / nm | rms / nm | oxide / nm | film consumed / nm | {} | worst RS block |\n|---|---|---|---|---|---|{}---|\n",
            names.join(" | "),
            "---|".repeat(names.len())
        );
        for snap in &a.snapshots {
            let m = &snap.metrics;
            s += &format!(
                "| {} | {:.2} | {} | {:.2} | {:.3} | {:.3} | {} | {:.2} |\n",
                aging::time_label(snap.time_yr),
                m.pit_depth_nm,
                m.edge_width_nm
                    .map(|w| format!("{w:.1}"))
                    .unwrap_or_else(|| "–".into()),
                m.rms_roughness_nm,
                m.oxide_mean_nm,
                m.film_consumed_nm,
                Decoder::VARIANTS
                    .iter()
                    .map(|&d| markdown_verdict(snap.decoded.get(d)))
                    .collect::<Vec<_>>()
                    .join(" | "),
                snap.max_block_error_ratio
            );
        }
        s += "\nMechanisms:\n\n";
        for m in &a.mechanisms {
            s += &format!("- {} in {}: {}\n", m.mechanism, m.material, m.status);
        }
    }
    if let Some(t) = &r.timescales {
        s += "\n## Timescales (10 % change of a module-pitch feature)\n\n";
        s += &aging::timescales_markdown(t);
    }
    s += lifetime_section;
    if !scenario.warnings.is_empty() {
        s += "\n## Warnings\n\n";
        for w in &scenario.warnings {
            s += &format!("- {w}\n");
        }
    }
    s
}
