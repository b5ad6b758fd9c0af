//! Binary-collision Monte Carlo (BCA) of ion–solid interaction: one ion's full recoil cascade in
//! an amorphous, planar, possibly layered target → an outcome record; many ions in parallel →
//! tallies with standard errors.
//!
//! Physics (Eckstein, "Computer Simulation of Ion-Solid Interactions", Springer 1991; Ziegler,
//! Biersack & Littmark 1985):
//! - screened-Coulomb potentials ([`Potential`]) and the scattering integral
//!   ([`ScatteringIntegral`]: universal table, Gauss–Mehler quadrature, MAGIC);
//! - electronic stopping ([`ElectronicStopping`]: valence-electron friction + local
//!   Oen–Robinson ([`slow_recoil`], the physically argued model, default), equipartition,
//!   Lindhard–Scharff, Oen–Robinson; why is in [`stopping`]); the nonlocal loss is
//!   integrated exactly over each free path;
//! - amorphous free flight ([`FreeFlight`]): constant path n^(−1/3) or exponential (gas), with
//!   optional weak simultaneous collisions beyond p_max ([`Options::weak_collisions`]);
//! - planar surface barrier with refraction and per-element or target-averaged surface binding
//!   ([`SurfaceBinding`]); cutoff energies; full recoil cascades (every recoil above its cutoff
//!   is followed).
//!
//! Owns: the cascade kernel and its tallies. Must not: read files, print, build thread pools.
//! Parallelism: [`Simulation::run`] uses rayon `par_iter` in the caller's pool; every ion draws
//! from its own stream `rng::stream(seed, Stream::BcaIon, ion_index)` and tallies are reduced
//! in ion order, so results are bit-identical for any thread count.
//!
//! Conventions: z is depth below the surface (nm, z > 0 inside the target); the ion enters at
//! the origin moving in the x–z plane, polar angle θ from the surface normal.

pub mod cascade;
pub mod empirical;
pub mod potential;
pub mod scattering;
pub mod slow_recoil;
pub mod stopping;
pub mod table;
pub mod tally;
pub mod voxel;

pub use cascade::{IonOutcome, SputteredAtom, Workspace};
pub use potential::Potential;
pub use scattering::{ScatteringIntegral, ScatteringTable};
pub use stopping::ElectronicStopping;
pub use table::{AngularPoint, AngularTable, TableRequest, angular_table};
pub use tally::{Estimate, Summary, Tally};

use crate::error::Error;
use crate::material::{Element, Material};
use crate::units::COULOMB_EV_NM;

/// Free-flight model of the amorphous target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FreeFlight {
    /// Constant path λ = n^(−1/3) between collisions, impact parameter p = p_max √R with
    /// p_max = λ/√π (one atom per λ³; TRIM/TRIM.SP convention, Eckstein 1991 §7.2). Default.
    Constant,
    /// Gas: exponentially distributed path with mean λ = n^(−1/3) and the same p_max
    /// (Eckstein 1991 §7.2, for gaseous or very open targets).
    Gas,
}

crate::choices!(FreeFlight {
    FreeFlight::Constant => "constant",
    FreeFlight::Gas => "gas",
});

/// Ordering of free flight, collision, electronic loss and surface crossing.
///
/// The physics (potential, scattering, stopping law, cutoffs, Es) is the same under both; only
/// the discretisation of one step differs. `RustBca` exists to verify the engine against the
/// open peer code at equal conventions (issue 20), not as a model choice for milling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Convention {
    /// TRIM order (default): fly a free path losing the nonlocal electronic energy at the
    /// energy the atom flies with, cross the surface plane z = 0 if the path leaves the solid
    /// (barrier Es at z = 0), then collide with a partner at the end of the path; a recoil's
    /// first flight is charged at its birth energy ([`cascade`]).
    #[default]
    Millage,
    /// RustBCA 2.9's order, learned from its source (lcpp-org/RustBCA, `bca.rs`
    /// `single_ion_bca`, `particle.rs` `particle_advance`, `geometry.rs` `Mesh0D`; GPL, no code
    /// taken): collide first with a partner one free path ahead (skipped when the partner lies
    /// outside the solid, z ≤ 0, or the projectile outside the barrier region), then advance one
    /// path along the direction *before* the collision, then charge the nonlocal electronic loss
    /// over that path at the energy after the collision, E − T, and only if the end point lies
    /// inside the solid; recoils start at the partner's position, so a recoil's flight to its
    /// first collision is charged at its energy after that collision. The planar barrier sits
    /// 2 n^(−1/3)/√π outside the surface (z = −2λ/√π); an atom entering the barrier region from
    /// outside without having been reflected gains Es.
    RustBca,
}

crate::choices!(Convention {
    Convention::Millage => "millage",
    Convention::RustBca => "rustbca",
});

impl Convention {
    /// One line for `--help`.
    pub fn summary(self) -> &'static str {
        match self {
            Convention::Millage => {
                "TRIM order: fly, charge S_e at the flight energy, cross z = 0, collide (default)"
            }
            Convention::RustBca => {
                "RustBCA 2.9 order: collide ahead, advance, charge S_e at E − T inside only; barrier 2λ/√π outside"
            }
        }
    }

    fn is_millage(&self) -> bool {
        *self == Convention::Millage
    }
}

/// How the planar surface-binding energy of a leaving atom is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurfaceBinding {
    /// Each element leaves over its own Es from the material file (default).
    Individual,
    /// Every atom leaves over the atomic-fraction average Σ cᵢ Esᵢ of the surface layer
    /// (SDTrimSP "averaged" option).
    TargetAveraged,
}

crate::choices!(SurfaceBinding {
    SurfaceBinding::Individual => "individual",
    SurfaceBinding::TargetAveraged => "target-averaged",
});

/// The input a [`SetupError`] is about. Physics names the quantity; the layer that read it
/// (`cli` for flags, `config`/`pipeline` for scenario keys) names the flag or key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BcaField {
    /// [`IonBeam::energy_ev`].
    Energy,
    /// [`IonBeam::angle_deg`].
    Angle,
    /// [`Options::cutoff_override_ev`].
    Cutoff,
    /// [`Options::surface_binding_override_ev`].
    SurfaceBinding,
    /// [`Options::ion_cutoff_ev`].
    IonCutoff,
    /// [`Options::scattering`] (with [`Options::potential`]).
    Scattering,
    /// The target as a whole (no layers or species).
    Target,
    /// Layer `i` of the target, from the surface down.
    Layer(usize),
}

impl std::fmt::Display for BcaField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BcaField::Energy => f.write_str("ion energy"),
            BcaField::Angle => f.write_str("angle of incidence"),
            BcaField::Cutoff => f.write_str("recoil cutoff energy"),
            BcaField::SurfaceBinding => f.write_str("surface-binding energy"),
            BcaField::IonCutoff => f.write_str("ion cutoff energy"),
            BcaField::Scattering => f.write_str("scattering integral"),
            BcaField::Target => f.write_str("target"),
            BcaField::Layer(i) => write!(f, "target layer {i}"),
        }
    }
}

/// Why [`Simulation::new`] refused its inputs: the field and the rule broken (e.g. "ion energy
/// must be > 0 (got 0 eV)"). Callers render the field as their flag or key, like
/// [`crate::age::history::HistoryError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct SetupError {
    /// The offending input.
    pub field: BcaField,
    /// The rule it breaks, with the value given.
    pub rule: String,
}

/// Fallback for callers that do not name the field themselves (the field's physical name
/// becomes the key; exit code 2 like every input error).
impl From<SetupError> for Error {
    fn from(e: SetupError) -> Error {
        Error::input(None, e.field.to_string(), None, e.rule, "")
    }
}

/// One atomic species of the target, with its collision energies [eV].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Species {
    /// Chemical symbol.
    pub symbol: &'static str,
    /// Atomic number.
    pub z: u8,
    /// Mass [amu].
    pub mass_amu: f64,
    /// Planar surface-binding energy Es [eV].
    pub surface_binding_ev: f64,
    /// Displacement energy Ed [eV]: a recoil receiving T > Ed counts as a displacement.
    pub displacement_ev: f64,
    /// Cutoff energy Ec [eV]: recoils below it are not set in motion, moving atoms below it stop.
    pub cutoff_ev: f64,
}

/// One layer of a planar target.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Layer {
    /// Material name, for reports.
    pub name: String,
    /// Thickness [nm]; the last layer is semi-infinite (`f64::INFINITY`).
    pub thickness_nm: f64,
    /// Atomic number density n [atoms/nm³].
    pub number_density_per_nm3: f64,
    /// (index into [`Target::species`], atomic fraction), fractions summing to 1.
    pub composition: Vec<(usize, f64)>,
}

/// A planar, amorphous, layered target. Species are shared across layers (a Cr atom of a CrN
/// film and of a Cr substrate are the same species).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Target {
    /// All species of all layers.
    pub species: Vec<Species>,
    /// Layers from the surface down; the last is semi-infinite.
    pub layers: Vec<Layer>,
}

impl Target {
    /// A semi-infinite target of one material.
    pub fn from_material(material: &Material) -> Target {
        Target::layered(&[(material, f64::INFINITY)])
    }

    /// Layers (material, thickness [nm]) from the surface down. The last thickness is ignored
    /// (semi-infinite). Species are merged by element symbol, the first occurrence setting the
    /// collision energies.
    pub fn layered(layers: &[(&Material, f64)]) -> Target {
        let mut species: Vec<Species> = Vec::new();
        let mut out = Vec::new();
        for (i, (m, thickness_nm)) in layers.iter().enumerate() {
            let mut composition = Vec::new();
            for c in &m.constituents {
                let idx = match species.iter().position(|s| s.symbol == c.element.symbol) {
                    Some(k) => k,
                    None => {
                        species.push(Species {
                            symbol: c.element.symbol,
                            z: c.element.z,
                            mass_amu: c.element.mass_amu,
                            surface_binding_ev: c.surface_binding_ev.value,
                            displacement_ev: c.displacement_ev.value,
                            cutoff_ev: c.cutoff_ev.value,
                        });
                        species.len() - 1
                    }
                };
                composition.push((idx, c.atomic_fraction));
            }
            out.push(Layer {
                name: m.name.clone(),
                thickness_nm: if i + 1 == layers.len() {
                    f64::INFINITY
                } else {
                    *thickness_nm
                },
                number_density_per_nm3: m.number_density_per_nm3(),
                composition,
            });
        }
        Target {
            species,
            layers: out,
        }
    }
}

/// The incident ion and its start.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct IonBeam {
    /// Ion element.
    #[serde(serialize_with = "ser_symbol")]
    pub element: Element,
    /// Kinetic energy E₀ [eV].
    pub energy_ev: f64,
    /// Polar angle of incidence from the surface normal [deg], 0 ≤ θ < 90.
    pub angle_deg: f64,
}

fn ser_symbol<S: serde::Serializer>(e: &Element, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(e.symbol)
}

/// Model choices and numerical settings of a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Options {
    /// Interatomic potential.
    pub potential: Potential,
    /// Scattering-integral evaluation.
    pub scattering: ScatteringIntegral,
    /// Electronic stopping model.
    pub stopping: ElectronicStopping,
    /// Free-flight model.
    pub free_flight: FreeFlight,
    /// Surface-binding model.
    pub surface_binding: SurfaceBinding,
    /// If set, overrides every species' cutoff energy Ec [eV] (the `--cutoff-ev` flag).
    pub cutoff_override_ev: Option<f64>,
    /// If set, overrides every species' surface-binding energy Es [eV] (benchmarks against
    /// other codes' parameter sets; the `--surface-binding-ev` flag).
    pub surface_binding_override_ev: Option<f64>,
    /// Cutoff energy of the ion [eV] (the ion stops below it and is counted as implanted).
    pub ion_cutoff_ev: f64,
    /// Energy above which recoils are counted for the Sigmund comparison [eV].
    pub count_recoils_above_ev: f64,
    /// Follow recoils (full cascade). `false` gives ion-only ("quick") runs: no sputtering.
    pub follow_recoils: bool,
    /// Number K of weak simultaneous collisions per free path, in the annuli
    /// p_max √k … p_max √(k+1), k = 1…K, besides the strong one (TRIM.SP/SDTrimSP; Eckstein 1991
    /// §7.2). Default [`slow_recoil::DEFAULT_WEAK_COLLISIONS`] = 2 (0 before issue 20), the SDTrimSP
    /// default that goes with [`ElectronicStopping::ValenceLocal`], keeps 86–99 % of the
    /// untruncated nuclear stopping at 5–50 eV instead of 45–73 % ([`slow_recoil`] table). (With full LS friction it lowered Ga → Au, 7.0 → 5.3;
    /// that was measured with the old friction and did not enter the choice.)
    pub weak_collisions: u32,
    /// Step ordering ([`Convention`]). Not serialised when it is the default, so cached
    /// tables of the default engine keep their keys.
    #[serde(skip_serializing_if = "Convention::is_millage")]
    pub convention: Convention,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            potential: Potential::Zbl,
            scattering: ScatteringIntegral::Table,
            stopping: ElectronicStopping::ValenceLocal,
            free_flight: FreeFlight::Constant,
            surface_binding: SurfaceBinding::Individual,
            cutoff_override_ev: None,
            surface_binding_override_ev: None,
            ion_cutoff_ev: 1.0,
            count_recoils_above_ev: 25.0,
            follow_recoils: true,
            weak_collisions: slow_recoil::DEFAULT_WEAK_COLLISIONS,
            convention: Convention::Millage,
        }
    }
}

/// Constants of one (projectile, target species) pair, precomputed at setup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    /// Screening length a [nm].
    pub inv_a: f64,
    /// ε = E · eps_per_ev, E the lab energy [eV].
    pub eps_per_ev: f64,
    /// Kinematic factor γ = 4 M₁M₂/(M₁+M₂)².
    pub gamma: f64,
    /// Mass ratio A = M₂/M₁.
    pub mass_ratio: f64,
    /// Oen–Robinson prefactor [eV^½] (unweighted: the local weight is per projectile and layer,
    /// [`LayerConsts::local_weight`]).
    pub local_coef: f64,
}

/// Constants of one (projectile, layer) combination.
#[derive(Debug, Clone)]
pub(crate) struct LayerConsts {
    /// Mean free path λ [nm].
    pub lambda_nm: f64,
    /// Maximum impact parameter p_max [nm].
    pub pmax_nm: f64,
    /// Nonlocal stopping n Σ cⱼ kⱼ (times the nonlocal weight) [eV^½/nm]: dE/dx = this · √E.
    pub nonlocal_per_nm: f64,
    /// Cumulative atomic fractions and species indices for partner choice.
    pub cumulative: Vec<(f64, usize)>,
    /// Weight of the Oen–Robinson local loss at each collision.
    pub local_weight: f64,
}

/// A validated, precomputed simulation: target + ion + options.
#[derive(Debug, Clone)]
pub struct Simulation {
    target: Target,
    beam: IonBeam,
    options: Options,
    /// Per projectile kind k (0..S = target species, S = ion) and species j: pairs[k*S + j].
    pub(crate) pairs: Vec<Pair>,
    /// Per projectile kind k and layer l: layer_consts[k*L + l].
    pub(crate) layer_consts: Vec<LayerConsts>,
    /// Layer lower boundaries [nm] (cumulative thickness).
    pub(crate) layer_bottom_nm: Vec<f64>,
    /// Per projectile kind: cutoff [eV].
    pub(crate) cutoff_ev: Vec<f64>,
    /// Per projectile kind: surface barrier [eV] (0 for the ion).
    pub(crate) barrier_ev: Vec<f64>,
    pub(crate) table: Option<&'static ScatteringTable>,
    /// Per projectile kind k and species j: nonlocal stopping coefficient w kⱼ [eV^½ nm²]
    /// (times the number density and summed over the composition it gives dE/dx / √E); used by
    /// drivers whose composition varies in space ([`voxel`]).
    pub(crate) nonlocal_k: Vec<f64>,
    /// Per projectile kind: the local weight used by [`voxel`] (that of the surface layer).
    pub(crate) voxel_local_weight: Vec<f64>,
    /// Distance of the planar barrier outside the surface under [`Convention::RustBca`],
    /// 2 n^(−1/3)/√π with n the surface layer's density [nm] (RustBCA `Mesh0D`); 0 otherwise.
    pub(crate) barrier_offset_nm: f64,
}

impl Simulation {
    /// Validates the inputs and precomputes pair and layer constants.
    pub fn new(
        target: Target,
        beam: IonBeam,
        options: Options,
    ) -> std::result::Result<Simulation, SetupError> {
        validate(&target, &beam, &options)?;
        let s = target.species.len();
        let kinds: Vec<(f64, f64)> = target
            .species
            .iter()
            .map(|sp| (sp.z as f64, sp.mass_amu))
            .chain(std::iter::once((
                beam.element.z as f64,
                beam.element.mass_amu,
            )))
            .collect();
        let (pairs, ls_k) = pair_constants(&kinds, &target.species, &options);
        let layer_consts = layer_constants(&kinds, &target, &ls_k, options.stopping)?;
        let n_layers = target.layers.len();
        // voxel targets: per kind the surface layer's nonlocal fraction of LS and local weight
        let mut nonlocal_k = Vec::with_capacity(ls_k.len());
        let mut voxel_local_weight = Vec::with_capacity(kinds.len());
        for kind in 0..kinds.len() {
            let lc = &layer_consts[kind * n_layers];
            let l0 = &target.layers[0];
            let c_ls: f64 = l0
                .composition
                .iter()
                .map(|&(j, c)| c * ls_k[kind * s + j])
                .sum::<f64>()
                * l0.number_density_per_nm3;
            let w = if c_ls > 0.0 {
                lc.nonlocal_per_nm / c_ls
            } else {
                0.0
            };
            nonlocal_k.extend(ls_k[kind * s..(kind + 1) * s].iter().map(|k| w * k));
            voxel_local_weight.push(lc.local_weight);
        }
        let mut bottom = 0.0;
        let layer_bottom_nm = target
            .layers
            .iter()
            .map(|l| {
                bottom += l.thickness_nm;
                bottom
            })
            .collect();
        let (cutoff_ev, barrier_ev) = cutoffs_and_barriers(&target, &options);
        let barrier_offset_nm = match options.convention {
            Convention::Millage => 0.0,
            Convention::RustBca => {
                2.0 * target.layers[0].number_density_per_nm3.powf(-1.0 / 3.0)
                    / std::f64::consts::PI.sqrt()
            }
        };
        let table = (options.scattering == ScatteringIntegral::Table)
            .then(|| ScatteringTable::shared(options.potential));
        Ok(Simulation {
            target,
            beam,
            options,
            pairs,
            layer_consts,
            layer_bottom_nm,
            cutoff_ev,
            barrier_ev,
            table,
            nonlocal_k,
            voxel_local_weight,
            barrier_offset_nm,
        })
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The ion beam.
    pub fn beam(&self) -> &IonBeam {
        &self.beam
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Index of the ion among projectile kinds (species indices come first).
    pub(crate) fn ion_kind(&self) -> usize {
        self.target.species.len()
    }

    /// A copy with another angle of incidence (same target and options, tables shared).
    pub fn with_angle(&self, angle_deg: f64) -> std::result::Result<Simulation, SetupError> {
        let beam = IonBeam {
            angle_deg,
            ..self.beam
        };
        Simulation::new(self.target.clone(), beam, self.options.clone())
    }

    /// Runs ions `0..ions` with master `seed` in the current rayon pool and returns the tally.
    ///
    /// Ions are processed in fixed chunks; chunk tallies are merged in ion order, so the result
    /// is bit-identical for any number of threads. `progress(done)` is called from the calling
    /// thread between waves of chunks (for a progress bar); it must not affect the result.
    pub fn run(&self, seed: u64, ions: u64, progress: &dyn Fn(u64)) -> Tally {
        use rayon::prelude::*;
        const CHUNK: u64 = 32;
        const WAVE: u64 = 64;
        let n_chunks = ions.div_ceil(CHUNK);
        let mut total = Tally::new(self);
        let mut chunk = 0;
        while chunk < n_chunks {
            let wave_end = (chunk + WAVE).min(n_chunks);
            let tallies: Vec<Tally> = (chunk..wave_end)
                .into_par_iter()
                .map(|c| {
                    let mut tally = Tally::new(self);
                    let mut ws = Workspace::default();
                    for i in c * CHUNK..((c + 1) * CHUNK).min(ions) {
                        let mut rng = crate::rng::stream(seed, crate::rng::Stream::BcaIon, i);
                        let outcome = self.run_ion(&mut rng, &mut ws);
                        tally.add(&outcome);
                    }
                    tally
                })
                .collect();
            for t in &tallies {
                total.merge(t);
            }
            chunk = wave_end;
            progress((chunk * CHUNK).min(ions));
        }
        total
    }
}

/// The first input [`Simulation::new`] cannot run with.
fn validate(
    target: &Target,
    beam: &IonBeam,
    options: &Options,
) -> std::result::Result<(), SetupError> {
    let err = |field, rule: String| Err(SetupError { field, rule });
    if !(beam.energy_ev.is_finite() && beam.energy_ev > 0.0) {
        return err(
            BcaField::Energy,
            format!("ion energy must be > 0 (got {} eV)", beam.energy_ev),
        );
    }
    if !(beam.angle_deg.is_finite() && (0.0..90.0).contains(&beam.angle_deg)) {
        return err(
            BcaField::Angle,
            format!(
                "angle of incidence must be in [0, 90) degrees from the surface normal (got {})",
                beam.angle_deg
            ),
        );
    }
    if let Some(c) = options.cutoff_override_ev
        && !(c.is_finite() && c > 0.0)
    {
        return err(
            BcaField::Cutoff,
            format!("cutoff energy must be > 0 eV (got {c})"),
        );
    }
    if let Some(e) = options.surface_binding_override_ev
        && !(e.is_finite() && e >= 0.0)
    {
        return err(
            BcaField::SurfaceBinding,
            format!("surface-binding energy must be ≥ 0 eV (got {e})"),
        );
    }
    if !(options.ion_cutoff_ev.is_finite() && options.ion_cutoff_ev > 0.0) {
        return err(
            BcaField::IonCutoff,
            format!("must be > 0 eV (got {})", options.ion_cutoff_ev),
        );
    }
    if options.scattering == ScatteringIntegral::Magic
        && scattering::magic_bands(options.potential).is_empty()
    {
        return err(
            BcaField::Scattering,
            format!(
                "the MAGIC formula has no validated constants for the {} potential",
                options.potential
            ),
        );
    }
    if target.layers.is_empty() || target.species.is_empty() {
        return err(BcaField::Target, "target has no layers".into());
    }
    for (i, l) in target.layers.iter().enumerate() {
        let sum: f64 = l.composition.iter().map(|c| c.1).sum();
        if l.number_density_per_nm3.is_nan()
            || l.number_density_per_nm3 <= 0.0
            || (sum - 1.0).abs() > 1e-6
            || l.thickness_nm.is_nan()
            || l.thickness_nm <= 0.0
        {
            return err(
                BcaField::Layer(i),
                format!(
                    "layer `{}` needs thickness > 0, density > 0 and fractions summing to 1",
                    l.name
                ),
            );
        }
    }
    Ok(())
}

/// Pair constants for every projectile kind × target species (`pairs[k*S + j]`), and the
/// Lindhard–Scharff coefficients kⱼ in the same order.
fn pair_constants(
    kinds: &[(f64, f64)],
    species: &[Species],
    options: &Options,
) -> (Vec<Pair>, Vec<f64>) {
    let mut pairs = Vec::with_capacity(kinds.len() * species.len());
    let mut ls_k = Vec::with_capacity(kinds.len() * species.len());
    for &(z1, m1) in kinds {
        for sp in species {
            let (z2, m2) = (sp.z as f64, sp.mass_amu);
            let a = options.potential.screening_length_nm(z1, z2);
            let k = stopping::lindhard_scharff_k(z1, m1, z2);
            ls_k.push(k);
            pairs.push(Pair {
                inv_a: 1.0 / a,
                eps_per_ev: a * m2 / ((m1 + m2) * z1 * z2 * COULOMB_EV_NM),
                gamma: 4.0 * m1 * m2 / ((m1 + m2) * (m1 + m2)),
                mass_ratio: m2 / m1,
                local_coef: stopping::oen_robinson_prefactor(k, a),
            });
        }
    }
    (pairs, ls_k)
}

/// Free-path and electronic-stopping constants for every projectile kind × layer
/// (`layer_consts[k*L + l]`); `kinds` are (Z, M [amu]) of the projectile kinds, `ls_k` the LS
/// coefficients per kind × species.
fn layer_constants(
    kinds: &[(f64, f64)],
    target: &Target,
    ls_k: &[f64],
    stopping: ElectronicStopping,
) -> std::result::Result<Vec<LayerConsts>, SetupError> {
    let s = target.species.len();
    let (w_nonlocal, w_local) = stopping.weights();
    let mut layer_consts = Vec::with_capacity(kinds.len() * target.layers.len());
    for (kind, &(z1, m1)) in kinds.iter().enumerate() {
        for (i, l) in target.layers.iter().enumerate() {
            let n = l.number_density_per_nm3;
            let lambda = n.powf(-1.0 / 3.0);
            let k_eff: f64 = l
                .composition
                .iter()
                .map(|&(j, c)| c * ls_k[kind * s + j])
                .sum();
            let mut acc = 0.0;
            let cumulative = l
                .composition
                .iter()
                .map(|&(j, c)| {
                    acc += c;
                    (acc, j)
                })
                .collect();
            let (nonlocal_per_nm, local_weight) = match stopping {
                ElectronicStopping::ValenceLocal => {
                    let comp: Vec<(u8, f64)> = l
                        .composition
                        .iter()
                        .map(|&(j, c)| (target.species[j].z, c))
                        .collect();
                    let split = slow_recoil::valence_local_split(z1 as u8, m1, n, &comp, n * k_eff)
                        .map_err(|e| SetupError {
                            field: BcaField::Layer(i),
                            rule: format!("valence-local stopping: {e}"),
                        })?;
                    (split.nonlocal_ev_sqrt_per_nm, split.local_weight)
                }
                _ => (w_nonlocal * n * k_eff, w_local),
            };
            layer_consts.push(LayerConsts {
                lambda_nm: lambda,
                pmax_nm: lambda / std::f64::consts::PI.sqrt(),
                nonlocal_per_nm,
                cumulative,
                local_weight,
            });
        }
    }
    Ok(layer_consts)
}

/// Per projectile kind (species, then the ion): the cutoff energy and the surface barrier [eV].
fn cutoffs_and_barriers(target: &Target, options: &Options) -> (Vec<f64>, Vec<f64>) {
    let surface = &target.layers[0];
    let averaged_es: f64 = surface
        .composition
        .iter()
        .map(|&(j, c)| c * target.species[j].surface_binding_ev)
        .sum();
    let averaged_es = options.surface_binding_override_ev.unwrap_or(averaged_es);
    let mut cutoff_ev: Vec<f64> = target
        .species
        .iter()
        .map(|sp| options.cutoff_override_ev.unwrap_or(sp.cutoff_ev))
        .collect();
    cutoff_ev.push(options.ion_cutoff_ev);
    let mut barrier_ev: Vec<f64> = target
        .species
        .iter()
        .map(|sp| match options.surface_binding {
            SurfaceBinding::Individual => options
                .surface_binding_override_ev
                .unwrap_or(sp.surface_binding_ev),
            SurfaceBinding::TargetAveraged => averaged_es,
        })
        .collect();
    barrier_ev.push(0.0);
    (cutoff_ev, barrier_ev)
}
