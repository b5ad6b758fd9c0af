//! Shared fixtures of the integration tests: the binary, repository paths, a run into a
//! temporary directory with the bundled materials, and summary access.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `millage` binary cargo built for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_millage");

/// A path inside the repository (scenarios, materials, golden files).
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Runs `millage` with `args` and returns its output.
pub fn millage(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// The parsed `summary.json` of a results directory.
pub fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// The value at a dotted path (`"mill.model"`) of a JSON tree.
pub fn at<'a>(v: &'a Value, dotted: &str) -> &'a Value {
    dotted.split('.').fold(v, |v, k| &v[k])
}
