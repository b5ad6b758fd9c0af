//! Every example under `sims/` parses and resolves, so none can rot: scenarios through the
//! scenario resolver, every point of every sweep and every variant of every compare file through
//! the same resolver, and every material file of the library (including `elements/`).

use std::path::{Path, PathBuf};

use millage::config::{
    MaterialLibrary, compare_file::load_compare, load_scenario, material_file::parse_material,
    parse_scenario, sweep_file::load_sweep,
};
use millage::sweep::{SweepPoint, expand, scenario_text};

use crate::util::repo_path;

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// Resolves one scenario text as `millage run` would, naming the file on failure.
fn resolve(text: &str, file: &Path, what: &str) {
    let library = MaterialLibrary::new(repo_path("sims/materials"));
    if let Err(e) = parse_scenario(text, file, &library) {
        panic!("{} ({what}): {e}", file.display());
    }
}

#[test]
fn every_file_under_sims_parses_and_resolves() {
    let root = repo_path("sims");
    let mut files = Vec::new();
    toml_files(&root, &mut files);
    files.sort();
    let library = MaterialLibrary::new(repo_path("sims/materials"));
    let (mut scenarios, mut points, mut materials) = (0, 0, 0);
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        if top == "materials" {
            let text = std::fs::read_to_string(file).unwrap();
            if let Err(e) = parse_material(&text, file) {
                panic!("{}: {e}", file.display());
            }
            materials += 1;
        } else if top == "sweeps" {
            let spec = load_sweep(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for point in expand(&spec) {
                let text = scenario_text(&spec.base_text, &point).unwrap();
                resolve(
                    &text,
                    &spec.base_file,
                    &format!("sweep point {}", point.index),
                );
                points += 1;
            }
        } else if top == "compare" {
            let spec = load_compare(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for (index, v) in spec.variants.iter().enumerate() {
                let point = SweepPoint {
                    index,
                    seed: spec.seed,
                    assignments: v.assignments.clone(),
                };
                let text = scenario_text(&spec.base_text, &point).unwrap();
                resolve(&text, &spec.base_file, &format!("variant {}", v.label));
                points += 1;
            }
        } else if std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .any(|l| l.trim_start().starts_with("observations"))
        {
            // A calibration file (`millage calibrate`): its observations and base scenario.
            let loaded =
                millage::config::calibration_file::load(file, |p| load_scenario(p, &library));
            if let Err(e) = loaded {
                panic!("{}: {e}", file.display());
            }
            scenarios += 1;
        } else {
            if let Err(e) = load_scenario(file, &library) {
                panic!("{}: {e}", file.display());
            }
            scenarios += 1;
        }
    }
    // The counts guard the walk itself: an empty directory would pass vacuously.
    assert!(scenarios >= 10, "{scenarios} scenarios");
    assert!(points >= 5, "{points} sweep points and compare variants");
    assert!(materials >= 10, "{materials} material files");
}
