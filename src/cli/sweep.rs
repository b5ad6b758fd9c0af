//! `millage sweep SWEEP.toml` and `millage merge DIR... --out DIR`.

use std::path::{Path, PathBuf};

use clap::Args;
use rayon::prelude::*;

use crate::config::{self, sweep_file};
use crate::error::{Error, Result};
use crate::output::{self, sweep as store};
use crate::pipeline;
use crate::sweep::{self, SweepPoint};

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
) -> Result<config::Scenario> {
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
    let library = super::run::library_for(&spec.base_file, args.materials.as_ref());
    let all = sweep::expand(&spec);
    let (mine, shard_label) = match &args.shard {
        Some(s) => {
            let (i, n) = parse_shard(s)?;
            (sweep::shard(&all, i, n), format!(" (shard {i}/{n})"))
        }
        None => (all.clone(), String::new()),
    };
    // Validate every point before running any: a bad axis value fails fast with exit 2.
    let scenarios: Vec<config::Scenario> = mine
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
    run_points(
        &spec.name,
        &mine,
        &scenarios,
        &todo,
        &dir,
        args.threads,
        spec.seed,
    )?;
    write_outputs(&dir, &spec, &all)?;
    println!(
        "{}: {} points in {}",
        spec.name,
        mine.len(),
        dir.join("points.csv").display()
    );
    Ok(())
}

/// The hash of everything a scenario's write depends on (pattern, film, grid, mill and beam
/// keys as resolved), for the stage cache.
fn write_key(sc: &config::Scenario) -> String {
    let keys: serde_json::Map<String, serde_json::Value> = sc
        .resolved
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| {
                    ["pattern.", "film.", "grid.", "mill.", "beam."]
                        .iter()
                        .any(|p| k.starts_with(p))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    output::sha256_hex(serde_json::Value::Object(keys).to_string().as_bytes())
}

/// Runs the points `todo` (indices into `points`/`scenarios`) in parallel, persisting each
/// finished point in `dir` (shared by `sweep` and `compare`).
///
/// Stage cache: every point is written with `write_seed` (the sweep's master seed), so points
/// whose write inputs agree (same [`write_key`]) share one written specimen; such specimens
/// are written once, before the points run, and every later stage (read, aging, lifetime)
/// uses the point's own seed. A write used by a single point is done inside that point's job.
pub fn run_points(
    name: &str,
    points: &[SweepPoint],
    scenarios: &[config::Scenario],
    todo: &[usize],
    dir: &Path,
    threads: usize,
    write_seed: u64,
) -> Result<()> {
    let pool = super::thread_pool(threads)?;
    let keys: Vec<String> = scenarios.iter().map(write_key).collect();
    let mut shared: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for &k in todo {
        *shared.entry(keys[k].as_str()).or_default() += 1;
    }
    let mut cache: std::collections::BTreeMap<&str, pipeline::Written> =
        std::collections::BTreeMap::new();
    for &k in todo {
        let key = keys[k].as_str();
        if shared[key] > 1 && !cache.contains_key(key) {
            let sc = &scenarios[k];
            let written = pool.install(|| -> Result<pipeline::Written> {
                let responses = super::run::bca_responses(sc)?;
                pipeline::write_stage(sc, write_seed, &responses)
            })?;
            cache.insert(key, written);
        }
    }
    if !cache.is_empty() {
        eprintln!(
            "{name}: {} shared written specimen(s) reused by {} points",
            cache.len(),
            todo.iter()
                .filter(|&&k| cache.contains_key(keys[k].as_str()))
                .count()
        );
    }
    let bar = indicatif::ProgressBar::new(todo.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} {bar:30} {pos}/{len} points, elapsed {elapsed}, ETA {eta}",
        )
        .expect("valid template"),
    );
    bar.set_message(name.to_string());
    pool.install(|| {
        todo.par_iter().try_for_each(|&k| -> Result<()> {
            let (point, sc) = (&points[k], &scenarios[k]);
            let written = match cache.get(keys[k].as_str()) {
                Some(w) => w.clone(),
                None => {
                    let responses = super::run::bca_responses(sc)?;
                    pipeline::write_stage(sc, write_seed, &responses)?
                }
            };
            let products = pipeline::run_written(sc, point.seed, written, &mut ())?;
            let summary = serde_json::to_value(&products.record)
                .map_err(|e| Error::Numerical(e.to_string()))?;
            store::write_point(dir, point, &summary)?;
            bar.inc(1);
            Ok(())
        })
    })?;
    bar.finish_and_clear();
    Ok(())
}

/// Writes `points.csv` from every point record present (index order) and `sweep.json`.
fn write_outputs(dir: &Path, spec: &sweep_file::SweepSpec, all: &[SweepPoint]) -> Result<()> {
    let mut rows = Vec::new();
    for p in all {
        if let Some(row) = store::read_point(dir, p.index)? {
            rows.push(row);
        }
    }
    let axes: Vec<String> = spec.axes.iter().map(|a| a.key.clone()).collect();
    store::write_file(dir, "points.csv", &sweep::points_csv(&axes, &rows))?;
    let manifest = serde_json::json!({
        "schema": 1,
        "crate_version": env!("CARGO_PKG_VERSION"),
        "sweep": spec,
        "base_sha256": output::sha256_hex(spec.base_text.as_bytes()),
        "points_total": all.len(),
        "points_present": rows.len(),
    });
    let mut text =
        serde_json::to_string_pretty(&manifest).map_err(|e| Error::Numerical(e.to_string()))?;
    text.push('\n');
    store::write_file(dir, "sweep.json", &text)
}

/// Runs `millage merge`.
pub fn run_merge(args: &MergeArgs) -> Result<()> {
    let read_manifest = |d: &Path| -> Result<serde_json::Value> {
        let path = d.join("sweep.json");
        let text = std::fs::read_to_string(&path).map_err(|_| {
            Error::input(
                None,
                "DIR",
                None,
                format!("{} is not a sweep directory (no sweep.json)", d.display()),
                "pass the directories written by `millage sweep --shard i/N`",
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| Error::Numerical(format!("{}: {e}", path.display())))
    };
    let first = read_manifest(&args.dirs[0])?;
    for d in &args.dirs[1..] {
        let m = read_manifest(d)?;
        if m["sweep"] != first["sweep"] || m["base_sha256"] != first["base_sha256"] {
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
    let file = PathBuf::from(first["sweep"]["file"].as_str().unwrap_or_default());
    let spec = sweep_file::load_sweep(&file)?;
    let all = sweep::expand(&spec);
    for p in &all {
        for d in &args.dirs {
            if let Some((point, summary)) = store::read_point(d, p.index)? {
                store::write_point(&args.out, &point, &summary)?;
                break;
            }
        }
    }
    write_outputs(&args.out, &spec, &all)?;
    println!(
        "merged {} directories into {}",
        args.dirs.len(),
        args.out.join("points.csv").display()
    );
    Ok(())
}
