//! The BCA responses a scenario's write needs, one per palette material: each angular table
//! is taken from a [`TableCache`] when present, else computed and stored there.
//!
//! No I/O of its own and no printing: the cache is the caller's (`output::bca_cache::DiskCache`
//! under `results/cache/bca/`), and progress goes to the caller's closure (cli draws a bar).

use super::Scenario;
use crate::bca::{self, AngularTable, Simulation, TableRequest};
use crate::error::Result;
use crate::mill::fast::MaterialResponse;

/// A store of angular tables keyed by the hash of their inputs.
pub trait TableCache: Sync {
    /// The key of the table `request` of `sim` (the hash of every input of the table).
    fn key(&self, sim: &Simulation, request: &TableRequest) -> String;
    /// The table stored under `key`, if any.
    fn load(&self, key: &str) -> Result<Option<AngularTable>>;
    /// Stores a freshly computed table under `key`.
    fn store(
        &self,
        key: &str,
        sim: &Simulation,
        request: &TableRequest,
        table: &AngularTable,
    ) -> Result<()>;
}

/// Progress of a table being computed (cached tables report nothing).
#[derive(Debug, Clone, Copy)]
pub enum TableProgress<'a> {
    /// A table starts: the material, its angle count and the ions per angle.
    Started {
        /// Palette material name.
        material: &'a str,
        /// Angles of the table.
        angles: usize,
        /// Ions per angle.
        ions_per_angle: u64,
    },
    /// Angles done so far.
    Angles(usize),
    /// The table is done.
    Finished,
}

/// The BCA response of every palette material the write needs (None for the others).
pub fn responses(
    scenario: &Scenario,
    cache: &dyn TableCache,
    progress: &(dyn Fn(TableProgress<'_>) + Sync),
) -> Result<Vec<Option<MaterialResponse>>> {
    let mut responses = vec![None; scenario.materials.len()];
    for (m, sim, request) in super::bca_requests(scenario)? {
        let key = cache.key(&sim, &request);
        let table = match cache.load(&key)? {
            Some(t) => t,
            None => {
                progress(TableProgress::Started {
                    material: &scenario.materials[m].name,
                    angles: request.angles_deg.len(),
                    ions_per_angle: request.ions_per_angle,
                });
                let table = bca::angular_table(&sim, &request, &|done| {
                    progress(TableProgress::Angles(done))
                })?;
                progress(TableProgress::Finished);
                cache.store(&key, &sim, &request, &table)?;
                table
            }
        };
        responses[m] = Some(MaterialResponse::from_table(&table));
    }
    Ok(responses)
}
