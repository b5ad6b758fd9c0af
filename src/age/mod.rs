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
//! better model where materials meet. An oxide skin is given its host's surface transport (no
//! surface-diffusion data for the oxides in the library).
//!
//! Composition on the 2.5-D grid: the material that surface diffusion carries is the surface
//! material, so an oxide skin thickens where material arrives and thins where it leaves; in
//! columns without a skin the carried material takes the label of the stratum at its new height
//! (the grid stores no voxel composition).

pub mod bulk;
pub mod history;
pub mod metrics;
pub mod oxidation;
pub mod spectral;
pub mod surface;
pub mod timescale;

use rayon::prelude::*;

use crate::grid::{MaterialIndex, Specimen};
use crate::material::{Material, OxidationLaw};
pub use history::{Arrhenius, Segment, TemperatureHistory};
pub use metrics::{ModuleMap, SnapshotMetrics};
use spectral::Spectral2d;
pub use surface::{Capillary, NonlinearSettings, NonlinearStats};

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

/// A kinetic parameter an enabled mechanism needs but a material lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingParameter {
    /// Material name.
    pub material: String,
    /// The mechanism switch that needs it.
    pub mechanism: &'static str,
    /// The missing table or key of the material file.
    pub parameter: &'static str,
}

/// The first kinetic parameter that the enabled mechanisms need and one of `materials` lacks.
/// Surface diffusion needs `[surface]` (D₀, E_a, γ, Ω) of every material of the stack;
/// oxidation needs `[oxidation]` (law and constants; `law = "inert"` is valid). Bulk
/// diffusion never fails here: missing diffusivities are research gaps, reported as
/// "no data: mechanism off".
pub fn missing_parameter(materials: &[&Material], m: &Mechanisms) -> Option<MissingParameter> {
    for mat in materials {
        if m.surface_diffusion && mat.surface.is_none() {
            return Some(MissingParameter {
                material: mat.name.clone(),
                mechanism: "surface_diffusion",
                parameter: "[surface] (surface_energy_j_m2, formula_volume_nm3, diffusion_d0_cm2_per_s, diffusion_ea_ev)",
            });
        }
        if m.oxidation && mat.oxidation.is_none() {
            return Some(MissingParameter {
                material: mat.name.clone(),
                mechanism: "oxidation",
                parameter: "[oxidation] (law and its rate constants, pilling_bedworth_ratio)",
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

/// Status of one mechanism for one material.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MechanismStatus {
    /// Mechanism.
    pub mechanism: String,
    /// Material.
    pub material: String,
    /// "active", "off (switch)", "inert", or "no data: mechanism off".
    pub status: String,
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
    let mats = stack_materials(specimen);
    let interface0 = specimen.grid.surface_nm.clone();
    let mech = settings.mechanisms;
    let mut statuses = Vec::new();
    for &m in &mats {
        let mat = &specimen.materials[m];
        let surf = if !mech.surface_diffusion {
            "off (switch)"
        } else if mat.surface.is_some() {
            "active"
        } else {
            "no data: mechanism off"
        };
        statuses.push(MechanismStatus {
            mechanism: "surface diffusion (B k⁴)".into(),
            material: mat.name.clone(),
            status: surf.into(),
        });
        for term in [
            "viscous flow (F k)",
            "evaporation–condensation (A k²)",
            "volume diffusion (C k³)",
        ] {
            statuses.push(MechanismStatus {
                mechanism: term.into(),
                material: mat.name.clone(),
                status: if mech.surface_diffusion {
                    "no data: mechanism off".into()
                } else {
                    "off (switch)".into()
                },
            });
        }
        let ox = match (&mat.oxidation, mech.oxidation) {
            (_, false) => "off (switch)",
            (None, true) => "no data: mechanism off",
            (Some(o), true) if matches!(o.law, OxidationLaw::Inert) => "inert",
            _ => "active",
        };
        statuses.push(MechanismStatus {
            mechanism: "oxidation".into(),
            material: mat.name.clone(),
            status: ox.into(),
        });
    }
    let implant_host = specimen
        .stack
        .layers
        .first()
        .map(|l| l.material)
        .unwrap_or(specimen.stack.substrate);
    let ga_d = bulk::diffusivity(&specimen.materials[implant_host], &specimen.implant_species);
    if mech.bulk_diffusion {
        let host = &specimen.materials[implant_host];
        statuses.push(MechanismStatus {
            mechanism: format!("{} implant spreading", specimen.implant_species.symbol),
            material: host.name.clone(),
            status: if ga_d.is_some() {
                "active".into()
            } else {
                "no data: mechanism off".into()
            },
        });
        let nitrogen = crate::material::element::by_symbol("N");
        for l in &specimen.stack.layers {
            let mat = &specimen.materials[l.material];
            if let Some(n) = nitrogen
                && mat.constituents.iter().any(|c| c.element.z == n.z)
            {
                statuses.push(MechanismStatus {
                    mechanism: "nitrogen loss".into(),
                    material: mat.name.clone(),
                    status: if bulk::diffusivity(mat, &n).is_some() {
                        "active (reported, grid unchanged)".into()
                    } else {
                        "no data: mechanism off".into()
                    },
                });
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
            statuses.push(MechanismStatus {
                mechanism: "film/substrate mixing".into(),
                material: format!("{}/{}", mat.name, sub.name),
                status: if cross {
                    "active (reported, grid unchanged)".into()
                } else {
                    "no data: mechanism off".into()
                },
            });
        }
    }

    let mut acc = Accumulators {
        surface_nm4: vec![0.0; mats.len()],
        oxidation: vec![0.0; mats.len()],
        implant_dt_nm2: 0.0,
    };
    if mech.oxidation && settings.native_oxide {
        grow_native_oxide(specimen);
    }
    let mut stats = NonlinearStats::default();
    let mut first_step = 0.0;
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
                if mech.oxidation {
                    oxidize(specimen, settings, &mats, &mut acc, a, b);
                }
                if mech.surface_diffusion {
                    diffuse(
                        specimen,
                        settings,
                        &spectral,
                        &mats,
                        &mut acc,
                        a,
                        b,
                        &mut stats,
                        &mut first_step,
                    )?;
                }
                if mech.bulk_diffusion
                    && let Some(d) = ga_d
                {
                    let dt = settings.history.integrate(a, b, |tk| d.rate(tk));
                    acc.implant_dt_nm2 += dt;
                    let cell = specimen.grid.cell_nm();
                    bulk::spread_laterally(
                        &spectral,
                        &mut specimen.grid.implanted_per_nm2,
                        cell,
                        dt,
                    );
                    specimen.implant_depth_nm =
                        (specimen.implant_depth_nm.powi(2) + 2.0 * dt).sqrt();
                }
                observer.on_progress(b, settings.horizon_s);
            }
            t = target;
        }
        let metrics = metrics::measure(specimen, map, &interface0);
        let mut integrals = Vec::new();
        for (i, &m) in mats.iter().enumerate() {
            let name = &specimen.materials[m].name;
            if mech.surface_diffusion {
                integrals.push(IntegralRecord {
                    material: name.clone(),
                    mechanism: "surface diffusion ∫B dt".into(),
                    integral: acc.surface_nm4[i],
                    unit: "nm4".into(),
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
        if mech.bulk_diffusion && ga_d.is_some() {
            integrals.push(IntegralRecord {
                material: specimen.materials[implant_host].name.clone(),
                mechanism: format!("{} ∫D dt", specimen.implant_species.symbol),
                integral: acc.implant_dt_nm2,
                unit: "nm2".into(),
            });
        }
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
        nonlinear: stats,
    })
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
            let below = stack.remaining_below(*surface);
            let (host, available) = below[0];
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
    grid.surface_nm
        .par_iter_mut()
        .zip(grid.oxide_nm.par_iter_mut())
        .for_each(|(surface, oxide)| {
            let below = stack.remaining_below(*surface);
            let (host, available) = below[0];
            if let Some(ox) = &materials[host].oxidation {
                let r =
                    oxidation::oxidize_column(ox, *surface, *oxide, available, per_material[host]);
                *surface = r.surface_nm;
                *oxide = r.oxide_nm;
            }
        });
}

#[allow(clippy::too_many_arguments)]
fn diffuse(
    specimen: &mut Specimen,
    settings: &AgingSettings,
    spectral: &Spectral2d,
    mats: &[MaterialIndex],
    acc: &mut Accumulators,
    a: f64,
    b: f64,
    stats: &mut NonlinearStats,
    first_step: &mut f64,
) -> crate::error::Result<()> {
    let cell = specimen.grid.cell_nm();
    let (nx, ny) = (specimen.grid.nx(), specimen.grid.ny());
    let hosts: Vec<MaterialIndex> = (0..nx * ny)
        .into_par_iter()
        .map(|k| specimen.surface_material(k))
        .collect();
    let b_of = |m: MaterialIndex, tk: f64| {
        specimen.materials[m]
            .surface
            .as_ref()
            .map(|s| surface::mullins_b_nm4_per_s(s, tk))
            .unwrap_or(0.0)
    };
    let mut integral = vec![0.0; specimen.materials.len()];
    for (i, &m) in mats.iter().enumerate() {
        integral[m] = settings.history.integrate(a, b, |tk| b_of(m, tk));
        acc.surface_nm4[i] += integral[m];
    }
    let mut h = metrics::outer_surface_nm(specimen);
    let before = h.clone();
    match settings.solver {
        SurfaceSolver::Linear => {
            let b_int = match settings.surface_rule {
                SurfaceRule::Slowest => {
                    let mut present: Vec<MaterialIndex> = hosts.clone();
                    present.sort_unstable();
                    present.dedup();
                    present
                        .iter()
                        .map(|&m| integral[m])
                        .fold(f64::INFINITY, f64::min)
                }
                SurfaceRule::AreaWeighted => {
                    // Σ_m A_m ∫B_m dt / Σ A, A_m the true area of columns with host m; summed
                    // per row then over rows in order (deterministic).
                    let rows: Vec<(f64, f64)> = (0..ny)
                        .into_par_iter()
                        .map(|j| {
                            let js = if j + 1 == ny { 0 } else { j + 1 };
                            let (mut wsum, mut bsum) = (0.0, 0.0);
                            for i in 0..nx {
                                let ie = if i + 1 == nx { 0 } else { i + 1 };
                                let k = j * nx + i;
                                let sx = (h[j * nx + ie] - h[k]) / cell;
                                let sy = (h[js * nx + i] - h[k]) / cell;
                                let area = (1.0 + sx * sx + sy * sy).sqrt();
                                wsum += area;
                                bsum += area * integral[hosts[k]];
                            }
                            (wsum, bsum)
                        })
                        .collect();
                    let (w, s) = rows
                        .iter()
                        .fold((0.0, 0.0), |(w, s), (a, b)| (w + a, s + b));
                    s / w
                }
            };
            surface::propagate_linear(spectral, &mut h, cell, &Capillary::surface_only(b_int));
        }
        SurfaceSolver::Nonlinear => {
            for (tk, dt) in settings.history.pieces(a, b) {
                let bs: Vec<f64> = hosts.iter().map(|&m| b_of(m, tk)).collect();
                let b0 = bs.iter().cloned().fold(0.0, f64::max);
                if b0 <= 0.0 {
                    continue;
                }
                let mobility: Vec<f64> = bs.iter().map(|x| x / b0).collect();
                // The step carries over in units of τ; rescale when B₀ changes is unnecessary
                // for correctness (the controller adapts), so it is kept as is.
                let s = surface::integrate_nonlinear(
                    spectral,
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
        }
    }
    // The material that moves is the surface material: an oxide skin first takes the change
    // (thickens where material arrives, thins where it leaves); only what a skin cannot supply
    // comes from the column below it.
    let grid = &mut specimen.grid;
    grid.surface_nm
        .par_iter_mut()
        .zip(grid.oxide_nm.par_iter_mut())
        .zip(h.par_iter().zip(before.par_iter()))
        .for_each(|((s, ox), (new, old))| {
            let change = new - old;
            if *ox > 0.0 {
                let skin = *ox + change;
                if skin >= 0.0 {
                    *ox = skin;
                } else {
                    *ox = 0.0;
                    *s += skin;
                }
            } else {
                *s += change;
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests;
