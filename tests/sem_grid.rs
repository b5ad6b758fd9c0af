//! Grid convergence of the SEM expected image (issue 17 finding, results/reference/resolution/):
//! the record (ideal write, `sims/record_ideal.toml`) with and without its native Cr2O3 skin,
//! imaged noise-free at the default pixel (6.06 nm) from specimen grids of 3.03, 2.02, 1.515 and
//! 1.01 nm. The bulk levels of the image (film tops, glass floors: the 5–75 % percentiles of the
//! pixel values) must not depend on the cell; the bright tail (the wall rims, 95–99.5 %) does
//! today, by ×1.7, which the microscope's auto contrast turns into a cell-dependent module
//! contrast in grey levels — the open item.

use millage::config;

use crate::util::repo_path;

/// Percentiles (5, 25, 50, 75, 95, 99.5 %) of the noise-free image of the record at `cell`,
/// with the native oxide if `oxide`.
fn percentiles(cell: f64, oxide: bool) -> [f64; 6] {
    let path = repo_path("sims/record_ideal.toml");
    let library = config::library_for(&path, None);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# cell_nm = 2.0"));
    let text = text.replace("# cell_nm = 2.0", &format!("cell_nm = {cell}"));
    let sc = config::parse_scenario(&text, &path, &library).unwrap();
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

/// The open item: the 99.5 % point (wall rims) is 1.86 at 3.03 nm, 2.85 at 2.02, 2.44 at 1.515
/// and 2.87 at 1.01 nm without the skin (1.88, 2.76, 2.65, 3.16 with it), so the auto contrast
/// (0.5–99.5 % → 0–255) gives the floor–film difference 95 grey levels at 3.03 nm and 43 at
/// 1.01 nm with the skin. Passes once the rim term is converged in the cell.
#[test]
#[ignore = "open (issue 17): the wall-rim brightness of the SEM model is not converged in the cell"]
fn bright_tail_of_the_image_does_not_depend_on_the_cell() {
    for oxide in [false, true] {
        let tail: Vec<f64> = CELLS.iter().map(|&c| percentiles(c, oxide)[5]).collect();
        let (lo, hi) = tail.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        assert!(hi / lo < 1.1, "oxide {oxide}: 99.5 % point {tail:?}");
    }
}
