//! `millage run` and `millage explain` end to end: the record read at t = 0, the Münster
//! scenario, reproducibility across thread counts, and the bad-input contract (clear message,
//! exit code 2, no results directory left behind).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{at, millage, summary};
use serde_json::Value;

fn sims(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sims")
        .join(name)
}

fn run_to(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    millage(&args)
}

mod record {
    use super::*;

    /// The TU Wien record (V3, 1.977 µm², 15 nm CrN on glass) is read by both decoders at
    /// t = 0 and every summary key that scripts rely on is present.
    #[test]
    fn record_decodes_with_both_decoders_at_t0() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("record");
        // The [lifetime] stage is skipped here (it takes minutes; `scripts/record.sh`
        // runs it): this test is about the write and the read at t = 0.
        let o = run_to(
            &sims("record.toml"),
            &out,
            &["--threads", "2", "--no-lifetime"],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = summary(&out);
        assert_eq!(at(&s, "symbol.version"), 3);
        assert_eq!(at(&s, "symbol.modules_per_side"), 29);
        let area = at(&s, "symbol.area_um2").as_f64().unwrap();
        assert!((area / 1.977 - 1.0).abs() < 0.005, "area {area}");
        assert!((at(&s, "symbol.module_pitch_nm").as_f64().unwrap() - 48.485).abs() < 1e-9);
        assert_eq!(at(&s, "readout.decoders.rxing.decoded"), true);
        assert_eq!(at(&s, "readout.decoders.rqrr.decoded"), true);
        assert_eq!(at(&s, "readout.decoders.rxing.payload_matches"), true);
        assert_eq!(at(&s, "readout.decoders.rqrr.payload_matches"), true);
        assert_eq!(at(&s, "readout.payload"), "https://www.tuwien.at/mwbw/imst");
        let ratio = at(&s, "readout.information.max_block_error_ratio")
            .as_f64()
            .unwrap();
        assert!(ratio < 1.0, "worst block ratio {ratio}");
        for file in [
            "manifest.json",
            "summary.md",
            "sem.png",
            "sem_raw.png",
            "height.png",
        ] {
            assert!(out.join(file).is_file(), "{file} missing");
        }
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                .unwrap();
        for key in [
            "crate_version",
            "git_revision",
            "seed",
            "threads",
            "resolved_scenario",
            "input_sha256",
            "timings_s",
        ] {
            assert!(!manifest[key].is_null(), "manifest lacks {key}");
        }
        // The Monte Carlo write (issue 5 keys) mills through the 15 nm film into the glass.
        assert_eq!(at(&s, "mill.model"), "bca");
        for key in [
            "dose_ions_per_nm2",
            "write_time_s",
            "mean_depth_nm",
            "depth_rms_nm",
            "sidewall_angle_deg",
            "neighbour_overmill_nm",
            "ga_surface_fraction",
        ] {
            assert!(at(&s, "mill")[key].is_number(), "mill.{key} missing");
        }
        assert!(at(&s, "mill.mean_depth_nm").as_f64().unwrap() > 15.0);
        assert!(out.join("cross_section.png").is_file() && out.join("profile.csv").is_file());
        // Height map and cross-section also as SVG with their axis units.
        let svg = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
        assert!(svg("cross_section.svg").contains("[nm]"));
        assert!(svg("height.svg").contains(" nm") && svg("height.svg").contains("data:image/png"));
        // The milled glass emits more secondary electrons than CrN: contrast is "reversed".
        assert!(at(&s, "readout.contrast.michelson").as_f64().unwrap() < -0.1);
    }

    /// The previous record: 5.38 µm² ± 1 % with 80 nm modules.
    #[test]
    fn muenster_area() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("m");
        let o = run_to(&sims("muenster_2024.toml"), &out, &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = summary(&out);
        let area = at(&s, "symbol.area_um2").as_f64().unwrap();
        assert!((area / 5.38 - 1.0).abs() < 0.01, "area {area}");
        assert_eq!(at(&s, "symbol.modules_per_side"), 29);
    }

    /// Same seed → byte-identical summary.json at 1 and 2 threads (the write, the read at
    /// t = 0 and its margins; the lifetime stage's thread identity is checked on a small
    /// scenario in `cli_lifetime`); another seed changes the shot noise, hence the readout.
    #[test]
    fn summary_is_identical_for_one_and_two_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let run = |name: &str, threads: &str, seed: &str| {
            let out = tmp.path().join(name);
            let o = run_to(
                &sims("record.toml"),
                &out,
                &["--threads", threads, "--seed", seed, "--no-lifetime"],
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            std::fs::read(out.join("summary.json")).unwrap()
        };
        let (sa, sb) = (run("t1", "1", "7"), run("t2", "2", "7"));
        assert_eq!(sa, sb, "summary.json differs between 1 and 2 threads");
        let seven: Value = serde_json::from_slice(&sa).unwrap();
        let eight: Value = serde_json::from_slice(&run("t3", "2", "8")).unwrap();
        assert_ne!(seven["readout"], eight["readout"]);
        assert!(
            seven["lifetime"].is_null(),
            "--no-lifetime ran the lifetime stage"
        );
    }
}

/// Issue 19 item 3: a pure-relief symbol in bare fused silica images with the SE trapping and
/// tilt/edge contrast of real pits and is read at t = 0; without trapping it is not.
mod silica_relief {
    use super::*;

    fn decoded(s: &Value) -> Vec<bool> {
        ["rxing", "rqrr"]
            .iter()
            .map(|d| at(s, &format!("readout.decoders.{d}.payload_matches")) == true)
            .collect()
    }

    #[test]
    fn bare_silica_pits_read_at_t0_and_not_without_trapping() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("relief");
        let o = run_to(&sims("silica_relief.toml"), &out, &["--threads", "2"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = summary(&out);
        assert!(decoded(&s).contains(&true), "no decoder read the relief");
        // Pits are darker than the top: trapping, not material contrast.
        assert!(at(&s, "readout.contrast.michelson").as_f64().unwrap() > 0.05);

        let open = tmp.path().join("open.toml");
        let text = std::fs::read_to_string(sims("silica_relief.toml")).unwrap();
        std::fs::write(&open, text.replace("\"line-of-sight\"", "\"open\"")).unwrap();
        let out_open = tmp.path().join("relief_open");
        let o = run_to(
            &open,
            &out_open,
            &["--materials", sims("materials").to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(decoded(&summary(&out_open)), [false, false]);
    }
}

mod tin_v2 {
    use super::*;

    /// A V2 code at 30 nm pitch milled 41 nm deep into 20 nm TiN on glass (issue 19): the
    /// information criterion on the located grid agrees with the real decoders, and the two
    /// decoders agree with each other.
    ///
    /// Known weakness (2026-12-04): the agreement holds because the blind reader mislocates this
    /// outline image (rqrr's detector returns a 37-module grid for the 25-module symbol at
    /// σ = 1 px), so the criterion reports "not decodable". A locator that rejects grids whose
    /// timing patterns do not alternate finds the right grid, on which the criterion has 9
    /// module errors (0.625 of the block's capacity, decodable) while both decoders still fail
    /// at every smoothing up to σ = 5 px (README, "Found since").
    #[test]
    fn criterion_and_both_decoders_agree() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("tin");
        let o = run_to(&sims("tin_v2_30nm.toml"), &out, &["--threads", "2"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = summary(&out);
        let reads = |d: &str| at(&s, &format!("readout.decoders.{d}.payload_matches")) == true;
        assert_eq!(reads("rxing"), reads("rqrr"), "the decoders disagree");
        assert_eq!(
            at(&s, "readout.information.decodable") == true,
            reads("rxing"),
            "criterion {} vs decoders {}",
            at(&s, "readout.information.max_block_error_ratio"),
            reads("rxing")
        );
    }
}

mod robustness {
    use super::*;

    /// The record (ideal write) in its own framing (the ISO 4-module quiet zone; a rotated
    /// scan's frame is the bounding box of the rotated field, as an operator keeps the whole
    /// symbol in view) is read at scan rotations spread over 0–360°. Before the frame grew
    /// with the rotation, 30–60° (mod 90°) cropped the finder patterns and nothing was read.
    #[test]
    fn record_reads_at_rotations_over_the_full_turn() {
        let tmp = tempfile::tempdir().unwrap();
        let scenario = sims("record_ideal.toml");
        let out = tmp.path().join("robust");
        let o = millage(&[
            "robustness",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--materials",
            sims("materials").to_str().unwrap(),
            "--threads",
            "2",
            "--realizations",
            "1",
            "--rotation-deg",
            "0,30,45,60,90,137,180,225,270,333",
            "--drift-nm-per-s",
            "0",
            "--dose-electrons-per-px",
            "3121",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let csv = std::fs::read_to_string(out.join("robustness.csv")).unwrap();
        for angle in [
            "0", "30", "45", "60", "90", "137", "180", "225", "270", "333",
        ] {
            let read = csv.lines().any(|l| {
                let f: Vec<&str> = l.split(',').collect();
                f[1] == "rotation_deg" && f[2] == angle && f[4] == "1"
            });
            assert!(read, "no decoder read the record at {angle}°:\n{csv}");
        }
        for fig in ["robustness_rotation_deg.png", "robustness_rotation_deg.svg"] {
            assert!(out.join(fig).is_file(), "{fig} missing");
        }
    }

    #[test]
    fn negative_drift_flag_is_rejected() {
        let o = millage(&[
            "robustness",
            sims("record_ideal.toml").to_str().unwrap(),
            "--drift-nm-per-s",
            "0,-1",
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--drift-nm-per-s"));
    }
}

mod bad_input {
    use super::*;

    /// Writes the record scenario with `edit` applied into a temp dir; runs it; checks exit
    /// code 2, that stderr contains every `expect`ed fragment, and that no results directory
    /// (final or partial) was left behind.
    fn assert_rejected(edit: impl Fn(String) -> String, expect: &[&str]) {
        let tmp = tempfile::tempdir().unwrap();
        let scenario = tmp.path().join("bad.toml");
        let text = std::fs::read_to_string(sims("record.toml")).unwrap();
        std::fs::write(&scenario, edit(text)).unwrap();
        let results = tmp.path().join("results");
        let out = results.join("run");
        let o = run_to(
            &scenario,
            &out,
            &["--materials", sims("materials").to_str().unwrap()],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
        for fragment in expect {
            assert!(
                stderr.contains(fragment),
                "stderr lacks {fragment:?}:\n{stderr}"
            );
        }
        assert!(
            stderr.contains("bad.toml"),
            "message does not name the file:\n{stderr}"
        );
        assert!(!results.exists(), "a results directory was left behind");
    }

    fn replace(from: &'static str, to: &'static str) -> impl Fn(String) -> String {
        move |t: String| {
            assert!(t.contains(from), "record.toml no longer contains {from:?}");
            t.replacen(from, to, 1)
        }
    }

    #[test]
    fn negative_drift() {
        assert_rejected(
            replace("[readout]\n", "[readout]\ndrift_nm_per_s = -0.5\n"),
            &["readout.drift_nm_per_s", "out of range"],
        );
    }

    #[test]
    fn rotation_nan() {
        assert_rejected(
            replace("[readout]\n", "[readout]\nrotation_deg = nan\n"),
            &["readout.rotation_deg"],
        );
    }

    #[test]
    fn unknown_capture() {
        assert_rejected(
            replace("[readout]\n", "[readout]\ncapture = \"phone\"\n"),
            &["readout.capture", "screen-photo"],
        );
    }

    #[test]
    fn unknown_key() {
        assert_rejected(
            replace("[pattern]\n", "[pattern]\nspeed_of_light = 1\n"),
            &["pattern.speed_of_light", "unknown key"],
        );
    }

    #[test]
    fn misspelled_key_gets_a_suggestion() {
        assert_rejected(
            replace("module_pitch_nm = 48.485", "module_pich_nm = 48.485"),
            &["unknown key", "did you mean `module_pitch_nm`"],
        );
    }

    #[test]
    fn unknown_section_gets_a_suggestion() {
        assert_rejected(
            replace("[readout]", "[readut]"),
            &["unknown section", "readout"],
        );
    }

    #[test]
    fn negative_pitch() {
        assert_rejected(
            replace("module_pitch_nm = 48.485", "module_pitch_nm = -48.485"),
            &["pattern.module_pitch_nm", "out of range", "(0"],
        );
    }

    #[test]
    fn zero_thickness() {
        assert_rejected(
            replace("thickness_nm = 15.0", "thickness_nm = 0.0"),
            &["film.layers[0].thickness_nm", "out of range"],
        );
    }

    /// The direct (voxel) mill mode refuses a whole symbol at the record's dose, naming the key
    /// (issue 5: the reference mode is for a few modules).
    #[test]
    fn direct_mill_on_a_whole_symbol_is_refused() {
        assert_rejected(
            replace("model = \"bca\"", "model = \"bca-direct\""),
            &["mill.model", "bca-direct", "ions", "mill.model = \"bca\""],
        );
    }

    #[test]
    fn nan_is_rejected() {
        assert_rejected(
            replace("module_pitch_nm = 48.485", "module_pitch_nm = nan"),
            &["pattern.module_pitch_nm", "NaN"],
        );
    }

    #[test]
    fn wrong_type() {
        assert_rejected(
            replace("current_pa = 2.0", "current_pa = \"two\""),
            &["beam.current_pa", "expected float"],
        );
    }

    #[test]
    fn unknown_material() {
        assert_rejected(
            replace("material = \"CrN\"", "material = \"CrNx\""),
            &[
                "film.layers[0].material",
                "unknown material",
                "did you mean `CrN`",
            ],
        );
    }

    #[test]
    fn payload_too_long_for_version_and_ec_level() {
        assert_rejected(
            replace(
                "payload = \"https://www.tuwien.at/mwbw/imst\"",
                "payload = \"https://www.tuwien.at/mwbw/imst/a-path-long-enough-to-overflow-version-3\"",
            ),
            &["pattern.payload", "raise pattern.version"],
        );
    }

    #[test]
    fn truncated_toml() {
        assert_rejected(
            |t: String| t[..t.find("[film]").unwrap() + 3].to_string(),
            &["not valid TOML"],
        );
    }

    #[test]
    fn bad_choice_gets_a_suggestion() {
        assert_rejected(
            replace("ec_level = \"M\"", "ec_level = \"m\""),
            &["pattern.ec_level", "did you mean \"M\""],
        );
    }

    #[test]
    fn zero_current() {
        assert_rejected(
            replace("current_pa = 2.0", "current_pa = 0.0"),
            &["beam.current_pa", "out of range"],
        );
    }

    #[test]
    fn negative_dwell() {
        assert_rejected(
            replace("dwell_us = 1.0 ", "dwell_us = -1.0 "),
            &["beam.dwell_us", "out of range"],
        );
    }

    #[test]
    fn zero_spot() {
        assert_rejected(
            replace("spot_fwhm_nm = 10.0", "spot_fwhm_nm = 0.0"),
            &["beam.spot_fwhm_nm", "out of range"],
        );
    }

    #[test]
    fn tail_weight_of_one() {
        assert_rejected(
            replace("tail_weight = 0.0 ", "tail_weight = 1.0 "),
            &["beam.tail_weight", "out of range"],
        );
    }

    #[test]
    fn grid_cell_coarser_than_a_quarter_spot() {
        assert_rejected(
            replace("spot_fwhm_nm = 10.0", "spot_fwhm_nm = 6.0"),
            &["grid.cell_nm", "quarter of the spot FWHM"],
        );
    }

    #[test]
    fn missing_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("results").join("x");
        let o = run_to(&tmp.path().join("nope.toml"), &out, &[]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read scenario file"));
        assert!(!tmp.path().join("results").exists());
    }
}

mod warnings {
    use super::*;

    /// A pixel larger than a third of a module is legal but unwise: it runs, with the reason.
    #[test]
    fn coarse_pixel_warns_with_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let scenario = tmp.path().join("coarse.toml");
        let text = std::fs::read_to_string(sims("record_ideal.toml")).unwrap();
        std::fs::write(
            &scenario,
            text.replacen("[readout]\n", "[readout]\npixel_nm = 20.0\n", 1),
        )
        .unwrap();
        let out = tmp.path().join("out");
        let o = run_to(
            &scenario,
            &out,
            &["--materials", sims("materials").to_str().unwrap()],
        );
        assert!(o.status.success());
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("warning: readout.pixel_nm") && stderr.contains("px per module"),
            "{stderr}"
        );
        let pixel_warnings = at(&summary(&out), "warnings")
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w.as_str().is_some_and(|w| w.contains("readout.pixel_nm")))
            .count();
        assert_eq!(pixel_warnings, 1);
    }
}

/// `millage explain` lists every key of the table with its unit.
#[test]
fn explain_lists_every_key() {
    let o = millage(&["explain"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for key in millage::config::keys::KEYS {
        assert!(
            text.contains(&format!("`{}`", key.path)),
            "{} missing",
            key.path
        );
    }
}
