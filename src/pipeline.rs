//! One scenario, end to end: symbol → film grid → write → image → decode, as records.
//!
//! Pure orchestration over the physics modules: no I/O, no printing; `output` writes what this
//! returns and `cli` times it.

use serde::Serialize;

use crate::age::{self, AgeObserver, ModuleMap, SnapshotMetrics};
use crate::bca::{IonBeam, Options as BcaOptions, Simulation, TableRequest, Target};
use crate::error::{Error, Result};
use crate::grid::{FilmGrid, Specimen};
use crate::image::Micrograph;
use crate::material::element;
use crate::mill::fast::{self, FastMillReport, MaterialResponse};
use crate::mill::{self, IdealMillReport, MillMetrics, MillModel, ModuleLayout};
use crate::qr::QrSymbol;

pub mod bca_tables;
pub mod lifetime;
mod scenario;

pub use scenario::Scenario;

/// The symbol as written.
#[derive(Debug, Clone, Serialize)]
pub struct SymbolRecord {
    /// QR version.
    pub version: u8,
    /// Modules per side (17 + 4·version).
    pub modules_per_side: usize,
    /// Module pitch [nm].
    pub module_pitch_nm: f64,
    /// Symbol area without the quiet zone [µm²].
    pub area_um2: f64,
    /// Error-correction level.
    pub ec_level: String,
    /// Mask pattern used (0–7).
    pub mask: u8,
    /// Payload length [bytes].
    pub payload_bytes: usize,
    /// Quiet zone [modules].
    pub quiet_zone_modules: usize,
    /// Which modules are milled ("dark" or "light").
    pub milled_modules: String,
    /// Side of the written field incl. quiet zone [nm].
    pub field_side_nm: f64,
}

/// One film layer in the record.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRecord {
    /// Material name.
    pub material: String,
    /// Thickness [nm].
    pub thickness_nm: f64,
}

/// The film stack in the record.
#[derive(Debug, Clone, Serialize)]
pub struct FilmRecord {
    /// Layers from the top.
    pub layers: Vec<LayerRecord>,
    /// Substrate material.
    pub substrate: String,
}

/// The grid in the record.
#[derive(Debug, Clone, Serialize)]
pub struct GridRecord {
    /// Cell side [nm].
    pub cell_nm: f64,
    /// Cells along x.
    pub cells_x: usize,
    /// Cells along y.
    pub cells_y: usize,
    /// Memory of the grid fields [MB].
    pub memory_mb: f64,
}

/// The write in the record.
#[derive(Debug, Clone, Serialize)]
pub struct MillRecord {
    /// Model used ("ideal", "bca" or "bca-direct").
    pub model: mill::MillModelKind,
    /// Milled modules.
    pub milled_modules: usize,
    /// Mean dose over a milled module [ions/nm²] (`null` for the ideal model).
    pub dose_ions_per_nm2: Option<f64>,
    /// Beam-on writing time [s] (`null` for the ideal model).
    pub write_time_s: Option<f64>,
    /// Shape measurements (mean depth, RMS, sidewall angle, neighbour over-milling, Ga).
    #[serde(flatten)]
    pub metrics: MillMetrics,
    /// Whether the mean depth reaches through the film into the substrate.
    pub milled_through_film: bool,
    /// The ideal pit parameters and volume (ideal model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ideal: Option<IdealRecord>,
    /// The beam (bca model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beam: Option<crate::beam::Beam>,
    /// Bookkeeping of the fast Monte Carlo write (bca model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast: Option<FastMillReport>,
    /// Bookkeeping of the direct (voxel) Monte Carlo write (bca-direct model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<crate::mill::direct::DirectMillReport>,
}

/// The ideal model's parameters and outcome.
#[derive(Debug, Clone, Serialize)]
pub struct IdealRecord {
    /// The pit geometry asked for.
    #[serde(flatten)]
    pub pit: crate::mill::IdealPit,
    /// What the ideal write did.
    #[serde(flatten)]
    pub report: IdealMillReport,
}

pub use crate::lifetime::readout::{
    DecoderRecord, DecodersRecord, InformationRecord, ReadoutPlan, ReadoutRecord,
};

/// Everything a run reports (the content of `summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Scenario name.
    pub scenario: String,
    /// Master seed used.
    pub seed: u64,
    /// The symbol.
    pub symbol: SymbolRecord,
    /// The film.
    pub film: FilmRecord,
    /// The grid.
    pub grid: GridRecord,
    /// The write.
    pub mill: MillRecord,
    /// The read at t = 0.
    pub readout: ReadoutRecord,
    /// Read margins per decoder at t = 0: the worst dose, blur and noise still decoded.
    pub read_margins: crate::lifetime::readout::ReadMargins,
    /// The aging stage (absent without an `[aging]` section).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aging: Option<AgingRecord>,
    /// Per-mechanism timescales per material and temperature (with `[aging]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timescales: Option<Vec<age::timescale::TimescaleRow>>,
    /// Lifetime per storage temperature (with `[lifetime]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<Vec<lifetime::LifetimeRow>>,
    /// Monte Carlo lifetime distribution per storage temperature (with `[lifetime]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Vec<lifetime::UncertaintyRow>>,
    /// Searches, degradation curve, Arrhenius fits, test design, frontier (with `[lifetime]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_analysis: Option<lifetime::LifetimeAnalysis>,
    /// Legal but unwise settings.
    pub warnings: Vec<String>,
}

/// One segment of the temperature history, in the record.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentRecord {
    /// Temperature [°C].
    pub temperature_c: f64,
    /// Duration [yr].
    pub duration_yr: f64,
}

/// One aged snapshot, in the record.
#[derive(Debug, Clone, Serialize)]
pub struct AgedSnapshotRecord {
    /// Simulated time [yr].
    pub time_yr: f64,
    /// Topography and composition measures.
    pub metrics: SnapshotMetrics,
    /// Cumulative equivalent-time integrals per material and mechanism.
    pub integrals: Vec<age::IntegralRecord>,
    /// Per-decoder outcome on the snapshot's image.
    pub decoded: DecodersRecord,
    /// Worst RS block's codeword errors ÷ capacity (information criterion; < 1 decodes).
    pub max_block_error_ratio: f64,
    /// Modules read with the wrong colour.
    pub module_errors: usize,
    /// Michelson contrast of milled vs unmilled modules in the raw signal.
    pub michelson_contrast: f64,
}

/// The aging stage in the record.
#[derive(Debug, Clone, Serialize)]
pub struct AgingRecord {
    /// The first segments of the history (at most 20 of `segment_count`).
    pub history: Vec<SegmentRecord>,
    /// Number of segments after repetition.
    pub segment_count: usize,
    /// Simulated horizon [yr].
    pub horizon_yr: f64,
    /// "linear" or "nonlinear".
    pub solver: age::SurfaceSolver,
    /// Multi-material rule of the linear solver.
    pub surface_rule: age::SurfaceRule,
    /// Splitting sub-steps per snapshot interval.
    pub splitting_steps: usize,
    /// Mechanism status per material: active, inert, off, or "no data: mechanism off".
    pub mechanisms: Vec<age::MechanismStatus>,
    /// Nonlinear solver work.
    pub nonlinear: age::NonlinearStats,
    /// Snapshots in time order.
    pub snapshots: Vec<AgedSnapshotRecord>,
}

/// The figures' data of one aged snapshot.
#[derive(Debug, Clone)]
pub struct AgedProducts {
    /// Simulated time [yr].
    pub time_yr: f64,
    /// Outer surface height (surface + oxide) per grid column [nm].
    pub outer_height_nm: Vec<f64>,
    /// The snapshot's image.
    pub micrograph: Micrograph,
}

/// A run's records plus the fields the figures are drawn from.
#[derive(Debug, Clone)]
pub struct RunProducts {
    /// The record.
    pub record: RunRecord,
    /// The written specimen.
    pub specimen: Specimen,
    /// The t = 0 image.
    pub micrograph: Micrograph,
    /// The encoded symbol.
    pub symbol: QrSymbol,
    /// Aged snapshots (empty without `[aging]`).
    pub aged: Vec<AgedProducts>,
    /// The lifetime stage's image strip and records (with `[lifetime]`).
    pub lifetime: Option<lifetime::LifetimeProducts>,
    /// Wall-clock seconds per stage (for the manifest; never in the summary, which must not
    /// depend on the machine).
    pub stage_seconds: StageSeconds,
}

/// Wall-clock time of each stage of a run [s].
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StageSeconds {
    /// Writing the pattern (milling).
    pub write_s: f64,
    /// Imaging and decoding at t = 0.
    pub read_s: f64,
    /// Aging and reading the snapshots.
    pub age_s: f64,
}

/// The module map of a scenario's symbol (for the aging metrics).
pub fn module_map(sc: &Scenario, symbol: &QrSymbol, layout: &ModuleLayout) -> ModuleMap {
    let n = symbol.modules_per_side();
    ModuleMap {
        origin_nm: layout.quiet_zone_modules as f64 * layout.module_pitch_nm,
        pitch_nm: layout.module_pitch_nm,
        modules: n,
        milled: (0..n * n)
            .map(|k| symbol.is_milled(k % n, k / n, sc.geometry.milled))
            .collect(),
    }
}

/// Images and decodes every aging snapshot as it is produced; forwards progress.
struct SnapshotReader<'a> {
    sc: &'a Scenario,
    symbol: &'a QrSymbol,
    layout: &'a ModuleLayout,
    seed: u64,
    reads: Vec<(f64, Micrograph, ReadoutRecord, Vec<f64>)>,
    progress: &'a mut dyn AgeObserver,
}

impl AgeObserver for SnapshotReader<'_> {
    fn on_progress(&mut self, time_s: f64, horizon_s: f64) {
        self.progress.on_progress(time_s, horizon_s);
    }

    fn on_snapshot(
        &mut self,
        index: usize,
        time_s: f64,
        specimen: &Specimen,
        metrics: &SnapshotMetrics,
    ) {
        // Image realization = snapshot index: a new micrograph per inspection, reproducible.
        let (m, r) = read(
            self.sc,
            self.symbol,
            self.layout,
            specimen,
            self.seed,
            index as u64,
        );
        self.reads
            .push((time_s, m, r, age::metrics::outer_surface_nm(specimen)));
        self.progress.on_snapshot(index, time_s, specimen, metrics);
    }
}

/// The timescale report of a scenario's aging: every stack material at every temperature of the
/// history and at 25 °C.
pub fn timescales(sc: &Scenario) -> Option<Vec<age::timescale::TimescaleRow>> {
    let aging = sc.aging.as_ref()?;
    let mut temps = aging.history.distinct_temperatures_k();
    temps.push(crate::units::celsius_to_kelvin(25.0));
    temps.sort_by(f64::total_cmp);
    temps.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let mut mats: Vec<(&crate::material::Material, Option<f64>)> = sc
        .stack
        .layers
        .iter()
        .map(|l| (&sc.materials[l.material], Some(l.thickness_nm)))
        .collect();
    mats.push((&sc.materials[sc.stack.substrate], None));
    Some(age::timescale::report(
        &mats,
        sc.geometry.module_pitch_nm,
        &temps,
        &aging.mechanisms,
    ))
}

/// Field layout of a scenario's symbol.
pub fn layout(sc: &Scenario, symbol: &QrSymbol) -> ModuleLayout {
    ModuleLayout {
        modules_per_side: symbol.modules_per_side(),
        module_pitch_nm: sc.geometry.module_pitch_nm,
        quiet_zone_modules: sc.geometry.quiet_zone_modules,
    }
}

/// Builds the pristine specimen of a scenario: a grid over the field, the stack, materials.
pub fn pristine_specimen(sc: &Scenario, layout: &ModuleLayout) -> Specimen {
    let cells = (layout.field_side_nm() / sc.cell_nm).round() as usize;
    // The cell is adjusted so that an integer number of cells spans the field exactly.
    let cell_nm = layout.field_side_nm() / cells as f64;
    Specimen {
        grid: FilmGrid::new(cells, cells, cell_nm),
        stack: sc.stack.clone(),
        materials: sc.materials.clone(),
        implant_species: element::by_symbol("Ga").expect("Ga is in the element table"),
        implant_depth_nm: 0.0,
    }
}

/// The BCA tables a scenario's write needs: per material of the palette that can reach the
/// surface, the simulation and the request. Empty for the ideal model.
pub fn bca_requests(sc: &Scenario) -> Result<Vec<(usize, Simulation, TableRequest)>> {
    let MillModel::Bca(settings) = &sc.mill else {
        return Ok(Vec::new());
    };
    let mut indices: Vec<usize> = sc.stack.layers.iter().map(|l| l.material).collect();
    indices.push(sc.stack.substrate);
    indices.dedup();
    let mut out = Vec::new();
    for m in indices {
        if out.iter().any(|(i, _, _)| *i == m) {
            continue;
        }
        let sim = Simulation::new(
            Target::from_material(&sc.materials[m]),
            IonBeam {
                element: settings.beam.ion,
                energy_ev: settings.beam.energy_ev,
                angle_deg: 0.0,
            },
            BcaOptions::default(),
        )
        .map_err(|e| {
            use crate::bca::BcaField;
            let name = &sc.materials[m].name;
            let (key, hint) = match e.field {
                BcaField::Energy => ("beam.energy_kev", "give a positive energy in keV".into()),
                BcaField::Angle => (
                    "mill.table_angle_step_deg",
                    "table angles must lie in [0, 90) degrees".into(),
                ),
                BcaField::Target | BcaField::Layer(_) => (
                    "stack",
                    format!("check the material file of {name} (density and composition)"),
                ),
                // The scenario runs the library's default BCA options: not a scenario key.
                BcaField::Cutoff
                | BcaField::SurfaceBinding
                | BcaField::IonCutoff
                | BcaField::Scattering => ("mill.model", format!("material {name}")),
            };
            Error::input(Some(sc.file.clone()), key, None, e.rule, hint)
        })?;
        let request = TableRequest {
            angles_deg: settings.table_angles_deg.clone(),
            ions_per_angle: settings.table_ions_per_angle,
            seed: sc.seed,
        };
        out.push((m, sim, request));
    }
    Ok(out)
}

/// Writes the symbol into the specimen with the scenario's mill model. `responses[m]` are the
/// BCA responses of the palette's materials (needed by the bca model only).
pub fn write(
    sc: &Scenario,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &mut Specimen,
    responses: &[Option<MaterialResponse>],
    seed: u64,
) -> MillRecord {
    let milled = |c: usize, r: usize| symbol.is_milled_in_field(c, r, &sc.geometry);
    let milled_modules = (0..layout.field_modules().pow(2))
        .filter(|k| milled(k % layout.field_modules(), k / layout.field_modules()))
        .count();
    let mut direct = None;
    let (ideal, beam, fast, dose, time) = match &sc.mill {
        MillModel::Ideal(pit) => {
            let report = mill::mill_ideal(&mut specimen.grid, layout, &milled, pit);
            (
                Some(IdealRecord { pit: *pit, report }),
                None,
                None,
                None,
                None,
            )
        }
        MillModel::BcaDirect(settings) => {
            let options = mill::direct::DirectMillOptions {
                sticking: settings.options.sticking,
                ..mill::direct::DirectMillOptions::default()
            };
            direct = Some(
                mill::direct::mill_direct(
                    specimen,
                    layout,
                    &milled,
                    &settings.beam,
                    &options,
                    seed,
                )
                .expect("the scenario checks the beam's ion for the direct mode"),
            );
            let pitch = layout.module_pitch_nm;
            (
                None,
                Some(settings.beam.clone()),
                None,
                Some(settings.beam.dose_per_module_ions_per_nm2(pitch)),
                Some(settings.beam.write_time_s(milled_modules, pitch)),
            )
        }
        MillModel::Bca(settings) => {
            let g = &specimen.grid;
            let (dose, ions_per_pass) =
                fast::pass_dose(g.nx(), g.ny(), g.cell_nm(), layout, &milled, &settings.beam);
            let top = specimen
                .stack
                .layers
                .first()
                .map(|l| l.material)
                .unwrap_or(specimen.stack.substrate);
            specimen.implant_depth_nm = responses[top]
                .as_ref()
                .map(|r| r.implant_depth_nm)
                .unwrap_or(0.0);
            let mut report = fast::mill_fast(
                specimen,
                &dose,
                f64::from(settings.beam.scan.passes),
                responses,
                &settings.options,
                seed,
            );
            let on_grid_per_pass = dose.iter().sum::<f64>() * specimen.grid.cell_nm().powi(2);
            report.ions_outside_fraction = if ions_per_pass > 0.0 {
                (1.0 - on_grid_per_pass / ions_per_pass).max(0.0)
            } else {
                0.0
            };
            let pitch = layout.module_pitch_nm;
            (
                None,
                Some(settings.beam.clone()),
                Some(report),
                Some(settings.beam.dose_per_module_ions_per_nm2(pitch)),
                Some(settings.beam.write_time_s(milled_modules, pitch)),
            )
        }
    };
    let metrics = mill::measure(specimen, layout, &milled);
    MillRecord {
        model: sc.mill.kind(),
        milled_modules,
        dose_ions_per_nm2: dose,
        write_time_s: time,
        milled_through_film: metrics.mean_depth_nm > specimen.stack.film_thickness_nm(),
        metrics,
        ideal,
        beam,
        fast,
        direct,
    }
}

/// The reader of a scenario: its readout settings, decoders and milled polarity.
pub fn readout_plan(sc: &Scenario) -> ReadoutPlan {
    ReadoutPlan {
        readout: sc.readout.clone(),
        decoders: sc.decoders.clone(),
        criterion_grid: sc.criterion_grid,
        milled: sc.geometry.milled,
    }
}

/// Images the specimen (realization `realization` of the noise) and reads it
/// ([`crate::lifetime::readout::read`] with the scenario's reader).
pub fn read(
    sc: &Scenario,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &Specimen,
    seed: u64,
    realization: u64,
) -> (Micrograph, ReadoutRecord) {
    crate::lifetime::readout::read(
        &readout_plan(sc),
        symbol,
        layout,
        specimen,
        seed,
        realization,
    )
}

/// Runs a scenario end to end with master seed `seed`: write, read at t = 0, and, with
/// `[aging]`, age and read every snapshot. `responses` as for [`write`].
pub fn run(
    sc: &Scenario,
    seed: u64,
    responses: &[Option<MaterialResponse>],
) -> Result<RunProducts> {
    run_observed(sc, seed, responses, &mut ())
}

/// [`run`] with an observer that receives the aging progress and snapshots.
pub fn run_observed(
    sc: &Scenario,
    seed: u64,
    responses: &[Option<MaterialResponse>],
    progress: &mut dyn AgeObserver,
) -> Result<RunProducts> {
    let written = write_stage(sc, seed, responses)?;
    run_written(sc, seed, written, progress)
}

/// A written specimen and what it took: the input of every later stage. Sweeps reuse one for
/// all points whose write inputs agree (stage caching).
#[derive(Debug, Clone)]
pub struct Written {
    /// The encoded symbol.
    pub symbol: QrSymbol,
    /// Where its modules sit.
    pub layout: ModuleLayout,
    /// The written specimen.
    pub specimen: Specimen,
    /// The write's record.
    pub mill: MillRecord,
    /// Wall-clock seconds the write took.
    pub write_s: f64,
}

/// Encodes the symbol and writes it into a pristine specimen (the write stage of [`run`]).
pub fn write_stage(
    sc: &Scenario,
    seed: u64,
    responses: &[Option<MaterialResponse>],
) -> Result<Written> {
    let symbol = QrSymbol::encode(&sc.symbol).map_err(|e| Error::Numerical(e.to_string()))?;
    let layout = layout(sc, &symbol);
    let mut specimen = pristine_specimen(sc, &layout);
    let clock = std::time::Instant::now();
    let mill = write(sc, &symbol, &layout, &mut specimen, responses, seed);
    let write_s = clock.elapsed().as_secs_f64();
    Ok(Written {
        symbol,
        layout,
        specimen,
        mill,
        write_s,
    })
}

/// Every stage after the write: read at t = 0, age and read the snapshots, lifetime.
pub fn run_written(
    sc: &Scenario,
    seed: u64,
    written: Written,
    progress: &mut dyn AgeObserver,
) -> Result<RunProducts> {
    let Written {
        symbol,
        layout,
        specimen,
        mill,
        write_s,
    } = written;
    let clock = std::time::Instant::now();
    let (micrograph, readout) = read(sc, &symbol, &layout, &specimen, seed, 0);
    let read_margins = crate::lifetime::readout::read_margins(
        &readout_plan(sc),
        &symbol,
        &layout,
        &specimen,
        seed,
    );
    let read_s = clock.elapsed().as_secs_f64();
    let mut aged = Vec::new();
    let aging = match &sc.aging {
        None => None,
        Some(settings) => {
            let map = module_map(sc, &symbol, &layout);
            let mut aged_specimen = specimen.clone();
            let mut reader = SnapshotReader {
                sc,
                symbol: &symbol,
                layout: &layout,
                seed,
                reads: Vec::new(),
                progress,
            };
            let outcome = age::age(&mut aged_specimen, settings, &map, &mut reader)?;
            let year = crate::units::SECONDS_PER_YEAR;
            let mut snapshots = Vec::new();
            for (state, (time_s, m, r, h)) in outcome.snapshots.iter().zip(reader.reads) {
                snapshots.push(AgedSnapshotRecord {
                    time_yr: time_s / year,
                    metrics: state.metrics,
                    integrals: state.integrals.clone(),
                    decoded: r.decoders.clone(),
                    max_block_error_ratio: r.information.max_block_error_ratio,
                    module_errors: r.information.module_errors,
                    michelson_contrast: r.contrast.michelson,
                });
                aged.push(AgedProducts {
                    time_yr: time_s / year,
                    outer_height_nm: h,
                    micrograph: m,
                });
            }
            Some(AgingRecord {
                history: settings
                    .history
                    .segments()
                    .iter()
                    .take(20)
                    .map(|s| SegmentRecord {
                        temperature_c: crate::units::kelvin_to_celsius(s.temperature_k),
                        duration_yr: s.duration_s / year,
                    })
                    .collect(),
                segment_count: settings.history.segments().len(),
                horizon_yr: settings.horizon_s / year,
                solver: settings.solver,
                surface_rule: settings.surface_rule,
                splitting_steps: settings.splitting_steps,
                mechanisms: outcome.mechanisms,
                nonlinear: outcome.nonlinear,
                snapshots,
            })
        }
    };
    let life = match &sc.lifetime {
        None => None,
        Some(settings) => {
            let map = module_map(sc, &symbol, &layout);
            Some(lifetime::lifetime_stage(
                sc, settings, &symbol, &layout, &specimen, &map, seed,
            )?)
        }
    };
    let n = symbol.modules_per_side();
    let record = RunRecord {
        scenario: sc.name.clone(),
        seed,
        symbol: SymbolRecord {
            version: symbol.version(),
            modules_per_side: n,
            module_pitch_nm: sc.geometry.module_pitch_nm,
            area_um2: sc.geometry.area_um2(n),
            ec_level: format!("{:?}", symbol.ec_level()),
            mask: symbol.mask(),
            payload_bytes: symbol.payload().len(),
            quiet_zone_modules: sc.geometry.quiet_zone_modules,
            milled_modules: format!("{:?}", sc.geometry.milled).to_lowercase(),
            field_side_nm: layout.field_side_nm(),
        },
        film: FilmRecord {
            layers: sc
                .stack
                .layers
                .iter()
                .map(|l| LayerRecord {
                    material: sc.materials[l.material].name.clone(),
                    thickness_nm: l.thickness_nm,
                })
                .collect(),
            substrate: sc.materials[sc.stack.substrate].name.clone(),
        },
        grid: GridRecord {
            cell_nm: specimen.grid.cell_nm(),
            cells_x: specimen.grid.nx(),
            cells_y: specimen.grid.ny(),
            memory_mb: specimen.grid.memory_bytes() as f64 / 1.0e6,
        },
        mill,
        readout,
        read_margins,
        aging,
        timescales: timescales(sc),
        lifetime: life.as_ref().map(|l| l.rows.clone()),
        uncertainty: life.as_ref().map(|l| l.uncertainty.clone()),
        lifetime_analysis: life.as_ref().map(|l| l.analysis.clone()),
        warnings: sc.warnings.clone(),
    };
    let age_s = clock.elapsed().as_secs_f64() - read_s;
    Ok(RunProducts {
        record,
        specimen,
        micrograph,
        symbol,
        aged,
        stage_seconds: StageSeconds {
            write_s,
            read_s,
            age_s,
        },
        lifetime: life,
    })
}

/// Surface height along the centre line of the middle symbol row: (x [nm], z [nm], row).
pub fn cross_section(products: &RunProducts) -> (Vec<f64>, Vec<f64>, usize) {
    let g = &products.specimen.grid;
    let n = products.symbol.modules_per_side();
    let row = n / 2;
    let pitch = products.record.symbol.module_pitch_nm;
    let quiet = products.record.symbol.quiet_zone_modules;
    let y = (quiet as f64 + row as f64 + 0.5) * pitch;
    let j = ((y / g.cell_nm()) as usize).min(g.ny() - 1);
    let x: Vec<f64> = (0..g.nx()).map(|i| g.centre_nm(i, j).0).collect();
    let z: Vec<f64> = (0..g.nx()).map(|i| g.surface_nm[g.index(i, j)]).collect();
    (x, z, row)
}
