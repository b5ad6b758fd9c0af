//! Command-line interface: the only place that prints, builds the thread pool and exits.
//!
//! Exit codes: 0 success, 2 bad input (scenario, material, flags), 1 any other failure.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Result;

mod age;
mod bca;
mod calibrate;
mod compare;
mod plot;
mod progress;
mod robustness;
mod run;
mod sweep;

/// millage: write, age and read a nanoscale QR mark in a ceramic film.
#[derive(Debug, Parser)]
#[command(name = "millage", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write, image and decode a scenario; save results/<run-id>/.
    Run(run::RunArgs),
    /// Run a parameter sweep (resumable, shardable); writes points.csv.
    Sweep(sweep::SweepArgs),
    /// Merge the directories of a sharded sweep into one.
    Merge(sweep::MergeArgs),
    /// Redraw figures of a run or sweep directory from its CSV files (no physics).
    Plot(plot::PlotArgs),
    /// Infer kinetic constants from bake measurements, then predict lifetimes.
    Calibrate(calibrate::CalibrateArgs),
    /// Compare scenario variants (e.g. materials) side by side: CSV, markdown table, bar chart.
    Compare(compare::CompareArgs),
    /// Print the per-mechanism timescale report of a scenario's [aging] section (no run).
    Age(age::AgeArgs),
    /// List every scenario key with its type, unit, default and meaning.
    Explain,
    /// Decode probability at t = 0 vs scan rotation, drift and dose per pixel (CSV + figures).
    Robustness(robustness::RobustnessArgs),
    /// Binary-collision Monte Carlo: sputtering, reflection, range of N ions.
    Bca(bca::BcaArgs),
    /// BCA angular table Y(θ), reflection, kernels and ranges (cached in results/cache/bca/).
    BcaTable(bca::BcaTableArgs),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    silence_contained_decoder_panics();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own exit codes: 0 for --help/--version, 2 for usage errors.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// rqrr's panics are caught by the reader and recorded as failed reads
/// (`decode::rqrr_guarded`); the default hook would still print each one to stderr. Every other
/// panic is reported as usual.
fn silence_contained_decoder_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_rqrr = info.location().is_some_and(|l| l.file().contains("/rqrr-"));
        if !in_rqrr {
            default_hook(info);
        }
    }));
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Sweep(args) => sweep::run_sweep(&args),
        Command::Merge(args) => sweep::run_merge(&args),
        Command::Plot(args) => plot::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Age(args) => age::run(&args),
        Command::Explain => {
            print!("{}", crate::config::keys::explain_markdown());
            Ok(())
        }
        Command::Robustness(args) => robustness::run(&args),
        Command::Bca(args) => bca::run_bca(args),
        Command::BcaTable(args) => bca::run_bca_table(args),
    }
}

/// Builds the rayon pool for a command: `threads` = 0 means one per core.
pub(crate) fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| crate::error::Error::Numerical(format!("cannot build thread pool: {e}")))
}
