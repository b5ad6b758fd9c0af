//! Fast Monte Carlo milling (`[mill] model = "bca"`): the surface of the film grid evolves
//! under the beam with sputter yields, reflection, emission kernels and ranges taken from
//! binary-collision tables of the materials actually at the surface.
//!
//! Per step of dose D(x, y) [ions/nm²] (atom conservation for a height field: a column of
//! atomic density n_m loses Δz = ΔN/n_m for ΔN atoms removed per nm² of its projected area,
//! the beam arriving vertically; ../shared/design.md §2.3):
//!
//! 1. local slope θ (from the height field) and surface material m of every column;
//! 2. sputtered atoms S = D · Y_m(θ), spread laterally by the BCA emission kernel, a Gaussian of
//!    the kernel's measured σ (where atoms leave relative to where ions enter);
//! 3. redeposition: test atoms sampled from S leave with a cosine (Knudsen) direction about
//!    the local surface normal and fly in straight lines over the height field; one that
//!    meets the surface sticks with probability s (`sticking`), otherwise it is lost (no
//!    re-emission); the landing flux is smoothed by a Gaussian of 2 cells (kernel density
//!    estimate of the Monte Carlo flux);
//! 4. implanted ions: D (1 − R_m(θ)) per column stay as Ga in a near-surface layer of depth
//!    d = R_p + 2ΔR_p (BCA range), spread laterally by a Gaussian of the BCA lateral range
//!    straggle (per axis; without it Ga piles up where the ions arrive: on a 10 nm module the
//!    direct reference mode found half the Ga per nm² at the module centre, see
//!    `mill::validation`); the surface Ga fraction c = N_Ga / (n d + N_Ga) sets the
//!    share of Ga among sputtered atoms (preferential sputtering neglected);
//! 5. height change Δz = −(S_spread − D (1 − R) − redeposited) / n_m (every atom takes the
//!    volume 1/n_m of the surface material: swelling by Ga is counted at the host's atomic
//!    volume).
//!
//! Time stepping: all milled modules of a pass are exposed together (the pass dose pattern is
//! the dwell-point comb convolved with the spot); each step's dose, a fraction or a multiple of
//! a pass, is chosen adaptively so that the fastest-eroding column recedes at most
//! `max_step_fraction` of a cell (the CFL-type limit of a height-field update: slopes must not
//! change by O(1) within a step). Within this limit the result does not depend on the order in which points of a pass
//! are visited (it enters at second order), so raster and serpentine give the same surface.

use rand::RngExt;
use rayon::prelude::*;

use super::ModuleLayout;
use crate::beam::Beam;
use crate::grid::{FilmGrid, Specimen};
use crate::rng::{self, Stream};

/// What the BCA tables say about one material under the beam's ion and energy.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MaterialResponse {
    /// Incidence angles of the table [deg], ascending.
    pub angles_deg: Vec<f64>,
    /// Total sputter yield per angle [atoms/ion].
    pub yield_total: Vec<f64>,
    /// Particle reflection coefficient per angle.
    pub reflection: Vec<f64>,
    /// σ of the lateral emission kernel at normal incidence [nm].
    pub emission_sigma_nm: f64,
    /// Depth of the implanted layer d = R_p + 2ΔR_p at normal incidence [nm].
    pub implant_depth_nm: f64,
    /// Lateral straggle of the implanted ions at normal incidence, per axis [nm].
    pub implant_lateral_sigma_nm: f64,
}

impl MaterialResponse {
    /// The response of a material from its BCA angular table: Y(θ) and R(θ) per angle, the
    /// emission-kernel σ (mean of x and y) and the implanted-layer depth R_p + 2ΔR_p at the
    /// table's first (most normal) angle.
    pub fn from_table(table: &crate::bca::AngularTable) -> Self {
        let first = &table.points[0].summary;
        MaterialResponse {
            angles_deg: table.points.iter().map(|p| p.angle_deg).collect(),
            yield_total: table.points.iter().map(|p| p.yield_total.mean).collect(),
            reflection: table
                .points
                .iter()
                .map(|p| p.summary.reflection.particle)
                .collect(),
            emission_sigma_nm: 0.5
                * (first.emission_kernel.sigma_x_nm + first.emission_kernel.sigma_y_nm),
            implant_depth_nm: first.range.depth_mean_nm + 2.0 * first.range.depth_straggle_nm,
            implant_lateral_sigma_nm: first.range.lateral_straggle_nm,
        }
    }

    /// The table interval holding `angle_deg` and the weight of its upper end: (k, f) with
    /// value = v[k−1](1 − f) + v[k] f; (0, 0) below the table, (last, 1) beyond it.
    fn bracket(&self, angle_deg: f64) -> (usize, f64) {
        let a = &self.angles_deg;
        if angle_deg <= a[0] {
            return (0, 0.0);
        }
        for k in 1..a.len() {
            if angle_deg <= a[k] {
                return (k, (angle_deg - a[k - 1]) / (a[k] - a[k - 1]));
            }
        }
        (a.len() - 1, 1.0)
    }

    fn at(values: &[f64], (k, f): (usize, f64)) -> f64 {
        if k == 0 {
            values[0]
        } else if f == 1.0 && k == values.len() - 1 {
            values[k]
        } else {
            values[k - 1] * (1.0 - f) + values[k] * f
        }
    }

    /// Y(θ) by linear interpolation, constant beyond the table.
    pub fn yield_at(&self, angle_deg: f64) -> f64 {
        Self::at(&self.yield_total, self.bracket(angle_deg))
    }

    /// R(θ) by linear interpolation.
    pub fn reflection_at(&self, angle_deg: f64) -> f64 {
        Self::at(&self.reflection, self.bracket(angle_deg))
    }

    /// (Y(θ), R(θ)) with one search of the table.
    pub fn yield_and_reflection_at(&self, angle_deg: f64) -> (f64, f64) {
        let b = self.bracket(angle_deg);
        (
            Self::at(&self.yield_total, b),
            Self::at(&self.reflection, b),
        )
    }
}

/// Numerical and physical options of the fast mode.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FastMillOptions {
    /// Sticking coefficient s of redepositing atoms, in [0, 1].
    pub sticking: f64,
    /// Test atoms per step for redeposition.
    pub redeposition_samples: usize,
    /// Largest erosion per step as a fraction of the cell (the stability limit, ≤ 0.5).
    pub max_step_fraction: f64,
    /// Track implanted Ga (swelling, surface Ga fraction).
    pub implant: bool,
}

/// The fast mode's report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FastMillReport {
    /// Time steps taken.
    pub steps: usize,
    /// Passes per step (fractional when a pass had to be split).
    pub passes_per_step: f64,
    /// Ions that landed on the grid.
    pub ions_on_grid: f64,
    /// Fraction of the ions that fell outside the field (tails at the field edge).
    pub ions_outside_fraction: f64,
    /// Atoms sputtered (leaving their column) [atoms].
    pub sputtered_atoms: f64,
    /// Of which redeposited on the surface [atoms].
    pub redeposited_atoms: f64,
    /// Ions retained as implanted atoms [atoms].
    pub implanted_atoms: f64,
    /// Net atoms removed from the grid, Σ n_m Δz A [atoms] (= sputtered − redeposited −
    /// implanted, to round-off).
    pub removed_atoms: f64,
}

/// Separable Gaussian convolution of a row-major field in f64 with zero outside the field.
pub fn blur_f64(field: &[f64], nx: usize, ny: usize, sigma_cells: f64) -> Vec<f64> {
    let mut out = vec![0.0; nx * ny];
    let mut tmp = vec![0.0; nx * ny];
    blur_f64_into(field, &mut out, &mut tmp, nx, ny, sigma_cells);
    out
}

/// [`blur_f64`] into caller-owned buffers (`out` and the scratch `tmp`, both nx·ny long), so
/// that time loops do not allocate.
pub fn blur_f64_into(
    field: &[f64],
    out: &mut [f64],
    tmp: &mut [f64],
    nx: usize,
    ny: usize,
    sigma_cells: f64,
) {
    if sigma_cells < 1e-3 {
        out.copy_from_slice(field);
        return;
    }
    // Truncated at 3σ (0.3 % of the mass beyond, restored by normalising the weights).
    let radius = (3.0 * sigma_cells).ceil() as isize;
    let weights: Vec<f64> = (-radius..=radius)
        .map(|d| (-(d * d) as f64 / (2.0 * sigma_cells * sigma_cells)).exp())
        .collect();
    let norm: f64 = weights.iter().sum();
    let weights: Vec<f64> = weights.iter().map(|w| w / norm).collect();
    // Row pass, tap by tap over the whole row (same per-element order of additions as an
    // element-wise loop over the taps, hence bit-identical to it; see the column pass).
    tmp.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        row.fill(0.0);
        let src = &field[j * nx..(j + 1) * nx];
        for (m, w) in weights.iter().enumerate() {
            let shift = m as isize - radius; // output i reads input i + shift
            let lo = (-shift).max(0) as usize;
            let hi = (nx as isize - shift).min(nx as isize).max(0) as usize;
            if lo >= hi {
                continue;
            }
            let input = &src[(lo as isize + shift) as usize..(hi as isize + shift) as usize];
            for (o, x) in row[lo..hi].iter_mut().zip(input) {
                *o += w * x;
            }
        }
    });
    let tmp: &[f64] = tmp;
    // Column pass with whole source rows as the inner loop (contiguous, vectorisable): every
    // output element still receives 0 + w₀x₀ + w₁x₁ + … in the same order as an element-wise
    // loop over the taps would give, so the result is bit-identical to it, but the memory is
    // read row by row instead of with a stride of nx per tap.
    out.par_chunks_mut(nx).enumerate().for_each(|(j, row)| {
        row.fill(0.0);
        for (m, w) in weights.iter().enumerate() {
            let jj = j as isize + m as isize - radius;
            if jj >= 0 && (jj as usize) < ny {
                let src = &tmp[jj as usize * nx..(jj as usize + 1) * nx];
                for (o, x) in row.iter_mut().zip(src) {
                    *o += w * x;
                }
            }
        }
    });
}

/// Ions per nm² that one pass over every milled module delivers to each cell, and the ions
/// per pass in total (on and off the grid).
pub fn pass_dose(
    grid_nx: usize,
    grid_ny: usize,
    cell_nm: f64,
    layout: &ModuleLayout,
    milled: &(dyn Fn(usize, usize) -> bool + Sync),
    beam: &Beam,
) -> (Vec<f64>, f64) {
    let (nx, ny) = (grid_nx, grid_ny);
    let mut comb = vec![0.0; nx * ny];
    let points = beam.dwell_points(layout.module_pitch_nm);
    let ions = beam.ions_per_dwell();
    let fm = layout.field_modules();
    let mut total = 0.0;
    for r in 0..fm {
        for c in 0..fm {
            if !milled(c, r) {
                continue;
            }
            for (dx, dy) in &points {
                let x = c as f64 * layout.module_pitch_nm + dx;
                let y = r as f64 * layout.module_pitch_nm + dy;
                // Bilinear deposit of the dwell's ions onto the four nearest cell centres.
                let (u, v) = (x / cell_nm - 0.5, y / cell_nm - 0.5);
                let (i0, j0) = (u.floor(), v.floor());
                let (fu, fv) = (u - i0, v - j0);
                for (di, dj, w) in [
                    (0, 0, (1.0 - fu) * (1.0 - fv)),
                    (1, 0, fu * (1.0 - fv)),
                    (0, 1, (1.0 - fu) * fv),
                    (1, 1, fu * fv),
                ] {
                    let (i, j) = (i0 as isize + di, j0 as isize + dj);
                    if i >= 0 && j >= 0 && (i as usize) < nx && (j as usize) < ny {
                        comb[j as usize * nx + i as usize] += ions * w;
                    }
                }
                total += ions;
            }
        }
    }
    let area = cell_nm * cell_nm;
    let spot = beam.spot;
    let core = blur_f64(&comb, nx, ny, spot.core_sigma_nm() / cell_nm);
    let dose: Vec<f64> = if spot.tail_weight > 0.0 {
        let tail = blur_f64(&comb, nx, ny, spot.tail_sigma_nm() / cell_nm);
        core.iter()
            .zip(&tail)
            .map(|(c, t)| ((1.0 - spot.tail_weight) * c + spot.tail_weight * t) / area)
            .collect()
    } else {
        core.iter().map(|c| c / area).collect()
    };
    (dose, total)
}

/// Mills the specimen with the pass dose pattern `dose_per_pass` [ions/nm²] repeated `passes`
/// times. `responses[m]` describes material m of the palette (None if it never reaches the
/// surface). `seed` keys the redeposition streams.
pub fn mill_fast(
    specimen: &mut Specimen,
    dose_per_pass: &[f64],
    passes: f64,
    responses: &[Option<MaterialResponse>],
    options: &FastMillOptions,
    seed: u64,
) -> FastMillReport {
    let (nx, ny, cell) = (
        specimen.grid.nx(),
        specimen.grid.ny(),
        specimen.grid.cell_nm(),
    );
    let area = cell * cell;
    let n_of: Vec<f64> = specimen
        .materials
        .iter()
        .map(|m| m.number_density_per_nm3())
        .collect();
    let response = |m: usize| {
        responses[m]
            .as_ref()
            .expect("a BCA response for every material of the stack")
    };
    let limit = options.max_step_fraction * cell;
    let (emission_sigma, implant_sigma) = top_kernels_nm(specimen, responses);

    let mut report = FastMillReport {
        steps: 0,
        passes_per_step: 0.0,
        ions_on_grid: dose_per_pass.iter().sum::<f64>() * area * passes,
        ions_outside_fraction: 0.0,
        sputtered_atoms: 0.0,
        redeposited_atoms: 0.0,
        implanted_atoms: 0.0,
        removed_atoms: 0.0,
    };
    // Buffers reused by every step (the loop does not allocate per cell).
    let cells = nx * ny;
    let mut per_column: Vec<(usize, f64, f64)> = vec![(0, 0.0, 0.0); cells];
    let mut sputtered = vec![0.0; cells];
    let mut spread = vec![0.0; cells];
    let mut deposited = vec![0.0; cells];
    let mut scratch = vec![0.0; cells];
    let mut implanted_raw = vec![0.0; cells];
    let mut implanted_spread = vec![0.0; cells];
    let mut done_passes = 0.0;
    while done_passes < passes {
        let grid = &specimen.grid;
        // 1–2: per pass, sputtered and implanted atoms per nm² of every column at the
        // current slopes and surface materials.
        per_column.par_iter_mut().enumerate().for_each(|(k, out)| {
            let d = dose_per_pass[k];
            let m = specimen.surface_material(k);
            *out = if d == 0.0 {
                (m, 0.0, 0.0)
            } else {
                let theta = grid.slope_angle_rad(k % nx, k / nx).to_degrees();
                let (y, r) = response(m).yield_and_reflection_at(theta);
                (m, d * y, d * (1.0 - r))
            };
        });
        for (s, c) in sputtered.iter_mut().zip(&per_column) {
            *s = c.1;
        }
        blur_f64_into(
            &sputtered,
            &mut spread,
            &mut scratch,
            nx,
            ny,
            emission_sigma / cell,
        );
        // Adaptive step: the fastest-eroding column recedes at most `limit` (the CFL-type
        // condition of the height-field update), never past the requested passes.
        // (A maximum does not depend on the order of evaluation, so in parallel.)
        let max_rate = (0..cells)
            .into_par_iter()
            .map(|k| spread[k] / n_of[per_column[k].0])
            .reduce(|| 0.0, f64::max);
        let remaining = passes - done_passes;
        let step_passes = if max_rate > 0.0 {
            remaining.min(limit / max_rate)
        } else {
            remaining
        };
        for s in spread.iter_mut() {
            *s *= step_passes;
        }
        // 4 (lateral part): implanted ions spread by the lateral range straggle.
        if options.implant {
            for (v, c) in implanted_raw.iter_mut().zip(&per_column) {
                *v = c.2;
            }
            blur_f64_into(
                &implanted_raw,
                &mut implanted_spread,
                &mut scratch,
                nx,
                ny,
                implant_sigma / cell,
            );
        }
        // 3: redeposition by line of sight.
        redeposit(
            specimen,
            &spread,
            options,
            seed,
            report.steps as u64,
            &mut deposited,
            &mut sputtered,
            &mut scratch,
        );
        // 4–5: update the columns.
        let fields = StepFields {
            per_column: &per_column,
            spread: &spread,
            deposited: &deposited,
            implanted_spread: &implanted_spread,
            area,
        };
        let partials = update_columns(
            &mut specimen.grid,
            &fields,
            step_passes,
            options.implant,
            &n_of,
            responses,
        );
        let removed_step: f64 = partials.iter().map(|p| p.0).sum();
        let implanted_step: f64 = partials.iter().map(|p| p.1).sum();
        report.sputtered_atoms += spread.iter().sum::<f64>() * area;
        report.redeposited_atoms += deposited.iter().sum::<f64>() * area;
        report.implanted_atoms += implanted_step * area;
        report.removed_atoms += removed_step;
        report.steps += 1;
        done_passes += step_passes;
    }
    report.passes_per_step = passes / report.steps as f64;
    report
}

/// Emission-kernel and implant-straggle widths [nm] of the top layer as deposited (or of the
/// substrate when there is no film): the lateral kernels of every step of [`mill_fast`].
fn top_kernels_nm(specimen: &Specimen, responses: &[Option<MaterialResponse>]) -> (f64, f64) {
    let top_response = specimen
        .stack
        .layers
        .first()
        .map(|l| l.material)
        .and_then(|m| responses[m].as_ref())
        .or_else(|| responses[specimen.stack.substrate].as_ref());
    (
        top_response.map_or(0.0, |r| r.emission_sigma_nm),
        top_response.map_or(0.0, |r| r.implant_lateral_sigma_nm),
    )
}

/// The per-column fields of one [`mill_fast`] step that the column update reads.
struct StepFields<'a> {
    /// (surface material, sputtered, implanted per pass) per column [atoms/nm²].
    per_column: &'a [(usize, f64, f64)],
    /// Sputtered atoms leaving each column this step, after the emission blur [atoms/nm²].
    spread: &'a [f64],
    /// Redeposited atoms landing on each column this step [atoms/nm²].
    deposited: &'a [f64],
    /// Implanted ions per pass after the lateral straggle [ions/nm²].
    implanted_spread: &'a [f64],
    /// Cell area [nm²].
    area: f64,
}

/// Steps 4–5 of [`mill_fast`]: moves every surface by its net loss and updates the implant,
/// in parallel over fixed row blocks whose partial (removed atoms, implanted per nm²) are
/// returned in block order (the same totals for any thread count).
fn update_columns(
    grid: &mut FilmGrid,
    f: &StepFields,
    step_passes: f64,
    implant: bool,
    n_of: &[f64],
    responses: &[Option<MaterialResponse>],
) -> Vec<(f64, f64)> {
    let nx = grid.nx();
    let response = |m: usize| {
        responses[m]
            .as_ref()
            .expect("a BCA response for every material of the stack")
    };
    grid.surface_nm
        .par_chunks_mut(UPDATE_BLOCK_ROWS * nx)
        .zip(
            grid.implanted_per_nm2
                .par_chunks_mut(UPDATE_BLOCK_ROWS * nx),
        )
        .enumerate()
        .map(|(b, (surface, ga_field))| {
            let (mut removed, mut implanted_sum) = (0.0, 0.0);
            for (o, (z, ga_cell)) in surface.iter_mut().zip(ga_field.iter_mut()).enumerate() {
                let k = b * UPDATE_BLOCK_ROWS * nx + o;
                let m = f.per_column[k].0;
                let implanted = if implant {
                    f.implanted_spread[k] * step_passes
                } else {
                    0.0
                };
                implanted_sum += implanted;
                let net_atoms_per_nm2 = f.spread[k] - implanted - f.deposited[k];
                if net_atoms_per_nm2 == 0.0 {
                    continue;
                }
                if implant {
                    let host = n_of[m] * response(m).implant_depth_nm;
                    let ga = *ga_cell;
                    let c = ga / (host + ga);
                    *ga_cell = (ga + implanted - c * f.spread[k]).max(0.0);
                }
                *z -= net_atoms_per_nm2 / n_of[m];
                removed += net_atoms_per_nm2 * f.area;
            }
            (removed, implanted_sum)
        })
        .collect()
}

/// Line-of-sight redeposition: atoms per nm² that land on each column this step.
#[allow(clippy::too_many_arguments)]
fn redeposit(
    specimen: &Specimen,
    source: &[f64],
    options: &FastMillOptions,
    seed: u64,
    step: u64,
    deposited: &mut [f64],
    landings_raw: &mut [f64],
    scratch: &mut [f64],
) {
    let grid = &specimen.grid;
    let (nx, ny, cell) = (grid.nx(), grid.ny(), grid.cell_nm());
    landings_raw.fill(0.0);
    deposited.fill(0.0);
    let total: f64 = source.iter().sum();
    if options.sticking == 0.0 || total == 0.0 || options.redeposition_samples == 0 {
        return;
    }
    // Cumulative distribution of emission over columns.
    let mut acc = 0.0;
    for (c, s) in scratch.iter_mut().zip(source) {
        acc += s;
        *c = acc;
    }
    let cumulative: &[f64] = scratch;
    let z_top = grid
        .surface_nm
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    // Highest surface under each block of SKIP_BLOCK_CELLS² cells, including the ring of
    // neighbouring cells that the bilinear surface inside the block interpolates from.
    let blocks_x = nx.div_ceil(SKIP_BLOCK_CELLS);
    let blocks_y = ny.div_ceil(SKIP_BLOCK_CELLS);
    let block_max: Vec<f64> = (0..blocks_x * blocks_y)
        .into_par_iter()
        .map(|b| {
            let (bi, bj) = (b % blocks_x, b / blocks_x);
            let i_range = (bi * SKIP_BLOCK_CELLS).saturating_sub(1)
                ..((bi + 1) * SKIP_BLOCK_CELLS + 1).min(nx);
            let j_range = (bj * SKIP_BLOCK_CELLS).saturating_sub(1)
                ..((bj + 1) * SKIP_BLOCK_CELLS + 1).min(ny);
            j_range
                .flat_map(|j| i_range.clone().map(move |i| (i, j)))
                .map(|(i, j)| grid.surface_nm[j * nx + i])
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let samples = options.redeposition_samples;
    let weight_per_sample = total / samples as f64; // atoms/nm² × cells
    // Draw every sample's random numbers in a fixed order (reproducible), locate the emitting
    // columns by one sweep over the sorted draws, then trace the rays in parallel.
    let mut rng = rng::stream(seed, Stream::MillRedeposition, step);
    let draws: Vec<[f64; 6]> = (0..samples)
        .map(|_| std::array::from_fn(|_| rng.random::<f64>()))
        .collect();
    let mut order: Vec<usize> = (0..samples).collect();
    order.sort_by(|a, b| draws[*a][0].total_cmp(&draws[*b][0]));
    let mut column = vec![0usize; samples];
    let mut k = 0;
    for &s in &order {
        let u = draws[s][0] * acc;
        while k + 1 < nx * ny && cumulative[k] < u {
            k += 1;
        }
        column[s] = k;
    }
    let landings: Vec<Option<usize>> = (0..samples)
        .into_par_iter()
        .map(|s| {
            let [_, ux, uy, ucos, uphi, ustick] = draws[s];
            if ustick >= options.sticking {
                return None;
            }
            let (i, j) = (column[s] % nx, column[s] / nx);
            // Emission point: uniform in the cell, just above the surface.
            let x0 = (i as f64 + ux) * cell;
            let y0 = (j as f64 + uy) * cell;
            let z0 = grid.surface_at(x0, y0) + 1e-6;
            // Cosine law about the local outward normal: cos θ = √ξ (Knudsen), azimuth
            // uniform. About the vertical instead, atoms sputtered from steep pit walls (where
            // Y(θ) is largest) would leave upwards and escape; the direct reference mode, which
            // emits each atom in its own BCA direction, redeposited 55 % of them at 690
            // ions/nm² (`mill::validation`).
            let cos_t = ucos.sqrt();
            let sin_t = (1.0 - cos_t * cos_t).sqrt();
            let phi = 2.0 * std::f64::consts::PI * uphi;
            let (dx, dy, dz) = emission_direction(grid.surface_gradient(i, j), cos_t, sin_t, phi);
            // March in half-cell steps (t = n·ds) until the ray is above every surface or
            // leaves the field (a descending ray, emitted from a steep wall, ends on the
            // surface or at the field edge). A rising ray (dz ≥ 0) above the highest surface
            // of a block stays above it until it leaves the block: those samples cannot hit
            // and are skipped to the first sample beyond the block — the same samples are
            // tested as by a plain march, only the misses are not evaluated.
            let ds = 0.5 * cell;
            let mut n: u64 = 1;
            loop {
                let t = n as f64 * ds;
                let (x, y, z) = (x0 + dx * t, y0 + dy * t, z0 + dz * t);
                if z > z_top || x < 0.0 || y < 0.0 || x >= nx as f64 * cell || y >= ny as f64 * cell
                {
                    return None;
                }
                let (ci, cj) = ((x / cell) as usize, (y / cell) as usize);
                let (bi, bj) = (ci / SKIP_BLOCK_CELLS, cj / SKIP_BLOCK_CELLS);
                if dz >= 0.0 && z > block_max[bj * blocks_x + bi] {
                    let edge = |b: usize, d: f64, p: f64| {
                        let lo = (b * SKIP_BLOCK_CELLS) as f64 * cell;
                        let hi = ((b + 1) * SKIP_BLOCK_CELLS) as f64 * cell;
                        if d > 0.0 {
                            (hi - p) / d
                        } else if d < 0.0 {
                            (lo - p) / d
                        } else {
                            f64::INFINITY
                        }
                    };
                    let t_exit = t + edge(bi, dx, x).min(edge(bj, dy, y));
                    // Saturating float→int cast: a vertical ray jumps beyond z_top.
                    n = (n + 1).max((t_exit / ds).ceil() as u64);
                    continue;
                }
                if z < grid.surface_at(x, y) {
                    return Some(cj.min(ny - 1) * nx + ci.min(nx - 1));
                }
                n += 1;
            }
        })
        .collect();
    for landing in landings.into_iter().flatten() {
        landings_raw[landing] += weight_per_sample;
    }
    // Each test atom stands for many real ones: spread its landing over a Gaussian footprint
    // of σ = 2 cells so that single samples do not raise cell-sized spikes (a kernel density
    // estimate of the landing flux; atoms are conserved away from the field edge).
    blur_f64_into(
        landings_raw,
        deposited,
        scratch,
        nx,
        ny,
        REDEPOSITION_FOOTPRINT_CELLS,
    );
}

/// Unit direction at polar angle θ (cos θ, sin θ) and azimuth φ about the outward normal of a
/// surface with gradient (∂z/∂x, ∂z/∂y): the normal n = (−∂z/∂x, −∂z/∂y, 1)/|·| and two
/// tangents t₁ (in the plane of n and x̂, or x̂ itself on a flat surface) and t₂ = n × t₁.
fn emission_direction(
    (dzdx, dzdy): (f64, f64),
    cos_t: f64,
    sin_t: f64,
    phi: f64,
) -> (f64, f64, f64) {
    let norm = (1.0 + dzdx * dzdx + dzdy * dzdy).sqrt();
    let n = [-dzdx / norm, -dzdy / norm, 1.0 / norm];
    // t₁ = x̂ − (x̂·n) n, normalised (never degenerate: n_z ≥ 1/norm > 0 keeps n off x̂).
    let t1 = [1.0 - n[0] * n[0], -n[0] * n[1], -n[0] * n[2]];
    let l1 = (t1[0] * t1[0] + t1[1] * t1[1] + t1[2] * t1[2]).sqrt();
    let t1 = [t1[0] / l1, t1[1] / l1, t1[2] / l1];
    let t2 = [
        n[1] * t1[2] - n[2] * t1[1],
        n[2] * t1[0] - n[0] * t1[2],
        n[0] * t1[1] - n[1] * t1[0],
    ];
    let (a, b) = (sin_t * phi.cos(), sin_t * phi.sin());
    (
        a * t1[0] + b * t2[0] + cos_t * n[0],
        a * t1[1] + b * t2[1] + cos_t * n[1],
        a * t1[2] + b * t2[2] + cos_t * n[2],
    )
}

/// Rows per block of the parallel column update (fixed, so partial sums do not depend on the
/// thread count).
const UPDATE_BLOCK_ROWS: usize = 16;

/// Side of the blocks whose highest surface lets a redeposition ray skip samples [cells].
const SKIP_BLOCK_CELLS: usize = 8;

/// σ of the kernel that smooths the Monte Carlo landing flux [cells].
const REDEPOSITION_FOOTPRINT_CELLS: f64 = 2.0;

#[cfg(test)]
mod tests;
