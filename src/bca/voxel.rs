//! The cascade kernel driven through a 3-D voxel target of varying composition (the direct
//! milling reference, TRI3DYN-style: Möller, Nucl. Instrum. Methods B 322 (2014) 23).
//!
//! Same collision physics as the planar kernel ([`Simulation::collide`]: potentials,
//! scattering integral, local and nonlocal electronic stopping, cutoffs, full cascades); only
//! the geometry and composition lookups differ:
//!
//! - **Voxels.** Cubic voxels of edge c hold atoms per species (fractional counts). Each species
//!   j has a fixed atomic volume Ωⱼ [nm³], so a voxel's fill is f = Σⱼ Nⱼ Ωⱼ / c³ and the local
//!   number density seen in free flight is the compacted one, n = Σⱼ Nⱼ / Σⱼ Nⱼ Ωⱼ; free path
//!   λ = n^(−1/3), p_max = λ/√π, partners by the voxel's atomic fractions, nonlocal stopping
//!   n Σⱼ xⱼ kⱼ (as [`super::Simulation::new`] does per layer).
//! - **Surface.** Columns are kept compacted (full voxels below one partial voxel, see
//!   `mill::direct`), so each column has a surface depth s; the solid/vacuum boundary is the
//!   bilinear interpolation of s between column centres (the same height-field surface as the
//!   fast mode's [`crate::grid::FilmGrid::surface_at`]).
//! - **Leaving.** A free path that ends in vacuum is cut at the surface (bisection); the atom
//!   leaves when its energy normal to the local surface, E cos²α with α from the outward
//!   normal of the height field, exceeds its planar barrier Es, refracted as in the planar
//!   kernel with the local normal in place of z; otherwise it is reflected specularly about
//!   that normal and flies the rest of its path inside (or stays at the surface point if
//!   that rest would leave again). This is the planar surface-binding model applied to the
//!   local tangent plane, the simplest defensible choice on a height field.
//! - **Vacuum flight.** Leaving atoms fly straight in steps of c/4; a sputtered atom that meets
//!   the solid again sticks with probability s (redeposition, the fast mode's rule) and is
//!   otherwise lost; a reflected ion that meets the solid re-enters it and continues its
//!   history (no barrier for the ion, as in the planar kernel).
//! - **Domain.** The side walls are mirrors for atoms inside the solid (the surroundings are
//!   the domain's mirror image); atoms crossing the bottom come to rest in the bottom voxel of
//!   their column (the substrate continues below; only the column content sets the surface).
//! - **Bookkeeping.** The kernel does not change the target; it returns the atom moves it made
//!   (−1 atom of species j at the voxel where a recoil started, +1 where it stopped or
//!   redeposited, +1 implanted ion where the ion stopped; moves inside one voxel are dropped),
//!   which the caller applies in a fixed order. A recoil that received less than its
//!   displacement energy Ed (the material file's `displacement_ev`) and stops inside returns
//!   to its voxel (no stable displacement, NRT convention); it is still followed with the
//!   kernel's cutoff Ec, so it can be sputtered exactly as in the planar kernel. A displaced
//!   recoil that stops inside is relocated to its stop depth **in its own column**: ballistic
//!   mixing along depth is kept (as in TRIDYN), lateral ballistic transport is not. Reason:
//!   with column-only relaxation, the lateral moves (~10² per ion, each ±1 atom of a 1 nm
//!   column of ~10² atoms per nm) make every column a random walk that roughens a uniformly
//!   irradiated flat surface by ~1.6 nm rms at 20 ions/nm² and, through the slope dependence
//!   of the yield, runs away (measured with lateral relocation on: yield 5.9 instead of 4.0,
//!   and a 10 nm pit milled 6× deeper than its sputtered volume); in a real solid these
//!   displacements are relaxed in 3-D by ion-induced viscous flow within picoseconds to
//!   nanoseconds, which a column relaxation cannot represent. What is lost is the net radial
//!   mass redistribution at pit edges (rims, Carter–Vishnyakov), which the fast mode lacks as
//!   well. Sputtered and redeposited atoms and the implanted ion keep their true positions.

use rand::Rng;

use super::cascade::{
    IonOutcome, Particle, SputteredAtom, Workspace, free_path, nonlocal_loss, uniform,
};
use super::{FreeFlight, Simulation};

/// Largest number of species a voxel target can hold (partner choice uses a fixed array).
pub const MAX_SPECIES: usize = 8;

/// A voxelized target: atoms per species per voxel plus the column surface depths.
///
/// Coordinates: x, y lateral [nm] from the domain corner; z is depth [nm], positive downward,
/// film top as deposited at z = 0 (the planar kernel's convention). Voxel (i, j, k) covers
/// x ∈ [i c, (i+1) c), y ∈ [j c, (j+1) c), z ∈ [z_top + k c, z_top + (k+1) c).
#[derive(Debug, Clone)]
pub struct VoxelTarget {
    /// Columns in x.
    pub nx: usize,
    /// Columns in y.
    pub ny: usize,
    /// Voxels per column.
    pub nz: usize,
    /// Voxel edge c [nm].
    pub cell_nm: f64,
    /// Depth of the top of voxel layer 0 [nm] (negative: headroom above the film top).
    pub z_top_nm: f64,
    /// Atoms per species, index `((j nx + i) nz + k) S + species` (columns contiguous).
    pub counts: Vec<f64>,
    /// Atomic volume Ωⱼ per species [nm³].
    pub atomic_volume_nm3: Vec<f64>,
    /// Surface depth s of each column [nm] (index j nx + i).
    pub surface_depth_nm: Vec<f64>,
    /// Species index the stopped ion becomes (Ga for a Ga beam).
    pub implant_species: usize,
    /// Smallest surface depth over the columns [nm] (the highest solid point); vacuum flights
    /// moving upward above it have escaped. May be conservative (lower than the true minimum).
    pub min_surface_depth_nm: f64,
}

/// One atom moved by a history: `delta` atoms (±1) of `species` at voxel `voxel`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtomMove {
    /// Flat voxel index ((j nx + i) nz + k).
    pub voxel: u32,
    /// Species index.
    pub species: u8,
    /// +1 or −1.
    pub delta: i8,
}

/// Everything one ion did in the voxel target.
#[derive(Debug, Clone, Default)]
pub struct VoxelOutcome {
    /// Energy channels, collision counts and the sputtered atoms (positions are absolute [nm]).
    pub outcome: IonOutcome,
    /// Atom moves, in the order they happened.
    pub moves: Vec<AtomMove>,
    /// Sputtered atoms that stuck to the surface again.
    pub redeposited: u32,
    /// Atoms (recoils and the ion) that crossed the grid bottom; they are kept in the bottom
    /// voxel of their column.
    pub through_bottom: u32,
    /// The ion stopped inside the target.
    pub implanted: bool,
}

/// Local free-flight constants at a point.
struct Local {
    /// The voxel whose composition these are (the recoils' origin).
    voxel: usize,
    lambda_nm: f64,
    pmax_nm: f64,
    nonlocal_per_nm: f64,
    cumulative: [(f64, usize); MAX_SPECIES],
    len: usize,
}

impl VoxelTarget {
    /// Number of species.
    pub fn species(&self) -> usize {
        self.atomic_volume_nm3.len()
    }

    /// Depth of the bottom of the voxel grid [nm].
    pub fn z_bottom_nm(&self) -> f64 {
        self.z_top_nm + self.nz as f64 * self.cell_nm
    }

    /// Whether (x, y) lies over the domain.
    #[inline]
    pub fn contains_lateral(&self, x_nm: f64, y_nm: f64) -> bool {
        x_nm >= 0.0
            && y_nm >= 0.0
            && x_nm < self.nx as f64 * self.cell_nm
            && y_nm < self.ny as f64 * self.cell_nm
    }

    /// Surface depth s(x, y) by bilinear interpolation between column centres (clamped at the
    /// domain edge) and its gradient (∂s/∂x, ∂s/∂y).
    #[inline]
    pub fn surface(&self, x_nm: f64, y_nm: f64) -> (f64, f64, f64) {
        let c = self.cell_nm;
        let u = (x_nm / c - 0.5).clamp(0.0, (self.nx - 1) as f64);
        let v = (y_nm / c - 0.5).clamp(0.0, (self.ny - 1) as f64);
        let (i0, j0) = (u.floor() as usize, v.floor() as usize);
        let (i1, j1) = ((i0 + 1).min(self.nx - 1), (j0 + 1).min(self.ny - 1));
        let (fu, fv) = (u - i0 as f64, v - j0 as f64);
        let s = &self.surface_depth_nm;
        let (a, b) = (s[j0 * self.nx + i0], s[j0 * self.nx + i1]);
        let (d, e) = (s[j1 * self.nx + i0], s[j1 * self.nx + i1]);
        let top = a + (b - a) * fu;
        let bottom = d + (e - d) * fu;
        let depth = top + (bottom - top) * fv;
        let dx = ((b - a) * (1.0 - fv) + (e - d) * fv) / c;
        let dy = (bottom - top) / c;
        (depth, dx, dy)
    }

    /// Whether a point is inside the solid (over the domain and below the surface).
    #[inline]
    pub fn inside(&self, pos: [f64; 3]) -> bool {
        self.contains_lateral(pos[0], pos[1]) && pos[2] > self.surface(pos[0], pos[1]).0
    }

    /// Flat voxel index of a point over the domain (depth clamped to the grid).
    #[inline]
    pub fn voxel_of(&self, pos: [f64; 3]) -> usize {
        let c = self.cell_nm;
        let i = ((pos[0] / c) as usize).min(self.nx - 1);
        let j = ((pos[1] / c) as usize).min(self.ny - 1);
        let k = ((pos[2] - self.z_top_nm) / c)
            .floor()
            .clamp(0.0, (self.nz - 1) as f64) as usize;
        (j * self.nx + i) * self.nz + k
    }

    /// Free-flight constants for projectile `kind` at voxel `v`; an empty voxel (a point just
    /// under the interpolated surface in a column whose own top is lower) takes the first
    /// non-empty voxel below it in its column.
    fn local(&self, sim: &Simulation, kind: usize, mut v: usize) -> Local {
        let s = self.species();
        let column_end = (v / self.nz + 1) * self.nz;
        while v < column_end {
            if self.counts[v * s..(v + 1) * s].iter().sum::<f64>() > 1e-9 {
                break;
            }
            v += 1;
        }
        let v = v.min(column_end - 1);
        let counts = &self.counts[v * s..(v + 1) * s];
        // Counts can be slightly negative within a batch (two histories removing the same
        // atoms); only the positive ones define the composition.
        let total: f64 = counts.iter().map(|n| n.max(0.0)).sum();
        let volume: f64 = counts
            .iter()
            .zip(&self.atomic_volume_nm3)
            .map(|(n, o)| n.max(0.0) * o)
            .sum();
        let n = if volume > 0.0 { total / volume } else { 1.0 };
        let lambda = 1.0 / n.cbrt();
        let mut cumulative = [(1.0, 0usize); MAX_SPECIES];
        let (mut acc, mut len, mut k_eff) = (0.0, 0, 0.0);
        for (j, &c) in counts.iter().enumerate() {
            if c > 0.0 {
                let x = c / total;
                acc += x;
                k_eff += x * sim.nonlocal_k[kind * s + j];
                cumulative[len] = (acc, j);
                len += 1;
            }
        }
        if len == 0 {
            len = 1; // an empty column (never in practice): collide with species 0
        }
        Local {
            voxel: v,
            lambda_nm: lambda,
            pmax_nm: lambda / std::f64::consts::PI.sqrt(),
            nonlocal_per_nm: n * k_eff,
            cumulative,
            len,
        }
    }

    /// Outward unit normal of the surface at (x, y): ∝ (∂s/∂x, ∂s/∂y, −1) (z is depth).
    #[inline]
    fn outward_normal(&self, x_nm: f64, y_nm: f64) -> [f64; 3] {
        let (_, gx, gy) = self.surface(x_nm, y_nm);
        let inv = 1.0 / (gx * gx + gy * gy + 1.0).sqrt();
        [gx * inv, gy * inv, -inv]
    }

    /// Straight vacuum flight from `pos` along `dir` in steps of c/4: the first point inside
    /// the solid, or `None` if the atom escapes upward or leaves the domain sideways.
    fn vacuum_flight(&self, pos: [f64; 3], dir: [f64; 3]) -> Option<[f64; 3]> {
        let ds = 0.25 * self.cell_nm;
        let mut t = ds;
        loop {
            let q = [
                pos[0] + dir[0] * t,
                pos[1] + dir[1] * t,
                pos[2] + dir[2] * t,
            ];
            if !self.contains_lateral(q[0], q[1])
                || (dir[2] <= 0.0 && q[2] < self.min_surface_depth_nm)
            {
                return None;
            }
            if q[2] > self.surface(q[0], q[1]).0 {
                return Some(q);
            }
            t += ds;
        }
    }
}

/// Per-thread scratch memory of the voxel driver.
#[derive(Debug, Default)]
pub struct VoxelWorkspace {
    ws: Workspace,
    origins: Vec<usize>,
}

impl Simulation {
    /// Follows one ion arriving vertically at (x, y) [nm] and its full cascade through the
    /// voxel target, with sticking probability `sticking` for sputtered atoms that meet the
    /// surface again. The target is not modified; the moves are returned.
    ///
    /// The ion enters at the surface point below (x, y) with a first free path R λ, as in the
    /// planar kernel. The beam's angle of incidence is ignored (the FIB column is vertical).
    pub fn run_ion_voxel<R: Rng>(
        &self,
        target: &VoxelTarget,
        x_nm: f64,
        y_nm: f64,
        sticking: f64,
        rng: &mut R,
        vws: &mut VoxelWorkspace,
    ) -> VoxelOutcome {
        let mut out = VoxelOutcome {
            outcome: IonOutcome {
                energy_ev: self.beam().energy_ev,
                ..IonOutcome::default()
            },
            ..VoxelOutcome::default()
        };
        vws.ws.stack.clear();
        vws.origins.clear();
        let entry = [x_nm, y_nm, target.surface(x_nm, y_nm).0 + 1e-9];
        let ion = Particle {
            pos: entry,
            dir: [0.0, 0.0, 1.0],
            energy_ev: self.beam().energy_ev,
            kind: self.ion_kind(),
            first_flight: true,
        };
        self.follow_voxel(target, ion, usize::MAX, true, sticking, rng, vws, &mut out);
        while let Some(p) = vws.ws.stack.pop() {
            let origin = vws.origins.pop().expect("one origin per stacked recoil");
            // A recoil that received less than its displacement energy Ed does not leave its
            // site for good (Ed is by definition the threshold of a stable displacement; below
            // it the Frenkel pair recombines): it is followed, and counts if it is sputtered
            // or leaves the domain, but if it stops inside it returns to its voxel.
            let displaced = p.energy_ev > self.target().species[p.kind].displacement_ev;
            self.follow_voxel(target, p, origin, displaced, sticking, rng, vws, &mut out);
        }
        out
    }

    /// Records that atom `p` ended at voxel `dest` (`None`: it left the target).
    #[inline]
    fn settle(
        &self,
        target: &VoxelTarget,
        p: &Particle,
        origin: usize,
        dest: Option<usize>,
        out: &mut VoxelOutcome,
    ) {
        let ion = p.kind == self.ion_kind();
        if ion {
            if let Some(d) = dest {
                out.moves.push(AtomMove {
                    voxel: d as u32,
                    species: target.implant_species as u8,
                    delta: 1,
                });
            }
            return;
        }
        if dest == Some(origin) {
            return;
        }
        out.moves.push(AtomMove {
            voxel: origin as u32,
            species: p.kind as u8,
            delta: -1,
        });
        if let Some(d) = dest {
            out.moves.push(AtomMove {
                voxel: d as u32,
                species: p.kind as u8,
                delta: 1,
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn follow_voxel<R: Rng>(
        &self,
        target: &VoxelTarget,
        mut p: Particle,
        origin: usize,
        displaced: bool,
        sticking: f64,
        rng: &mut R,
        vws: &mut VoxelWorkspace,
        out: &mut VoxelOutcome,
    ) {
        let is_ion = p.kind == self.ion_kind();
        let cutoff = self.cutoff_ev[p.kind];
        let barrier = self.barrier_ev[p.kind];
        let gas = self.options().free_flight == FreeFlight::Gas;
        let bottom = target.z_bottom_nm();
        // Constants at the current position, kept from the last collision (same point).
        let mut here: Option<Local> = None;
        loop {
            let lc = match here.take() {
                Some(l) => l,
                None => target.local(self, p.kind, target.voxel_of(p.pos)),
            };
            let path = free_path(lc.lambda_nm, gas, &mut p.first_flight, rng);
            let end = [
                p.pos[0] + path * p.dir[0],
                p.pos[1] + path * p.dir[1],
                p.pos[2] + path * p.dir[2],
            ];
            let end = if target.contains_lateral(end[0], end[1]) {
                end
            } else {
                mirror_at_walls(target, &mut p, end)
            };
            if end[2] >= bottom {
                // Through the grid bottom: the substrate continues below, and only a column's
                // content matters for its surface, so the atom comes to rest in the bottom
                // voxel of its column (the grid is deeper than the ion range below the pits).
                out.through_bottom += 1;
                p.pos = end;
                self.stop_voxel(target, &p, origin, true, out);
                return;
            }
            if target.inside(end) {
                let loss = nonlocal_loss(lc.nonlocal_per_nm, p.energy_ev, path);
                out.outcome.electronic_ev += loss;
                p.energy_ev -= loss;
                p.pos = end;
            } else {
                let lo = surface_crossing(target, &p, path);
                let loss = nonlocal_loss(lc.nonlocal_per_nm, p.energy_ev, lo);
                out.outcome.electronic_ev += loss;
                p.energy_ev -= loss;
                p.pos = [
                    p.pos[0] + lo * p.dir[0],
                    p.pos[1] + lo * p.dir[1],
                    p.pos[2] + lo * p.dir[2],
                ];
                let n = target.outward_normal(p.pos[0], p.pos[1]);
                let cos_a = (p.dir[0] * n[0] + p.dir[1] * n[1] + p.dir[2] * n[2]).max(0.0);
                let e_normal = p.energy_ev * cos_a * cos_a;
                if e_normal > barrier && p.energy_ev > 0.0 {
                    // Refraction by the planar barrier of the local tangent plane: tangential
                    // momentum kept, normal energy reduced by Es.
                    let e_out = p.energy_ev - barrier;
                    let scale = (p.energy_ev / e_out).sqrt();
                    let cos_out = ((e_normal - barrier) / e_out).sqrt();
                    let mut dir = [0.0; 3];
                    for a in 0..3 {
                        dir[a] = (p.dir[a] - cos_a * n[a]) * scale + cos_out * n[a];
                    }
                    out.outcome.deposited_ev += barrier;
                    let start = [
                        p.pos[0] + 1e-6 * n[0],
                        p.pos[1] + 1e-6 * n[1],
                        p.pos[2] + 1e-6 * n[2],
                    ];
                    let hit = target.vacuum_flight(start, dir);
                    if is_ion {
                        if let Some(q) = hit {
                            // The reflected ion meets the solid again and re-enters it.
                            p.pos = q;
                            p.dir = dir;
                            p.energy_ev = e_out;
                            p.first_flight = true;
                            continue;
                        }
                        out.outcome.reflected_ev = Some(e_out);
                        return;
                    }
                    out.outcome.sputtered_ev += e_out;
                    out.outcome.sputtered.push(SputteredAtom {
                        species: p.kind,
                        energy_ev: e_out,
                        dir,
                        x_nm: p.pos[0],
                        y_nm: p.pos[1],
                    });
                    match hit {
                        Some(q) if uniform(rng) < sticking => {
                            out.redeposited += 1;
                            self.settle(target, &p, origin, Some(target.voxel_of(q)), out);
                        }
                        _ => self.settle(target, &p, origin, None, out),
                    }
                    return;
                }
                // Reflected specularly by the barrier about the local normal; it flies the
                // rest of its path inside, or stays at the surface point if that would leave.
                for (d, na) in p.dir.iter_mut().zip(n) {
                    *d -= 2.0 * cos_a * na;
                }
                let rest = path - lo;
                let end = [
                    p.pos[0] + rest * p.dir[0],
                    p.pos[1] + rest * p.dir[1],
                    p.pos[2] + rest * p.dir[2],
                ];
                if p.energy_ev >= cutoff && end[2] < bottom && target.inside(end) {
                    let loss = nonlocal_loss(lc.nonlocal_per_nm, p.energy_ev, rest);
                    out.outcome.electronic_ev += loss;
                    p.energy_ev -= loss;
                    p.pos = end;
                }
            }
            if p.energy_ev < cutoff {
                self.stop_voxel(target, &p, origin, displaced, out);
                return;
            }
            let lc = target.local(self, p.kind, target.voxel_of(p.pos));
            let stacked = vws.ws.stack.len();
            let local_weight = self.voxel_local_weight[p.kind];
            let stop = self.collide(
                &mut p,
                &lc.cumulative[..lc.len],
                lc.pmax_nm,
                local_weight,
                None,
                rng,
                &mut vws.ws,
                &mut out.outcome,
            );
            // Recoils set in motion here come from the voxel whose atoms were the partners.
            vws.origins
                .extend(std::iter::repeat_n(lc.voxel, vws.ws.stack.len() - stacked));
            if stop {
                self.stop_voxel(target, &p, origin, displaced, out);
                return;
            }
            here = Some(lc);
        }
    }

    #[inline]
    fn stop_voxel(
        &self,
        target: &VoxelTarget,
        p: &Particle,
        origin: usize,
        displaced: bool,
        out: &mut VoxelOutcome,
    ) {
        out.outcome.deposited_ev += p.energy_ev;
        if p.kind == self.ion_kind() {
            out.implanted = true;
            out.outcome.implanted_nm = Some(p.pos);
        }
        let dest = if p.kind == self.ion_kind() {
            target.voxel_of(p.pos)
        } else if displaced {
            // Stable displacement: to the stop depth, in the recoil's own column (see the
            // module docs: lateral ballistic transport is not applied).
            let k = target.voxel_of(p.pos) % target.nz;
            origin - origin % target.nz + k
        } else {
            origin
        };
        self.settle(target, p, origin, Some(dest), out);
    }
}
/// The end point of a flight that left the domain sideways, with `p.dir` turned: the side
/// walls are mirrors for atoms inside the solid. The surroundings are taken as the domain's
/// mirror image, so an atom leaving sideways is replaced by its image coming in (atoms are
/// conserved; the domain has a margin of unmilled film, where this is the symmetric exchange
/// of a flat film).
#[inline]
fn mirror_at_walls(target: &VoxelTarget, p: &mut Particle, mut end: [f64; 3]) -> [f64; 3] {
    let width = [
        target.nx as f64 * target.cell_nm,
        target.ny as f64 * target.cell_nm,
    ];
    for a in 0..2 {
        if end[a] < 0.0 {
            end[a] = -end[a];
            p.dir[a] = -p.dir[a];
        } else if end[a] >= width[a] {
            end[a] = (2.0 * width[a] - end[a]).min(width[a] * (1.0 - 1e-12));
            p.dir[a] = -p.dir[a];
        }
    }
    if !target.inside(end) {
        end = p.pos; // the image point is in vacuum (at the field edge): stay
    }
    end
}

/// Where a path of length `path` from `p` leaves the solid: the distance along it, by 30
/// bisections on [0, path] (the inside end).
#[inline]
fn surface_crossing(target: &VoxelTarget, p: &Particle, path: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, path);
    for _ in 0..30 {
        let mid = 0.5 * (lo + hi);
        let q = [
            p.pos[0] + mid * p.dir[0],
            p.pos[1] + mid * p.dir[1],
            p.pos[2] + mid * p.dir[2],
        ];
        if target.inside(q) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}
