//! Grid convergence of the SEM expected image (issue 17 finding, results/reference/resolution/):
//! the record (ideal write, `sims/record_ideal.toml`) with and without its native Cr2O3 skin,
//! imaged noise-free at the default pixel (6.06 nm) from specimen grids of 3.03, 2.02, 1.515 and
//! 1.01 nm. The bulk levels of the image (film tops, glass floors: the 5–75 % percentiles of the
//! pixel values) must not depend on the cell. The bright tail (the wall rims, 95–99.5 %) depends
//! on whether the cell resolves the wall: the record's 80° ideal walls are 3.5 nm wide (1.7 cells
//! at the default 2.02 nm) and their rims brighten by 18 % from 2.02 to 1.01 nm cells, which the
//! scenario check flags; walls of 66.7° (8.6 nm, the Monte Carlo write's own angle) image the
//! same from 2.02 to 1.01 nm.

use millage::config;

use crate::util::repo_path;

/// Percentiles (5, 25, 50, 75, 95, 99.5 %) of the noise-free image of the record at `cell`,
/// with the native oxide if `oxide`.
fn percentiles(cell: f64, oxide: bool) -> [f64; 6] {
    percentiles_with_wall(cell, oxide, 80.0)
}

/// The record with ideal walls of `wall_deg` and cells of `cell` nm (`None`: the default).
fn scenario(cell: Option<f64>, wall_deg: f64) -> millage::pipeline::Scenario {
    let path = repo_path("sims/record_ideal.toml");
    let library = config::library_for(&path, None);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# cell_nm = 2.0") && text.contains("sidewall_angle_deg = 80.0"));
    let mut text = text.replace(
        "sidewall_angle_deg = 80.0",
        &format!("sidewall_angle_deg = {wall_deg}"),
    );
    if let Some(cell) = cell {
        text = text.replace("# cell_nm = 2.0", &format!("cell_nm = {cell}"));
    }
    config::parse_scenario(&text, &path, &library).unwrap()
}

/// Percentiles as [`percentiles`] with ideal walls of `wall_deg`.
fn percentiles_with_wall(cell: f64, oxide: bool, wall_deg: f64) -> [f64; 6] {
    let sc = scenario(Some(cell), wall_deg);
    let written =
        millage::pipeline::write_stage(&sc, sc.seed, &vec![None; sc.materials.len()]).unwrap();
    let plan = millage::pipeline::readout_plan(&sc);
    let millage::image::Readout::Sem(sem) = &plan.readout else {
        panic!("the record is read by SEM")
    };
    let mut specimen = written.specimen.clone();
    if oxide {
        millage::age::grow_native_oxide(&mut specimen);
    }
    let e = millage::image::sem::sem_expected(&specimen, sem);
    let mut v: Vec<f64> = (0..e.width * e.height)
        .map(|k| {
            let x = ((k % e.width) as f64 + 0.5) * sem.pixel_nm;
            let y = ((k / e.width) as f64 + 0.5) * sem.pixel_nm;
            millage::grid::bilinear(
                &e.field,
                e.nx,
                e.ny,
                x / e.cell_nm - 0.5,
                y / e.cell_nm - 0.5,
            )
        })
        .collect();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
    [q(0.05), q(0.25), q(0.5), q(0.75), q(0.95), q(0.995)]
}

const CELLS: [f64; 4] = [3.03, 2.02, 1.515, 1.01];

/// Measured 2026-12-04 over 3.03 … 1.01 nm, with and without the oxide skin: the 5, 25 and 50 %
/// percentiles (film 0.746–0.764, with the skin 0.828–0.848 yield units) agree within 0.1 %, the
/// 75 % point (glass floors, 1.232–1.256) within 1.6 %; the tolerance is 2 %.
#[test]
fn bulk_levels_of_the_image_do_not_depend_on_the_cell() {
    for oxide in [false, true] {
        let p: Vec<[f64; 6]> = CELLS.iter().map(|&c| percentiles(c, oxide)).collect();
        for k in 0..4 {
            let (lo, hi) = p.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
                (lo.min(x[k]), hi.max(x[k]))
            });
            assert!(
                hi / lo < 1.02,
                "oxide {oxide}: percentile #{k} spans {lo:.4} … {hi:.4} over cells {CELLS:?}"
            );
        }
    }
}

/// Walls resolved by the cell (66.7°: 8.6 nm, 4.3 cells at 2.02 nm) image their rims the same at
/// every cell. Measured 2026-12-04 with the skin at 2.02 / 1.515 / 1.01 nm: 95 % point 1.574 /
/// 1.591 / 1.615, 99.5 % point 1.677 / 1.653 / 1.689 (spreads 2.6 % and 2.2 %; 0.5 nm cells give
/// 1.632 and 1.669); the tolerance is 5 %. With the 80° walls (1.7 cells at 2.02 nm) the 95 %
/// point is 2.608 / 2.680 / 3.166 (21 %).
#[test]
fn bright_tail_of_resolved_walls_does_not_depend_on_the_cell() {
    let p: Vec<[f64; 6]> = [2.02, 1.515, 1.01]
        .iter()
        .map(|&c| percentiles_with_wall(c, true, 66.7))
        .collect();
    for k in [4, 5] {
        let (lo, hi) = p.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
            (lo.min(x[k]), hi.max(x[k]))
        });
        assert!(hi / lo < 1.05, "percentile #{k} spans {lo:.4} … {hi:.4}");
    }
}

/// The scenario check names an ideal wall the cell does not resolve, and only then.
#[test]
fn an_unresolved_ideal_wall_is_flagged() {
    let flagged = |sc: &millage::pipeline::Scenario| {
        sc.warnings
            .iter()
            .any(|w| w.contains("wall rims are not resolved"))
    };
    assert!(
        flagged(&scenario(None, 80.0)),
        "80° walls at the default 2.02 nm cell"
    );
    assert!(
        !flagged(&scenario(Some(0.8), 80.0)),
        "80° walls at 0.8 nm cells"
    );
    assert!(
        !flagged(&scenario(None, 66.7)),
        "66.7° walls at the default cell"
    );
}

/// The oracle criterion samples the symbol where the frame put it — the framing's offset plus
/// each frame's random sub-pixel registration: on the as-written record, framed 1.5 modules
/// right and one module up, every frame has 0 module errors, its registration offsets spread
/// over the pixel. (The registration alone, at most half a pixel = 1/16 module, would not
/// move the oracle's central-50 % samples off their modules; the framing offset does: an
/// oracle that ignored the frame would sample the wrong modules.)
#[test]
fn oracle_grid_follows_the_frame_registration() {
    let path = repo_path("sims/record_ideal.toml");
    let library = config::library_for(&path, None);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("[decode]\n", "[decode]\ncriterion_grid = \"oracle\"\n")
        .replace(
            "[readout]\n",
            "[readout]\noffset_x_nm = 72.7\noffset_y_nm = -48.5\n",
        );
    let sc = config::parse_scenario(&text, &path, &library).unwrap();
    let written =
        millage::pipeline::write_stage(&sc, sc.seed, &vec![None; sc.materials.len()]).unwrap();
    let plan = millage::pipeline::readout_plan(&sc);
    let mut spread = (f64::INFINITY, f64::NEG_INFINITY);
    for realization in 0..4 {
        let (_, record) = millage::lifetime::readout::read(
            &plan,
            &written.symbol,
            &written.layout,
            &written.specimen,
            sc.seed,
            realization,
        );
        let dx = record.sem.as_ref().unwrap().registration_offset_nm.0;
        spread = (spread.0.min(dx), spread.1.max(dx));
        assert_eq!(
            record.information.module_errors, 0,
            "realization {realization}, offset x {dx:.2} nm"
        );
    }
    assert!(spread.1 - spread.0 > 1.0, "offsets {spread:?}");
}
