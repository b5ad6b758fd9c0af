//! Golden regression tier (OpenMC's regression harness, in Rust): each scenario under
//! `sims/regression/` is run through the binary and every value of its `summary.json` — except
//! machine timings — is compared, at fixed precision, with `tests/golden/<name>.golden`.
//!
//! A refactor must change no number, so any difference fails with the differing lines. When a
//! change of physics is intended, regenerate and review the diff:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test --release --test integration golden
//! git diff tests/golden/
//! ```
//!
//! Floats are written with 10 significant digits (`{:.9e}`): far above the last bit a change of
//! code path would move, well below anything a reader of the figures could see.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{BIN, repo_path};

/// Keys whose values measure the machine, not the physics (wall times, thread counts, cache hits).
fn is_timing(key: &str) -> bool {
    const TIMING: &[&str] = &["seconds", "wall", "timing", "elapsed", "_per_s"];
    TIMING.iter().any(|t| key.contains(t))
}

/// One `path = value` line per leaf of the JSON tree, objects in key order, arrays by index.
fn flatten(value: &Value, path: &str, lines: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if is_timing(k) {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(v, &p, lines);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                lines.push(format!("{path} = []"));
            }
            for (i, v) in items.iter().enumerate() {
                flatten(v, &format!("{path}[{i}]"), lines);
            }
        }
        Value::Number(n) => {
            let text = match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.to_string(),
                (None, Some(u)) => u.to_string(),
                _ => format!("{:.9e}", n.as_f64().expect("a JSON number is an f64")),
            };
            lines.push(format!("{path} = {text}"));
        }
        other => lines.push(format!("{path} = {other}")),
    }
}

/// Runs `sims/regression/<name>.toml` in a temporary directory (its own BCA table cache) and
/// returns the flattened summary.
fn golden_lines(name: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = repo_path(&format!("sims/regression/{name}.toml"));
    let out = tmp.path().join("out");
    let o = Command::new(BIN)
        .current_dir(tmp.path())
        .args(["run", scenario.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(["--threads", "2", "--materials"])
        .arg(repo_path("sims/materials"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let mut lines = Vec::new();
    flatten(&summary, "", &mut lines);
    lines
}

fn golden_file(name: &str) -> PathBuf {
    repo_path(&format!("tests/golden/{name}.golden"))
}

/// Compares with the stored file, or rewrites it under `UPDATE_GOLDEN=1`.
fn check(name: &str) {
    let lines = golden_lines(name);
    let file = golden_file(name);
    let text = lines.join("\n") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with UPDATE_GOLDEN=1", display(&file)));
    if stored == text {
        return;
    }
    let stored: Vec<&str> = stored.lines().collect();
    let mut diff = Vec::new();
    for i in 0..stored.len().max(lines.len()) {
        let (a, b) = (stored.get(i).copied(), lines.get(i).map(String::as_str));
        if a != b {
            diff.push(format!(
                "  line {}:\n    golden: {}\n    now:    {}",
                i + 1,
                a.unwrap_or("(none)"),
                b.unwrap_or("(none)")
            ));
        }
    }
    let shown = diff.len().min(25);
    panic!(
        "{name}: {} line(s) differ from {} (first {shown} below). If the change of numbers is \
         intended, regenerate with UPDATE_GOLDEN=1 and review `git diff tests/golden/`.\n{}",
        diff.len(),
        display(&file),
        diff[..shown].join("\n")
    );
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn golden_ideal_write_and_read() {
    check("ideal_v1");
}

#[test]
fn golden_fast_bca_write() {
    check("bca_v1");
}

#[test]
fn golden_aging() {
    check("aging_v1");
}

#[test]
fn golden_lifetime() {
    check("lifetime_v1");
}
