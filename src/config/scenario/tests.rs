//! Every rule class of the scenario resolver, one row each: a fragment of scenario text and
//! the key and line the error must name. The message wording is free to change; the key and
//! the line are what editors and users jump to.

use std::path::Path;

use super::parse_scenario;
use crate::config::MaterialLibrary;
use crate::error::Error;

/// A small valid scenario; the rows below edit it (line numbers refer to this text).
const BASE: &str = r#"[pattern]
payload = "HELLO"
module_pitch_nm = 48.485
ec_level = "M"
[film]
substrate = "SiO2"
[[film.layers]]
material = "CrN"
thickness_nm = 15.0
[mill]
model = "ideal"
[readout]
mode = "sem"
"#;

/// (what, replace `from` (empty: append), by `to`, expected key, expected line).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<usize>,
);

const ROWS: &[Row] = &[
    (
        "not TOML",
        "payload = \"HELLO\"",
        "payload = \"HELLO",
        "",
        Some(2),
    ),
    (
        "misspelled key",
        "module_pitch_nm",
        "module_pich_nm",
        "pattern.module_pich_nm",
        Some(3),
    ),
    (
        "unknown section",
        "[readout]",
        "[readut]",
        "readut",
        Some(12),
    ),
    (
        "unknown key in a table array",
        "thickness_nm",
        "thick_nm",
        "film.layers[0].thick_nm",
        Some(9),
    ),
    (
        "float out of range",
        "= 48.485",
        "= -48.485",
        "pattern.module_pitch_nm",
        Some(3),
    ),
    (
        "nan",
        "= 48.485",
        "= nan",
        "pattern.module_pitch_nm",
        Some(3),
    ),
    (
        "zero where > 0",
        "= 15.0",
        "= 0.0",
        "film.layers[0].thickness_nm",
        Some(9),
    ),
    (
        "wrong type",
        "= 15.0",
        "= \"15\"",
        "film.layers[0].thickness_nm",
        Some(9),
    ),
    (
        "integer out of range",
        "ec_level = \"M\"",
        "version = 41",
        "pattern.version",
        Some(4),
    ),
    (
        "mask out of range",
        "ec_level = \"M\"",
        "mask = 8",
        "pattern.mask",
        Some(4),
    ),
    (
        "missing required key",
        "payload = \"HELLO\"",
        "version = 3",
        "pattern.payload",
        None,
    ),
    (
        "bad choice word",
        "\"M\"",
        "\"m\"",
        "pattern.ec_level",
        Some(4),
    ),
    (
        "choice of the wrong type",
        "\"M\"",
        "1",
        "pattern.ec_level",
        Some(4),
    ),
    (
        "bad mill model",
        "\"ideal\"",
        "\"bca-fast\"",
        "mill.model",
        Some(11),
    ),
    (
        "bad readout mode",
        "\"sem\"",
        "\"afm\"",
        "readout.mode",
        Some(13),
    ),
    (
        "unknown material",
        "\"CrN\"",
        "\"CrNx\"",
        "film.layers[0].material",
        Some(8),
    ),
    (
        "payload too long",
        "\"HELLO\"",
        "\"0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\"",
        "pattern.payload",
        Some(2),
    ),
    (
        "bad list word",
        "",
        "[decode]\ndecoders = [\"zxing\"]",
        "decode.decoders",
        Some(15),
    ),
    (
        "empty list",
        "",
        "[decode]\ndecoders = []",
        "decode.decoders",
        Some(15),
    ),
    (
        "list of the wrong type",
        "",
        "[decode]\ndecoders = [1]",
        "decode.decoders",
        Some(15),
    ),
    (
        "cell coarser than pitch/8",
        "",
        "[grid]\ncell_nm = 10.0",
        "grid.cell_nm",
        Some(15),
    ),
    (
        "cell coarser than spot/4",
        "\"ideal\"",
        "\"bca\"\n[beam]\nspot_fwhm_nm = 6.0",
        "grid.cell_nm",
        None,
    ),
    (
        "unknown ion",
        "\"ideal\"",
        "\"bca\"\n[beam]\nion = \"Gx\"",
        "beam.ion",
        Some(13),
    ),
    (
        "direct mill of a whole symbol",
        "\"ideal\"",
        "\"bca-direct\"\n[beam]\npasses = 100000",
        "mill.model",
        Some(11),
    ),
    (
        "bad scan order",
        "\"ideal\"",
        "\"bca\"\n[beam]\nscan_order = \"zigzag\"",
        "beam.scan_order",
        Some(13),
    ),
    (
        "bad contrast",
        "",
        "contrast = \"inverted\"",
        "readout.contrast",
        Some(14),
    ),
    (
        "negative drift",
        "",
        "drift_nm_per_s = -1.0",
        "readout.drift_nm_per_s",
        Some(14),
    ),
    (
        "rotation not a number",
        "",
        "rotation_deg = nan",
        "readout.rotation_deg",
        Some(14),
    ),
    (
        "unknown capture",
        "",
        "capture = \"phone\"",
        "readout.capture",
        Some(14),
    ),
    (
        "unknown imperfections",
        "",
        "imperfections = \"perfect\"",
        "readout.imperfections",
        Some(14),
    ),
    (
        "excess noise below Poisson",
        "",
        "se_excess_noise_factor = 0.5",
        "readout.se_excess_noise_factor",
        Some(14),
    ),
    (
        "aging: no history",
        "",
        "[aging]\nrepeat = 2",
        "aging",
        None,
    ),
    (
        "aging: constant without horizon",
        "",
        "[aging]\ntemperature_c = 25.0",
        "aging.horizon_yr",
        None,
    ),
    (
        "aging: below 0 K",
        "",
        "[aging]\ntemperature_c = -274.0\nhorizon_yr = 1.0",
        "aging.temperature_c",
        Some(15),
    ),
    (
        "aging: constant and schedule",
        "",
        "[aging]\ntemperature_c = 25.0\nhorizon_yr = 1.0\n[[aging.schedule]]\ntemperature_c = 25.0\nduration_yr = 1.0",
        "aging.temperature_c",
        Some(15),
    ),
    (
        "aging: two durations",
        "",
        "[aging]\n[[aging.schedule]]\ntemperature_c = 25.0\nduration_yr = 1.0\nduration_h = 1.0",
        "aging.schedule[0].duration_h",
        Some(18),
    ),
    (
        "aging: no duration",
        "",
        "[aging]\n[[aging.schedule]]\ntemperature_c = 25.0",
        "aging.schedule[0].duration_yr",
        None,
    ),
    (
        "aging: schedule gap",
        "",
        "[aging]\n[[aging.schedule]]\ntemperature_c = 25.0\nduration_yr = 1.0\n[[aging.schedule]]\ntemperature_c = 25.0\nduration_yr = 1.0\nstart_yr = 2.0",
        "aging.schedule[1].start_yr",
        Some(21),
    ),
    (
        "aging: horizon beyond the schedule",
        "",
        "[aging]\nhorizon_yr = 5.0\n[[aging.schedule]]\ntemperature_c = 25.0\nduration_yr = 1.0",
        "aging.horizon_yr",
        Some(15),
    ),
    (
        "aging: snapshot beyond the horizon",
        "",
        "[aging]\ntemperature_c = 25.0\nhorizon_yr = 1.0\nsnapshots_yr = [2.0]",
        "aging.snapshots_yr",
        Some(17),
    ),
    (
        "aging: bad solver",
        "",
        "[aging]\ntemperature_c = 25.0\nhorizon_yr = 1.0\nsolver = \"implicit\"",
        "aging.solver",
        Some(17),
    ),
    (
        "aging: material without kinetics",
        "\"SiO2\"",
        "\"W\"",
        "aging.surface_diffusion",
        None,
    ),
    (
        "lifetime: bad criterion",
        "",
        "[lifetime]\ncriteria = [\"decodr\"]",
        "lifetime.criteria",
        Some(15),
    ),
    (
        "lifetime: empty temperatures",
        "",
        "[lifetime]\ntemperatures_c = []",
        "lifetime.temperatures_c",
        Some(15),
    ),
    (
        "lifetime: material without [surface]",
        "\"SiO2\"",
        "\"W\"\n[lifetime]",
        "lifetime",
        None,
    ),
];

fn edit(from: &str, to: &str) -> String {
    if from.is_empty() {
        format!("{BASE}{to}\n")
    } else {
        assert!(BASE.contains(from), "{from:?} not in BASE");
        BASE.replacen(from, to, 1)
    }
}

#[test]
fn the_base_scenario_resolves() {
    let sc = parse_scenario(BASE, Path::new("t.toml"), &MaterialLibrary::embedded()).unwrap();
    assert_eq!(sc.name, "t");
    assert!(sc.resolved["pattern.ec_level"] == "M");
}

#[test]
fn every_rule_names_its_key_and_line() {
    let library = MaterialLibrary::embedded();
    let mut wrong = Vec::new();
    for &(what, from, to, key, line) in ROWS {
        let mut text = edit(from, to);
        if what == "aging: material without kinetics" {
            text.push_str("[aging]\ntemperature_c = 25.0\nhorizon_yr = 1.0\n");
        }
        match parse_scenario(&text, Path::new("t.toml"), &library) {
            Err(Error::Input(e)) => {
                if (e.key.as_str(), e.line) != (key, line)
                    || e.file.as_deref() != Some(Path::new("t.toml"))
                    || e.rule.is_empty()
                {
                    wrong.push(format!("{what}: got ({:?}, {:?}): {e}", e.key, e.line));
                }
            }
            Err(other) => wrong.push(format!("{what}: not an input error: {other}")),
            Ok(_) => wrong.push(format!("{what}: accepted")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn suggestions_name_the_likely_word() {
    let library = MaterialLibrary::embedded();
    for (from, to, suggested) in [
        ("module_pitch_nm", "module_pich_nm", "module_pitch_nm"),
        ("[readout]", "[readut]", "[readout]"),
        ("\"M\"", "\"m\"", "\"M\""),
        ("\"ideal\"", "\"idael\"", "\"ideal\""),
        ("\"CrN\"", "\"CrNN\"", "`CrN`"),
    ] {
        let Err(Error::Input(e)) = parse_scenario(&edit(from, to), Path::new("t.toml"), &library)
        else {
            panic!("{to} accepted");
        };
        assert!(e.hint.contains(suggested), "{to}: {}", e.hint);
    }
}
