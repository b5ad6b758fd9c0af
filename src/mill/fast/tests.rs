//! Tests of the fast mill (kept beside `fast.rs` so the module stays readable).

use super::*;
use crate::beam::{Scan, ScanOrder, SpotProfile};
use crate::material::element::by_symbol;

fn specimen(cells: usize, cell_nm: f64) -> Specimen {
    // 15 nm CrN on glass with a 20 nm implanted layer.
    Specimen {
        implant_depth_nm: 20.0,
        ..crate::mill::direct::tests_support::specimen(cells, cell_nm)
    }
}

/// A response with Y(θ) = y0 / cos θ (the flat-surface limit of Sigmund's law) and R = 0.
fn response(y0: f64) -> MaterialResponse {
    let angles: Vec<f64> = (0..=89).map(f64::from).collect();
    MaterialResponse {
        yield_total: angles.iter().map(|a| y0 / a.to_radians().cos()).collect(),
        reflection: vec![0.0; angles.len()],
        angles_deg: angles,
        emission_sigma_nm: 1.5,
        implant_depth_nm: 20.0,
        implant_lateral_sigma_nm: 2.0,
    }
}

/// One 40 nm module in a 1-module quiet zone, scanned by a 30 keV Ga beam of 10 nm FWHM.
fn single_module(tail_weight: f64, order: ScanOrder) -> (ModuleLayout, Beam) {
    let layout = ModuleLayout {
        modules_per_side: 1,
        module_pitch_nm: 40.0,
        quiet_zone_modules: 1,
    };
    let beam = Beam {
        ion: by_symbol("Ga").unwrap(),
        energy_ev: 30e3,
        current_a: 2e-12,
        spot: SpotProfile {
            core_fwhm_nm: 10.0,
            tail_weight,
            tail_fwhm_nm: 60.0,
        },
        scan: Scan {
            dwell_pitch_nm: 5.0,
            dwell_s: 1e-6,
            passes: 1,
            order,
        },
    };
    (layout, beam)
}

fn options(sticking: f64, implant: bool) -> FastMillOptions {
    FastMillOptions {
        sticking,
        redeposition_samples: 4000,
        max_step_fraction: 0.25,
        implant,
    }
}

/// A flat surface under a uniform dose recedes by exactly Y·dose/n (design §2.3), here
/// 2.5 atoms/ion × 200 ions/nm² / n(CrN) in CrN.
#[test]
fn flat_surface_recedes_at_yield_times_dose_over_density() {
    let mut s = specimen(32, 1.0);
    let n = s.materials[0].number_density_per_nm3();
    let dose = vec![1.0; 32 * 32];
    let responses = vec![Some(response(2.5)), Some(response(2.5))];
    let report = mill_fast(&mut s, &dose, 200.0, &responses, &options(0.0, false), 1);
    // The emission kernel blurs with zero outside the field; its deficit reaches inward by
    // a kernel radius per slope update, so check the central cells.
    let expected = -2.5 * 200.0 / n;
    for j in 13..19 {
        for i in 13..19 {
            let z = s.grid.surface_nm[s.grid.index(i, j)];
            assert!(
                (z - expected).abs() < 1e-9 * expected.abs(),
                "({i},{j}) z = {z}, expected {expected}"
            );
        }
    }
    assert!(
        report.steps > 1,
        "the stability limit must split 4.5 nm of erosion on 1 nm cells"
    );
}

/// Atoms per nm² between heights `lo` < `hi` [nm] of an unoxidised column of `s`'s stack: the
/// integral of the as-deposited atom density n(z) (the first layer's above z = 0, where
/// redeposit sits; `FilmStack::top_material`).
fn atoms_per_nm2_between(s: &Specimen, lo: f64, hi: f64) -> f64 {
    let n = |m: usize| s.materials[m].number_density_per_nm3();
    // (bottom, top, material) of each slab
    let mut edges: Vec<(f64, f64, usize)> = Vec::new();
    edges.push((0.0, f64::INFINITY, s.stack.layers[0].material));
    let mut top = 0.0;
    for l in &s.stack.layers {
        edges.push((top - l.thickness_nm, top, l.material));
        top -= l.thickness_nm;
    }
    edges.push((f64::NEG_INFINITY, top, s.stack.substrate));
    edges
        .iter()
        .map(|&(bottom, upper, m)| (hi.min(upper) - lo.max(bottom)).max(0.0) * n(m))
        .sum()
}

/// Atom bookkeeping, independently of the mill's own sums: the atoms missing from the grid,
/// Σ_columns ∫ n(z) dz over the height lost × cell area (from the surface heights and the
/// stack's densities only), equal the atoms that left minus those that came back,
/// sputtered − redeposited − implanted (counted where they are emitted and landed), with
/// redeposition and implantation on, on a pit that mills through the film. The surface moves
/// at the density of the material at the start of each step, so a column that crosses the
/// CrN/glass interface inside a step is off by at most one step's Δz × |Δn|: 2 % bounds that.
#[test]
fn removed_atoms_balance_sputtered_redeposited_and_implanted() {
    let (layout, beam) = single_module(0.0, ScanOrder::Serpentine);
    let mut s = specimen(60, 2.0);
    let (dose, ions) = pass_dose(60, 60, 2.0, &layout, &|c, r| c == 1 && r == 1, &beam);
    let on_grid: f64 = dose.iter().sum::<f64>() * 4.0;
    assert!(
        (on_grid - ions).abs() < 1e-9 * ions,
        "all ions of a central module land on the grid"
    );
    let before = s.grid.surface_nm.clone();
    let responses = vec![Some(response(3.0)), Some(response(2.0))];
    let r = mill_fast(&mut s, &dose, 2500.0, &responses, &options(1.0, true), 7);
    assert!(r.redeposited_atoms > 0.0 && r.implanted_atoms > 0.0);
    let area = s.grid.cell_nm() * s.grid.cell_nm();
    let missing: f64 = before
        .iter()
        .zip(&s.grid.surface_nm)
        .map(|(&z0, &z1)| {
            let sign = if z1 < z0 { 1.0 } else { -1.0 };
            sign * atoms_per_nm2_between(&s, z0.min(z1), z0.max(z1)) * area
        })
        .sum();
    let balance = r.sputtered_atoms - r.redeposited_atoms - r.implanted_atoms;
    assert!(
        (missing - balance).abs() < 0.02 * r.sputtered_atoms,
        "height-derived {missing:.1} atoms vs counted {balance:.1} ({r:?})"
    );
    let deepest = s.grid.surface_nm.iter().copied().fold(0.0, f64::min);
    assert!(deepest < -15.0, "milled through the film: {deepest}");
}

/// A symmetric scan (one module, points symmetric about its centre) gives a pit symmetric
/// under both mirror axes and the diagonal, to round-off (redeposition off: it is random).
#[test]
fn symmetric_scan_gives_symmetric_pit() {
    let (layout, beam) = single_module(0.01, ScanOrder::Raster);
    let mut s = specimen(60, 2.0);
    let (dose, _) = pass_dose(60, 60, 2.0, &layout, &|c, r| c == 1 && r == 1, &beam);
    let responses = vec![Some(response(3.0)), Some(response(2.0))];
    mill_fast(&mut s, &dose, 1000.0, &responses, &options(0.0, true), 7);
    let z = |i: usize, j: usize| s.grid.surface_nm[j * 60 + i];
    let scale = z(30, 30).abs();
    assert!(scale > 5.0);
    for j in 0..60 {
        for i in 0..60 {
            for (a, b) in [
                (z(i, j), z(59 - i, j)),
                (z(i, j), z(i, 59 - j)),
                (z(i, j), z(j, i)),
            ] {
                assert!(
                    (a - b).abs() < 1e-9 * scale,
                    "asymmetry at ({i},{j}): {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn emission_is_a_cosine_law_about_the_local_normal() {
    // Flat surface: the frame is (x̂, ŷ, ẑ), as for emission about the vertical.
    let (c, sn, phi) = (0.6f64, 0.8f64, 0.3f64);
    let d = emission_direction((0.0, 0.0), c, sn, phi);
    for (a, b) in [d.0, d.1, d.2]
        .iter()
        .zip([sn * phi.cos(), sn * phi.sin(), c])
    {
        assert!((a - b).abs() < 1e-15, "{d:?}");
    }
    // Tilted surfaces, up to an 84° wall: unit vectors at polar angle θ from the outward
    // normal, and the normal itself for θ = 0.
    for grad in [(1.0, 0.0), (-0.5, 2.0), (0.0, -10.0), (3.0, 3.0)] {
        let norm = (1.0f64 + grad.0 * grad.0 + grad.1 * grad.1).sqrt();
        let n = [-grad.0 / norm, -grad.1 / norm, 1.0 / norm];
        let along = emission_direction(grad, 1.0, 0.0, 1.0);
        assert!((along.0 - n[0]).abs() + (along.1 - n[1]).abs() + (along.2 - n[2]).abs() < 1e-12);
        for k in 0..16 {
            let phi = k as f64 * 0.4;
            let d = emission_direction(grad, c, sn, phi);
            let len = (d.0 * d.0 + d.1 * d.1 + d.2 * d.2).sqrt();
            let cos_n = d.0 * n[0] + d.1 * n[1] + d.2 * n[2];
            assert!(
                (len - 1.0).abs() < 1e-12 && (cos_n - c).abs() < 1e-12,
                "{grad:?} {d:?}"
            );
        }
    }
}

/// Line-of-sight transport against the analytic escape probability: atoms leaving the
/// centre of a flat-bottomed circular pit of radius a and depth d with a cosine law escape
/// with probability sin²α = a²/(a² + d²) (α the half-angle of the opening); the rest land
/// (sticking 1). Here a = 12 nm, d = 12 nm: ½. (On the flat floor the normal is vertical, so
/// this checks the transport, not the emission frame; that is the test above.)
#[test]
fn redeposition_from_a_pit_floor_matches_the_view_factor() {
    let (cells, cell) = (64usize, 0.5);
    let mut s = specimen(cells, cell);
    let (a, d) = (12.0, 12.0);
    let centre = 0.5 * cells as f64 * cell;
    for j in 0..cells {
        for i in 0..cells {
            let (x, y) = ((i as f64 + 0.5) * cell, (j as f64 + 0.5) * cell);
            if (x - centre).hypot(y - centre) < a {
                let k = s.grid.index(i, j);
                s.grid.surface_nm[k] = -d;
            }
        }
    }
    // A 2 × 2-cell source at the centre of the floor (flat there, so the normal is ẑ).
    let mut source = vec![0.0; cells * cells];
    for (i, j) in [(31, 31), (32, 31), (31, 32), (32, 32)] {
        source[j * cells + i] = 1.0;
    }
    let opts = FastMillOptions {
        redeposition_samples: 200_000,
        ..options(1.0, false)
    };
    let (mut deposited, mut raw, mut scratch) = (
        vec![0.0; cells * cells],
        vec![0.0; cells * cells],
        vec![0.0; cells * cells],
    );
    redeposit(
        &s,
        &source,
        &opts,
        7,
        0,
        &mut deposited,
        &mut raw,
        &mut scratch,
    );
    let landed: f64 = raw.iter().sum::<f64>() / source.iter().sum::<f64>();
    // The bilinear height field ramps the rim from the last floor cell centre to the first
    // top cell centre, so the opening's radius lies between a and a + one cell: the landed
    // fraction must lie between the two view factors (measured 0.4855), give or take
    // the Monte Carlo error of 2·10⁵ samples (±0.0011).
    let landed_for = |r: f64| 1.0 - r * r / (r * r + d * d);
    let (lo, hi) = (landed_for(a + cell) - 0.004, landed_for(a) + 0.004);
    assert!(
        (lo..=hi).contains(&landed),
        "landed {landed}, expected within [{lo}, {hi}]"
    );
}
