//! Cache of BCA angular tables under `results/cache/bca/<key>.json`.
//!
//! The key is the SHA-256 of a canonical JSON of every input that can change the table: schema
//! version, crate version, the resolved target (every species number, every layer), the beam,
//! all options and the request (angles, ions, seed). Writes are atomic: a temporary file in the
//! same directory, then rename.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::bca::{AngularTable, Simulation, TableRequest};
use crate::error::{Error, Result};

/// Version of the cached table format; bump when the meaning of any field changes or the
/// cascade kernel changes its results for the same options (v2: nonlocal loss integrated
/// exactly over each path, barrier-reflected atoms finish their path).
pub const SCHEMA: &str = "bca-angular-table-v2";

/// The cache directory below a results root (`<root>/cache/bca`).
pub fn cache_dir(results_root: &Path) -> PathBuf {
    results_root.join("cache").join("bca")
}

/// Hex SHA-256 of every input of the table.
pub fn cache_key(sim: &Simulation, request: &TableRequest) -> String {
    let inputs = serde_json::json!({
        "schema": SCHEMA,
        "crate_version": env!("CARGO_PKG_VERSION"),
        "target": sim.target(),
        "ion": sim.beam().element.symbol,
        "energy_ev": sim.beam().energy_ev,
        "options": sim.options(),
        "request": request,
    });
    let digest = Sha256::digest(inputs.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Path of the cached table for `key`.
pub fn path_for(results_root: &Path, key: &str) -> PathBuf {
    cache_dir(results_root).join(format!("{key}.json"))
}

/// Loads a cached table, `Ok(None)` if absent.
pub fn load(results_root: &Path, key: &str) -> Result<Option<AngularTable>> {
    let path = path_for(results_root, key);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Io { path, source }),
    };
    #[derive(serde::Deserialize)]
    struct File {
        table: AngularTable,
    }
    match serde_json::from_str::<File>(&text) {
        Ok(f) => Ok(Some(f.table)),
        // a corrupt or outdated entry is recomputed, not fatal
        Err(_) => Ok(None),
    }
}

/// Stores a table atomically and returns its path.
pub fn store(
    results_root: &Path,
    key: &str,
    sim: &Simulation,
    request: &TableRequest,
    table: &AngularTable,
) -> Result<PathBuf> {
    let dir = cache_dir(results_root);
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let path = path_for(results_root, key);
    let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    let doc = serde_json::json!({
        "schema": SCHEMA,
        "key": key,
        "inputs": {
            "target": sim.target(),
            "ion": sim.beam().element.symbol,
            "energy_ev": sim.beam().energy_ev,
            "options": sim.options(),
            "request": request,
        },
        "table": table,
    });
    let text = serde_json::to_string(&doc).map_err(|e| Error::Numerical(e.to_string()))?;
    std::fs::write(&tmp, text).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, &path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The table cache below a results root, for `pipeline::bca_tables::responses`.
#[derive(Debug, Clone)]
pub struct DiskCache {
    /// The results root (`results/`): tables live in `<root>/cache/bca/`.
    pub root: PathBuf,
}

impl crate::pipeline::bca_tables::TableCache for DiskCache {
    fn key(&self, sim: &Simulation, request: &TableRequest) -> String {
        cache_key(sim, request)
    }

    fn load(&self, key: &str) -> Result<Option<AngularTable>> {
        load(&self.root, key)
    }

    fn store(
        &self,
        key: &str,
        sim: &Simulation,
        request: &TableRequest,
        table: &AngularTable,
    ) -> Result<()> {
        store(&self.root, key, sim, request, table).map(|_| ())
    }
}
