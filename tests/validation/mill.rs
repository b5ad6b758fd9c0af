//! Fast vs direct milling validation (opt-in): `scripts/validate_mill.sh` runs it and it writes
//! `results/validation/mill.md` and `results/validation/mill_profiles.png` (+ .svg).
//!
//! Both modes mill CrN on glass (15 nm, or `MILL_VALIDATION_FILM_NM`) with 30 keV Ga, the same
//! beam, scan and dose, on one module and on a 3 × 3 block (checkerboard: corners and centre
//! milled), each in a one-module quiet zone. Criteria (issue 5): mean depth within 10 %,
//! half-depth edge positions within 2 nm, Ga per nm² within 20 %. The report is written
//! whatever the outcome; the test then fails if a criterion is missed.
//!
//! Scale (`MILL_VALIDATION_SCALE`): `half` (default) halves the record's module pitch, spot and
//! dwell pitch (24.24 nm modules, 5 nm spot); `record` uses the record's (48.485 nm, 10 nm;
//! 4× the ions). `MILL_VALIDATION_DOSE` sets the dose [ions/nm²]: default 300 (≈ 8 nm, half
//! the film; ≈ 1.1·10⁶ direct ions at half scale, ≈ 45 min on 2 cores). Above a few hundred
//! ions/nm² the direct mode's surface roughens without relaxation and stops being a reference
//! (`mill::direct`, "Validity limit"); at the record's 690 the two modes differ by 32 % in
//! depth for that reason. To validate the milled-through transition into the glass within
//! that limit, `MILL_VALIDATION_FILM_NM=5` at 300 ions/nm² mills 8.6 nm deep, 3.6 nm into
//! the glass (`results/reference/mill_validation_film5.md`).

use std::fmt::Write as _;
use std::path::Path;

use millage::bca::{IonBeam, Options, Simulation, TableRequest, Target, angular_table};
use millage::beam::{Beam, Scan, ScanOrder, SpotProfile};
use millage::config::MaterialLibrary;
use millage::grid::{FilmGrid, FilmStack, Layer, Specimen};
use millage::material::element::by_symbol;
use millage::mill::ModuleLayout;
use millage::mill::direct::DirectMillOptions;
use millage::mill::fast::{FastMillOptions, MaterialResponse};
use millage::mill::validation::{
    Comparison, DEPTH_TOLERANCE, EDGE_TOLERANCE_NM, GA_TOLERANCE, compare_fast_direct,
};
use millage::output::bca_cache;

const SEED: u64 = 20251203;

fn responses(specimen: &Specimen, beam: &Beam, root: &Path) -> Vec<Option<MaterialResponse>> {
    // The record scenario's table request, so that its cached tables are reused.
    let mut angles: Vec<f64> = (0..18).map(|k| 5.0 * k as f64).collect();
    angles.push(89.0);
    specimen
        .materials
        .iter()
        .map(|m| {
            let sim = Simulation::new(
                Target::from_material(m),
                IonBeam {
                    element: beam.ion,
                    energy_ev: beam.energy_ev,
                    angle_deg: 0.0,
                },
                Options::default(),
            )
            .unwrap();
            let request = TableRequest {
                angles_deg: angles.clone(),
                ions_per_angle: 1000,
                seed: SEED,
            };
            let key = bca_cache::cache_key(&sim, &request);
            let table = match bca_cache::load(root, &key).unwrap() {
                Some(t) => t,
                None => {
                    let t = angular_table(&sim, &request, &|_| {}).unwrap();
                    bca_cache::store(root, &key, &sim, &request, &t).unwrap();
                    t
                }
            };
            Some(MaterialResponse::from_table(&table))
        })
        .collect()
}

fn row(text: &mut String, what: &str, fast: f64, direct: f64, diff: String, tol: String, ok: bool) {
    let _ = writeln!(
        text,
        "| {what} | {fast:.3} | {direct:.3} | {diff} | {tol} | {} |",
        if ok { "pass" } else { "**FAIL**" }
    );
}

#[test]
#[ignore = "long validation: run scripts/validate_mill.sh"]
fn mill_fast_vs_direct_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let record = std::env::var("MILL_VALIDATION_SCALE").as_deref() == Ok("record");
    let dose: f64 = std::env::var("MILL_VALIDATION_DOSE")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(300.0);
    // Sticking coefficient of both modes (`MILL_VALIDATION_STICKING`, default 1): 0 switches
    // redeposition off in both and so tests the erosion physics alone.
    let sticking: f64 = std::env::var("MILL_VALIDATION_STICKING")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1.0);
    assert!(
        (0.0..=1.0).contains(&sticking),
        "MILL_VALIDATION_STICKING in [0, 1]"
    );
    // CrN film thickness (`MILL_VALIDATION_FILM_NM`, default 15, the record's): a thinner film
    // lets the validated dose mill through into the glass while the direct reference is still
    // within its validity limit.
    let film_nm: f64 = std::env::var("MILL_VALIDATION_FILM_NM")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(15.0);
    assert!(
        film_nm > 0.0 && film_nm < 50.0,
        "MILL_VALIDATION_FILM_NM in (0, 50) nm"
    );
    let (pitch, spot) = if record {
        (48.485, 10.0)
    } else {
        (48.485 / 2.0, 5.0)
    };
    let lib = MaterialLibrary::bundled();
    let mut beam = Beam {
        ion: by_symbol("Ga").unwrap(),
        energy_ev: 30e3,
        current_a: 2e-12,
        spot: SpotProfile {
            core_fwhm_nm: spot,
            tail_weight: 0.0,
            tail_fwhm_nm: 100.0,
        },
        scan: Scan {
            dwell_pitch_nm: spot / 2.0,
            dwell_s: 1e-6,
            passes: 1,
            order: ScanOrder::Serpentine,
        },
    };
    let per_pass = beam.dose_per_module_ions_per_nm2(pitch);
    beam.scan.passes = (dose / per_pass).round().max(1.0) as u32;
    let dose = beam.dose_per_module_ions_per_nm2(pitch);
    let fast_options = FastMillOptions {
        sticking,
        redeposition_samples: 100_000,
        max_step_fraction: 0.25,
        implant: true,
    };
    let direct_options = DirectMillOptions {
        sticking,
        ..DirectMillOptions::default()
    };

    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Milling: fast mode vs direct reference\n\nGenerated by `scripts/validate_mill.sh` \
         (tests/validation/mill.rs). {film_nm} nm CrN on SiO2, 30 keV Ga, {:.1} pA, \
         spot FWHM {spot} nm (no tail), dwell pitch {} nm, 1 µs dwells, {} passes: \
         dose {dose:.1} ions/nm² per milled module; module pitch {pitch:.3} nm; 1 nm \
         cells/voxels; seed {SEED}. Fast mode: BCA tables of the record scenario (19 angles × \
         1000 ions, cached), 10⁵ redeposition test atoms per step. Direct mode: `mill::direct` \
         defaults (batches of {} ions, {} nm of solid kept below the deepest point, the grid \
         growing with the pits, + {} nm headroom). Sticking coefficient of both modes: \
         {sticking}{}.\n",
        beam.current_a * 1e12,
        beam.scan.dwell_pitch_nm,
        beam.scan.passes,
        direct_options.batch_ions,
        direct_options.depth_nm,
        direct_options.headroom_nm,
        if sticking == 0.0 {
            " (redeposition off: erosion physics alone)"
        } else {
            ""
        },
    );
    let mut all_pass = true;
    let mut series = Vec::new();
    for (name, n, pattern) in [
        (
            "one module",
            1usize,
            &(|_c: usize, _r: usize| true) as &(dyn Fn(usize, usize) -> bool + Sync),
        ),
        (
            "3 × 3 block (checkerboard: corners + centre)",
            3,
            &|c: usize, r: usize| (c + r).is_multiple_of(2),
        ),
    ] {
        let layout = ModuleLayout {
            modules_per_side: n,
            module_pitch_nm: pitch,
            quiet_zone_modules: 1,
        };
        let q = layout.quiet_zone_modules;
        let milled = |c: usize, r: usize| {
            c >= q && r >= q && c < q + n && r < q + n && pattern(c - q, r - q)
        };
        let cells = layout.field_side_nm().round() as usize;
        let cell = layout.field_side_nm() / cells as f64;
        let pristine = Specimen {
            grid: FilmGrid::new(cells, cells, cell),
            stack: FilmStack {
                layers: vec![Layer {
                    material: 0,
                    thickness_nm: film_nm,
                }],
                substrate: 1,
            },
            materials: vec![
                lib.load("CrN", "validation", None).unwrap(),
                lib.load("SiO2", "validation", None).unwrap(),
            ],
            implant_species: by_symbol("Ga").unwrap(),
            implant_depth_nm: 0.0,
        };
        let resp = responses(&pristine, &beam, &root);
        let t0 = std::time::Instant::now();
        let c: Comparison = compare_fast_direct(
            &pristine,
            &layout,
            &milled,
            &beam,
            &resp,
            &fast_options,
            &direct_options,
            SEED,
        )
        .unwrap();
        let wall = t0.elapsed().as_secs_f64();
        let (f, d) = (&c.fast.metrics, &c.direct.metrics);
        let _ = writeln!(
            text,
            "## {name}\n\n{} direct ions ({} outside the field), direct yield {:.3} ± {:.3} \
             atoms/ion, {} sputtered / {} redeposited atoms, {} batches; fast: {} steps. \
             Both modes: {wall:.0} s wall.\n\n| quantity | fast | direct | fast − direct | \
             tolerance | result |\n|---|---|---|---|---|---|",
            c.direct_report.ions,
            c.direct_report.ions_outside,
            c.direct_report.sputter_yield.mean,
            c.direct_report.sputter_yield.stderr,
            c.direct_report.sputtered_atoms,
            c.direct_report.redeposited_atoms,
            c.direct_report.batches,
            c.fast_report.steps,
        );
        let depth_ok = c.depth_rel_diff.abs() <= DEPTH_TOLERANCE;
        row(
            &mut text,
            "mean depth of milled module centres [nm]",
            f.mean_depth_nm,
            d.mean_depth_nm,
            format!("{:+.1} %", 100.0 * c.depth_rel_diff),
            format!("±{:.0} %", 100.0 * DEPTH_TOLERANCE),
            depth_ok,
        );
        for (k, (fe, de)) in c.fast.edges_nm.iter().zip(&c.direct.edges_nm).enumerate() {
            for (side, a, b) in [("left", fe.0, de.0), ("right", fe.1, de.1)] {
                let ok = (a - b).abs() <= EDGE_TOLERANCE_NM;
                row(
                    &mut text,
                    &format!("half-depth edge, milled module {}, {side} [nm]", k + 1),
                    a,
                    b,
                    format!("{:+.2} nm", a - b),
                    format!("±{EDGE_TOLERANCE_NM} nm"),
                    ok,
                );
            }
        }
        let ga_ok = c.ga_rel_diff.abs() <= GA_TOLERANCE;
        row(
            &mut text,
            "implanted Ga at milled module centres [atoms/nm²]",
            f.ga_areal_density_per_nm2,
            d.ga_areal_density_per_nm2,
            format!("{:+.1} %", 100.0 * c.ga_rel_diff),
            format!("±{:.0} %", 100.0 * GA_TOLERANCE),
            ga_ok,
        );
        row(
            &mut text,
            "depth rms over milled module centres [nm]",
            f.depth_rms_nm,
            d.depth_rms_nm,
            format!("{:+.3} nm", f.depth_rms_nm - d.depth_rms_nm),
            "(reported)".into(),
            true,
        );
        row(
            &mut text,
            "neighbour overmill [nm]",
            f.neighbour_overmill_nm,
            d.neighbour_overmill_nm,
            format!(
                "{:+.3} nm",
                f.neighbour_overmill_nm - d.neighbour_overmill_nm
            ),
            "(reported)".into(),
            true,
        );
        let _ = writeln!(text);
        all_pass &= c.passes();
        let x = |i: usize| (i as f64 + 0.5) * cell;
        let pts = |p: &[f64]| -> Vec<(f64, f64)> {
            p.iter().enumerate().map(|(i, d)| (x(i), -d)).collect()
        };
        series.push((format!("{name}: fast"), pts(&c.fast.profile_nm)));
        series.push((format!("{name}: direct"), pts(&c.direct.profile_nm)));
        eprintln!(
            "{name}: {}\n{text}",
            if c.passes() { "pass" } else { "FAIL" }
        );
    }
    let _ = writeln!(
        text,
        "Profiles (`mill_profiles.png`): surface height through the middle module row, averaged \
         over the central half of that row, fast and direct overlaid.\n\n![profiles](mill_profiles.png)\n\n\
         Overall: **{}**.",
        if all_pass {
            "all criteria met"
        } else {
            "criteria missed (see rows marked FAIL)"
        }
    );
    let dir = root.join("validation");
    std::fs::create_dir_all(&dir).unwrap();
    millage::output::figures::line_chart(
        &dir.join("mill_profiles"),
        &format!("fast vs direct milling, dose {dose:.0} ions/nm²"),
        ("x [nm]", "surface height z [nm]"),
        &series,
        false,
    )
    .unwrap();
    millage::output::write_atomic(&dir.join("mill.md"), text.as_bytes()).unwrap();
    eprintln!("{text}");
    assert!(
        all_pass,
        "fast and direct milling disagree beyond tolerance; see results/validation/mill.md"
    );
}
