//! Aging: thermally activated transport over a temperature history → the specimen at later
//! times (layer 2; pure: no I/O, no printing; progress and snapshots go to an [`AgeObserver`]).
//!
//! Mechanisms, each with its own Arrhenius kinetics per material (aging.md §2, design §2.4):
//! - capillary surface transport ([`surface`]): exact spectral propagator of the linear Mullins
//!   equation, or the nonlinear graph equation for steep walls (ETD1, adaptive);
//! - oxidation ([`oxidation`]): parabolic or logarithmic oxide growth, Pilling–Bedworth
//!   swelling, change of surface material;
//! - bulk interdiffusion ([`bulk`]): implanted Ga spreading, N loss, film/substrate mixing —
//!   "no data: mechanism off" where the library has no diffusivity.
//!
//! Coupling: each interval between snapshots is split into `splitting_steps` equal sub-steps
//! in time; in each, oxidation, then surface transport, then bulk diffusion act with their own
//! exact equivalent-time integrals ∫rate(T(t))dt over the sub-step (Lie splitting, first order
//! in the sub-step where mechanisms interact; exact when one mechanism acts alone — T13).
//!
//! Multi-material surfaces (a pit floor of glass next to CrN walls and top): the linear
//! propagator needs one B. Rule [`SurfaceRule::AreaWeighted`] (default) uses the mean of the
//! columns' ∫B dt weighted by true surface area √(1+|∇h|²) per column, the material of a column
//! being the host at its surface; [`SurfaceRule::Slowest`] uses the smallest. The nonlinear
//! solver uses B per column (face mobility = harmonic mean of the two columns), which is the
//! better model where materials meet. A column with an oxide skin has the oxide's own surface
//! transport where the library holds the oxide as a material (`oxidation.oxide_material`, e.g.
//! CrN → Cr2O3), else its host's. A glass at the surface relaxes by viscous flow F = γ/(2η)
//! ([`viscous`]), area-weighted like B in the linear propagator and applied as a split step after
//! the graph equation in the nonlinear one; glasses have no surface diffusion (no measurement).
//!
//! Composition on the 2.5-D grid ([`composition`], issue 17 item 4): surface transport moves
//! material, not labels. Each step's height change is carried by a curl-free flux; donor columns
//! give away the top of their strata (oxide skin, transported cover, in-situ film or substrate)
//! and receivers keep what arrives as a covering layer of finite thickness per kind
//! (`FilmGrid::cover_nm`), each kind's volume conserved. A transported cover of an oxidizable
//! material oxidizes with its own law ([`oxidize`]).

pub mod bulk;
pub mod composition;
pub mod history;
pub mod metrics;
pub mod oxidation;
pub mod spectral;
pub mod surface;
pub mod timescale;
pub mod viscous;

use rayon::prelude::*;

use crate::grid::{MaterialIndex, Specimen};
use crate::material::{Material, OxidationLaw};
pub use history::{Arrhenius, Segment, TemperatureHistory};
pub use metrics::{ModuleMap, SnapshotMetrics};
use spectral::Spectral2d;
pub use surface::{Capillary, NonlinearScheme, NonlinearSettings, NonlinearStats};

/// Which surface-transport solver to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurfaceSolver {
    /// Exact spectral propagator of the small-slope equation (one FFT pair per sub-step).
    Linear,
    /// Nonlinear graph equation (steep walls), adaptive ETD1.
    Nonlinear,
}
crate::choices!(SurfaceSolver { SurfaceSolver::Linear => "linear", SurfaceSolver::Nonlinear => "nonlinear" });

/// How one B is chosen for the linear propagator on a multi-material surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurfaceRule {
    /// Surface-area-weighted mean of the columns' B.
    AreaWeighted,
    /// The smallest B of the materials at the surface.
    Slowest,
}
crate::choices!(SurfaceRule { SurfaceRule::AreaWeighted => "area-weighted", SurfaceRule::Slowest => "slowest" });

/// Mechanism switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Mechanisms {
    /// Capillary surface transport.
    pub surface_diffusion: bool,
    /// Oxidation of the film.
    pub oxidation: bool,
    /// Bulk interdiffusion.
    pub bulk_diffusion: bool,
}

/// Everything the aging stage needs besides the specimen.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AgingSettings {
    /// T(t).
    pub history: TemperatureHistory,
    /// End of the simulated time [s].
    pub horizon_s: f64,
    /// Times at which the state is reported [s], ascending, within [0, horizon].
    pub snapshots_s: Vec<f64>,
    /// Switches.
    pub mechanisms: Mechanisms,
    /// Surface solver.
    pub solver: SurfaceSolver,
    /// Multi-material rule of the linear solver.
    pub surface_rule: SurfaceRule,
    /// Operator-splitting sub-steps per snapshot interval.
    pub splitting_steps: usize,
    /// Nonlinear solver settings.
    pub nonlinear: NonlinearSettings,
    /// Start from the library's native oxide (`native_oxide_nm`) on every column whose surface
    /// material oxidizes (the skin a film grows in air within days of writing; aging.md §4.5).
    pub native_oxide: bool,
}

/// A mechanism switch that needs per-material kinetic data (see [`missing_parameter`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// [`Mechanisms::surface_diffusion`].
    SurfaceDiffusion,
    /// [`Mechanisms::oxidation`].
    Oxidation,
}

/// The kinetic data of a [`Material`] a mechanism reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KineticTable {
    /// [`Material::surface`]: D₀, E_a, γ, Ω of capillary surface transport.
    Surface,
    /// [`Material::oxidation`]: the oxidation law, its constants and the Pilling–Bedworth ratio.
    Oxidation,
}

/// A kinetic table an enabled mechanism needs but a material lacks (the config layer turns
/// this into a message naming the switch and the material-file keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingParameter {
    /// Material name.
    pub material: String,
    /// The mechanism that needs it.
    pub mechanism: Mechanism,
    /// The missing table.
    pub table: KineticTable,
}

/// The first kinetic table that the enabled mechanisms need and one of `materials` lacks.
/// Surface transport needs [`KineticTable::Surface`] (or, for a glass, its viscosity) of every
/// material of the stack;
/// oxidation needs [`KineticTable::Oxidation`] (an inert law is valid). Bulk diffusion never
/// fails here: missing diffusivities are research gaps, reported as
/// [`MechanismState::NoData`].
pub fn missing_parameter(materials: &[&Material], m: &Mechanisms) -> Option<MissingParameter> {
    for mat in materials {
        if m.surface_diffusion && !mat.has_capillary_transport() {
            return Some(MissingParameter {
                material: mat.name.clone(),
                mechanism: Mechanism::SurfaceDiffusion,
                table: KineticTable::Surface,
            });
        }
        if m.oxidation && mat.oxidation.is_none() {
            return Some(MissingParameter {
                material: mat.name.clone(),
                mechanism: Mechanism::Oxidation,
                table: KineticTable::Oxidation,
            });
        }
    }
    None
}

/// Receives progress and snapshots; the solver itself does no I/O. `()` ignores everything.
pub trait AgeObserver {
    /// Called after every splitting sub-step: simulated time reached and horizon [s].
    fn on_progress(&mut self, _time_s: f64, _horizon_s: f64) {}
    /// Called at every snapshot with the aged specimen and its metrics.
    fn on_snapshot(
        &mut self,
        _index: usize,
        _time_s: f64,
        _specimen: &Specimen,
        _metrics: &SnapshotMetrics,
    ) {
    }
}

impl AgeObserver for () {}

/// What a mechanism does for one material in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MechanismState {
    /// Acts on the specimen.
    Active,
    /// Computed and reported, but the 2.5-D grid cannot hold its effect (nitrogen loss,
    /// film/substrate mixing).
    Reported,
    /// The material does not oxidize (an inert law).
    Inert,
    /// Switched off by the scenario.
    Off,
    /// The library has no data for it, so it is off.
    NoData,
}

crate::choices!(MechanismState {
    MechanismState::Active => "active",
    MechanismState::Reported => "active (reported, grid unchanged)",
    MechanismState::Inert => "inert",
    MechanismState::Off => "off (switch)",
    MechanismState::NoData => "no data: mechanism off",
});

impl MechanismState {
    /// `on_state` if the switch is on and the data exist, else off or no data.
    fn of(switch: bool, has_data: bool, on_state: MechanismState) -> MechanismState {
        match (switch, has_data) {
            (false, _) => MechanismState::Off,
            (true, false) => MechanismState::NoData,
            (true, true) => on_state,
        }
    }
}

/// Status of one mechanism for one material.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MechanismStatus {
    /// Mechanism, in words (the implant's names its species, e.g. "Ga implant spreading", so
    /// this is not a fixed vocabulary).
    pub mechanism: String,
    /// Material.
    pub material: String,
    /// What the mechanism does.
    pub status: MechanismState,
}

/// A cumulative equivalent-time integral at a snapshot.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IntegralRecord {
    /// Material.
    pub material: String,
    /// Mechanism.
    pub mechanism: String,
    /// ∫rate(T(t))dt from 0 to the snapshot.
    pub integral: f64,
    /// Its unit.
    pub unit: String,
}

/// The state at one snapshot.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SnapshotState {
    /// Simulated time [s].
    pub time_s: f64,
    /// Measures.
    pub metrics: SnapshotMetrics,
    /// Cumulative integrals per material and mechanism.
    pub integrals: Vec<IntegralRecord>,
}

/// What aging did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AgingOutcome {
    /// Snapshots in time order.
    pub snapshots: Vec<SnapshotState>,
    /// Per mechanism and material: active, inert, off, or no data.
    pub mechanisms: Vec<MechanismStatus>,
    /// Nonlinear solver work (zero for the linear solver).
    pub nonlinear: NonlinearStats,
}

fn stack_materials(specimen: &Specimen) -> Vec<MaterialIndex> {
    let mut v: Vec<MaterialIndex> = specimen.stack.layers.iter().map(|l| l.material).collect();
    v.push(specimen.stack.substrate);
    let mut seen = Vec::new();
    v.retain(|m| {
        let new = !seen.contains(m);
        seen.push(*m);
        new
    });
    v
}

struct Accumulators {
    surface_nm4: Vec<f64>,
    viscous_nm: Vec<f64>,
    oxide_surface_nm4: Vec<f64>,
    oxidation: Vec<f64>,
    implant_dt_nm2: f64,
}

/// Ages `specimen` in place over `settings.history` up to the horizon, reporting snapshots to
/// `observer` (snapshot 0 may be t = 0). `map` locates the modules for the metrics.
pub fn age(
    specimen: &mut Specimen,
    settings: &AgingSettings,
    map: &ModuleMap,
    observer: &mut dyn AgeObserver,
) -> crate::error::Result<AgingOutcome> {
    let grid_n = (specimen.grid.nx(), specimen.grid.ny());
    let spectral = Spectral2d::new(grid_n.0, grid_n.1);
    // The coarse grid of the nonlinear solver (aging.nonlinear_coarsening), if it divides the
    // grid; otherwise the solver runs on the write grid.
    let c = settings.nonlinear.coarsening.max(1);
    let coarse = (settings.solver == SurfaceSolver::Nonlinear
        && c > 1
        && grid_n.0.is_multiple_of(c)
        && grid_n.1.is_multiple_of(c))
    .then(|| Spectral2d::new(grid_n.0 / c, grid_n.1 / c));
    let mats = stack_materials(specimen);
    let interface0 = specimen.grid.surface_nm.clone();
    let mech = settings.mechanisms;
    let implant_host = specimen
        .stack
        .layers
        .first()
        .map(|l| l.material)
        .unwrap_or(specimen.stack.substrate);
    let ga_d = bulk::diffusivity(&specimen.materials[implant_host], &specimen.implant_species);
    let statuses = mechanism_statuses(specimen, &mats, &mech, implant_host, ga_d.is_some());
    let mut run = Run {
        settings,
        spectral,
        coarse,
        acc: Accumulators {
            surface_nm4: vec![0.0; mats.len()],
            viscous_nm: vec![0.0; mats.len()],
            oxide_surface_nm4: vec![0.0; mats.len()],
            oxidation: vec![0.0; mats.len()],
            implant_dt_nm2: 0.0,
        },
        mats,
        ga_d,
        stats: NonlinearStats::default(),
        first_step: settings.nonlinear.initial_step_nm4,
        carry_work: composition::CarryWork::default(),
    };
    if mech.oxidation && settings.native_oxide {
        grow_native_oxide(specimen);
    }
    let mut t = 0.0;
    let mut snapshots = Vec::new();
    for (index, &target) in settings.snapshots_s.iter().enumerate() {
        if target > t {
            let n = settings.splitting_steps.max(1);
            let span = target - t;
            for step in 0..n {
                let a = t + span * step as f64 / n as f64;
                let b = if step + 1 == n {
                    target
                } else {
                    t + span * (step + 1) as f64 / n as f64
                };
                run.sub_step(specimen, a, b)?;
                observer.on_progress(b, settings.horizon_s);
            }
            t = target;
        }
        let metrics = metrics::measure(specimen, map, &interface0);
        let integrals = run.integrals(specimen, implant_host);
        observer.on_snapshot(index, t, specimen, &metrics);
        snapshots.push(SnapshotState {
            time_s: t,
            metrics,
            integrals,
        });
    }
    Ok(AgingOutcome {
        snapshots,
        mechanisms: statuses,
        nonlinear: NonlinearStats {
            final_step_nm4: run.first_step,
            ..run.stats
        },
    })
}

/// The state of one [`age`] call between sub-steps.
struct Run<'a> {
    settings: &'a AgingSettings,
    spectral: Spectral2d,
    /// The nonlinear solver's coarse grid, if any.
    coarse: Option<Spectral2d>,
    mats: Vec<MaterialIndex>,
    /// Diffusivity of the implant in its host, if the library has one.
    ga_d: Option<Arrhenius>,
    acc: Accumulators,
    stats: NonlinearStats,
    first_step: f64,
    /// Work arrays of the composition transport, kept across steps.
    carry_work: composition::CarryWork,
}

impl Run<'_> {
    /// One Lie-splitting sub-step over [a, b]: oxidation, surface transport, bulk diffusion.
    fn sub_step(&mut self, specimen: &mut Specimen, a: f64, b: f64) -> crate::error::Result<()> {
        let settings = self.settings;
        let mech = settings.mechanisms;
        if mech.oxidation {
            oxidize(specimen, settings, &self.mats, &mut self.acc, a, b);
        }
        if mech.surface_diffusion {
            diffuse(
                specimen,
                settings,
                &self.spectral,
                self.coarse.as_ref(),
                &self.mats,
                &mut self.acc,
                a,
                b,
                &mut self.stats,
                &mut self.first_step,
                &mut self.carry_work,
            )?;
        }
        if mech.bulk_diffusion
            && let Some(d) = self.ga_d
        {
            let dt = settings.history.integrate(a, b, |tk| d.rate(tk));
            self.acc.implant_dt_nm2 += dt;
            let cell = specimen.grid.cell_nm();
            bulk::spread_laterally(
                &self.spectral,
                &mut specimen.grid.implanted_per_nm2,
                cell,
                dt,
            );
            specimen.implant_depth_nm = (specimen.implant_depth_nm.powi(2) + 2.0 * dt).sqrt();
        }
        Ok(())
    }

    /// The cumulative integrals per material and mechanism so far.
    fn integrals(&self, specimen: &Specimen, implant_host: MaterialIndex) -> Vec<IntegralRecord> {
        let mech = self.settings.mechanisms;
        let acc = &self.acc;
        let mut integrals = Vec::new();
        for (i, &m) in self.mats.iter().enumerate() {
            let name = &specimen.materials[m].name;
            if mech.surface_diffusion && specimen.materials[m].surface.is_some() {
                integrals.push(IntegralRecord {
                    material: name.clone(),
                    mechanism: "surface diffusion ∫B dt".into(),
                    integral: acc.surface_nm4[i],
                    unit: "nm4".into(),
                });
            }
            if mech.surface_diffusion
                && let Some(ox) = specimen.materials[m]
                    .oxidation
                    .as_ref()
                    .and_then(|o| o.oxide_material.as_deref())
            {
                integrals.push(IntegralRecord {
                    material: ox.name.clone(),
                    mechanism: format!("surface diffusion ∫B dt (oxide skin on {name})"),
                    integral: acc.oxide_surface_nm4[i],
                    unit: "nm4".into(),
                });
            }
            if mech.surface_diffusion && specimen.materials[m].viscosity.is_some() {
                integrals.push(IntegralRecord {
                    material: name.clone(),
                    mechanism: "viscous flow ∫F dt".into(),
                    integral: acc.viscous_nm[i],
                    unit: "nm".into(),
                });
            }
            if mech.oxidation
                && let Some(ox) = &specimen.materials[m].oxidation
            {
                let (mech_name, unit) = match ox.law {
                    OxidationLaw::Inert => continue,
                    OxidationLaw::Parabolic { .. } => ("oxidation ∫k_p dt", "nm2"),
                    OxidationLaw::Logarithmic { .. } => ("oxidation ∫dt/τ", "1"),
                };
                integrals.push(IntegralRecord {
                    material: name.clone(),
                    mechanism: mech_name.into(),
                    integral: acc.oxidation[i],
                    unit: unit.into(),
                });
            }
        }
        if mech.bulk_diffusion && self.ga_d.is_some() {
            integrals.push(IntegralRecord {
                material: specimen.materials[implant_host].name.clone(),
                mechanism: format!("{} ∫D dt", specimen.implant_species.symbol),
                integral: acc.implant_dt_nm2,
                unit: "nm2".into(),
            });
        }
        integrals
    }
}

/// What every mechanism does for every material of the stack (the report's table).
fn mechanism_statuses(
    specimen: &Specimen,
    mats: &[MaterialIndex],
    mech: &Mechanisms,
    implant_host: MaterialIndex,
    implant_has_d: bool,
) -> Vec<MechanismStatus> {
    use MechanismState::{Active, Inert, NoData, Off, Reported};
    let status = |mechanism: String, material: &str, status| MechanismStatus {
        mechanism,
        material: material.to_string(),
        status,
    };
    let mut statuses = Vec::new();
    for &m in mats {
        let mat = &specimen.materials[m];
        let surf = MechanismState::of(mech.surface_diffusion, mat.surface.is_some(), Active);
        statuses.push(status("surface diffusion (B k⁴)".into(), &mat.name, surf));
        if let Some(ox) = mat
            .oxidation
            .as_ref()
            .and_then(|o| o.oxide_material.as_deref())
        {
            let st = MechanismState::of(
                mech.surface_diffusion && mech.oxidation,
                ox.surface.is_some(),
                Active,
            );
            statuses.push(status(
                format!("surface diffusion on its oxide {} (B k⁴)", ox.name),
                &mat.name,
                st,
            ));
        }
        let visc = MechanismState::of(mech.surface_diffusion, mat.viscosity.is_some(), Active);
        statuses.push(status("viscous flow (F k)".into(), &mat.name, visc));
        // The other terms of the linear capillary operator: no library data for any material.
        for term in ["evaporation–condensation (A k²)", "volume diffusion (C k³)"] {
            let st = if mech.surface_diffusion { NoData } else { Off };
            statuses.push(status(term.into(), &mat.name, st));
        }
        let ox = match (&mat.oxidation, mech.oxidation) {
            (_, false) => Off,
            (None, true) => NoData,
            (Some(o), true) if matches!(o.law, OxidationLaw::Inert) => Inert,
            _ => Active,
        };
        statuses.push(status("oxidation".into(), &mat.name, ox));
    }
    if !mech.bulk_diffusion {
        return statuses;
    }
    let host = &specimen.materials[implant_host];
    statuses.push(status(
        format!("{} implant spreading", specimen.implant_species.symbol),
        &host.name,
        MechanismState::of(true, implant_has_d, Active),
    ));
    let nitrogen = crate::material::element::by_symbol("N");
    for l in &specimen.stack.layers {
        let mat = &specimen.materials[l.material];
        if let Some(n) = nitrogen
            && mat.constituents.iter().any(|c| c.element.z == n.z)
        {
            let has_d = bulk::diffusivity(mat, &n).is_some();
            statuses.push(status(
                "nitrogen loss".into(),
                &mat.name,
                MechanismState::of(true, has_d, Reported),
            ));
        }
        let sub = &specimen.materials[specimen.stack.substrate];
        let cross = sub
            .constituents
            .iter()
            .any(|c| bulk::diffusivity(mat, &c.element).is_some())
            || mat
                .constituents
                .iter()
                .any(|c| bulk::diffusivity(sub, &c.element).is_some());
        statuses.push(status(
            "film/substrate mixing".into(),
            &format!("{}/{}", mat.name, sub.name),
            MechanismState::of(true, cross, Reported),
        ));
    }
    statuses
}

/// Brings every column's oxide up to its host's native-oxide thickness (consuming x/PBR of the
/// host, with the swelling of [`oxidation::oxidize_column`]).
pub fn grow_native_oxide(specimen: &mut Specimen) {
    let stack = &specimen.stack;
    let materials = &specimen.materials;
    let grid = &mut specimen.grid;
    grid.surface_nm
        .par_iter_mut()
        .zip(grid.oxide_nm.par_iter_mut())
        .for_each(|(surface, oxide)| {
            // At writing no column carries a transported cover: the in-situ top is the surface.
            let (host, available) = stack.top_remaining(*surface);
            if let Some(ox) = &materials[host].oxidation {
                let target = ox.native_oxide_nm.value;
                if matches!(ox.law, OxidationLaw::Inert) || *oxide >= target {
                    return;
                }
                let pbr = ox.pilling_bedworth_ratio.value;
                let room = (available - oxidation::CONSUMED_LAYER_SLIVER_NM).max(0.0);
                let consumed = ((target - *oxide) / pbr).min(room);
                *surface -= consumed;
                *oxide += consumed * pbr;
            }
        });
}

fn oxidize(
    specimen: &mut Specimen,
    settings: &AgingSettings,
    mats: &[MaterialIndex],
    acc: &mut Accumulators,
    a: f64,
    b: f64,
) {
    let mut per_material = vec![0.0; specimen.materials.len()];
    for (i, &m) in mats.iter().enumerate() {
        if let Some(ox) = &specimen.materials[m].oxidation {
            let s = settings
                .history
                .integrate(a, b, |tk| oxidation::law_rate(&ox.law, tk));
            per_material[m] = s;
            acc.oxidation[i] += s;
        }
    }
    let stack = &specimen.stack;
    let materials = &specimen.materials;
    let grid = &mut specimen.grid;
    let cover: Vec<f64> = (0..grid.surface_nm.len())
        .map(|k| grid.cover_total_nm(k))
        .collect();
    // The in-situ host oxidizes at its top below any cover (oxygen taken to reach it through a
    // cover of nm thickness: a stated simplification); the consumed host lowers the in-situ top.
    grid.surface_nm
        .par_iter_mut()
        .zip(grid.oxide_nm.par_iter_mut())
        .zip(cover.par_iter())
        .for_each(|((surface, oxide), c)| {
            let base = *surface - c;
            let (host, available) = stack.top_remaining(base);
            if let Some(ox) = &materials[host].oxidation {
                let r = oxidation::oxidize_column(ox, base, *oxide, available, per_material[host]);
                *surface += r.surface_nm - base;
                *oxide = r.oxide_nm;
            }
        });
    oxidize_cover(specimen, &per_material);
}

/// Oxidation of transported cover: a cover of oxidizable material m (e.g. CrN carried onto a
/// glass floor) grows its oxide with m's law from the oxide already in the same cover,
/// x² = x₀² + ∫k_p dt (or the logarithmic analogue, [`oxidation::grow_oxide_nm`]), consuming
/// Δx/PBR of m and swelling the column by Δx(1 − 1/PBR), as for an in-situ column.
#[cfg(test)]
pub(crate) fn oxidize_cover_for_test(specimen: &mut Specimen, per_material: &[f64]) {
    oxidize_cover(specimen, per_material);
}

fn oxidize_cover(specimen: &mut Specimen, per_material: &[f64]) {
    use crate::grid::Stratum;
    let kinds: Vec<(usize, Stratum)> = specimen
        .grid
        .cover_nm
        .iter()
        .enumerate()
        .map(|(i, (kind, _))| (i, *kind))
        .collect();
    for (slot, kind) in kinds {
        let Stratum::Material(m) = kind else { continue };
        let Some(ox) = specimen.materials[m].oxidation.clone() else {
            continue;
        };
        if matches!(ox.law, OxidationLaw::Inert) || per_material[m] <= 0.0 {
            continue;
        }
        let pbr = ox.pilling_bedworth_ratio.value;
        let oxide_slot = specimen.grid.cover_slot(Stratum::OxideOf(m));
        let g = &mut specimen.grid;
        for k in 0..g.surface_nm.len() {
            let film = g.cover_nm[slot].1[k];
            if film <= 0.0 {
                continue;
            }
            let x0 = g.cover_nm[oxide_slot].1[k];
            let grown = oxidation::grow_oxide_nm(&ox.law, x0, per_material[m]);
            let consumed = ((grown - x0) / pbr).min(film);
            g.cover_nm[slot].1[k] -= consumed;
            g.cover_nm[oxide_slot].1[k] += consumed * pbr;
            g.surface_nm[k] += consumed * (pbr - 1.0);
        }
    }
    specimen
        .grid
        .cover_nm
        .retain(|(_, v)| v.iter().any(|x| *x > 0.0));
}

/// Surface-area weight of each material among the columns' hosts: w_m = A_m / Σ A with the
/// true area √(1 + |∇h|²) per column (forward differences, periodic); summed per row, then
/// over rows in order (deterministic).
fn area_weighted(
    h: &[f64],
    hosts: &[usize],
    nx: usize,
    ny: usize,
    cell: f64,
    n_materials: usize,
) -> Vec<f64> {
    let rows: Vec<Vec<f64>> = (0..ny)
        .into_par_iter()
        .map(|j| {
            let js = if j + 1 == ny { 0 } else { j + 1 };
            let mut a = vec![0.0; n_materials];
            for i in 0..nx {
                let ie = if i + 1 == nx { 0 } else { i + 1 };
                let k = j * nx + i;
                let sx = (h[j * nx + ie] - h[k]) / cell;
                let sy = (h[js * nx + i] - h[k]) / cell;
                a[hosts[k]] += (1.0 + sx * sx + sy * sy).sqrt();
            }
            a
        })
        .collect();
    let mut total = vec![0.0; n_materials];
    for r in &rows {
        for (t, x) in total.iter_mut().zip(r) {
            *t += x;
        }
    }
    let sum: f64 = total.iter().sum();
    total.iter().map(|a| a / sum).collect()
}

#[allow(clippy::too_many_arguments)]
fn diffuse(
    specimen: &mut Specimen,
    settings: &AgingSettings,
    spectral: &Spectral2d,
    coarse: Option<&Spectral2d>,
    mats: &[MaterialIndex],
    acc: &mut Accumulators,
    a: f64,
    b: f64,
    stats: &mut NonlinearStats,
    first_step: &mut f64,
    carry_work: &mut composition::CarryWork,
) -> crate::error::Result<()> {
    let cell = specimen.grid.cell_nm();
    let (nx, ny) = (specimen.grid.nx(), specimen.grid.ny());
    let nmat = specimen.materials.len();
    // Surface kind of each column: m for a bare host m, nmat + m for an oxide skin on host m
    // when the library has that oxide as a material (its own surface transport).
    // A transported cover of at least a monolayer is the column's surface material
    // (`Specimen::surface_stratum`).
    let hosts: Vec<usize> = (0..nx * ny)
        .into_par_iter()
        .map(|k| specimen.kind_index(specimen.surface_stratum(k)))
        .collect();
    let record = |kind: usize| {
        if kind >= nmat {
            specimen.materials[kind - nmat].oxide_or_self()
        } else {
            &specimen.materials[kind]
        }
    };
    let b_of = |kind: usize, tk: f64| {
        record(kind)
            .surface
            .as_ref()
            .map(|s| surface::mullins_b_nm4_per_s(s, tk))
            .unwrap_or(0.0)
    };
    let flows: Vec<Option<viscous::ViscousFlow>> = specimen
        .materials
        .iter()
        .map(|m| m.viscosity.as_ref().and_then(viscous::ViscousFlow::of))
        .collect();
    let mut integral = vec![0.0; 2 * nmat];
    let mut f_integral = vec![0.0; 2 * nmat];
    for (i, &m) in mats.iter().enumerate() {
        integral[m] = settings.history.integrate(a, b, |tk| b_of(m, tk));
        acc.surface_nm4[i] += integral[m];
        if hosts.contains(&(nmat + m)) || acc.oxide_surface_nm4[i] > 0.0 {
            integral[nmat + m] = settings.history.integrate(a, b, |tk| b_of(nmat + m, tk));
            acc.oxide_surface_nm4[i] += integral[nmat + m];
        }
        if let Some(flow) = &flows[m] {
            f_integral[m] = settings.history.integrate(a, b, |tk| flow.f_nm_per_s(tk));
            acc.viscous_nm[i] += f_integral[m];
        }
    }
    let mut h = metrics::outer_surface_nm(specimen);
    let before = h.clone();
    // Viscous flow of the glass columns, ∫F dt weighted by their share of the true surface
    // area (the area-weighted rule, as for B): the linear propagator carries one F.
    let area_weights = area_weighted(&h, &hosts, nx, ny, cell, 2 * nmat);
    let f_int: f64 = f_integral
        .iter()
        .zip(&area_weights)
        .map(|(f, w)| f * w)
        .sum();
    match settings.solver {
        SurfaceSolver::Linear => {
            let b_int = match settings.surface_rule {
                SurfaceRule::Slowest => {
                    let mut present: Vec<usize> = hosts.clone();
                    present.sort_unstable();
                    present.dedup();
                    present
                        .iter()
                        .map(|&m| integral[m])
                        .fold(f64::INFINITY, f64::min)
                }
                // Σ_m A_m ∫B_m dt / Σ A, A_m the true area of columns with host m.
                SurfaceRule::AreaWeighted => {
                    integral.iter().zip(&area_weights).map(|(b, w)| b * w).sum()
                }
            };
            let coefficients = Capillary {
                viscous: f_int,
                ..Capillary::surface_only(b_int)
            };
            surface::propagate_linear(spectral, &mut h, cell, &coefficients);
        }
        SurfaceSolver::Nonlinear => {
            for (tk, dt) in settings.history.pieces(a, b) {
                // B per surface kind (2·nmat of them), then per column.
                let per_kind: Vec<f64> = (0..2 * nmat).map(|kind| b_of(kind, tk)).collect();
                let b0 = hosts.iter().map(|&m| per_kind[m]).fold(0.0, f64::max);
                if b0 <= 0.0 {
                    continue;
                }
                let mobility: Vec<f64> = hosts.par_iter().map(|&m| per_kind[m] / b0).collect();
                // The step carries over in units of τ; rescale when B₀ changes is unnecessary
                // for correctness (the controller adapts), so it is kept as is.
                let s = surface::integrate_nonlinear_coarse(
                    spectral,
                    coarse,
                    &mut h,
                    &mobility,
                    cell,
                    b0 * dt,
                    &settings.nonlinear,
                    first_step,
                )
                .map_err(crate::error::Error::Numerical)?;
                stats.accepted_steps += s.accepted_steps;
                stats.rejected_steps += s.rejected_steps;
                stats.linear_tail_nm4 += s.linear_tail_nm4;
            }
            // Viscous flow as a second split step (Lie splitting with the graph equation);
            // its k¹ term is linear in the small-slope limit, where glass floors lie.
            // Skipped when even the finest mode's decay exponent F̄·k_max (k_max = π√2/d)
            // is below 1e-12, i.e. the step would change heights by less than round-off.
            let k_max = std::f64::consts::PI * std::f64::consts::SQRT_2 / cell;
            if f_int * k_max > 1e-12 {
                let visc = Capillary {
                    viscous: f_int,
                    ..Default::default()
                };
                surface::propagate_linear(spectral, &mut h, cell, &visc);
            }
        }
    }
    // The material that moves: donors give the top of their strata, receivers keep it as a
    // covering layer ([`composition::carry`]).
    composition::carry(specimen, spectral, &before, &h, carry_work);
    Ok(())
}

#[cfg(test)]
mod tests;
