//! The lifetime stage end to end through the binary (issue 7): a small symbol with a
//! `[lifetime]` section writes the contract keys of summary.json (`lifetime`, `uncertainty`),
//! the tables and the figures; 25 °C lies beyond the horizon and is reported as such; the
//! search stays within 40 probes; scenarios without `[lifetime]` are unchanged; bad
//! `[lifetime]` input fails with exit code 2 naming the key.

use std::path::Path;
use std::process::{Command, Output};

use crate::util::{BIN, summary};

/// A small symbol (V1, 21 × 21 modules, ideal pits) on the record's film, on the coarsest grid
/// the scenario check allows (pitch/8 = 6.06 nm; the default pitch/24 has 9× the columns and
/// made this file's tests take minutes).
fn scenario(extra: &str) -> String {
    format!(
        r#"
[run]
name = "lifetime-test"
seed = 11
[pattern]
payload = "life"
version = 1
module_pitch_nm = 48.485
[film]
substrate = "SiO2"
[[film.layers]]
material = "CrN"
thickness_nm = 15.0
[grid]
cell_nm = 6.0
[mill]
depth_nm = 20.0
{extra}
"#
    )
}

fn run(dir: &Path, text: &str) -> (Output, std::path::PathBuf) {
    run_with(dir, text, "out", "2")
}

fn run_with(dir: &Path, text: &str, name: &str, threads: &str) -> (Output, std::path::PathBuf) {
    let file = dir.join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join(name);
    let materials = Path::new(env!("CARGO_MANIFEST_DIR")).join("sims/materials");
    let o = Command::new(BIN)
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
            "--materials",
            materials.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    (o, out)
}

#[test]
fn lifetime_run_reports_contract_keys_tables_and_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, out) = run(
        tmp.path(),
        &scenario(
            "[lifetime]\ntemperatures_c = [25.0, 400.0, 500.0]\nhorizon_yr = 1.0e4\nrealizations = 1\nuq_samples = 500\ncurve_points = 3\nfrontier_pitches_nm = [20.0, 49.0, 100.0]\ntolerance = 0.02",
        ),
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("lifetime"), "{stdout}");
    let s = summary(&out);
    let rows = s["lifetime"].as_array().expect("lifetime list");
    assert_eq!(rows.len(), 3);
    for r in rows {
        for key in [
            "temperature_k",
            "decoder_failure_yr",
            "information_failure_yr",
            "beyond_horizon",
            "horizon_yr",
        ] {
            assert!(r.get(key).is_some(), "lifetime row lacks {key}: {r}");
        }
        assert_eq!(r["horizon_yr"], 1.0e4);
        assert!(r["decoder_probes"].as_u64().unwrap() <= 40);
    }
    // 25 °C: astronomically long surface-diffusion time → beyond the horizon, not a number.
    assert_eq!(rows[0]["beyond_horizon"], true);
    assert!(rows[0]["decoder_failure_yr"].is_null());
    assert_eq!(rows[0]["decoder_status"], "beyond_horizon");
    // 500 °C: found, and earlier than at 400 °C if that is found too (thermal activation).
    let t500 = rows[2]["decoder_failure_yr"]
        .as_f64()
        .expect("found at 500 °C");
    assert!(t500 > 0.0 && t500 < 1.0e4);
    if let Some(t400) = rows[1]["decoder_failure_yr"].as_f64() {
        assert!(t400 > t500);
    }
    let unc = s["uncertainty"].as_array().expect("uncertainty list");
    assert_eq!(unc.len(), 3);
    for u in unc {
        for key in [
            "temperature_k",
            "nominal_yr",
            "lifetime_median_yr",
            "lifetime_ci90_yr",
            "lifetime_ci90_mc95_yr",
            "p_fail_before_target",
            "p_fail_before_target_mc_se",
            "sensitivity",
        ] {
            assert!(u.get(key).is_some(), "uncertainty row lacks {key}: {u}");
        }
        assert!(u.get("lower_95_yr").is_none() && u.get("b5_yr").is_none());
        // The 90 % interval: two numbers or "beyond_horizon" strings, ordered.
        let ci = u["lifetime_ci90_yr"].as_array().unwrap();
        assert_eq!(ci.len(), 2);
        for end in ci {
            assert!(end.is_f64() || end == "beyond_horizon", "{end}");
        }
        if let (Some(lo), Some(hi)) = (ci[0].as_f64(), ci[1].as_f64()) {
            assert!(lo < hi);
        }
        let p = u["p_fail_before_target"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        let shares: f64 = u["sensitivity"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    }
    // At 25 °C the code survives the 1000-yr target with high probability, at 500 °C it does not.
    assert!(
        unc[0]["p_fail_before_target"].as_f64().unwrap()
            < unc[2]["p_fail_before_target"].as_f64().unwrap()
    );
    let ci = &unc[2]["lifetime_ci90_yr"];
    assert!(ci[0].as_f64().unwrap() < unc[2]["lifetime_median_yr"].as_f64().unwrap());
    let a = &s["lifetime_analysis"];
    assert!(a["searches"][0]["search"]["probes"].as_u64().unwrap() <= 40);
    assert_eq!(a["frontier"]["claim_49nm"]["raw_exceeds_2tb"], true);
    assert!(a["test_design"]["bake_temperature_c"].as_f64().is_some());
    for f in [
        "lifetime.csv",
        "uncertainty.csv",
        "degradation.csv",
        "frontier.csv",
        "arrhenius_model.csv",
        "arrhenius_fit.csv",
        "image_strip.csv",
        "frontier_claim.csv",
        "degradation_real_time.csv",
        "sensitivity.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Temperatures searched in real time leave their probes as measured degradation points.
    let real_time = std::fs::read_to_string(out.join("degradation_real_time.csv")).unwrap();
    let searched_in_real_time = a["paths"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["path"] == "real_time");
    assert_eq!(
        real_time.lines().count() > 1,
        searched_in_real_time,
        "{real_time}"
    );
    let csv = std::fs::read_to_string(out.join("lifetime.csv")).unwrap();
    assert!(csv.starts_with("temperature_c,temperature_k,decoder_failure_yr"));
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("decoder_converged,information_converged")
    );
    assert!(
        std::fs::read_to_string(out.join("summary.md"))
            .unwrap()
            .contains("## Lifetime")
    );

    // Every lifetime figure is a valid PNG and an SVG with labelled axes (units), both as the
    // run drew it and as `millage plot` redraws it from the CSVs alone.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_millage"))
        .args(["plot", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for dir in [out.clone(), out.join("figures")] {
        for (stem, label) in [
            ("degradation", "[yr]"),
            ("arrhenius", "[1/K]"),
            ("frontier", "[nm]"),
            ("image_strip", "P(decode)"),
            ("tornado", "share of var(ln t)"),
        ] {
            let png = dir.join(format!("{stem}.png"));
            assert!(
                image::open(&png).is_ok(),
                "{} is not a valid PNG",
                png.display()
            );
            let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
            assert!(svg.contains(label), "{stem}.svg lacks `{label}`");
        }
        // The strip embeds the micrographs as images, not one element per pixel.
        let strip = std::fs::read_to_string(dir.join("image_strip.svg")).unwrap();
        assert!(strip.contains("data:image/png;base64"));
    }
    // The redraw is the run's figure: same CSVs, same title, same pixels.
    for stem in [
        "degradation",
        "arrhenius",
        "frontier",
        "image_strip",
        "tornado",
    ] {
        assert_eq!(
            std::fs::read(out.join(format!("{stem}.png"))).unwrap(),
            std::fs::read(out.join("figures").join(format!("{stem}.png"))).unwrap(),
            "{stem}.png differs after redraw"
        );
    }
}

/// The lifetime stage (real-time searches with oxidation, geometry design, uncertainty) gives a
/// byte-identical summary.json at 1 and 2 threads.
#[test]
fn lifetime_summary_is_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let text = scenario(
        "[lifetime]\ntemperatures_c = [300.0, 450.0]\nhorizon_yr = 1.0e4\nrealizations = 1\nuq_samples = 300\ncurve_points = 3",
    );
    let summaries: Vec<Vec<u8>> = ["1", "2"]
        .iter()
        .map(|threads| {
            let (o, out) = run_with(tmp.path(), &text, &format!("t{threads}"), threads);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            std::fs::read(out.join("summary.json")).unwrap()
        })
        .collect();
    assert!(summary(&tmp.path().join("t1"))["lifetime"].is_array());
    assert_eq!(
        summaries[0], summaries[1],
        "summary.json differs between 1 and 2 threads"
    );
}

#[test]
fn without_lifetime_section_nothing_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, out) = run(tmp.path(), &scenario(""));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&out);
    assert!(s.get("lifetime").is_none() && s.get("uncertainty").is_none());
    assert!(!out.join("lifetime.csv").exists());
}

#[test]
fn bad_lifetime_input_exits_2_naming_the_key() {
    for (extra, key) in [
        ("[lifetime]\nrealizations = 0", "lifetime.realizations"),
        ("[lifetime]\ncriteria = [\"decoders\"]", "lifetime.criteria"),
        ("[lifetime]\ntemperatures_c = []", "lifetime.temperatures_c"),
        ("[lifetime]\nmax_probes = 41", "lifetime.max_probes"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (o, out) = run(tmp.path(), &scenario(extra));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra}: {stderr}");
        assert!(stderr.contains(key), "{extra}: {stderr}");
        assert!(!out.exists());
    }
}
