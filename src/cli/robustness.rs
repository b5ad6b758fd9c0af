//! `millage robustness SCENARIO`: write the scenario's specimen, then image it at t = 0 with
//! one SEM setting varied at a time (scan rotation, drift, dose per pixel) and read each frame
//! with the blind reader and every decoder: `robustness.csv` (decode probability with its 95 %
//! Wilson interval per point and decoder) and one figure per axis (PNG and SVG), redrawn by
//! `millage plot`. The physics is `lifetime::readout::robustness`; this module parses, checks
//! the flags, saves and prints.

use std::path::PathBuf;

use clap::Args;

use crate::config;
use crate::error::{Error, Result};
use crate::lifetime::readout::{self, RobustnessAxis};
use crate::output::{self, bca_cache};
use crate::pipeline::{self, bca_tables};

/// Arguments of `millage robustness`.
#[derive(Debug, Args)]
pub struct RobustnessArgs {
    /// Scenario file (TOML) with an SEM readout, e.g. sims/record_ideal.toml.
    pub scenario: PathBuf,
    /// Directory to write robustness.csv and the figures into (default:
    /// results/<name>-robustness-<UTC time>-s<seed>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides run.seed of the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (as for `millage run`).
    #[arg(long)]
    pub materials: Option<PathBuf>,
    /// Noise realizations (frames) per point.
    #[arg(long, default_value_t = 8)]
    pub realizations: usize,
    /// Scan rotations [deg], comma-separated (empty: skip the axis).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,15,30,45,60,75,90,105,120,137,150,165,180,195,210,225,240,255,270,285,300,315,333,345"
    )]
    pub rotation_deg: Vec<f64>,
    /// Drift speeds [nm/s] during the frame, comma-separated, ≥ 0 (the scenario's direction).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,0.033,0.1,0.3,1,3,10,30,100,300"
    )]
    pub drift_nm_per_s: Vec<f64>,
    /// Primary electrons per pixel, comma-separated, > 0 (default: the scenario's dose × 1,
    /// 1/3, 1/10, 1/30, 1/100, 1/300).
    #[arg(long, value_delimiter = ',')]
    pub dose_electrons_per_px: Option<Vec<f64>>,
}

/// Checks one list flag: every value finite and allowed by `ok`.
fn check(flag: &str, values: &[f64], ok: impl Fn(f64) -> bool, rule: &str) -> Result<()> {
    if let Some(bad) = values.iter().find(|v| !v.is_finite() || !ok(**v)) {
        return Err(Error::input(
            None,
            flag,
            None,
            format!("{bad} is not allowed: {rule}"),
            format!("give {flag} as comma-separated numbers, e.g. {flag} 0,45,90"),
        ));
    }
    Ok(())
}

/// Runs `millage robustness`.
pub fn run(args: &RobustnessArgs) -> Result<()> {
    check(
        "--rotation-deg",
        &args.rotation_deg,
        |_| true,
        "a finite angle in degrees",
    )?;
    check(
        "--drift-nm-per-s",
        &args.drift_nm_per_s,
        |v| v >= 0.0,
        "drift speed ≥ 0 nm/s (the direction is readout.drift_direction_deg)",
    )?;
    if let Some(dose) = &args.dose_electrons_per_px {
        check(
            "--dose-electrons-per-px",
            dose,
            |v| v > 0.0,
            "dose > 0 electrons per pixel",
        )?;
    }
    if args.realizations == 0 {
        return Err(Error::input(
            None,
            "--realizations",
            None,
            "0 frames per point give no probability",
            "use --realizations 8 or more",
        ));
    }
    let library = config::library_for(&args.scenario, args.materials.as_deref());
    let scenario = config::load_scenario(&args.scenario, &library)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let plan = pipeline::readout_plan(&scenario);
    let crate::image::Readout::Sem(sem) = &plan.readout else {
        return Err(Error::input(
            Some(args.scenario.clone()),
            "readout.mode",
            None,
            "the robustness sweep varies SEM settings; this scenario reads a height map",
            "set readout.mode = \"sem\"",
        ));
    };
    let dose_now = sem.probe_current_a * sem.dwell_s / crate::units::ELEMENTARY_CHARGE_C;
    let dose = args.dose_electrons_per_px.clone().unwrap_or_else(|| {
        [1.0, 3.0, 10.0, 30.0, 100.0, 300.0]
            .iter()
            .map(|f| dose_now / f)
            .collect()
    });
    let seed = args.seed.unwrap_or(scenario.seed);
    let pool = super::thread_pool(args.threads)?;
    let cache = bca_cache::DiskCache {
        root: output::default_results_root(),
    };
    let responses = pool.install(|| bca_tables::responses(&scenario, &cache, &|_| {}))?;
    let written = pool.install(|| pipeline::write_stage(&scenario, seed, &responses))?;
    let axes: Vec<(RobustnessAxis, Vec<f64>)> = [
        (RobustnessAxis::RotationDeg, args.rotation_deg.clone()),
        (RobustnessAxis::DriftNmPerS, args.drift_nm_per_s.clone()),
        (RobustnessAxis::DoseElectronsPerPx, dose),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let rows = pool.install(|| {
        readout::robustness(
            &plan,
            &written.symbol,
            &written.specimen,
            seed,
            &axes,
            args.realizations,
        )
    });
    let out = args.out.clone().unwrap_or_else(|| {
        output::default_results_root().join(output::run_id(
            &format!("{}-robustness", scenario.name),
            seed,
        ))
    });
    let drawn = output::robustness::save(&out, &rows, &scenario.name)?;
    for r in &rows {
        println!(
            "  {:>22} = {:<10} {:<6} P(decode) {:.2} [{:.2}, {:.2}] ({}/{})",
            r.axis.to_string(),
            format!("{:.4}", r.value),
            r.decoder.to_string(),
            r.probability,
            r.probability_low,
            r.probability_high,
            r.decoded,
            r.realizations
        );
    }
    for p in &drawn {
        println!("{}", p.display());
    }
    println!("  results: {}", out.display());
    Ok(())
}
