//! `millage calibrate CALIBRATION.toml [--out DIR] [--threads N]`: mill the base scenario
//! once, infer the listed kinetic constants from the observations (`calibrate`), predict
//! lifetimes, save `calibration.json`, `posterior.csv` and the figures (`output`), print a
//! summary.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::progress::TableBar;
use crate::calibrate::{self, Progress, Years};
use crate::choice::Choice;
use crate::config;
use crate::error::Result;
use crate::output::{self, bca_cache, calibration};
use crate::pipeline::{self, bca_tables};

/// Arguments of `millage calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Calibration file (TOML), e.g. sims/calibration/synthetic.toml.
    pub calibration: PathBuf,
    /// Results directory (default: results/<scenario>-calibration-<UTC time>-s<seed>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (default as for `millage run`).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

/// One bar per calibration stage.
struct StageBar {
    current: Mutex<Option<(calibrate::Stage, ProgressBar)>>,
}

impl StageBar {
    fn on(&self, p: Progress) {
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if cur.as_ref().map(|(s, _)| *s) != Some(p.stage) {
            if let Some((_, b)) = cur.take() {
                b.finish_and_clear();
            }
            let b = ProgressBar::new(p.total as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "calibrate: {msg} {bar:30} {pos}/{len} forward runs, elapsed {elapsed}, ETA {eta}",
                )
                .expect("valid template"),
            );
            b.set_message(p.stage.name());
            *cur = Some((p.stage, b));
        }
        if let Some((_, b)) = cur.as_ref() {
            if p.done as u64 > b.length().unwrap_or(0) {
                b.set_length(p.done as u64);
            }
            b.set_position(p.done as u64);
        }
    }

    fn finish(&self) {
        if let Some((_, b)) = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            b.finish_and_clear();
        }
    }
}

fn years(y: &Years) -> String {
    match y {
        Years::Value(v) => format!("{v:.3e} yr"),
        Years::BeyondHorizon => "beyond horizon".into(),
    }
}

/// Runs `millage calibrate`.
pub fn run(args: &CalibrateArgs) -> Result<()> {
    let flag = args.materials.clone();
    let (file, scenario) = config::calibration_file::load(&args.calibration, |path| {
        let library = config::library_for(path, flag.as_deref());
        config::load_scenario(path, &library)
    })?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let pool = super::thread_pool(args.threads)?;
    let cache = bca_cache::DiskCache {
        root: output::default_results_root(),
    };
    let tables = TableBar::default();
    let responses = pool.install(|| bca_tables::responses(&scenario, &cache, &|e| tables.on(e)))?;
    let t0 = Instant::now();
    let written = pool.install(|| pipeline::write_stage(&scenario, scenario.seed, &responses))?;
    let write_s = t0.elapsed().as_secs_f64();
    let setup = calibrate::Setup::new(&scenario, written, file.aging_model, file.realizations);
    let fm = setup.forward();
    let bar = StageBar {
        current: Mutex::new(None),
    };
    let t1 = Instant::now();
    let outcome = pool
        .install(|| calibrate::calibrate(&fm, &scenario.materials, &file.settings, &|p| bar.on(p)));
    bar.finish();
    let outcome = outcome?;
    let calib_s = t1.elapsed().as_secs_f64();
    let manifest = calibration::CalibrationManifest::new(
        [&file.file, &file.scenario_file, &file.observations_file],
        pool.current_num_threads(),
        [write_s, calib_s],
    )?;
    let out = args.out.clone().unwrap_or_else(|| {
        output::default_results_root().join(output::run_id(
            &format!("{}-calibration", scenario.name),
            scenario.seed,
        ))
    });
    let dir = calibration::save(&out, &outcome.record, &outcome.samples, &manifest)?;

    let r = &outcome.record;
    println!(
        "{}: calibrated {} parameter(s) on {} observation(s); {} (N = {}, ESS = {:.1}; {} forward runs)",
        scenario.name,
        r.parameter_order.len(),
        r.observations.len(),
        r.sampler.method,
        r.sampler.samples,
        r.sampler.effective_sample_size,
        r.sampler.evaluations
    );
    for p in &file.settings.parameters {
        let s = &r.parameters[&p.parameter.material][p.parameter.key.name()];
        println!(
            "  {}: mean {:.4e}, 90 % CI [{:.4e}, {:.4e}] (library {:.4e})",
            p.parameter.label(),
            s.mean,
            s.ci90[0],
            s.ci90[1],
            s.library_value
        );
    }
    for row in &r.lifetime {
        println!(
            "  {:>7.1} °C: decoder failure median {}, 90 % CI [{}, {}]; at the posterior mean {} ({}) [{}; {}]",
            row.temperature_c,
            years(&row.decoder_failure_yr_median),
            years(&row.ci90[0]),
            years(&row.ci90[1]),
            years(&row.decoder_failure_yr_at_mean),
            row.status_at_mean.name(),
            row.search_path.name(),
            row.basis.name()
        );
    }
    println!(
        "  results: {}  ({write_s:.1} s write, {calib_s:.1} s calibration)",
        dir.display()
    );
    Ok(())
}
