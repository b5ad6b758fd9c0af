//! Composition carried by surface transport (issue 17 item 4).
//!
//! The surface solvers return the new outer surface h' of a step; this module moves the
//! *material* that makes the change, so that film material flowing onto an exposed substrate
//! becomes a covering layer of finite thickness instead of the substrate relabelled by height.
//!
//! **Flux.** Capillary surface diffusion moves material with the flux J = B ∇(∇²h) (Mullins,
//! J. Appl. Phys. 28 (1957) 333; small-slope form), the gradient of a scalar; integrated over a
//! step with one B (the linear propagator), the transported volume per unit length is therefore
//! the gradient field J̄ = −∇ψ whose divergence is the step's height change, ∇²ψ = Δh. On the grid
//! ψ solves the discrete Poisson equation Σ_n (ψ_n − ψ_k) = Δh_k over the four neighbours n of
//! column k (periodic, as the propagators), by FFT with the eigenvalues
//! λ = −4 [sin²(k_x c/2) + sin²(k_y c/2)] of the five-point Laplacian, and the volume crossing the
//! face k → n (in nm of column height) is ψ_k − ψ_n; the face volumes sum to Δh_k in every column
//! to FFT round-off. Where mobility varies per column (the nonlinear solver's harmonic-mean face
//! mobility) the true flux differs from this curl-free one by a divergence-free part, which moves
//! no net volume; its circulation of composition is neglected (stated limit).
//!
//! **Donor-cell (upwind) advection.** Each column gives away the top O_k of its strata, O_k the
//! sum of its outgoing face volumes, peeled from the outer surface down ([`Specimen::strata`]:
//! oxide skin, transported cover as one mixed layer, in-situ film, substrate); every outgoing
//! face carries the fraction (face volume)/O_k of that composition. A receiving column adds what
//! arrives to its cover (kind by kind). Every volume removed is added elsewhere, so each kind's
//! volume is conserved exactly up to floating-point summation (test: 1e-9 relative per step).
//! First order in the cell. A face volume larger than what a column holds of its top material
//! would let a column give away material that in reality only passes through it (film flowing
//! over a glass floor would peel the glass); the step's face volumes are therefore applied in
//! N equal passes, N the smallest number with every column's outflow per pass at most
//! [`MAX_PASS_LAYER_NM`] (capped at [`MAX_PASSES`]), so what arrives in one pass is what leaves
//! in the next.
//!
//! **Order within a step.** Peeling before deposition: a column that both loses and gains
//! (through different faces) gives away its old top and receives on top of what remains.

use rayon::prelude::*;
use rustfft::num_complex::Complex64;

use super::spectral::Spectral2d;
use crate::grid::{Specimen, Stratum};

/// Largest thickness a column gives away in one advection pass [nm]: the SE escape depth of the
/// library's conductors (1 nm, CrN), the depth resolution the readout has of composition.
pub const MAX_PASS_LAYER_NM: f64 = 1.0;

/// Most advection passes per transport step (bounds the cost; beyond it passes are thicker).
pub const MAX_PASSES: usize = 64;

/// Stratum kinds of a specimen, indexed by [`kind_slot`]: material m at m, its oxide at n + m.
fn kind_of_slot(slot: usize, n_materials: usize) -> Stratum {
    if slot < n_materials {
        Stratum::Material(slot)
    } else {
        Stratum::OxideOf(slot - n_materials)
    }
}

fn kind_slot(kind: Stratum, n_materials: usize) -> usize {
    match kind {
        Stratum::Material(m) => m,
        Stratum::OxideOf(m) => n_materials + m,
    }
}

/// Volume of the top `amount_nm` of column k by kind slot (length 2n), peeled in the order of
/// [`Specimen::strata`]; the cover is a mixed layer, so it gives each of its kinds in proportion.
fn top_composition(specimen: &Specimen, k: usize, amount_nm: f64, out: &mut [f64]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    if amount_nm <= 0.0 {
        return;
    }
    let n = specimen.materials.len();
    let g = &specimen.grid;
    let mut left = amount_nm;
    let skin = g.oxide_nm[k];
    let host = specimen.surface_material(k);
    if skin > 0.0 {
        let take = skin.min(left);
        out[kind_slot(Stratum::OxideOf(host), n)] += take;
        left -= take;
    }
    let cover = g.cover_total_nm(k);
    if left > 0.0 && cover > 0.0 {
        let take = cover.min(left);
        for (kind, v) in &g.cover_nm {
            out[kind_slot(*kind, n)] += take * v[k] / cover;
        }
        left -= take;
    }
    if left > 0.0 {
        // The in-situ strata from the top (as `FilmStack::remaining_below`, without allocating).
        let base = g.in_situ_top_nm(k);
        let mut top = f64::INFINITY;
        let mut bottom = 0.0;
        for layer in &specimen.stack.layers {
            bottom -= layer.thickness_nm;
            let t = base.min(top) - bottom;
            if t > 0.0 {
                let take = t.min(left);
                out[layer.material] += take;
                left -= take;
                if left <= 0.0 {
                    return;
                }
            }
            top = bottom;
        }
        out[specimen.stack.substrate] += left;
    }
}

/// Removes the top `amount_nm` of column k (skin, then cover in proportion, then in-situ).
fn peel(specimen: &mut Specimen, k: usize, amount_nm: f64) {
    let g = &mut specimen.grid;
    let mut left = amount_nm;
    let take = g.oxide_nm[k].min(left);
    g.oxide_nm[k] -= take;
    left -= take;
    if left <= 0.0 {
        return;
    }
    let cover = g.cover_total_nm(k);
    if cover > 0.0 {
        let take = cover.min(left);
        let keep = 1.0 - take / cover;
        for (_, v) in &mut g.cover_nm {
            v[k] *= keep;
        }
        g.surface_nm[k] -= take;
        left -= take;
    }
    // In-situ material: lowering the surface lowers the in-situ top by the same amount.
    g.surface_nm[k] -= left.max(0.0);
}

/// Face volumes (east, south) leaving each column [nm of column height], positive from k to
/// its east / south neighbour, such that inflow − outflow = Δh − mean(Δh) in every column.
fn face_flows(spectral: &Spectral2d, dh: &[f64], nx: usize, ny: usize) -> (Vec<f64>, Vec<f64>) {
    let mean = dh.iter().sum::<f64>() / dh.len() as f64;
    let centred: Vec<f64> = dh.iter().map(|d| d - mean).collect();
    let mut spec = spectral.forward(&centred);
    // Discrete Laplacian eigenvalue at FFT indices (ix, iy), spectrum transposed.
    let lambda = |i: usize, n: usize| {
        let s = (std::f64::consts::PI * i as f64 / n as f64).sin();
        4.0 * s * s
    };
    let ly: Vec<f64> = (0..ny).map(|iy| lambda(iy, ny)).collect();
    spec.par_chunks_mut(ny).enumerate().for_each(|(ix, row)| {
        let lx = lambda(ix, nx);
        for (c, &l_y) in row.iter_mut().zip(&ly) {
            let l = lx + l_y;
            *c = if l > 1e-300 {
                *c / Complex64::new(-l, 0.0)
            } else {
                Complex64::new(0.0, 0.0)
            };
        }
    });
    let mut psi = vec![0.0; nx * ny];
    spectral.inverse(spec, &mut psi);
    let east: Vec<f64> = (0..nx * ny)
        .map(|k| {
            let (i, j) = (k % nx, k / nx);
            psi[k] - psi[j * nx + (i + 1) % nx]
        })
        .collect();
    let south: Vec<f64> = (0..nx * ny)
        .map(|k| {
            let (i, j) = (k % nx, k / nx);
            psi[k] - psi[((j + 1) % ny) * nx + i]
        })
        .collect();
    (east, south)
}

/// Moves the composition that makes the surface change `before` → `after` (outer heights per
/// column [nm], the surface solver's input and output for one step): donor columns lose the top
/// of their strata, receivers gain it as cover. The outer surface afterwards equals `after` to
/// FFT round-off; the residual mean change (zero for the volume-conserving solvers, kept for
/// safety) is applied to every column's top as before issue 17 item 4.
pub fn carry(
    specimen: &mut Specimen,
    spectral: &Spectral2d,
    before: &[f64],
    after: &[f64],
    work: &mut CarryWork,
) {
    let (nx, ny) = (specimen.grid.nx(), specimen.grid.ny());
    let cells = nx * ny;
    let dh: Vec<f64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    let mean = dh.iter().sum::<f64>() / cells as f64;
    if dh.iter().all(|d| *d == 0.0) {
        return;
    }
    let (mut east, mut south) = face_flows(spectral, &dh, nx, ny);
    let west = |k: usize| (k / nx) * nx + (k % nx + nx - 1) % nx;
    let north = |k: usize| ((k / nx + ny - 1) % ny) * nx + k % nx;
    let nk = 2 * specimen.materials.len();
    // Outflow of every column.
    let outflow: Vec<f64> = (0..cells)
        .into_par_iter()
        .map(|k| {
            east[k].max(0.0)
                + south[k].max(0.0)
                + (-east[west(k)]).max(0.0)
                + (-south[north(k)]).max(0.0)
        })
        .collect();
    let max_out = outflow.iter().cloned().fold(0.0, f64::max);
    let passes = ((max_out / MAX_PASS_LAYER_NM).ceil() as usize).clamp(1, MAX_PASSES);
    let f = 1.0 / passes as f64;
    east.iter_mut()
        .chain(south.iter_mut())
        .for_each(|v| *v *= f);
    let outflow: Vec<f64> = outflow.iter().map(|o| o * f).collect();
    let n = specimen.materials.len();
    let slots: Vec<usize> = (0..nk)
        .map(|s| specimen.grid.cover_slot(kind_of_slot(s, n)))
        .collect();
    let buffers = work.buffers(cells, nk);
    for _ in 0..passes {
        advect_pass(specimen, &east, &south, &outflow, &slots, buffers);
    }
    // The mean change (round-off of a conserving solver, applied only above 1e-12 nm) at the
    // top of every column.
    for k in (0..cells).filter(|_| mean.abs() > 1e-12) {
        if mean < 0.0 {
            peel(specimen, k, -mean);
        } else if mean > 0.0 {
            specimen.grid.surface_nm[k] += mean;
        }
    }
    // Drop kinds that never received anything (keeps the grid's memory as before).
    specimen
        .grid
        .cover_nm
        .retain(|(_, v)| v.iter().any(|x| *x > 0.0));
}

/// Work arrays of [`carry`], kept by the caller across transport steps: allocating and
/// zeroing them per step (≈ 95 MB on the record's 888² columns) took 15–18 % of an aging run
/// (page faults and memset, `perf` on the record calibration). Every entry a pass reads is
/// written earlier in the same pass, so reuse changes no number.
#[derive(Debug, Default)]
pub struct CarryWork {
    buffers: Option<PassBuffers>,
}

impl CarryWork {
    /// The pass buffers for `cells` columns and `nk` kind slots (reallocated on a new shape).
    fn buffers(&mut self, cells: usize, nk: usize) -> &mut PassBuffers {
        let fits = self
            .buffers
            .as_ref()
            .is_some_and(|b| b.given.len() == cells * nk && b.state.len() == cells * (3 + nk));
        if !fits {
            self.buffers = Some(PassBuffers::new(cells, nk));
        }
        self.buffers.as_mut().expect("just set")
    }
}

/// Work arrays of [`advect_pass`], reused by every pass of every [`carry`] of a run (a pass over
/// the record's 888² columns would otherwise allocate ~75 MB and one small vector per changing
/// column).
#[derive(Debug)]
struct PassBuffers {
    /// What each column gives away, by kind slot (cells × nk).
    given: Vec<f64>,
    /// What each column receives, by kind slot (cells × nk).
    received: Vec<f64>,
    /// Per column: [changed flag (1 or 0), surface, oxide, cover by slot …] (cells × (3 + nk)).
    state: Vec<f64>,
}

impl PassBuffers {
    fn new(cells: usize, nk: usize) -> Self {
        PassBuffers {
            given: vec![0.0; cells * nk],
            received: vec![0.0; cells * nk],
            state: vec![0.0; cells * (3 + nk)],
        }
    }
}

/// One donor-cell pass: every column gives away `outflow` from its top, split over its
/// outgoing faces, and keeps what its incoming faces bring as cover.
fn advect_pass(
    specimen: &mut Specimen,
    east: &[f64],
    south: &[f64],
    outflow: &[f64],
    slots: &[usize],
    buffers: &mut PassBuffers,
) {
    let (nx, ny) = (specimen.grid.nx(), specimen.grid.ny());
    let nk = slots.len();
    let west = |k: usize| (k / nx) * nx + (k % nx + nx - 1) % nx;
    let north = |k: usize| ((k / nx + ny - 1) % ny) * nx + k % nx;
    let PassBuffers {
        given,
        received,
        state,
    } = buffers;
    {
        let spec: &Specimen = specimen;
        given
            .par_chunks_mut(nk)
            .enumerate()
            .for_each(|(k, out)| top_composition(spec, k, outflow[k], out));
    }
    // Inflow per kind: each incoming face brings (face volume / donor outflow) of the donor's
    // composition.
    let given: &[f64] = given;
    received
        .par_chunks_mut(nk)
        .enumerate()
        .for_each(|(k, inc)| {
            inc.iter_mut().for_each(|x| *x = 0.0);
            let faces = [
                (west(k), east[west(k)]),
                (north(k), south[north(k)]),
                (k / nx * nx + (k % nx + 1) % nx, -east[k]),
                (((k / nx + 1) % ny) * nx + k % nx, -south[k]),
            ];
            for (donor, v) in faces {
                if v > 0.0 && outflow[donor] > 0.0 {
                    let f = v / outflow[donor];
                    for (x, g) in inc.iter_mut().zip(&given[donor * nk..(donor + 1) * nk]) {
                        *x += f * g;
                    }
                }
            }
        });
    // New (surface, oxide, cover by slot) of every column that changes, in parallel; then
    // written back.
    let received: &[f64] = received;
    let spec: &Specimen = specimen;
    state
        .par_chunks_mut(3 + nk)
        .enumerate()
        .for_each(|(k, out)| {
            let inc = &received[k * nk..(k + 1) * nk];
            if outflow[k] <= 0.0 && inc.iter().all(|x| *x <= 0.0) {
                out[0] = 0.0;
                return;
            }
            out[0] = 1.0;
            let g = &spec.grid;
            let (head, cover) = out.split_at_mut(3);
            for (c, &sl) in cover.iter_mut().zip(slots) {
                *c = g.cover_nm[sl].1[k];
            }
            let mut surface = g.surface_nm[k];
            let mut oxide = g.oxide_nm[k];
            // Peel: skin, then the cover in proportion, then the in-situ strata.
            let mut left = outflow[k];
            let take = oxide.min(left);
            oxide -= take;
            left -= take;
            let total: f64 = cover.iter().sum();
            if left > 0.0 && total > 0.0 {
                let take = total.min(left);
                let keep = 1.0 - take / total;
                cover.iter_mut().for_each(|c| *c *= keep);
                surface -= take;
                left -= take;
            }
            surface -= left.max(0.0);
            // Deposit what arrives as cover.
            for (c, x) in cover.iter_mut().zip(inc) {
                if *x > 0.0 {
                    *c += x;
                    surface += x;
                }
            }
            head[1] = surface;
            head[2] = oxide;
        });
    let state: &[f64] = state;
    let width = 3 + nk;
    let g = &mut specimen.grid;
    g.surface_nm
        .par_iter_mut()
        .zip(g.oxide_nm.par_iter_mut())
        .enumerate()
        .for_each(|(k, (surface, oxide))| {
            let row = &state[k * width..(k + 1) * width];
            if row[0] != 0.0 {
                *surface = row[1];
                *oxide = row[2];
            }
        });
    for (i, &sl) in slots.iter().enumerate() {
        g.cover_nm[sl]
            .1
            .par_iter_mut()
            .enumerate()
            .for_each(|(k, c)| {
                let row = &state[k * width..(k + 1) * width];
                if row[0] != 0.0 {
                    *c = row[3 + i];
                }
            });
    }
}

/// Volume of every stratum kind in the specimen above the height `floor_nm` [nm³ per cell
/// area, i.e. summed nm of column height], by kind slot (material m at m, its oxide at n + m):
/// the conserved quantities of [`carry`] (test support and diagnostics).
pub fn kind_volumes(specimen: &Specimen, floor_nm: f64) -> Vec<f64> {
    let n = specimen.materials.len();
    let stack = &specimen.stack;
    let substrate_top = if stack.layers.is_empty() {
        0.0
    } else {
        stack.layer_bottom_z_nm(stack.layers.len() - 1)
    };
    let mut v = vec![0.0; 2 * n];
    for k in 0..specimen.grid.surface_nm.len() {
        let base = specimen.grid.in_situ_top_nm(k);
        for (kind, t) in specimen.strata(k) {
            let t = if t.is_infinite() {
                base.min(substrate_top) - floor_nm
            } else {
                t
            };
            v[kind_slot(kind, n)] += t;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::age::surface::{Capillary, propagate_linear};

    /// 15 nm CrN on glass, 32 × 32 cells of 2 nm, a square pit 16 cells wide milled 20 nm deep
    /// (glass floor), native oxide on the CrN.
    fn pit() -> Specimen {
        let n = 32;
        let mut s = crate::testkit::crn_on_glass(n, 2.0);
        for k in 0..n * n {
            let (i, j) = (k % n, k / n);
            if (8..24).contains(&i) && (8..24).contains(&j) {
                s.grid.surface_nm[k] = -20.0;
            }
        }
        crate::age::grow_native_oxide(&mut s);
        s
    }

    fn step(s: &mut Specimen, spectral: &Spectral2d, b_nm4: f64) {
        let before = crate::age::metrics::outer_surface_nm(s);
        let mut after = before.clone();
        propagate_linear(
            spectral,
            &mut after,
            s.grid.cell_nm(),
            &Capillary::surface_only(b_nm4),
        );
        carry(s, spectral, &before, &after, &mut CarryWork::default());
        let outer = crate::age::metrics::outer_surface_nm(s);
        for (o, a) in outer.iter().zip(&after) {
            assert!((o - a).abs() < 1e-9, "outer {o} vs solver {a}");
        }
    }

    #[test]
    fn every_kind_is_conserved_to_1e_9_per_step() {
        let mut s = pit();
        let spectral = Spectral2d::new(32, 32);
        let floor = -100.0;
        for b in [10.0, 100.0, 1000.0, 5000.0] {
            let v0 = kind_volumes(&s, floor);
            step(&mut s, &spectral, b);
            let v1 = kind_volumes(&s, floor);
            let total: f64 = v0.iter().sum();
            for (slot, (a, c)) in v0.iter().zip(&v1).enumerate() {
                assert!(
                    (a - c).abs() <= 1e-9 * total.max(1.0),
                    "slot {slot}: {a} → {c} (B·t = {b} nm⁴)"
                );
            }
        }
        // Something moved: the glass floor next to the walls carries film material as cover.
        assert!(!s.grid.cover_nm.is_empty());
    }

    #[test]
    fn film_flowing_onto_the_glass_floor_covers_it_and_leaves_the_glass_in_place() {
        let mut s = pit();
        let spectral = Spectral2d::new(32, 32);
        step(&mut s, &spectral, 2000.0);
        let n = 32;
        // A floor column next to the wall: in-situ glass top still at or below −20 nm, the
        // rise is cover made of the film's kinds (CrN or its oxide), not glass.
        let k = 16 * n + 8;
        assert!(s.grid.in_situ_top_nm(k) <= -20.0 + 1e-9);
        let cover = s.grid.cover_total_nm(k);
        assert!(cover > 0.01, "cover {cover}");
        let glass_cover: f64 = s
            .grid
            .cover_nm
            .iter()
            .filter(|(kind, _)| *kind == Stratum::Material(1))
            .map(|(_, v)| v[k])
            .sum();
        assert!(glass_cover < 0.1 * cover, "{glass_cover} of {cover}");
        // The column no longer flips material at a height: its surface kind is the film's.
        assert_ne!(s.surface_stratum(k), Stratum::Material(1));
    }

    #[test]
    fn a_transported_crn_cover_oxidizes_with_its_own_law() {
        let mut s = pit();
        let n = 32;
        let k = 16 * n + 16;
        let slot = s.grid.cover_slot(Stratum::Material(0));
        s.grid.cover_nm[slot].1[k] = 2.0;
        s.grid.surface_nm[k] += 2.0;
        let mut per = vec![0.0; 2];
        per[0] = 1.0; // ∫k_p dt = 1 nm²: the oxide grows to 1 nm from none
        crate::age::oxidize_cover_for_test(&mut s, &per);
        let pbr = s.materials[0]
            .oxidation
            .as_ref()
            .unwrap()
            .pilling_bedworth_ratio
            .value;
        let ox: f64 = s
            .grid
            .cover_nm
            .iter()
            .filter(|(kind, _)| *kind == Stratum::OxideOf(0))
            .map(|(_, v)| v[k])
            .sum();
        assert!((ox - 1.0).abs() < 1e-12, "{ox}");
        assert!((s.grid.cover_total_nm(k) - (2.0 - 1.0 / pbr + 1.0)).abs() < 1e-12);
        assert!((s.grid.in_situ_top_nm(k) + 20.0).abs() < 1e-12);
    }
}
