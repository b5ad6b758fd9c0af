//! `millage bca` and `millage bca-table`: binary-collision Monte Carlo from the command line.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::bca::{
    self, BcaField, Convention, ElectronicStopping, FreeFlight, IonBeam, Options, Potential,
    ScatteringIntegral, Simulation, SurfaceBinding, TableRequest,
};
use crate::choice::Choice;
use crate::config::{MaterialLibrary, bca_target};
use crate::error::{Error, Result};
use crate::material::element;

/// A clap value parser over a [`Choice`]'s words, each listed in `--help` with `summary`.
fn choice_parser<T: Choice + Send + Sync>(
    summary: fn(T) -> &'static str,
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        T::VARIANTS
            .iter()
            .map(|&v| PossibleValue::new(v.name()).help(summary(v))),
    )
    .map(|word| T::from_name(&word).expect("clap admits only the listed words"))
}

/// Timing of one `millage bca` run (machine-dependent, so not part of [`bca::Summary`]; the
/// JSON output carries it under `performance`).
#[derive(Debug, Clone, serde::Serialize)]
struct Performance {
    /// Threads used.
    threads: usize,
    /// Wall time [s].
    wall_s: f64,
    /// Ions per second.
    ions_per_s: f64,
    /// Collisions per ion (mean).
    collisions_per_ion: f64,
    /// Wall time per collision per thread [ns] (ns per collision on one core).
    ns_per_collision: f64,
}

/// Options shared by `bca` and `bca-table`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Ion element symbol, e.g. Ga, Ar, Xe.
    #[arg(long)]
    pub ion: String,
    /// Ion energy [keV].
    #[arg(long, allow_hyphen_values = true)]
    pub energy_kev: f64,
    /// Target: a material of sims/materials/ (e.g. CrN), an element symbol (elemental solid),
    /// or a layered-target .toml file.
    #[arg(long)]
    pub target: String,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Interatomic potential.
    #[arg(long, value_parser = choice_parser(Potential::summary), default_value = "zbl")]
    pub potential: Potential,
    /// Scattering-integral evaluation.
    #[arg(long, value_parser = choice_parser(ScatteringIntegral::summary), default_value = "table")]
    pub scattering: ScatteringIntegral,
    /// Electronic stopping.
    #[arg(
        long,
        value_parser = choice_parser(ElectronicStopping::summary),
        default_value = "valence-local"
    )]
    pub stopping: ElectronicStopping,
    /// Exponential (gas) free paths instead of the constant n^(-1/3).
    #[arg(long)]
    pub gas_free_flight: bool,
    /// Use the target-averaged surface-binding energy instead of per-element values.
    #[arg(long)]
    pub averaged_surface_binding: bool,
    /// Override every species' recoil cutoff energy [eV].
    #[arg(long, allow_hyphen_values = true)]
    pub cutoff_ev: Option<f64>,
    /// Override every species' surface-binding energy [eV] (to match another code's set).
    #[arg(long, allow_hyphen_values = true)]
    pub surface_binding_ev: Option<f64>,
    /// Weak simultaneous collisions per free path, in the annuli beyond p_max (TRIM.SP).
    /// Default 2 (SDTrimSP's default, which goes with the default `--stopping valence-local`;
    /// `millage::bca::slow_recoil`); 0 under `--convention rustbca` (RustBCA has none).
    #[arg(long)]
    pub weak_collisions: Option<u32>,
    /// Ordering of free flight, collision, electronic loss and surface crossing: the engine's
    /// own (default) or RustBCA 2.9's, to verify against it at equal conventions.
    #[arg(long, value_parser = choice_parser(Convention::summary), default_value = "millage")]
    pub convention: Convention,
}

/// `millage bca`: run N ions and report yields, reflection, range and energy partition.
#[derive(Debug, Args)]
pub struct BcaArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Angle of incidence from the surface normal [deg].
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    angle_deg: f64,
    /// Number of ions.
    #[arg(long, default_value_t = 2000)]
    ions: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

/// `millage bca-table`: Y(θ) per element, reflection, emission kernels and range profiles over
/// incidence angles, cached under results/cache/bca/.
#[derive(Debug, Args)]
pub struct BcaTableArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Ions per angle.
    #[arg(long, default_value_t = 1000)]
    ions_per_angle: u64,
    /// Angle step [deg] (θ = 0, step, … < 90).
    #[arg(long, default_value_t = 1.0)]
    step_deg: f64,
    /// Results root (the cache is <root>/cache/bca/).
    #[arg(long, default_value = "results")]
    results: PathBuf,
    /// Recompute even if a cached table exists.
    #[arg(long)]
    no_cache: bool,
    /// Print the table as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Also write `yield_vs_angle.csv` and the yield-vs-angle figure (PNG and SVG, against
    /// Yamamura's angular formula for monatomic targets) into this directory.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn flag_error(flag: &str, rule: String, hint: &str) -> Error {
    Error::input(None, flag, None, rule, hint)
}

/// A refused BCA setup in the vocabulary of `millage bca`: the flag to change and a hint.
fn setup_error(e: bca::SetupError) -> Error {
    let (flag, hint) = match e.field {
        BcaField::Energy => (
            "--energy-kev",
            "give a positive energy, e.g. --energy-kev 30",
        ),
        BcaField::Angle => (
            "--angle-deg",
            "0 is normal incidence; use e.g. 89 for grazing incidence",
        ),
        BcaField::Cutoff => (
            "--cutoff-ev",
            "typical values are 0.5–5 eV, below the surface-binding energy",
        ),
        BcaField::SurfaceBinding => ("--surface-binding-ev", "typical values are 2–9 eV"),
        // Not a flag: the ion cutoff is the library default.
        BcaField::IonCutoff => ("ion_cutoff_ev", "use about 1 eV"),
        BcaField::Scattering => (
            "--scattering",
            "use --scattering table (default) or quadrature, or --potential zbl|moliere",
        ),
        BcaField::Target => ("--target", "give a material"),
        BcaField::Layer(_) => ("--target", "check the layered-target file"),
    };
    flag_error(flag, e.rule, hint)
}

/// Builds the simulation from the common flags.
fn simulation(c: &CommonArgs, angle_deg: f64) -> Result<Simulation> {
    let ion = element::by_symbol(&c.ion).ok_or_else(|| {
        flag_error(
            "--ion",
            format!("unknown ion element `{}`", c.ion),
            "give an element symbol as chemistry writes it, e.g. Ga, Ar, Xe, He",
        )
    })?;
    let target = bca_target::resolve_target(&MaterialLibrary::bundled(), &c.target)?;
    let options = Options {
        potential: c.potential,
        scattering: c.scattering,
        stopping: c.stopping,
        free_flight: if c.gas_free_flight {
            FreeFlight::Gas
        } else {
            FreeFlight::Constant
        },
        surface_binding: if c.averaged_surface_binding {
            SurfaceBinding::TargetAveraged
        } else {
            SurfaceBinding::Individual
        },
        cutoff_override_ev: c.cutoff_ev,
        surface_binding_override_ev: c.surface_binding_ev,
        weak_collisions: c.weak_collisions.unwrap_or(match c.convention {
            Convention::Millage => Options::default().weak_collisions,
            Convention::RustBca => 0,
        }),
        convention: c.convention,
        ..Options::default()
    };
    let beam = IonBeam {
        element: ion,
        energy_ev: crate::units::kev_to_ev(c.energy_kev),
        angle_deg,
    };
    Simulation::new(target, beam, options).map_err(setup_error)
}

fn progress_bar(len: u64, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg} (eta {eta})",
    ) {
        pb.set_style(style);
    }
    pb
}

/// Runs `millage bca`.
pub fn run_bca(args: BcaArgs) -> Result<()> {
    if args.ions == 0 {
        return Err(flag_error(
            "--ions",
            "must be ≥ 1 (got 0)".into(),
            "give the number of ions to simulate, e.g. --ions 2000",
        ));
    }
    let sim = simulation(&args.common, args.angle_deg)?;
    let pool = super::thread_pool(args.common.threads)?;
    let threads = pool.current_num_threads();
    let pb = progress_bar(args.ions, args.ions >= 200);
    pb.set_message("ions");
    let start = Instant::now();
    let tally =
        pool.install(|| sim.run(args.common.seed, args.ions, &|done| pb.set_position(done)));
    let wall_s = start.elapsed().as_secs_f64();
    pb.finish_and_clear();
    let summary = tally.summary();
    let cpi = summary.cascade.collisions_per_ion.mean;
    let performance = Performance {
        threads,
        wall_s,
        ions_per_s: args.ions as f64 / wall_s,
        collisions_per_ion: cpi,
        ns_per_collision: wall_s * threads as f64 * 1e9 / (cpi * args.ions as f64).max(1.0),
    };
    if args.json {
        let doc = serde_json::json!({
            "input": {
                "ion": sim.beam().element.symbol,
                "energy_ev": sim.beam().energy_ev,
                "angle_deg": sim.beam().angle_deg,
                "target": sim.target(),
                "options": sim.options(),
                "ions": args.ions,
                "seed": args.common.seed,
            },
            "summary": &summary,
        });
        // flatten: summary fields at top level next to "performance" and "input"
        let mut obj =
            serde_json::to_value(&summary).map_err(|e| Error::Numerical(e.to_string()))?;
        let perf =
            serde_json::to_value(&performance).map_err(|e| Error::Numerical(e.to_string()))?;
        if let (Some(o), Some(input)) = (obj.as_object_mut(), doc.get("input")) {
            o.insert("performance".into(), perf);
            o.insert("input".into(), input.clone());
        }
        println!("{obj}");
    } else {
        print_human(&sim, &summary, &performance);
    }
    Ok(())
}

fn print_human(sim: &Simulation, s: &bca::Summary, perf: &Performance) {
    let b = sim.beam();
    println!(
        "{} {:.1} keV at {:.1}° on {} — {} ions, {} potential, {} scattering, {} stopping, {} convention",
        b.element.symbol,
        b.energy_ev / 1e3,
        b.angle_deg,
        sim.target()
            .layers
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join("/"),
        s.ions,
        sim.options().potential.name(),
        sim.options().scattering.name(),
        sim.options().stopping.name(),
        sim.options().convention.name(),
    );
    let y = &s.sputter_yield;
    println!(
        "sputtering yield     {:.3} ± {:.3} atoms/ion",
        y.total.mean, y.total.stderr
    );
    for (el, e) in &y.by_element {
        println!("  {el:<4}               {:.3} ± {:.3}", e.mean, e.stderr);
    }
    println!(
        "reflection           R_N = {:.4} ± {:.4}, R_E = {:.4} ± {:.4}",
        s.reflection.particle,
        s.reflection.particle_stderr,
        s.reflection.energy,
        s.reflection.energy_stderr
    );
    println!(
        "range                depth {:.2} ± {:.2} nm, straggle {:.2} nm, lateral straggle {:.2} nm",
        s.range.depth_mean_nm,
        s.range.depth_mean_stderr_nm,
        s.range.depth_straggle_nm,
        s.range.lateral_straggle_nm
    );
    let p = &s.energy_partition;
    println!(
        "energy partition     electronic {:.3}, nuclear {:.3}, deposited {:.3}, sputtered {:.4}, reflected {:.4} (max error {:.1e})",
        p.electronic.mean,
        p.nuclear.mean,
        p.deposited.mean,
        p.sputtered.mean,
        p.reflected.mean,
        p.max_relative_error_per_ion
    );
    println!(
        "cascade              {:.0} collisions/ion, {:.0} recoils/ion, {:.1} recoils > {} eV/ion",
        s.cascade.collisions_per_ion.mean,
        s.cascade.recoils_per_ion.mean,
        s.cascade.recoils_above_threshold_per_ion.mean,
        sim.options().count_recoils_above_ev
    );
    println!(
        "emission kernel      mean x {:.2} nm, σx {:.2} nm, σy {:.2} nm; sputtered mean energy {:.1} eV",
        s.emission_kernel.mean_x_nm.mean,
        s.emission_kernel.sigma_x_nm,
        s.emission_kernel.sigma_y_nm,
        s.sputtered.mean_energy_ev.mean
    );
    println!(
        "performance          {:.1} ions/s on {} threads, {:.0} ns/collision/core, {:.2} s",
        perf.ions_per_s, perf.threads, perf.ns_per_collision, perf.wall_s
    );
}

/// Runs `millage bca-table`.
pub fn run_bca_table(args: BcaTableArgs) -> Result<()> {
    if args.ions_per_angle == 0 {
        return Err(flag_error(
            "--ions-per-angle",
            "must be ≥ 1 (got 0)".into(),
            "e.g. --ions-per-angle 1000 (±5 % on Y needs ~700–3000)",
        ));
    }
    if !(args.step_deg.is_finite() && args.step_deg > 0.0 && args.step_deg < 90.0) {
        return Err(flag_error(
            "--step-deg",
            format!("must be in (0, 90) (got {})", args.step_deg),
            "e.g. --step-deg 1",
        ));
    }
    let sim = simulation(&args.common, 0.0)?;
    let mut angles = Vec::new();
    let mut a = 0.0;
    while a < 90.0 - 1e-9 {
        angles.push(a);
        a += args.step_deg;
    }
    let request = TableRequest {
        angles_deg: angles,
        ions_per_angle: args.ions_per_angle,
        seed: args.common.seed,
    };
    let key = crate::output::bca_cache::cache_key(&sim, &request);
    let cached = if args.no_cache {
        None
    } else {
        crate::output::bca_cache::load(&args.results, &key)?
    };
    let (table, path) = match cached {
        Some(t) => (t, crate::output::bca_cache::path_for(&args.results, &key)),
        None => {
            let pool = super::thread_pool(args.common.threads)?;
            let pb = progress_bar(request.angles_deg.len() as u64, true);
            pb.set_message("angles");
            let table = pool
                .install(|| {
                    bca::angular_table(&sim, &request, &|done| pb.set_position(done as u64))
                })
                .map_err(setup_error)?;
            pb.finish_and_clear();
            let path =
                crate::output::bca_cache::store(&args.results, &key, &sim, &request, &table)?;
            (table, path)
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&table).map_err(|e| Error::Numerical(e.to_string()))?
        );
    } else {
        let species: Vec<&str> = sim.target().species.iter().map(|s| s.symbol).collect();
        print!("angle_deg  yield_total ± stderr");
        for s in &species {
            print!("  Y_{s} ± stderr");
        }
        println!("  reflection_particle  depth_mean_nm");
        for p in &table.points {
            print!(
                "{:9.1}  {:7.3} ± {:.3}",
                p.angle_deg, p.yield_total.mean, p.yield_total.stderr
            );
            for s in &species {
                let e = p
                    .yield_by_element
                    .get(*s)
                    .copied()
                    .unwrap_or(bca::Estimate {
                        mean: 0.0,
                        stderr: 0.0,
                    });
                print!("  {:.3} ± {:.3}", e.mean, e.stderr);
            }
            println!(
                "  {:.4}  {:.2}",
                p.summary.reflection.particle, p.summary.range.depth_mean_nm
            );
        }
        eprintln!("table cached at {}", path.display());
    }
    if let Some(out) = &args.out {
        write_yield_vs_angle(out, &sim, &table)?;
        let inputs = crate::output::manifest::BcaTableInputs {
            table_key: key.clone(),
            table_file: path.display().to_string(),
            angles: request.angles_deg.len(),
            ions_per_angle: request.ions_per_angle,
        };
        crate::output::manifest::write_bca_table_manifest(out, args.common.seed, None, inputs)?;
    }
    Ok(())
}

/// `yield_vs_angle.csv` and its figure in `out`; Yamamura's angular formula only for a
/// monatomic target (its parameters are defined for elemental solids).
fn write_yield_vs_angle(
    out: &std::path::Path,
    sim: &Simulation,
    table: &bca::AngularTable,
) -> Result<()> {
    use crate::bca::empirical::{PsiConvention, YamamuraAngular};
    let target = sim.target();
    let beam = sim.beam();
    let yamamura = match (target.species.as_slice(), target.layers.first()) {
        ([s], Some(layer)) => Some([PsiConvention::WithoutE2, PsiConvention::WithE2].map(|c| {
            YamamuraAngular::new(
                (f64::from(beam.element.z), beam.element.mass_amu),
                (f64::from(s.z), s.mass_amu),
                beam.energy_ev,
                s.surface_binding_ev,
                layer.number_density_per_nm3,
                c,
            )
        })),
        _ => None,
    };
    let case = format!(
        "{} {} keV → {}",
        beam.element.symbol,
        beam.energy_ev / 1e3,
        target
            .layers
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join("/")
    );
    let csv = crate::output::bca_figures::yield_vs_angle_csv(table, yamamura, &case);
    crate::output::write_atomic(&out.join("yield_vs_angle.csv"), csv.as_bytes())?;
    if let Some(png) = crate::output::bca_figures::draw_yield_vs_angle(out, out)? {
        eprintln!("{}", png.display());
    }
    Ok(())
}
