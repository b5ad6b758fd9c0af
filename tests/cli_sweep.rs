//! `millage sweep` and `millage merge`: resume after SIGKILL, shards merged, thread-count
//! independence and bad input (issue 8 "Must show").

use crate::util::{BIN, millage};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn sweep_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sims/sweeps/readout_energy.toml")
}

fn sweep(out: &Path, extra: &[&str]) -> Output {
    let file = sweep_file();
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = millage(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn csv(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("points.csv")).expect("points.csv written")
}

/// One uninterrupted run is the reference; 2 threads, 1 thread, a run killed with SIGKILL and
/// rerun, and three shards merged must all write the same bytes.
#[test]
fn resume_shards_and_threads_reproduce_points_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("ref");
    sweep(&reference, &["--threads", "2"]);
    let expected = csv(&reference);
    assert_eq!(
        String::from_utf8_lossy(&expected).lines().count(),
        7,
        "header + 6 points"
    );

    let one = tmp.path().join("one");
    sweep(&one, &["--threads", "1"]);
    assert_eq!(csv(&one), expected, "1 vs 2 threads");

    // Kill a run (SIGKILL) as soon as its first point is persisted, then rerun it.
    let killed = tmp.path().join("killed");
    let mut child = Command::new(BIN)
        .args([
            "sweep",
            sweep_file().to_str().unwrap(),
            "--out",
            killed.to_str().unwrap(),
            "--threads",
            "1",
        ])
        .spawn()
        .unwrap();
    let first = killed.join("points").join("000000.json");
    let start = Instant::now();
    while !first.is_file() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.is_file(), "the first point was never written");
    let done_before = std::fs::read_dir(killed.join("points"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    let o = sweep(&killed, &["--threads", "2"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!("{done_before} already done")),
        "{stderr}"
    );
    assert_eq!(csv(&killed), expected, "killed and resumed");

    let shards: Vec<PathBuf> = (0..3)
        .map(|i| tmp.path().join(format!("shard{i}")))
        .collect();
    for (i, dir) in shards.iter().enumerate() {
        sweep(dir, &["--shard", &format!("{i}/3")]);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = millage(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(csv(&merged), expected, "3 shards merged");

    // `millage plot` redraws heat maps over the two axes from points.csv alone (PNG and SVG).
    let o = millage(&["plot", merged.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stem = merged
        .join("figures")
        .join("heatmap_readout_information_max_block_error_ratio");
    let png = image::open(stem.with_extension("png")).expect("a valid PNG");
    assert!(png.width() > 300 && png.height() > 200);
    let svg = std::fs::read_to_string(stem.with_extension("svg")).unwrap();
    assert!(
        svg.contains("readout.beam_energy_kev") && svg.contains("readout.probe_fwhm_nm"),
        "axis labels in the SVG"
    );
}

#[test]
fn bad_shard_and_bad_axis_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let o = millage(&[
        "sweep",
        sweep_file().to_str().unwrap(),
        "--shard",
        "3/3",
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shard"));

    let bad = tmp.path().join("bad.toml");
    let text = std::fs::read_to_string(sweep_file())
        .unwrap()
        .replace(
            "base = \"../record_ideal.toml\"",
            &format!(
                "base = {:?}",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("sims/record_ideal.toml")
            ),
        )
        .replace("readout.probe_fwhm_nm", "readout.probe_fwhn_nm");
    std::fs::write(&bad, text).unwrap();
    let out = tmp.path().join("y");
    let o = millage(&[
        "sweep",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("probe_fwhn_nm") && stderr.contains("did you mean"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing may be written for an invalid sweep");
}

/// `millage compare`: two film materials side by side → CSV, markdown table and a bar chart
/// (PNG and SVG), identical for 1 and 2 threads; `millage plot` redraws the chart.
#[test]
fn compare_writes_table_and_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cmp.toml");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("sims/record_ideal.toml");
    std::fs::write(
        &file,
        format!(
            "base = {base:?}\nname = \"pair\"\n[[variants]]\nlabel = \"CrN\"\nset = {{ \"film.layers[0].material\" = \"CrN\" }}\n[[variants]]\nlabel = \"TiN\"\nset = {{ \"film.layers[0].material\" = \"TiN\" }}\n"
        ),
    )
    .unwrap();
    let mut tables = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("out{threads}"));
        let o = millage(&[
            "compare",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
        assert!(md.contains("| CrN |") && md.contains("| TiN |"), "{md}");
        assert!(image::open(out.join("compare.png")).is_ok());
        assert!(
            std::fs::read_to_string(out.join("compare.svg"))
                .unwrap()
                .contains("Michelson")
        );
        tables.push(std::fs::read(out.join("compare.csv")).unwrap());
        // `millage plot` redraws the same chart from compare.csv alone.
        let o = millage(&["plot", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            std::fs::read(out.join("compare.png")).unwrap(),
            std::fs::read(out.join("figures/compare.png")).unwrap()
        );
        assert!(out.join("figures/compare.svg").is_file());
    }
    assert_eq!(tables[0], tables[1]);
}
