//! The sweep directory: `sweep.json`, one `points/<index>.json` per finished point (written
//! atomically, so a killed sweep leaves only whole points), and `points.csv`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::manifest::{Manifest, SweepInputs};
use super::write_atomic;
use crate::config::sweep_file::SweepSpec;
use crate::error::{Error, Result};
use crate::sweep::SweepPoint;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where point `index`'s record lives.
pub fn point_path(dir: &Path, index: usize) -> PathBuf {
    dir.join("points").join(format!("{index:06}.json"))
}

/// Persists one finished point (atomic).
pub fn write_point(dir: &Path, point: &SweepPoint, summary: &serde_json::Value) -> Result<()> {
    let points = dir.join("points");
    std::fs::create_dir_all(&points).map_err(io_err(&points))?;
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "point": point, "summary": summary }))
            .map_err(|e| Error::Numerical(e.to_string()))?;
    text.push('\n');
    write_atomic(&point_path(dir, point.index), text.as_bytes())
}

/// Reads one point record, if present.
pub fn read_point(dir: &Path, index: usize) -> Result<Option<(SweepPoint, serde_json::Value)>> {
    let path = point_path(dir, index);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
    let mut v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Numerical(format!("{}: not a point record: {e}", path.display())))?;
    let point: SweepPoint = serde_json::from_value(v["point"].take())
        .map_err(|e| Error::Numerical(format!("{}: not a point record: {e}", path.display())))?;
    Ok(Some((point, v["summary"].take())))
}

/// Writes a text file of the sweep directory (atomic).
pub fn write_file(dir: &Path, name: &str, text: &str) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    write_atomic(&dir.join(name), text.as_bytes())
}

/// A sweep directory as the store of finished points.
#[derive(Debug, Clone)]
pub struct SweepDir {
    /// The directory.
    pub dir: PathBuf,
}

impl crate::sweep::executor::PointStore for SweepDir {
    fn save(&self, point: &SweepPoint, record: &crate::pipeline::RunRecord) -> Result<()> {
        let summary = serde_json::to_value(record).map_err(|e| Error::Numerical(e.to_string()))?;
        write_point(&self.dir, point, &summary)
    }
}

/// Writes `points.csv` from every point record present (index order) and `sweep.json`;
/// `threads` is None when no point ran here (`merge`).
pub fn write_outputs(
    dir: &Path,
    spec: &SweepSpec,
    all: &[SweepPoint],
    threads: Option<usize>,
) -> Result<()> {
    let mut rows = Vec::new();
    for p in all {
        if let Some(row) = read_point(dir, p.index)? {
            rows.push(row);
        }
    }
    let axes: Vec<String> = spec.axes.iter().map(|a| a.key.clone()).collect();
    write_file(dir, "points.csv", &crate::sweep::points_csv(&axes, &rows))?;
    let manifest = Manifest::new(
        Some(spec.seed),
        threads,
        SweepInputs {
            sweep: spec,
            base_sha256: super::sha256_hex(spec.base_text.as_bytes()),
            points_total: all.len(),
            points_present: rows.len(),
        },
    );
    write_file(dir, "sweep.json", &manifest.to_json_text()?)
}

/// What `merge` reads back from a shard's `sweep.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct SweepRecord {
    /// The sweep as validated (compared between shards as written).
    pub sweep: serde_json::Value,
    /// SHA-256 of the base scenario text.
    pub base_sha256: String,
}

impl SweepRecord {
    /// The sweep file the shard ran.
    pub fn sweep_file(&self) -> PathBuf {
        PathBuf::from(self.sweep["file"].as_str().unwrap_or_default())
    }
}

/// Reads the `sweep.json` of a shard directory.
pub fn read_sweep_record(dir: &Path) -> Result<SweepRecord> {
    let path = dir.join("sweep.json");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Error::input(
            None,
            "DIR",
            None,
            format!("{} is not a sweep directory (no sweep.json)", dir.display()),
            "pass the directories written by `millage sweep --shard i/N`",
        )
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Numerical(format!("{}: {e}", path.display())))
}
