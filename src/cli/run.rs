//! `millage run SCENARIO`: write, image and decode one scenario, save its results and print
//! what happened. The physics is `pipeline`'s, the files and reports are `output`'s; this
//! module parses, builds the pool, shows progress, saves and prints.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::progress::{Spinner, TableBar};
use crate::config;
use crate::error::Result;
use crate::output::{self, bca_cache, manifest, report};
use crate::pipeline::{self, bca_tables};

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
    /// Skip the scenario's [lifetime] stage: write, image, decode at t = 0 and age the
    /// [aging] snapshots only (a quick look at a scenario whose lifetime search takes minutes).
    #[arg(long)]
    pub no_lifetime: bool,
}

/// Runs `millage run`.
pub fn run(args: &RunArgs) -> Result<()> {
    let t0 = Instant::now();
    let library = config::library_for(&args.scenario, args.materials.as_deref());
    let mut scenario = config::load_scenario(&args.scenario, &library)?;
    if args.no_lifetime {
        scenario.lifetime = None;
    }
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let t_load = t0.elapsed().as_secs_f64();

    let pool = super::thread_pool(args.threads)?;
    let t_tables = Instant::now();
    let cache = bca_cache::DiskCache {
        root: output::default_results_root(),
    };
    let bar = TableBar::default();
    let responses =
        pool.install(|| bca_tables::responses(&scenario, &cache, &|event| bar.on(event)))?;
    let t_tables = t_tables.elapsed().as_secs_f64();
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message(format!("{}: writing, imaging and decoding", scenario.name));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let t1 = Instant::now();
    let mut spinner = Spinner {
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
    let timings = manifest::RunTimings {
        load: t_load,
        bca_tables: t_tables,
        physics: t_physics,
        stages: products.stage_seconds,
    };
    let manifest = manifest::run_manifest(
        &scenario,
        &library,
        seed,
        pool.current_num_threads(),
        timings,
    )?;
    let lifetime_section = products
        .lifetime
        .as_ref()
        .map(report::lifetime::markdown)
        .unwrap_or_default();
    let summary_md = report::summary::summary_markdown(&scenario, &products, &lifetime_section);
    let dir = output::run::save(&out, &scenario, &products, &manifest, &summary_md)?;
    let t_save = t2.elapsed().as_secs_f64();
    progress.finish_and_clear();

    for line in report::summary::run_lines(&products.record) {
        println!("{line}");
    }
    if let Some(life) = &products.lifetime {
        for line in report::lifetime::stdout_lines(life) {
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
