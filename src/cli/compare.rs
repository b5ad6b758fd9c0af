//! `millage compare COMPARE.toml`: scenario variants (e.g. film materials) side by side.
//! The variants run as sweep points (resumable); the table and chart are `output`'s.

use std::path::PathBuf;

use clap::Args;

use crate::config::{self, compare_file};
use crate::error::{Error, Result};
use crate::output::manifest::{CompareInputs, Manifest};
use crate::output::report::compare::{self as report, CompareRecord, CompareRow};
use crate::output::{self, sweep as store};
use crate::sweep::{self, SweepPoint, executor};

/// Arguments of `millage compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Compare file (TOML), e.g. sims/compare/materials.toml.
    pub compare: PathBuf,
    /// Output directory (default: results/compare-<name>/); rerunning resumes.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (default: as for `run`).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

/// The variants as points (all with the comparison's seed) and their validated scenarios.
fn variants(
    spec: &compare_file::CompareSpec,
    library: &config::MaterialLibrary,
) -> Result<(Vec<SweepPoint>, Vec<crate::pipeline::Scenario>)> {
    let points: Vec<SweepPoint> = spec
        .variants
        .iter()
        .enumerate()
        .map(|(index, v)| SweepPoint {
            index,
            seed: spec.seed,
            assignments: v.assignments.clone(),
        })
        .collect();
    let scenarios = points
        .iter()
        .zip(&spec.variants)
        .map(|(p, v)| {
            let text = sweep::scenario_text(&spec.base_text, p)?;
            let label = PathBuf::from(format!(
                "{} (variant {})",
                spec.base_file.display(),
                v.label
            ));
            config::parse_scenario(&text, &label, library)
        })
        .collect::<Result<_>>()?;
    Ok((points, scenarios))
}

/// Runs `millage compare`.
pub fn run(args: &CompareArgs) -> Result<()> {
    let spec = compare_file::load_compare(&args.compare)?;
    let library = config::library_for(&spec.base_file, args.materials.as_deref());
    let (points, scenarios) = variants(&spec, &library)?;
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| output::default_results_root().join(format!("compare-{}", spec.name)));
    let todo: Vec<usize> = (0..points.len())
        .filter(|&k| !store::point_path(&dir, k).is_file())
        .collect();
    let job = executor::Job {
        points: &points,
        scenarios: &scenarios,
        todo: &todo,
        write_seed: spec.seed,
    };
    let threads = super::sweep::run_points(&spec.name, job, &dir, args.threads)?;

    let mut records = Vec::new();
    for p in &points {
        let (_, s) = store::read_point(&dir, p.index)?
            .ok_or_else(|| Error::Numerical(format!("variant {} has no result", p.index)))?;
        records.push(CompareRecord::from_json(s)?);
    }
    // Temperatures with lifetimes (from the first variant that has any).
    let temperatures = records
        .iter()
        .find_map(CompareRecord::temperatures_c)
        .unwrap_or_default();
    let rows: Vec<CompareRow> = spec
        .variants
        .iter()
        .zip(&records)
        .map(|(v, r)| CompareRow::new(&v.label, r, &temperatures))
        .collect();
    let header = report::header(&temperatures);
    store::write_file(&dir, "compare.csv", &report::compare_csv(&header, &rows)?)?;
    let md = report::compare_markdown(&spec.name, &header, &rows);
    store::write_file(&dir, "compare.md", &md)?;
    let manifest = Manifest::new(
        Some(spec.seed),
        Some(threads),
        CompareInputs {
            compare: &spec,
            base_sha256: output::sha256_hex(spec.base_text.as_bytes()),
            input_sha256: output::manifest::file_sha256(&spec.file)?,
        },
    );
    store::write_file(&dir, "manifest.json", &manifest.to_json_text()?)?;

    // The chart is drawn from the CSV just written, as `millage plot` redraws it.
    output::compare::draw(&dir, &dir)?;
    println!(
        "{}: {} variants → {}",
        spec.name,
        spec.variants.len(),
        dir.join("compare.md").display()
    );
    print!("{md}");
    Ok(())
}
