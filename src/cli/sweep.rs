//! `millage sweep SWEEP.toml` and `millage merge DIR... --out DIR`.

use std::path::{Path, PathBuf};

use super::progress::SweepBar;
use crate::config::{self, sweep_file};
use crate::error::{Error, Result};
use crate::output::{self, bca_cache, sweep as store};
use crate::sweep::{self, SweepPoint, executor};
use clap::Args;

/// Arguments of `millage sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file (TOML), e.g. sims/sweeps/readout_energy.toml.
    pub sweep: PathBuf,
    /// Sweep directory (default: results/<name>-s<seed>/). Rerunning into the same directory
    /// resumes: finished points are kept, missing ones computed.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard i of N (0-based), e.g. --shard 0/3: every N-th point starting at i.
    #[arg(long)]
    pub shard: Option<String>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (default: as for `run`).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

/// Arguments of `millage merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Sweep directories of the shards.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Directory to write the merged sweep to.
    #[arg(long)]
    pub out: PathBuf,
}

fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let bad = || {
        Error::input(
            None,
            "--shard",
            None,
            format!("`{text}` is not i/N with 0 ≤ i < N"),
            "write e.g. --shard 0/4",
        )
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The scenario of a point, validated (errors name the point and its assignments).
pub fn point_scenario(
    spec: &sweep_file::SweepSpec,
    point: &SweepPoint,
    library: &config::MaterialLibrary,
) -> Result<crate::pipeline::Scenario> {
    let text = sweep::scenario_text(&spec.base_text, point)?;
    let label = PathBuf::from(format!(
        "{} (sweep point {})",
        spec.base_file.display(),
        point.index
    ));
    config::parse_scenario(&text, &label, library)
}

/// Runs `millage sweep`.
pub fn run_sweep(args: &SweepArgs) -> Result<()> {
    let spec = sweep_file::load_sweep(&args.sweep)?;
    let library = config::library_for(&spec.base_file, args.materials.as_deref());
    let all = sweep::expand(&spec);
    let (mine, shard_label) = match &args.shard {
        Some(s) => {
            let (i, n) = parse_shard(s)?;
            (sweep::shard(&all, i, n), format!(" (shard {i}/{n})"))
        }
        None => (all.clone(), String::new()),
    };
    // Validate every point before running any: a bad axis value fails fast with exit 2.
    let scenarios: Vec<crate::pipeline::Scenario> = mine
        .iter()
        .map(|p| point_scenario(&spec, p, &library))
        .collect::<Result<_>>()?;
    let dir = args.out.clone().unwrap_or_else(|| {
        output::default_results_root().join(format!("{}-s{}", spec.name, spec.seed))
    });
    let todo: Vec<usize> = (0..mine.len())
        .filter(|&k| !store::point_path(&dir, mine[k].index).is_file())
        .collect();
    eprintln!(
        "{}: {} points{}, {} already done, {} to run → {}",
        spec.name,
        mine.len(),
        shard_label,
        mine.len() - todo.len(),
        todo.len(),
        dir.display()
    );
    let job = executor::Job {
        points: &mine,
        scenarios: &scenarios,
        todo: &todo,
        write_seed: spec.seed,
    };
    let threads = run_points(&spec.name, job, &dir, args.threads)?;
    store::write_outputs(&dir, &spec, &all, Some(threads))?;
    println!(
        "{}: {} points in {}",
        spec.name,
        mine.len(),
        dir.join("points.csv").display()
    );
    Ok(())
}

/// Runs `points[todo]` into `dir` on `threads` workers with bars on the terminal (shared by
/// `sweep` and `compare`); returns the thread count.
pub fn run_points(name: &str, job: executor::Job<'_>, dir: &Path, threads: usize) -> Result<usize> {
    let pool = super::thread_pool(threads)?;
    let observer = SweepBar::new(name);
    let cache = bca_cache::DiskCache {
        root: output::default_results_root(),
    };
    let store = store::SweepDir {
        dir: dir.to_path_buf(),
    };
    executor::run_points(job, &pool, &cache, &store, &observer)?;
    observer.finish();
    Ok(pool.current_num_threads())
}

/// Runs `millage merge`.
pub fn run_merge(args: &MergeArgs) -> Result<()> {
    let first = store::read_sweep_record(&args.dirs[0])?;
    for d in &args.dirs[1..] {
        let m = store::read_sweep_record(d)?;
        if m.sweep != first.sweep || m.base_sha256 != first.base_sha256 {
            return Err(Error::input(
                None,
                "DIR",
                None,
                format!(
                    "{} belongs to another sweep than {}",
                    d.display(),
                    args.dirs[0].display()
                ),
                "merge only shards of one sweep",
            ));
        }
    }
    // Re-expand the sweep from its file to know every point; copy the present ones.
    let spec = sweep_file::load_sweep(&first.sweep_file())?;
    let all = sweep::expand(&spec);
    for p in &all {
        for d in &args.dirs {
            if let Some((point, summary)) = store::read_point(d, p.index)? {
                store::write_point(&args.out, &point, &summary)?;
                break;
            }
        }
    }
    store::write_outputs(&args.out, &spec, &all, None)?;
    println!(
        "merged {} directories into {}",
        args.dirs.len(),
        args.out.join("points.csv").display()
    );
    Ok(())
}
