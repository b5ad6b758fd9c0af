//! The `results/` layout, and the only module that writes result files.
//!
//! A run writes into `results/.<run-id>.partial/` and renames it to `results/<run-id>/` when
//! everything is written, so a failed or interrupted run never leaves a half-written result
//! under its final name (a `.partial` directory is removed on failure and ignored otherwise).
//! Files are written whole (temporary file, then rename) as well.

// First: the `png_and_svg!` macro of `figures` is used by the modules declared after it.
#[macro_use]
pub mod figures;
pub mod aging;
pub mod aging_figure;
pub mod bca_cache;
pub mod bca_figures;
pub mod calibration;
pub mod compare;
pub mod fmt;
pub mod layout;
pub mod lifetime;
pub mod lifetime_figures;
pub mod manifest;
pub mod report;
pub mod robustness;
pub mod run;
pub mod sweep;
pub mod table;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically: a sibling temporary file, then rename. Creates the
/// parent directory if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// A results directory being written.
#[derive(Debug)]
pub struct RunDir {
    partial: PathBuf,
    final_path: PathBuf,
    committed: bool,
}

impl RunDir {
    /// Starts writing the results directory `final_path`. An existing directory is replaced
    /// (at commit) only if it is a millage results directory (holds `manifest.json`).
    pub fn create(final_path: &Path) -> Result<Self> {
        if final_path.exists() && !final_path.join("manifest.json").is_file() {
            return Err(Error::input(
                None,
                "--out",
                None,
                format!(
                    "{} exists and is not a millage results directory",
                    final_path.display()
                ),
                "choose another --out directory",
            ));
        }
        let name = final_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("run")
            .to_string();
        let parent = final_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let partial = parent.join(format!(".{name}.partial"));
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(io_err(&partial))?;
        }
        std::fs::create_dir_all(&partial).map_err(io_err(&partial))?;
        Ok(RunDir {
            partial,
            final_path: final_path.to_path_buf(),
            committed: false,
        })
    }

    /// Path of a file inside the (partial) directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.partial.join(name)
    }

    /// The run layout of the (partial) directory.
    pub fn layout(&self) -> layout::RunLayout {
        layout::RunLayout::new(&self.partial)
    }

    /// Writes a file into the directory.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.path(name), bytes)
    }

    /// Writes a JSON file (pretty-printed, trailing newline).
    pub fn write_json<T: serde::Serialize>(&self, name: &str, value: &T) -> Result<()> {
        self.write(name, json_text(value, name)?.as_bytes())
    }

    /// Renames the directory to its final name; returns that path.
    pub fn commit(mut self) -> Result<PathBuf> {
        if self.final_path.exists() {
            std::fs::remove_dir_all(&self.final_path).map_err(io_err(&self.final_path))?;
        }
        std::fs::rename(&self.partial, &self.final_path).map_err(io_err(&self.final_path))?;
        self.committed = true;
        Ok(self.final_path.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.partial);
        }
    }
}

/// Default results root: `results/` under the current directory.
pub fn default_results_root() -> PathBuf {
    PathBuf::from("results")
}

/// A run id: `<name>-<UTC timestamp>-s<seed>`, unique per second and seed.
pub fn run_id(name: &str, seed: u64) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{clean}-{stamp}-s{seed}")
}

/// A record as JSON text: pretty-printed, trailing newline (every JSON file millage writes);
/// `what` names it in the error.
pub fn json_text<T: serde::Serialize>(value: &T, what: &str) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Numerical(format!("cannot serialise {what}: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Hex SHA-256 of bytes (input hashes in manifests).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_run_dir_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        {
            let dir = RunDir::create(&root.path().join("x")).unwrap();
            dir.write("a.txt", b"hello").unwrap();
        }
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
        let dir = RunDir::create(&root.path().join("y")).unwrap();
        dir.write("manifest.json", b"{}").unwrap();
        let done = dir.commit().unwrap();
        assert_eq!(std::fs::read(done.join("manifest.json")).unwrap(), b"{}");
        // A results directory may be replaced; anything else may not.
        let again = RunDir::create(&done).unwrap();
        again.write("manifest.json", b"{\"v\":2}").unwrap();
        again.commit().unwrap();
        assert_eq!(
            std::fs::read(done.join("manifest.json")).unwrap(),
            b"{\"v\":2}"
        );
        std::fs::create_dir(root.path().join("z")).unwrap();
        assert!(RunDir::create(&root.path().join("z")).is_err());
    }
}
