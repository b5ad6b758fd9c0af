//! The sweep directory: `sweep.json`, one `points/<index>.json` per finished point (written
//! atomically, so a killed sweep leaves only whole points), and `points.csv`.

use std::path::{Path, PathBuf};

use super::write_atomic;
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
