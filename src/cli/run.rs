//! `millage run SCENARIO`: write, image and decode one scenario, and save its results.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use crate::config::{self, MaterialLibrary, Scenario};
use crate::error::Result;
use crate::mill::fast::MaterialResponse;
use crate::output::{self, RunDir, bca_cache, figures};
use crate::pipeline::{self, RunProducts};

/// Arguments of `millage run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. sims/record.toml.
    pub scenario: PathBuf,
    /// Results directory to write (default: results/<name>-<UTC time>-s<seed>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides run.seed of the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (default: sims/materials next to the scenario's sims/,
    /// else the bundled one).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

/// The materials library for a scenario: `--materials`, else `materials/` beside the
/// scenario file, else the bundled library.
pub fn library_for(scenario: &std::path::Path, flag: Option<&PathBuf>) -> MaterialLibrary {
    if let Some(dir) = flag {
        return MaterialLibrary::new(dir);
    }
    let beside = scenario.parent().map(|p| p.join("materials"));
    match beside {
        Some(dir) if dir.is_dir() => MaterialLibrary::new(dir),
        _ => MaterialLibrary::bundled(),
    }
}

/// Runs `millage run`.
pub fn run(args: &RunArgs) -> Result<()> {
    let t0 = Instant::now();
    let library = library_for(&args.scenario, args.materials.as_ref());
    let scenario = config::load_scenario(&args.scenario, &library)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let t_load = t0.elapsed().as_secs_f64();

    let pool = super::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let t_tables = Instant::now();
    let responses = pool.install(|| bca_responses(&scenario))?;
    let t_tables = t_tables.elapsed().as_secs_f64();
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message(format!("{}: writing, imaging and decoding", scenario.name));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let t1 = Instant::now();
    let mut spinner = SpinnerProgress {
        bar: &progress,
        name: &scenario.name,
    };
    let products =
        pool.install(|| pipeline::run_observed(&scenario, seed, &responses, &mut spinner))?;
    let t_physics = t1.elapsed().as_secs_f64();
    progress.set_message("saving results");

    let out = args.out.clone().unwrap_or_else(|| {
        output::default_results_root().join(output::run_id(&scenario.name, seed))
    });
    let t2 = Instant::now();
    let dir = save(
        &scenario,
        &products,
        &out,
        seed,
        threads,
        &library,
        (t_load, t_tables, t_physics),
    )?;
    let t_save = t2.elapsed().as_secs_f64();
    progress.finish_and_clear();

    let r = &products.record;
    let yes_no = |d: &Option<pipeline::DecoderRecord>| match d {
        Some(d) if d.payload_matches => "decoded",
        Some(_) => "FAILED",
        None => "not run",
    };
    println!(
        "{}: V{} {}×{} modules at {} nm, {:.3} µm²",
        r.scenario,
        r.symbol.version,
        r.symbol.modules_per_side,
        r.symbol.modules_per_side,
        r.symbol.module_pitch_nm,
        r.symbol.area_um2
    );
    println!(
        "  read at t = 0: rxing {}, rqrr {}; worst RS block {:.2} of capacity",
        yes_no(&r.readout.decoders.rxing),
        yes_no(&r.readout.decoders.rqrr),
        r.readout.information.max_block_error_ratio
    );
    if let Some(a) = &r.aging {
        for snap in &a.snapshots {
            println!(
                "  aged {:>10} yr: rxing {}, rqrr {}; worst RS block {:.2}; pit depth {:.2} nm, oxide {:.2} nm",
                output::aging::time_label(snap.time_yr),
                yes_no(&snap.decoded.rxing),
                yes_no(&snap.decoded.rqrr),
                snap.max_block_error_ratio,
                snap.metrics.pit_depth_nm,
                snap.metrics.oxide_mean_nm
            );
        }
    }
    if let Some(life) = &products.lifetime {
        for line in output::report::lifetime::stdout_lines(life) {
            println!("{line}");
        }
    }
    println!(
        "  results: {}  ({:.2} s physics, {:.2} s saving)",
        dir.display(),
        t_physics,
        t_save
    );
    Ok(())
}

/// The BCA responses the scenario's write needs, per palette material: from the table cache
/// under `results/cache/bca/` when present, else computed (with a progress bar) and stored.
pub fn bca_responses(scenario: &Scenario) -> Result<Vec<Option<MaterialResponse>>> {
    let mut responses = vec![None; scenario.materials.len()];
    let root = output::default_results_root();
    for (m, sim, request) in pipeline::bca_requests(scenario)? {
        let key = bca_cache::cache_key(&sim, &request);
        let table = match bca_cache::load(&root, &key)? {
            Some(t) => t,
            None => {
                let bar = indicatif::ProgressBar::new(request.angles_deg.len() as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg} {bar:30} {pos}/{len} angles, ETA {eta}",
                    )
                    .expect("valid template"),
                );
                bar.set_message(format!(
                    "BCA table for {} ({} ions/angle)",
                    scenario.materials[m].name, request.ions_per_angle
                ));
                let table = crate::bca::angular_table(&sim, &request, &|done| {
                    bar.set_position(done as u64)
                })?;
                bar.finish_and_clear();
                bca_cache::store(&root, &key, &sim, &request, &table)?;
                table
            }
        };
        responses[m] = Some(MaterialResponse::from_table(&table));
    }
    Ok(responses)
}

/// Shows aging progress on the spinner (the solver itself never prints).
struct SpinnerProgress<'a> {
    bar: &'a indicatif::ProgressBar,
    name: &'a str,
}

impl crate::age::AgeObserver for SpinnerProgress<'_> {
    fn on_progress(&mut self, time_s: f64, horizon_s: f64) {
        self.bar.set_message(format!(
            "{}: aging, {:.1} % of {} yr",
            self.name,
            100.0 * time_s / horizon_s,
            output::aging::time_label(crate::units::seconds_to_years(horizon_s))
        ));
    }
}

/// Writes a run's results directory; returns its path.
pub fn save(
    scenario: &Scenario,
    products: &RunProducts,
    out: &std::path::Path,
    seed: u64,
    threads: usize,
    library: &MaterialLibrary,
    (t_load, t_tables, t_physics): (f64, f64, f64),
) -> Result<PathBuf> {
    let dir = RunDir::create(out)?;
    let r = &products.record;
    dir.write_json("summary.json", r)?;
    let scenario_text = std::fs::read(&scenario.file).unwrap_or_default();
    let manifest = json!({
        "schema": 1,
        "crate_version": env!("CARGO_PKG_VERSION"),
        "git_revision": output::git_revision(),
        "created_utc": chrono::Utc::now().to_rfc3339(),
        "seed": seed,
        "threads": threads,
        "scenario_file": scenario.file.display().to_string(),
        "materials_dir": library.dir().display().to_string(),
        "input_sha256": output::sha256_hex(&scenario_text),
        "resolved_scenario": scenario.resolved,
        "materials": scenario.materials,
        "timings_s": { "load": t_load, "bca_tables": t_tables, "physics": t_physics, "stages": products.stage_seconds },
    });
    dir.write_json("manifest.json", &manifest)?;

    let g = &products.specimen.grid;
    figures::height_map(
        &dir.path("height"),
        &g.surface_nm,
        g.nx(),
        g.ny(),
        g.cell_nm(),
        &format!(
            "{}: surface height after {} write",
            r.scenario, r.mill.model
        ),
    )?;
    let caption = match &scenario.readout {
        config::Readout::Sem(s) => format!(
            "SEM {} kV  {} pA  {} µs/px  pixel {:.2} nm",
            short(s.beam_energy_ev / 1e3),
            short(s.probe_current_a * 1e12),
            short(s.dwell_s * 1e6),
            s.pixel_nm
        ),
        config::Readout::Height(h) => format!("height map  pixel {:.2} nm", h.pixel_nm),
    };
    let image_name = if r.readout.mode == "sem" {
        "sem"
    } else {
        "height_readout"
    };
    figures::micrograph_png(
        &dir.path(&format!("{image_name}.png")),
        &products.micrograph.grey,
        products.micrograph.pixel_nm,
        &caption,
    )?;
    figures::save_grey(
        &dir.path(&format!("{image_name}_raw.png")),
        &products.micrograph.grey,
    )?;
    let (profile_x, profile_z, row) = pipeline::cross_section(products);
    let mut csv = String::from("x_nm,surface_z_nm\n");
    for (x, z) in profile_x.iter().zip(&profile_z) {
        csv += &format!("{x:.4},{z:.6}\n");
    }
    dir.write("profile.csv", csv.as_bytes())?;
    figures::cross_section(
        &dir.path("cross_section"),
        &profile_x,
        &profile_z,
        &format!(
            "{}: surface through the centre of symbol row {row} ({} write)",
            r.scenario, r.mill.model
        ),
    )?;
    if let Some(aging) = &r.aging {
        dir.write("aging.csv", output::aging::aging_csv(aging).as_bytes())?;
        output::aging_figure::draw(&dir.path(""), &dir.path(""), &r.scenario)?;
        for snap in &products.aged {
            let label = output::aging::time_label(snap.time_yr);
            figures::height_map(
                &dir.path(&format!("height_{label}yr")),
                &snap.outer_height_nm,
                g.nx(),
                g.ny(),
                g.cell_nm(),
                &format!("{}: outer surface after {label} yr", r.scenario),
            )?;
            figures::micrograph_png(
                &dir.path(&format!("{image_name}_{label}yr.png")),
                &snap.micrograph.grey,
                snap.micrograph.pixel_nm,
                &format!("{caption}  aged {label} yr"),
            )?;
        }
    }
    if let (Some(life), Some(settings)) = (&products.lifetime, &scenario.lifetime) {
        save_lifetime(&dir, scenario, life, settings, &r.scenario)?;
    }
    dir.write(
        "summary.md",
        summary_markdown(scenario, products).as_bytes(),
    )?;
    dir.commit()
}

/// A number with at most four significant digits and no trailing zeros (for captions).
fn short(x: f64) -> String {
    let text = format!("{:.4}", x);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    format!(
        "{}",
        trimmed
            .parse::<f64>()
            .map(|v| (v * 1e4).round() / 1e4)
            .unwrap_or(x)
    )
}

fn summary_markdown(scenario: &Scenario, p: &RunProducts) -> String {
    let r = &p.record;
    let dec = |d: &Option<pipeline::DecoderRecord>| match d {
        Some(d) if d.payload_matches => "decoded".to_string(),
        Some(d) => format!("failed ({})", d.error.clone().unwrap_or_default()),
        None => "not run".into(),
    };
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
        "Read ({}): {}×{} px of {:.2} nm ({:.1} px/module). rxing: {}. rqrr: {}. Information criterion: {} module errors, worst RS block at {:.2} of its capacity ({}).\n\n",
        r.readout.mode,
        r.readout.width_px,
        r.readout.height_px,
        r.readout.pixel_nm,
        r.readout.module_px,
        dec(&r.readout.decoders.rxing),
        dec(&r.readout.decoders.rqrr),
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
            output::aging::time_label(a.horizon_yr),
            if a.solver == crate::age::SurfaceSolver::Linear {
                "linear"
            } else {
                "nonlinear"
            },
            a.splitting_steps
        );
        s += "| t / yr | pit depth / nm | edge width / nm | rms / nm | oxide / nm | film consumed / nm | rxing | rqrr | worst RS block |\n|---|---|---|---|---|---|---|---|---|\n";
        for snap in &a.snapshots {
            let m = &snap.metrics;
            s += &format!(
                "| {} | {:.2} | {} | {:.2} | {:.3} | {:.3} | {} | {} | {:.2} |\n",
                output::aging::time_label(snap.time_yr),
                m.pit_depth_nm,
                m.edge_width_nm
                    .map(|w| format!("{w:.1}"))
                    .unwrap_or_else(|| "–".into()),
                m.rms_roughness_nm,
                m.oxide_mean_nm,
                m.film_consumed_nm,
                dec(&snap.decoded.rxing),
                dec(&snap.decoded.rqrr),
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
        s += &output::aging::timescales_markdown(t);
    }
    if let Some(life) = &p.lifetime {
        s += &output::report::lifetime::markdown(life);
    }
    if !scenario.warnings.is_empty() {
        s += "\n## Warnings\n\n";
        for w in &scenario.warnings {
            s += &format!("- {w}\n");
        }
    }
    s
}

/// Writes the lifetime tables and figures.
fn save_lifetime(
    dir: &RunDir,
    scenario: &Scenario,
    life: &pipeline::lifetime::LifetimeProducts,
    settings: &crate::lifetime::LifetimeSettings,
    name: &str,
) -> Result<()> {
    use crate::output::lifetime as out;
    let year = crate::units::SECONDS_PER_YEAR;
    let a = &life.analysis;
    dir.write("lifetime.csv", out::lifetime_csv(&life.rows).as_bytes())?;
    dir.write(
        "uncertainty.csv",
        out::uncertainty_csv(&life.uncertainty).as_bytes(),
    )?;
    let names: Vec<&str> = scenario
        .decoders
        .iter()
        .map(|d| match d {
            config::DecoderKind::Rxing => "rxing",
            config::DecoderKind::Rqrr => "rqrr",
        })
        .collect();
    dir.write(
        "degradation.csv",
        out::degradation_csv(a, &names).as_bytes(),
    )?;
    dir.write("frontier.csv", out::frontier_csv(a).as_bytes())?;
    dir.write(
        "degradation_real_time.csv",
        out::degradation_real_time_csv(a).as_bytes(),
    )?;
    let target_yr = settings.target_s / year;
    dir.write(
        "arrhenius_model.csv",
        out::arrhenius_model_csv(a).as_bytes(),
    )?;
    dir.write(
        "arrhenius_fit.csv",
        out::arrhenius_fit_csv(a, target_yr).as_bytes(),
    )?;
    dir.write(
        "frontier_claim.csv",
        out::frontier_claim_csv(a, target_yr).as_bytes(),
    )?;
    let (strip_csv, tiles) = out::image_strip_csv(&life.strip, a);
    for (file, (_, micrograph)) in tiles.iter().zip(&life.strip) {
        crate::output::figures::save_grey(&dir.path("image_strip").join(file), &micrograph.grey)?;
    }
    dir.write("image_strip.csv", strip_csv.as_bytes())?;
    // Figures are drawn from the CSVs just written, exactly as `millage plot` redraws them.
    crate::output::lifetime_figures::draw_all(&dir.path(""), &dir.path(""), name)?;
    Ok(())
}
