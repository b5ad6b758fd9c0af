//! The cascade kernel: one ion and all its recoils, followed until they stop or leave.
//!
//! Each moving atom alternates free flights and binary collisions (Eckstein 1991 ch. 7):
//! 1. fly a path L (λ, or exponential for the gas model; the ion's first flight is R·λ so that
//!    first collisions are spread over depth, TRIM.SP practice) losing the nonlocal electronic
//!    energy of dE/dx = −n S_e(E), integrated exactly over L at the energy the atom flies with
//!    (the energy before the collision that ends the path, TRIM convention);
//! 2. if the path crosses the surface plane z = 0 from inside, the atom leaves when its normal
//!    energy E cos²α exceeds the planar barrier Es, refracted by it (tangential momentum
//!    conserved, normal energy reduced by Es: E′ = E − Es, cos α′ = √((E cos²α − Es)/(E − Es)));
//!    otherwise it is reflected back specularly and flies the rest of its path inward;
//! 3. collide with a partner chosen by atomic fraction at impact parameter p = p_max √R and a
//!    uniform azimuth (plus optional weak collisions at p_max √(k + R), k = 1…K): energy
//!    transfer T = γ E sin²(Θ/2), projectile lab deflection tan ψ = A sin Θ/(1 + A cos Θ),
//!    recoil angle (π − Θ)/2 (Goldstein; Eckstein 1991 §3.1), minus the local (Oen–Robinson)
//!    electronic loss;
//! 4. a recoil with T above its cutoff is pushed on the stack (full cascade); otherwise T is
//!    given to the lattice;
//! 5. an atom whose energy falls below its cutoff stops.
//!
//! Energy bookkeeping, exact per ion (sum = E₀ up to rounding):
//! electronic (all losses to electrons) + nuclear (sub-cutoff transfers to the lattice) +
//! deposited (kinetic energy of atoms that stop, and the barrier energy Es paid by leaving
//! atoms) + sputtered (kinetic energy of leaving recoils outside) + reflected (of the ion).
//!
//! Note on RustBCA: it collides first with a partner one path ahead, advances along the old
//! direction and charges S_e at E − T afterwards, only inside the solid; its barrier sits
//! 2n^(−1/3)/√π outside the surface. [`super::Convention::RustBca`] reproduces that ordering
//! (`follow_rustbca` below) to verify the engine at equal conventions; the default keeps the
//! TRIM convention, the more faithful discretisation of the stated model (audit
//! ../shared/reviews/bca_mill.md §1.3).

use rand::Rng;

use super::{ScatteringIntegral, Simulation, scattering};

/// A moving atom.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Particle {
    pub(crate) pos: [f64; 3],
    pub(crate) dir: [f64; 3],
    pub(crate) energy_ev: f64,
    /// Projectile kind: species index, or `ion_kind` for the ion.
    pub(crate) kind: usize,
    pub(crate) first_flight: bool,
}

/// Reusable per-thread scratch memory (the recoil stack), so that the collision loop does not
/// allocate.
#[derive(Debug, Default)]
pub struct Workspace {
    pub(crate) stack: Vec<Particle>,
    /// Sum of the asymptotic deflections τ = R₀ sin(Θ/2) [nm] of the current step's
    /// collisions (RustBCA convention only, see `follow_rustbca`).
    pub(crate) deflection_nm: f64,
}

/// One atom that left the surface.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SputteredAtom {
    /// Species index into [`super::Target::species`].
    pub species: usize,
    /// Kinetic energy outside the surface [eV].
    pub energy_ev: f64,
    /// Direction cosines outside (z < 0 points away from the target).
    pub dir: [f64; 3],
    /// Where it crossed the surface, relative to the ion's entry point [nm] (x along the beam's
    /// in-plane direction).
    pub x_nm: f64,
    /// Lateral coordinate perpendicular to the plane of incidence [nm].
    pub y_nm: f64,
}

/// Everything one ion did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IonOutcome {
    /// Ion energy E₀ [eV].
    pub energy_ev: f64,
    /// Final ion position [nm] if it stopped inside (implanted).
    pub implanted_nm: Option<[f64; 3]>,
    /// Energy of the ion if it left the target (reflected) [eV].
    pub reflected_ev: Option<f64>,
    /// Atoms sputtered by this ion.
    pub sputtered: Vec<SputteredAtom>,
    /// Energy lost to electrons by all atoms [eV].
    pub electronic_ev: f64,
    /// Energy given to the lattice in transfers below the recoil cutoff [eV].
    pub nuclear_ev: f64,
    /// Kinetic energy of atoms that stopped, plus barrier energy paid by leaving atoms [eV].
    pub deposited_ev: f64,
    /// Kinetic energy carried out by sputtered atoms [eV].
    pub sputtered_ev: f64,
    /// Binary collisions of all moving atoms.
    pub collisions: u64,
    /// Recoils set in motion (T above the cutoff).
    pub recoils: u64,
    /// Recoils set in motion with T above `count_recoils_above_ev`.
    pub recoils_above: u64,
    /// Recoils with T above their displacement energy Ed (NRT-style displacements).
    pub displacements: u64,
}

impl IonOutcome {
    /// Sum of all energy channels [eV]; equals `energy_ev` up to rounding.
    pub fn energy_sum_ev(&self) -> f64 {
        self.electronic_ev
            + self.nuclear_ev
            + self.deposited_ev
            + self.sputtered_ev
            + self.reflected_ev.unwrap_or(0.0)
    }
}

/// Uniform deviate in [0, 1) from the top 53 bits of one 64-bit draw.
#[inline]
pub(crate) fn uniform<R: Rng>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Length of the next free path [nm]: λ (constant) or exponential with mean λ (gas); the first
/// flight after entering the target is a uniform fraction of it, so that first collisions are
/// spread over depth (TRIM.SP practice).
pub(crate) fn free_path<R: Rng>(
    lambda_nm: f64,
    gas: bool,
    first_flight: &mut bool,
    rng: &mut R,
) -> f64 {
    let mut path = if gas {
        -lambda_nm * (1.0 - uniform(rng)).ln()
    } else {
        lambda_nm
    };
    if *first_flight {
        path *= uniform(rng);
        *first_flight = false;
    }
    path
}

/// Nonlocal (Lindhard–Scharff) electronic loss over a free path of length `len` [nm] for a
/// particle entering it with energy `e` [eV], with dE/dx = −c √E (c = w n Σ cⱼ kⱼ [eV^½/nm]).
///
/// The stopping law is integrated exactly over the path, √E(x) = √E − c x/2, so the loss is
/// E − (√E − c L/2)² = c L √E − c² L²/4, and the whole energy if the particle comes to rest
/// within the path (c L/2 ≥ √E). Charging c √E L at the entry energy (a first-order Euler step)
/// overestimates the loss by c² L²/4, which is small for the ion but reaches 10 % of the loss
/// per path for a few-eV Au recoil in Au (c λ ≈ 0.76 eV^½). Lindhard & Scharff, Phys. Rev. 124
/// (1961) 128; Eckstein 1991 eq. 5.4.
#[inline]
pub(crate) fn nonlocal_loss(c: f64, e: f64, len: f64) -> f64 {
    let h = 0.5 * c * len;
    let s = e.sqrt();
    if h >= s { e } else { e - (s - h) * (s - h) }
}

/// (cos φ, sin φ) of a uniform azimuth by rejection sampling of a point in the unit disc.
#[inline]
pub(crate) fn azimuth<R: Rng>(rng: &mut R) -> (f64, f64) {
    loop {
        let x = 2.0 * uniform(rng) - 1.0;
        let y = 2.0 * uniform(rng) - 1.0;
        let r2 = x * x + y * y;
        if r2 > 1e-12 && r2 <= 1.0 {
            let inv = 1.0 / r2.sqrt();
            return (x * inv, y * inv);
        }
    }
}

/// Rotates unit vector `d` by polar angle (cos ψ, sin ψ) about itself at azimuth (cos φ, sin φ).
#[inline]
pub(crate) fn rotate(
    d: [f64; 3],
    cos_psi: f64,
    sin_psi: f64,
    cos_phi: f64,
    sin_phi: f64,
) -> [f64; 3] {
    let [u, v, w] = d;
    let s2 = 1.0 - w * w;
    let out = if s2 > 1e-12 {
        let s = s2.sqrt();
        let inv = 1.0 / s;
        [
            u * cos_psi + sin_psi * (u * w * cos_phi - v * sin_phi) * inv,
            v * cos_psi + sin_psi * (v * w * cos_phi + u * sin_phi) * inv,
            w * cos_psi - s * sin_psi * cos_phi,
        ]
    } else {
        [sin_psi * cos_phi, sin_psi * sin_phi, w.signum() * cos_psi]
    };
    // renormalise to keep rounding from accumulating over thousands of collisions
    let n = out[0] * out[0] + out[1] * out[1] + out[2] * out[2];
    let k = 1.5 - 0.5 * n; // one Newton step of 1/√n about n = 1
    [out[0] * k, out[1] * k, out[2] * k]
}

/// The unit vector e ⟂ `d` along which [`rotate`] deflects `d` at azimuth (cos φ, sin φ):
/// rotate(d, cos ψ, sin ψ, φ) = d cos ψ + e sin ψ (before renormalisation).
#[inline]
pub(crate) fn lateral(d: [f64; 3], cos_phi: f64, sin_phi: f64) -> [f64; 3] {
    let [u, v, w] = d;
    let s2 = 1.0 - w * w;
    if s2 > 1e-12 {
        let s = s2.sqrt();
        let inv = 1.0 / s;
        [
            (u * w * cos_phi - v * sin_phi) * inv,
            (v * w * cos_phi + u * sin_phi) * inv,
            -s * cos_phi,
        ]
    } else {
        [cos_phi, sin_phi, 0.0]
    }
}

impl Simulation {
    #[inline]
    fn layer_at(&self, z_nm: f64) -> usize {
        let mut l = 0;
        while z_nm >= self.layer_bottom_nm[l] {
            l += 1;
        }
        l
    }

    /// (sin²(Θ/2), R₀) with the configured scattering integral.
    #[inline]
    fn scatter(&self, eps: f64, b: f64) -> (f64, f64) {
        match self.table {
            Some(t) => t.lookup(eps, b),
            None => match self.options().scattering {
                ScatteringIntegral::Magic => {
                    scattering::sin2_half_theta_magic(self.options().potential, eps, b)
                }
                _ => scattering::sin2_half_theta_quadrature(self.options().potential, eps, b),
            },
        }
    }

    /// Follows one ion and its full cascade with the random stream `rng`.
    ///
    /// Pure: the outcome depends only on the simulation and the stream. `ws` is scratch memory
    /// reused between ions.
    pub fn run_ion<R: Rng>(&self, rng: &mut R, ws: &mut Workspace) -> IonOutcome {
        let beam = self.beam();
        let theta = beam.angle_deg.to_radians();
        let mut out = IonOutcome {
            energy_ev: beam.energy_ev,
            ..IonOutcome::default()
        };
        ws.stack.clear();
        ws.stack.push(Particle {
            pos: [0.0; 3],
            dir: [theta.sin(), 0.0, theta.cos()],
            energy_ev: beam.energy_ev,
            kind: self.ion_kind(),
            first_flight: true,
        });
        let rustbca = self.options().convention == super::Convention::RustBca;
        while let Some(p) = ws.stack.pop() {
            if rustbca {
                self.follow_rustbca(p, rng, ws, &mut out);
            } else {
                self.follow(p, rng, ws, &mut out);
            }
        }
        out
    }

    fn follow<R: Rng>(
        &self,
        mut p: Particle,
        rng: &mut R,
        ws: &mut Workspace,
        out: &mut IonOutcome,
    ) {
        let ion = self.ion_kind();
        let is_ion = p.kind == ion;
        let n_layers = self.target().layers.len();
        let cutoff = self.cutoff_ev[p.kind];
        let barrier = self.barrier_ev[p.kind];
        let gas = self.options().free_flight == super::FreeFlight::Gas;
        loop {
            let layer = self.layer_at(p.pos[2]);
            let lc = &self.layer_consts[p.kind * n_layers + layer];
            let mut path = free_path(lc.lambda_nm, gas, &mut p.first_flight, rng);
            let z_new = p.pos[2] + path * p.dir[2];
            if z_new < 0.0 {
                // leaves through the surface plane: electronic loss over the inside part only
                let inside = p.pos[2] / -p.dir[2];
                let loss = nonlocal_loss(lc.nonlocal_per_nm, p.energy_ev, inside);
                out.electronic_ev += loss;
                p.energy_ev -= loss;
                p.pos[0] += inside * p.dir[0];
                p.pos[1] += inside * p.dir[1];
                p.pos[2] = 0.0;
                let e_normal = p.energy_ev * p.dir[2] * p.dir[2];
                if e_normal > barrier && p.energy_ev > 0.0 {
                    self.leave(&p, barrier, e_normal, is_ion, out);
                    return;
                }
                // Reflected specularly back into the target by the barrier; it flies the rest
                // of this free path, path − inside, inward and then collides (the path length
                // between collisions stays λ, so no extra electronic loss is charged).
                p.dir[2] = -p.dir[2];
                if p.energy_ev < cutoff {
                    self.stop(p, out);
                    return;
                }
                path = (path - inside).max(0.0);
            }
            let loss = nonlocal_loss(lc.nonlocal_per_nm, p.energy_ev, path);
            out.electronic_ev += loss;
            p.energy_ev -= loss;
            p.pos[0] += path * p.dir[0];
            p.pos[1] += path * p.dir[1];
            p.pos[2] += path * p.dir[2];
            if p.energy_ev < cutoff {
                self.stop(p, out);
                return;
            }

            // One strong collision plus the weak ones (see [`Simulation::collide`]).
            let layer = self.layer_at(p.pos[2]);
            let lc = &self.layer_consts[p.kind * n_layers + layer];
            if self.collide(
                &mut p,
                &lc.cumulative,
                lc.pmax_nm,
                lc.local_weight,
                None,
                rng,
                ws,
                out,
            ) {
                self.stop(p, out);
                return;
            }
        }
    }

    /// One atom under [`super::Convention::RustBca`] (see there for the sources). Per step:
    /// 1. draw the path L (the ion's first one R·λ, recoils' first one a full λ);
    /// 2. if the atom is inside the barrier region (z > −t, t = 2λ/√π), collide with the
    ///    partners L ahead ([`Simulation::collide`] with `ahead_nm`), skipping those outside;
    /// 3. advance L + τ_prev − τ along the direction the atom had *before* this step's
    ///    collisions, τ = Σ R₀ sin(Θ/2) the asymptotic deflections of this step's collisions
    ///    and τ_prev those of the previous step (RustBCA's density-preserving advance);
    /// 4. if the end point is inside the solid (z > 0), lose the nonlocal electronic energy over
    ///    that distance at the energy after the collisions (integrated exactly, as in the default kernel);
    /// 5. stop below the cutoff; on leaving the barrier region (z from > −t to ≤ −t) with the
    ///    current direction outward, leave over the barrier Es (refracted, tangential momentum
    ///    conserved) if E cos²α > Es, otherwise reflect specularly (the next advance still uses
    ///    the pre-reflection direction, as RustBCA's `dir_old` does); on entering it from
    ///    outside without a reflection, gain Es (refracted toward the normal).
    ///
    /// Energy bookkeeping stays exact: Es paid on leaving goes to `deposited`, Es gained on
    /// entering is taken from it.
    fn follow_rustbca<R: Rng>(
        &self,
        mut p: Particle,
        rng: &mut R,
        ws: &mut Workspace,
        out: &mut IonOutcome,
    ) {
        let is_ion = p.kind == self.ion_kind();
        let n_layers = self.target().layers.len();
        let cutoff = self.cutoff_ev[p.kind];
        let barrier = self.barrier_ev[p.kind];
        let gas = self.options().free_flight == super::FreeFlight::Gas;
        let t = self.barrier_offset_nm;
        // RustBCA's simulation boundary of a planar (0D) target: x > −10 t.
        let outer = -10.0 * t;
        let mut dir_old = p.dir;
        let mut backreflected = false;
        let mut tau_prev_nm = 0.0;
        loop {
            let z0 = p.pos[2];
            let layer = self.layer_at(z0.max(0.0));
            let lc = &self.layer_consts[p.kind * n_layers + layer];
            let free = free_path(lc.lambda_nm, gas, &mut p.first_flight, rng);
            ws.deflection_nm = 0.0;
            let below_cutoff = z0 > -t
                && self.collide(
                    &mut p,
                    &lc.cumulative,
                    lc.pmax_nm,
                    lc.local_weight,
                    Some(free),
                    rng,
                    ws,
                    out,
                );
            // the distance advanced keeps the mean density: the free path plus the previous
            // step's asymptotic deflection minus this one's (RustBCA `particle_advance`)
            let path = free + tau_prev_nm - ws.deflection_nm;
            tau_prev_nm = ws.deflection_nm;
            for (c, x) in p.pos.iter_mut().enumerate() {
                *x += path * dir_old[c];
            }
            dir_old = p.dir;
            let z1 = p.pos[2];
            if z1 > 0.0 {
                let lc = &self.layer_consts[p.kind * n_layers + self.layer_at(z1)];
                let loss = nonlocal_loss(lc.nonlocal_per_nm, p.energy_ev, path);
                out.electronic_ev += loss;
                p.energy_ev -= loss;
            }
            if below_cutoff || p.energy_ev < cutoff {
                self.stop(p, out);
                return;
            }
            let (inside_old, inside_now) = (z0 > -t, z1 > -t);
            if inside_old && !inside_now && p.dir[2] < 0.0 {
                let e_normal = p.energy_ev * p.dir[2] * p.dir[2];
                if e_normal > barrier {
                    self.leave(&p, barrier, e_normal, is_ion, out);
                    return;
                }
                p.dir[2] = -p.dir[2];
                backreflected = true;
            } else if !inside_old && inside_now {
                if backreflected {
                    backreflected = false;
                } else {
                    // refraction into the barrier region: normal energy + Es, tangential kept
                    let e_in = p.energy_ev + barrier;
                    let scale = (p.energy_ev / e_in).sqrt();
                    let cos_in = ((p.energy_ev * p.dir[2] * p.dir[2] + barrier) / e_in).sqrt();
                    p.dir = [
                        p.dir[0] * scale,
                        p.dir[1] * scale,
                        cos_in * p.dir[2].signum(),
                    ];
                    out.deposited_ev -= barrier;
                    p.energy_ev = e_in;
                }
            }
            if z1 <= outer {
                // beyond the simulation boundary: gone with its energy, no barrier paid
                let e_normal = p.energy_ev * p.dir[2] * p.dir[2];
                self.leave(&p, 0.0, e_normal, is_ion, out);
                return;
            }
        }
    }

    /// Records `p` leaving the target over a planar barrier `barrier` [eV] with normal energy
    /// `e_normal` > barrier: refracted (tangential momentum conserved), the barrier energy
    /// deposited, the rest sputtered (or reflected for the ion).
    fn leave(&self, p: &Particle, barrier: f64, e_normal: f64, is_ion: bool, out: &mut IonOutcome) {
        let e_out = p.energy_ev - barrier;
        let scale = (p.energy_ev / e_out).sqrt();
        let cos_out = ((e_normal - barrier) / e_out).sqrt();
        let dir = [p.dir[0] * scale, p.dir[1] * scale, -cos_out];
        out.deposited_ev += barrier;
        if is_ion {
            out.reflected_ev = Some(e_out);
        } else {
            out.sputtered_ev += e_out;
            out.sputtered.push(super::SputteredAtom {
                species: p.kind,
                energy_ev: e_out,
                dir,
                x_nm: p.pos[0],
                y_nm: p.pos[1],
            });
        }
    }

    /// The collisions at the end of one free path: one strong collision (annulus 0) plus
    /// `weak` weak ones, with partners drawn from `cumulative` (cumulative atomic fractions and
    /// species indices of the local composition) and maximum impact parameter `pmax_nm` of the
    /// local density. Recoils above their cutoff are pushed on `ws.stack` at the projectile's
    /// position. Returns `true` when the projectile fell below its cutoff and must stop.
    ///
    /// With `ahead_nm = Some(L)` (the RustBCA convention) each partner sits L ahead of the
    /// projectile along its current direction and p_lateral beside it, on the side opposite to
    /// the projectile's deflection; a partner outside the solid (z ≤ 0) is skipped (no
    /// collision, no random draws beyond its position), and a recoil starts at the partner.
    ///
    /// Shared by the planar kernel and by geometry-driven drivers (the voxel target of
    /// [`super::voxel`]); `inline(always)` keeps the planar loop as fast as before the split.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn collide<R: Rng>(
        &self,
        p: &mut Particle,
        cumulative: &[(f64, usize)],
        pmax_nm: f64,
        local_weight: f64,
        ahead_nm: Option<f64>,
        rng: &mut R,
        ws: &mut Workspace,
        out: &mut IonOutcome,
    ) -> bool {
        let n_species = self.target().species.len();
        let cutoff = self.cutoff_ev[p.kind];
        let follow_recoils = self.options().follow_recoils;
        let count_above = self.options().count_recoils_above_ev;
        let weak = self.options().weak_collisions;
        for k in 0..=weak {
            let j = if cumulative.len() == 1 {
                cumulative[0].1
            } else {
                let r = uniform(rng);
                cumulative
                    .iter()
                    .find(|c| r < c.0)
                    .unwrap_or(&cumulative[cumulative.len() - 1])
                    .1
            };
            let pair = &self.pairs[p.kind * n_species + j];
            let impact_nm = pmax_nm * (k as f64 + uniform(rng)).sqrt();
            let (cos_phi, sin_phi) = azimuth(rng);
            let mut recoil_pos = p.pos;
            if let Some(len) = ahead_nm {
                let e = lateral(p.dir, cos_phi, sin_phi);
                for (c, r) in recoil_pos.iter_mut().enumerate() {
                    *r += len * p.dir[c] - impact_nm * e[c];
                }
                if recoil_pos[2] <= 0.0 {
                    continue;
                }
            }
            let eps = p.energy_ev * pair.eps_per_ev;
            let b = impact_nm * pair.inv_a;
            let (s2, r0) = self.scatter(eps, b);
            out.collisions += 1;
            if ahead_nm.is_some() {
                ws.deflection_nm += r0 / pair.inv_a * s2.sqrt();
            }

            let t = pair.gamma * p.energy_ev * s2;
            let local_coef = local_weight * pair.local_coef;
            let local = if local_coef > 0.0 {
                (local_coef * p.energy_ev.sqrt() * (-0.3 * r0).exp()).min(p.energy_ev - t)
            } else {
                0.0
            };
            out.electronic_ev += local;
            let cos_t = 1.0 - 2.0 * s2;
            let sin_t = 2.0 * (s2 * (1.0 - s2)).max(0.0).sqrt();
            let a = pair.mass_ratio;
            let denom = (1.0 + 2.0 * a * cos_t + a * a).max(1e-300).sqrt();
            let (cos_psi, sin_psi) = ((1.0 + a * cos_t) / denom, a * sin_t / denom);
            let old_dir = p.dir;
            p.dir = rotate(old_dir, cos_psi, sin_psi, cos_phi, sin_phi);
            p.energy_ev -= t + local;

            if t > count_above {
                out.recoils_above += 1;
            }
            if t > self.target().species[j].displacement_ev {
                out.displacements += 1;
            }
            if follow_recoils && t > self.cutoff_ev[j] {
                out.recoils += 1;
                let dir = rotate(
                    old_dir,
                    s2.sqrt(),
                    (1.0 - s2).max(0.0).sqrt(),
                    -cos_phi,
                    -sin_phi,
                );
                ws.stack.push(Particle {
                    pos: recoil_pos,
                    dir,
                    energy_ev: t,
                    kind: j,
                    first_flight: false,
                });
            } else {
                out.nuclear_ev += t;
            }
            if p.energy_ev < cutoff {
                return true;
            }
        }
        false
    }

    #[inline]
    fn stop(&self, p: Particle, out: &mut IonOutcome) {
        out.deposited_ev += p.energy_ev;
        if p.kind == self.ion_kind() {
            out.implanted_nm = Some(p.pos);
        }
    }
}
