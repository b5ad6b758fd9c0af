//! Running the points of a sweep (or a comparison) in parallel, with a stage cache for the
//! write, and persisting each finished point through a [`PointStore`].
//!
//! Stage cache: every point is written with the sweep's master seed, so points whose write
//! inputs agree ([`WriteInputs`]) share one written specimen. Such specimens are written once,
//! before the points run; every later stage (read, aging, lifetime) uses the point's own seed.
//! A write used by a single point is done inside that point's job. The cache only saves work:
//! a shared write is bit-identical to the one the point would have done itself.
//!
//! No printing: progress goes to a [`SweepObserver`]; the thread pool is the caller's.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::SweepPoint;
use crate::error::Result;
use crate::mill::MillModel;
use crate::pipeline::Scenario;
use crate::pipeline::bca_tables::{self, TableCache, TableProgress};
use crate::pipeline::{self, RunRecord};
use crate::qr::{SymbolGeometry, SymbolSpec};

/// Progress of a sweep (cli draws it).
pub trait SweepObserver: Sync {
    /// `specimens` shared writes were done, reused by `points` points.
    fn shared_writes(&self, specimens: usize, points: usize);
    /// The parallel points start: `todo` of them.
    fn points_started(&self, todo: usize);
    /// One point finished and was stored.
    fn point_done(&self);
    /// Progress of a BCA table being computed.
    fn table(&self, event: TableProgress<'_>);
}

/// Where finished points go (`output::sweep::SweepDir`).
pub trait PointStore: Sync {
    /// Persists one finished point.
    fn save(&self, point: &SweepPoint, record: &RunRecord) -> Result<()>;
}

/// Everything a scenario's write depends on (what `pipeline::write_stage` and the BCA tables
/// read), hashed into the stage-cache key.
#[derive(Debug, Serialize)]
pub struct WriteInputs<'a> {
    /// The symbol (payload, version, EC level, mask).
    pub symbol: &'a SymbolSpec,
    /// Module pitch and quiet zone.
    pub geometry: &'a SymbolGeometry,
    /// The film layers from the top: (palette index, thickness [nm]).
    pub layers_nm: Vec<(usize, f64)>,
    /// Palette index of the substrate.
    pub substrate: usize,
    /// The material palette.
    pub materials: &'a [crate::material::Material],
    /// Grid cell size [nm].
    pub cell_nm: f64,
    /// The write model with its beam and options.
    pub mill: &'a MillModel,
    /// The scenario seed, which seeds its BCA tables.
    pub table_seed: u64,
}

impl<'a> WriteInputs<'a> {
    /// The write inputs of a scenario.
    pub fn of(sc: &'a Scenario) -> Self {
        WriteInputs {
            symbol: &sc.symbol,
            geometry: &sc.geometry,
            layers_nm: sc
                .stack
                .layers
                .iter()
                .map(|l| (l.material, l.thickness_nm))
                .collect(),
            substrate: sc.stack.substrate,
            materials: &sc.materials,
            cell_nm: sc.cell_nm,
            mill: &sc.mill,
            table_seed: sc.seed,
        }
    }

    /// The stage-cache key: hex SHA-256 of the inputs' JSON.
    pub fn key(&self) -> String {
        let json = serde_json::to_string(self).expect("write inputs serialise");
        crate::output::sha256_hex(json.as_bytes())
    }
}

/// The points to run: `todo` indexes `points` and `scenarios` (one scenario per point).
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The points.
    pub points: &'a [SweepPoint],
    /// Their scenarios.
    pub scenarios: &'a [Scenario],
    /// Indices of the points still to run.
    pub todo: &'a [usize],
    /// Seed of every write (the sweep's master seed).
    pub write_seed: u64,
}

/// Runs the points `job.todo` in `pool`, storing each finished point in `store`.
pub fn run_points(
    job: Job<'_>,
    pool: &rayon::ThreadPool,
    cache: &dyn TableCache,
    store: &dyn PointStore,
    observer: &dyn SweepObserver,
) -> Result<()> {
    let Job {
        points,
        scenarios,
        todo,
        write_seed,
    } = job;
    let progress = |event: TableProgress<'_>| observer.table(event);
    let write = |sc: &Scenario| -> Result<pipeline::Written> {
        let responses = bca_tables::responses(sc, cache, &progress)?;
        pipeline::write_stage(sc, write_seed, &responses)
    };
    let keys: Vec<String> = scenarios
        .iter()
        .map(|sc| WriteInputs::of(sc).key())
        .collect();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for &k in todo {
        *uses.entry(keys[k].as_str()).or_default() += 1;
    }
    let mut shared: BTreeMap<&str, pipeline::Written> = BTreeMap::new();
    for &k in todo {
        let key = keys[k].as_str();
        if uses[key] > 1 && !shared.contains_key(key) {
            let written = pool.install(|| write(&scenarios[k]))?;
            shared.insert(key, written);
        }
    }
    if !shared.is_empty() {
        let reusing = todo
            .iter()
            .filter(|&&k| shared.contains_key(keys[k].as_str()))
            .count();
        observer.shared_writes(shared.len(), reusing);
    }
    observer.points_started(todo.len());
    pool.install(|| {
        todo.par_iter().try_for_each(|&k| -> Result<()> {
            let (point, sc) = (&points[k], &scenarios[k]);
            let written = match shared.get(keys[k].as_str()) {
                Some(w) => w.clone(),
                None => write(sc)?,
            };
            let products = pipeline::run_written(sc, point.seed, written, &mut ())?;
            store.save(point, &products.record)?;
            observer.point_done();
            Ok(())
        })
    })
}
