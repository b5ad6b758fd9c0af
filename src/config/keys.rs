//! The one table of scenario keys: parsing, validation and `millage explain` all read it.
//!
//! A choice key's words are its enum's [`Choice::NAMES`], declared once beside the enum.

use crate::age::{NonlinearScheme, SurfaceRule, SurfaceSolver};
use crate::beam::ScanOrder;
use crate::choice::Choice;
use crate::decode::{CriterionGrid, Decoder};
use crate::image::{
    Capture, Charging, Contrast, Imperfections, ReadoutMode, Registration, SeEscape,
};
use crate::lifetime::Criterion;
use crate::mill::MillModelKind;
use crate::qr::{EcLevel, MilledModules};

/// Value type and allowed range of a key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyKind {
    /// A finite float in [min, max] (or (min, max] when `min_exclusive`).
    Float {
        /// Lower bound.
        min: f64,
        /// Upper bound (inclusive).
        max: f64,
        /// Whether the lower bound is excluded.
        min_exclusive: bool,
    },
    /// An integer in [min, max].
    Int {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// Free text.
    Text,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// A material of the library (`sims/materials/`).
    Material,
    /// `"auto"` or an integer 0–7 (QR mask pattern).
    Mask,
    /// A list of the listed words.
    ChoiceList(&'static [&'static str]),
    /// true or false.
    Bool,
    /// A list of finite floats, each in [min, max].
    FloatList {
        /// Lower bound of every element.
        min: f64,
        /// Upper bound of every element.
        max: f64,
    },
}

impl KeyKind {
    /// Human-readable type and range, for messages and `explain`.
    pub fn describe(&self) -> String {
        match self {
            KeyKind::Float {
                min,
                max,
                min_exclusive,
            } => {
                let lo = if *min_exclusive { "(" } else { "[" };
                if max.is_infinite() {
                    format!("float {lo}{min}, ∞)")
                } else {
                    format!("float {lo}{min}, {max}]")
                }
            }
            KeyKind::Int { min, max } => format!("integer [{min}, {max}]"),
            KeyKind::Text => "string".into(),
            KeyKind::Choice(c) => format!("one of {}", c.join(" | ")),
            KeyKind::Material => "material name".into(),
            KeyKind::Mask => "\"auto\" or integer [0, 7]".into(),
            KeyKind::ChoiceList(c) => format!("list of {}", c.join(" | ")),
            KeyKind::Bool => "boolean (true or false)".into(),
            KeyKind::FloatList { min, max } => {
                if max.is_infinite() {
                    format!("list of floats in [{min}, ∞)")
                } else {
                    format!("list of floats in [{min}, {max}]")
                }
            }
        }
    }
}

/// What happens when a key is absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyDefault {
    /// The key must be given.
    Required,
    /// This value (in the key's own unit and syntax).
    Value(&'static str),
    /// Derived from other keys by the stated rule.
    Auto(&'static str),
}

/// One scenario key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyDef {
    /// Dotted path; `[]` marks an array-of-tables element, e.g. `film.layers[].material`.
    pub path: &'static str,
    /// Type and allowed range.
    pub kind: KeyKind,
    /// Unit ("" for dimensionless).
    pub unit: &'static str,
    /// Default.
    pub default: KeyDefault,
    /// Meaning, and why the default is what it is.
    pub doc: &'static str,
}

const fn float(min: f64, max: f64) -> KeyKind {
    KeyKind::Float {
        min,
        max,
        min_exclusive: false,
    }
}

const fn positive(max: f64) -> KeyKind {
    KeyKind::Float {
        min: 0.0,
        max,
        min_exclusive: true,
    }
}

/// Every key a scenario file may contain.
pub const KEYS: &[KeyDef] = &[
    // [run]
    KeyDef {
        path: "run.name",
        kind: KeyKind::Text,
        unit: "",
        default: KeyDefault::Auto("the file stem"),
        doc: "Name of the scenario, used in the results directory name.",
    },
    KeyDef {
        path: "run.seed",
        kind: KeyKind::Int {
            min: 0,
            max: i64::MAX,
        },
        unit: "",
        default: KeyDefault::Value("1"),
        doc: "Master seed: fixes every random number of the run (--seed overrides).",
    },
    // [pattern]
    KeyDef {
        path: "pattern.payload",
        kind: KeyKind::Text,
        unit: "",
        default: KeyDefault::Required,
        doc: "Text encoded in the QR symbol (byte mode).",
    },
    KeyDef {
        path: "pattern.version",
        kind: KeyKind::Int { min: 1, max: 40 },
        unit: "",
        default: KeyDefault::Value("3"),
        doc: "QR version: 17 + 4·version modules per side (3 → 29×29, the record).",
    },
    KeyDef {
        path: "pattern.ec_level",
        kind: KeyKind::Choice(EcLevel::NAMES),
        unit: "",
        default: KeyDefault::Value("M"),
        doc: "Reed–Solomon error-correction level (L 7 %, M 15 %, Q 25 %, H 30 % of codewords).",
    },
    KeyDef {
        path: "pattern.mask",
        kind: KeyKind::Mask,
        unit: "",
        default: KeyDefault::Value("auto"),
        doc: "Data mask pattern; auto picks the lowest-penalty mask as ISO/IEC 18004 §7.8 prescribes.",
    },
    KeyDef {
        path: "pattern.module_pitch_nm",
        kind: positive(1.0e5),
        unit: "nm",
        default: KeyDefault::Required,
        doc: "Module (pixel) pitch. The record: 48.48 nm (1.977 µm² / 29²), quoted as 49 nm.",
    },
    KeyDef {
        path: "pattern.quiet_zone_modules",
        kind: KeyKind::Int { min: 0, max: 16 },
        unit: "modules",
        default: KeyDefault::Value("4"),
        doc: "Unmilled margin around the symbol (ISO asks 4; decoders read with 1).",
    },
    KeyDef {
        path: "pattern.milled_modules",
        kind: KeyKind::Choice(MilledModules::NAMES),
        unit: "",
        default: KeyDefault::Value("dark"),
        doc: "Which modules the beam mills: the dark ones or the light ones.",
    },
    // [film]
    KeyDef {
        path: "film.substrate",
        kind: KeyKind::Material,
        unit: "",
        default: KeyDefault::Required,
        doc: "Substrate material under the film (semi-infinite).",
    },
    KeyDef {
        path: "film.layers[].material",
        kind: KeyKind::Material,
        unit: "",
        default: KeyDefault::Required,
        doc: "Material of a film layer; [[film.layers]] are listed from the top down.",
    },
    KeyDef {
        path: "film.layers[].thickness_nm",
        kind: positive(1.0e5),
        unit: "nm",
        default: KeyDefault::Required,
        doc: "As-deposited thickness of the layer.",
    },
    // [grid]
    KeyDef {
        path: "grid.cell_nm",
        kind: positive(1.0e3),
        unit: "nm",
        default: KeyDefault::Auto("module pitch / 24 (≈ 2 nm at 49 nm)"),
        doc: "Lateral cell of the film grid. ≤ 2 nm resolves 49 nm modules' walls; cells > pitch/8 are refused.",
    },
    // [mill]
    KeyDef {
        path: "mill.model",
        kind: KeyKind::Choice(MillModelKind::NAMES),
        unit: "",
        default: KeyDefault::Value("ideal"),
        doc: "How the pattern is written. ideal: geometric reference pits (not ion physics); bca: the beam of [beam] mills the grid with binary-collision sputtering tables (fast mode); bca-direct: every ion's full BCA cascade runs through a 3-D voxel grid of evolving composition (reference mode, a few hundred ions/s on 2 cores: refused above 1e7 ions or 2e8 voxel counts, i.e. more than a few modules; grid.cell_nm is the voxel edge; mill.sticking applies).",
    },
    KeyDef {
        path: "mill.depth_nm",
        kind: positive(1.0e4),
        unit: "nm",
        default: KeyDefault::Value("20"),
        doc: "Ideal pit depth below the film top (20 nm mills through 15 nm CrN into the glass).",
    },
    KeyDef {
        path: "mill.sidewall_angle_deg",
        kind: KeyKind::Float {
            min: 0.0,
            max: 90.0,
            min_exclusive: true,
        },
        unit: "deg",
        default: KeyDefault::Value("80"),
        doc: "Ideal pit wall angle from the horizontal (90 = vertical); FIB walls are typically 75–88°.",
    },
    KeyDef {
        path: "mill.corner_radius_nm",
        kind: float(0.0, 1.0e4),
        unit: "nm",
        default: KeyDefault::Value("5"),
        doc: "Ideal model: rounding radius of convex pit corners (about the beam radius).",
    },
    KeyDef {
        path: "mill.sticking",
        kind: float(0.0, 1.0),
        unit: "",
        default: KeyDefault::Value("1.0"),
        doc: "bca model: probability that a sputtered atom meeting the surface stays there (redeposition).",
    },
    KeyDef {
        path: "mill.redeposition_samples",
        kind: KeyKind::Int {
            min: 0,
            max: 100_000_000,
        },
        unit: "",
        default: KeyDefault::Value("20000"),
        doc: "bca model: Monte Carlo test atoms per time step for line-of-sight redeposition (0 = off).",
    },
    KeyDef {
        path: "mill.implant",
        kind: KeyKind::Bool,
        unit: "",
        default: KeyDefault::Value("true"),
        doc: "bca model: keep implanted ions (Ga) in the grid: swelling and the surface Ga fraction.",
    },
    KeyDef {
        path: "mill.max_step_fraction",
        kind: KeyKind::Float {
            min: 0.0,
            max: 0.5,
            min_exclusive: true,
        },
        unit: "",
        default: KeyDefault::Value("0.25"),
        doc: "bca model: stability limit, largest erosion per time step as a fraction of the grid cell.",
    },
    KeyDef {
        path: "mill.table_ions_per_angle",
        kind: KeyKind::Int {
            min: 10,
            max: 10_000_000,
        },
        unit: "",
        default: KeyDefault::Value("1000"),
        doc: "bca model: ions per incidence angle in the BCA tables (cached in results/cache/bca/).",
    },
    KeyDef {
        path: "mill.table_angle_step_deg",
        kind: KeyKind::Float {
            min: 0.0,
            max: 45.0,
            min_exclusive: true,
        },
        unit: "deg",
        default: KeyDefault::Value("5"),
        doc: "bca model: spacing of the table's incidence angles from 0° (89° is always included).",
    },
    // [beam]
    KeyDef {
        path: "beam.ion",
        kind: KeyKind::Text,
        unit: "",
        default: KeyDefault::Value("Ga"),
        doc: "Ion species (element symbol); Ga is the liquid-metal-source FIB.",
    },
    KeyDef {
        path: "beam.energy_kev",
        kind: KeyKind::Float {
            min: 0.0,
            max: 1000.0,
            min_exclusive: true,
        },
        unit: "keV",
        default: KeyDefault::Value("30"),
        doc: "Ion energy (30 keV is the usual Ga FIB setting).",
    },
    KeyDef {
        path: "beam.current_pa",
        kind: positive(1.0e6),
        unit: "pA",
        default: KeyDefault::Value("2"),
        doc: "Beam current; sets ions per dwell and the writing time.",
    },
    KeyDef {
        path: "beam.spot_fwhm_nm",
        kind: positive(1.0e4),
        unit: "nm",
        default: KeyDefault::Value("10"),
        doc: "FWHM of the Gaussian spot core (Ga columns: ~5–10 nm at 1 pA, 10–15 nm at 10 pA).",
    },
    KeyDef {
        path: "beam.tail_weight",
        kind: float(0.0, 0.999),
        unit: "",
        default: KeyDefault::Value("0"),
        doc: "Fraction of the ions in the wide Gaussian tail, in [0, 1) (measured tails: 10⁻³–10⁻²).",
    },
    KeyDef {
        path: "beam.tail_fwhm_nm",
        kind: positive(1.0e5),
        unit: "nm",
        default: KeyDefault::Value("100"),
        doc: "FWHM of the tail Gaussian.",
    },
    KeyDef {
        path: "beam.dwell_pitch_nm",
        kind: positive(1.0e4),
        unit: "nm",
        default: KeyDefault::Auto("spot FWHM / 2"),
        doc: "Spacing of dwell points inside a module (rounded to fit a whole number per module).",
    },
    KeyDef {
        path: "beam.dwell_us",
        kind: positive(1.0e9),
        unit: "µs",
        default: KeyDefault::Value("1"),
        doc: "Dwell per point and pass.",
    },
    KeyDef {
        path: "beam.passes",
        kind: KeyKind::Int {
            min: 1,
            max: 100_000_000,
        },
        unit: "",
        default: KeyDefault::Value("1"),
        doc: "Passes over every milled module; with current and dwell it fixes the dose.",
    },
    KeyDef {
        path: "beam.scan_order",
        kind: KeyKind::Choice(ScanOrder::NAMES),
        unit: "",
        default: KeyDefault::Value("serpentine"),
        doc: "Order of dwell points within a module.",
    },
    // [readout]
    KeyDef {
        path: "readout.mode",
        kind: KeyKind::Choice(ReadoutMode::NAMES),
        unit: "",
        default: KeyDefault::Value("sem"),
        doc: "sem: secondary-electron image; height: AFM-like height map.",
    },
    KeyDef {
        path: "readout.pixel_nm",
        kind: positive(1.0e4),
        unit: "nm",
        default: KeyDefault::Auto("module pitch / 8"),
        doc: "Image pixel size. Decoders need ≥ 3 px/module (rqrr) and ≥ 1.75 (rxing).",
    },
    KeyDef {
        path: "readout.probe_fwhm_nm",
        kind: float(0.0, 1.0e4),
        unit: "nm",
        default: KeyDefault::Value("3"),
        doc: "Probe (or AFM tip) diameter at half maximum; FE-SEMs reach 1–3 nm at 1–2 kV.",
    },
    KeyDef {
        path: "readout.beam_energy_kev",
        kind: KeyKind::Float {
            min: 0.1,
            max: 30.0,
            min_exclusive: false,
        },
        unit: "keV",
        default: KeyDefault::Value("2"),
        doc: "SEM primary energy. At 1–2 keV a 15 nm film dominates the signal; at ≥ 5 keV the substrate does.",
    },
    KeyDef {
        path: "readout.probe_current_pa",
        kind: positive(1.0e6),
        unit: "pA",
        default: KeyDefault::Value("50"),
        doc: "SEM probe current.",
    },
    KeyDef {
        path: "readout.dwell_us",
        kind: positive(1.0e6),
        unit: "µs",
        default: KeyDefault::Value("10"),
        doc: "Dwell per pixel; with the current it fixes the primary electrons per pixel (shot noise).",
    },
    KeyDef {
        path: "readout.detector_efficiency",
        kind: KeyKind::Float {
            min: 0.0,
            max: 1.0,
            min_exclusive: true,
        },
        unit: "",
        default: KeyDefault::Value("0.2"),
        doc: "Detected fraction of emitted SE (in-lens detectors 0.1–0.5; E–T far lower).",
    },
    KeyDef {
        path: "readout.tilt_exponent",
        kind: float(0.0, 3.0),
        unit: "",
        default: KeyDefault::Value("1.0"),
        doc: "n in the tilt law δ ∝ sec^n θ (0.8 heavy … 1.2 light elements; Reimer).",
    },
    KeyDef {
        path: "readout.edge_gain",
        kind: float(0.0, 10.0),
        unit: "",
        default: KeyDefault::Value("1.0"),
        doc: "k_e: strength of edge brightening (semsim escape-volume term).",
    },
    KeyDef {
        path: "readout.bse_se_gain",
        kind: float(0.0, 20.0),
        unit: "",
        default: KeyDefault::Value("3.0"),
        doc: "β: SE2 generated per backscattered electron, relative to SE1 (2–4).",
    },
    KeyDef {
        path: "readout.film_weight_kappa",
        kind: positive(10.0),
        unit: "",
        default: KeyDefault::Value("0.25"),
        doc: "κ: a layer of thickness t weighs 1 − exp(−t/κR) of the BSE signal (R Kanaya–Okayama range).",
    },
    KeyDef {
        path: "readout.bse_spread_fraction",
        kind: float(0.0, 2.0),
        unit: "",
        default: KeyDefault::Value("0.2"),
        doc: "Lateral σ of the BSE-generated SE2 signal as a fraction of the electron range.",
    },
    KeyDef {
        path: "readout.contrast",
        kind: KeyKind::Choice(Contrast::NAMES),
        unit: "",
        default: KeyDefault::Value("natural"),
        doc: "reversed flips contrast about the mean (phenomenological charging of the glass).",
    },
    KeyDef {
        path: "readout.height_noise_nm",
        kind: float(0.0, 1.0e3),
        unit: "nm",
        default: KeyDefault::Value("0.3"),
        doc: "RMS height noise per pixel of the height readout.",
    },
    KeyDef {
        path: "readout.se_escape",
        kind: KeyKind::Choice(SeEscape::NAMES),
        unit: "",
        default: KeyDefault::Value("open"),
        doc: "line-of-sight: SE emitted into pit walls are absorbed (sky-view factor; dark pits, Reimer 1998 §4.1.3); open: every SE escapes (default until validated on a film-on-glass image, see sims/silica_relief.toml).",
    },
    KeyDef {
        path: "readout.imperfections",
        kind: KeyKind::Choice(Imperfections::NAMES),
        unit: "",
        default: KeyDefault::Value("lab"),
        doc: "lab: a good FE-SEM as a lab uses it (the magnitudes below); ideal: all imperfections off (rotation and offset stay).",
    },
    KeyDef {
        path: "readout.rotation_deg",
        kind: float(-3600.0, 3600.0),
        unit: "deg",
        default: KeyDefault::Value("0"),
        doc: "Scan rotation of the raster about the field centre (the user's framing).",
    },
    KeyDef {
        path: "readout.offset_x_nm",
        kind: float(-1.0e5, 1.0e5),
        unit: "nm",
        default: KeyDefault::Value("0"),
        doc: "Placement of the symbol in the frame along x (the user's framing).",
    },
    KeyDef {
        path: "readout.offset_y_nm",
        kind: float(-1.0e5, 1.0e5),
        unit: "nm",
        default: KeyDefault::Value("0"),
        doc: "Placement of the symbol in the frame along y.",
    },
    KeyDef {
        path: "readout.registration",
        kind: KeyKind::Choice(Registration::NAMES),
        unit: "",
        default: KeyDefault::Value("random"),
        doc: "Sub-pixel placement of each frame on the specimen: random (every realization lands at an independent uniform offset within ±½ pixel, as no stage or beam shift places a specimen to a fraction of a nanometre: the phase of the pixels against the modules is arbitrary; imperfections = \"ideal\" makes it exact) or exact (the pixel grid where the framing puts it: at 8 px per module every module edge on a pixel edge, the reader's best case).",
    },
    KeyDef {
        path: "readout.drift_nm_per_s",
        kind: float(0.0, 1.0e3),
        unit: "nm/s",
        default: KeyDefault::Value("0.033"),
        doc: "Stage/beam drift during the frame; settled FE-SEM stages drift a few nm/min (Snella 2010, Sutton et al. 2007).",
    },
    KeyDef {
        path: "readout.drift_direction_deg",
        kind: float(-360.0, 360.0),
        unit: "deg",
        default: KeyDefault::Value("30"),
        doc: "Direction of the drift from +x towards +y.",
    },
    KeyDef {
        path: "readout.scan_distortion_fraction",
        kind: float(0.0, 0.2),
        unit: "",
        default: KeyDefault::Value("0.005"),
        doc: "Cubic scan non-linearity: the frame edge moves by this fraction of the half-width (1–2 % uncorrected SEMs).",
    },
    KeyDef {
        path: "readout.line_jitter_nm",
        kind: float(0.0, 1.0e3),
        unit: "nm",
        default: KeyDefault::Value("0.5"),
        doc: "RMS line-to-line position jitter (vibration, stray fields; below the ~1 nm resolution of a good FE-SEM).",
    },
    KeyDef {
        path: "readout.line_gain_noise",
        kind: float(0.0, 0.5),
        unit: "",
        default: KeyDefault::Value("0.005"),
        doc: "RMS relative gain fluctuation per line (Schottky emitter current noise < 1 %).",
    },
    KeyDef {
        path: "readout.se_excess_noise_factor",
        kind: float(1.0, 10.0),
        unit: "",
        default: KeyDefault::Value("1.5"),
        doc: "Variance / mean of detected SE counts (1 = Poisson; SE emission and E–T detector chain 1.3–2, Reimer 1998 §4.3).",
    },
    KeyDef {
        path: "readout.charging",
        kind: KeyKind::Choice(Charging::NAMES),
        unit: "",
        default: KeyDefault::Value("steady-state"),
        doc: "steady-state: insulators with δ + η > 1 charge positively until δ·F(V) + η = 1 (Cazaux 2004), screened near grounded films; off: coated or charge-compensated.",
    },
    KeyDef {
        path: "readout.charging_dose_c_per_cm2",
        kind: positive(1.0e3),
        unit: "C/cm²",
        default: KeyDefault::Value("1e-6"),
        doc: "Dose at which charging reaches 63 % of its saturation (estimate for SiO2).",
    },
    KeyDef {
        path: "readout.charging_screening_nm",
        kind: positive(1.0e6),
        unit: "nm",
        default: KeyDefault::Auto("electron range of the column"),
        doc: "Discharge length of a charged insulating area into the nearest grounded conductor (beam-induced conductivity, Cazaux 2004).",
    },
    KeyDef {
        path: "readout.contamination_nm_per_c_per_cm2",
        kind: float(0.0, 1.0e5),
        unit: "nm/(C/cm²)",
        default: KeyDefault::Value("5"),
        doc: "Hydrocarbon contamination growth per dose (estimate for a clean chamber); 0 switches it off.",
    },
    KeyDef {
        path: "readout.prior_dose_c_per_cm2",
        kind: float(0.0, 1.0e3),
        unit: "C/cm²",
        default: KeyDefault::Value("0.003"),
        doc: "Dose the field received before the frame (focusing, stigmation: about two frames).",
    },
    KeyDef {
        path: "readout.capture",
        kind: KeyKind::Choice(Capture::NAMES),
        unit: "",
        default: KeyDefault::Value("direct"),
        doc: "direct: decode the saved frame; screen-photo: also decode a phone photo of the SEM screen (reported beside it).",
    },
    // [aging]
    KeyDef {
        path: "aging.temperature_c",
        kind: KeyKind::Float {
            min: -273.15,
            max: 5000.0,
            min_exclusive: true,
        },
        unit: "°C",
        default: KeyDefault::Auto("none: give this or [[aging.schedule]], not both"),
        doc: "Constant storage temperature (must be above 0 K). The history then lasts horizon_yr.",
    },
    KeyDef {
        path: "aging.schedule[].temperature_c",
        kind: KeyKind::Float {
            min: -273.15,
            max: 5000.0,
            min_exclusive: true,
        },
        unit: "°C",
        default: KeyDefault::Required,
        doc: "Temperature of a schedule segment; [[aging.schedule]] segments follow one another in order.",
    },
    KeyDef {
        path: "aging.schedule[].duration_yr",
        kind: positive(1.0e12),
        unit: "yr",
        default: KeyDefault::Auto("give duration_yr or duration_h"),
        doc: "Duration of the segment in (Julian) years.",
    },
    KeyDef {
        path: "aging.schedule[].duration_h",
        kind: positive(1.0e12),
        unit: "h",
        default: KeyDefault::Auto("give duration_yr or duration_h"),
        doc: "Duration of the segment in hours (for bakes: 1 h at 250 °C).",
    },
    KeyDef {
        path: "aging.schedule[].start_yr",
        kind: float(0.0, 1.0e12),
        unit: "yr",
        default: KeyDefault::Auto("the end of the previous segment"),
        doc: "Optional check: where the segment starts; overlaps and gaps with the previous segment are errors.",
    },
    KeyDef {
        path: "aging.repeat",
        kind: KeyKind::Int {
            min: 1,
            max: 1_000_000,
        },
        unit: "",
        default: KeyDefault::Value("1"),
        doc: "The schedule is a cycle repeated this many times (daily or seasonal cycles, repeated bakes).",
    },
    KeyDef {
        path: "aging.horizon_yr",
        kind: positive(1.0e12),
        unit: "yr",
        default: KeyDefault::Auto(
            "the schedule's total duration × repeat; required with temperature_c",
        ),
        doc: "End of the simulated time; may not exceed the schedule.",
    },
    KeyDef {
        path: "aging.snapshots_yr",
        kind: KeyKind::FloatList {
            min: 0.0,
            max: 1.0e12,
        },
        unit: "yr",
        default: KeyDefault::Auto("0, horizon/1000, horizon/100, horizon/10, horizon"),
        doc: "Times at which the aged specimen is imaged, decoded and measured (≤ horizon).",
    },
    KeyDef {
        path: "aging.surface_diffusion",
        kind: KeyKind::Bool,
        unit: "",
        default: KeyDefault::Value("true"),
        doc: "Capillary surface transport (Mullins); needs [surface] data of every stack material.",
    },
    KeyDef {
        path: "aging.oxidation",
        kind: KeyKind::Bool,
        unit: "",
        default: KeyDefault::Value("true"),
        doc: "Oxidation of the film (parabolic/logarithmic law, Pilling–Bedworth swelling); needs [oxidation] data.",
    },
    KeyDef {
        path: "aging.bulk_diffusion",
        kind: KeyKind::Bool,
        unit: "",
        default: KeyDefault::Value("true"),
        doc: "Implanted Ga spreading, N loss, film/substrate mixing; \"no data: mechanism off\" where the library has no diffusivity.",
    },
    KeyDef {
        path: "aging.native_oxide",
        kind: KeyKind::Bool,
        unit: "",
        default: KeyDefault::Value("true"),
        doc: "Start aging with each oxidizable surface's native oxide (material native_oxide_nm, e.g. 1.5 nm on CrN), grown in air right after writing; the t = 0 read has none.",
    },
    KeyDef {
        path: "aging.solver",
        kind: KeyKind::Choice(SurfaceSolver::NAMES),
        unit: "",
        default: KeyDefault::Value("linear"),
        doc: "linear (default): exact spectral small-slope Mullins propagator (one FFT pair for any horizon; walls of 60–80° are outside its validity); nonlinear: graph equation for steep walls (adaptive exponential integrator aging.nonlinear_scheme on a grid aging.nonlinear_coarsening times coarser; exact small-slope propagator once slopes are below 0.05), used by aging runs and every lifetime probe when selected. Linear stays the default until the nonlinear lifetime search fits the test and 60 s budgets (BENCHMARKS.md, issue 17 item 5).",
    },
    KeyDef {
        path: "aging.surface_rule",
        kind: KeyKind::Choice(SurfaceRule::NAMES),
        unit: "",
        default: KeyDefault::Value("area-weighted"),
        doc: "One B for the linear solver where film and substrate share the surface: the area-weighted mean, or the slowest.",
    },
    KeyDef {
        path: "aging.splitting_steps",
        kind: KeyKind::Int {
            min: 1,
            max: 10_000,
        },
        unit: "",
        default: KeyDefault::Value("8"),
        doc: "Sub-steps per snapshot interval in which oxidation, surface and bulk transport alternate (Lie splitting).",
    },
    KeyDef {
        path: "aging.nonlinear_scheme",
        kind: KeyKind::Choice(NonlinearScheme::NAMES),
        unit: "",
        default: KeyDefault::Value("etd2rk"),
        doc: "Time integrator of the nonlinear solver: etd2rk (second-order exponential Runge–Kutta, embedded ETD1 error estimate) or etd1 (exponential Euler with step doubling, the reference).",
    },
    KeyDef {
        path: "aging.nonlinear_tolerance_nm",
        kind: positive(100.0),
        unit: "nm",
        default: KeyDefault::Value("0.2"),
        doc: "Local error per step of the nonlinear solver (the embedded ETD1 estimate, an upper estimate of the kept second-order step's): 0.2 nm is 1/30 of the record's SEM pixel and 1 % of its pit depth; pit depth within 1 % of a 0.001 nm run on the record's geometry with aging.nonlinear_coarsening = 2 (src/age/surface.rs). On the write grid (coarsening 1) use ≤ 0.01 nm: its steeper walls defeat the estimate at larger tolerances.",
    },
    KeyDef {
        path: "aging.nonlinear_coarsening",
        kind: KeyKind::Int { min: 1, max: 8 },
        unit: "",
        default: KeyDefault::Value("2"),
        doc: "The nonlinear solver integrates the modes a grid this many times coarser resolves (spectral restriction and prolongation, exact inverses); finer modes decay by the exact small-slope propagator. 1: the write grid. A factor that does not divide the grid falls back to 1. 2 keeps the record's pit depth within 2 % of the write grid at ~30× less work.",
    },
    // [lifetime]
    KeyDef {
        path: "lifetime.temperatures_c",
        kind: KeyKind::FloatList {
            min: -273.0,
            max: 4700.0,
        },
        unit: "°C",
        default: KeyDefault::Value("[25.0, 150.0, 300.0, 450.0]"),
        doc: "Storage temperatures at which the lifetime is reported (constant storage each); the Arrhenius plot and fit use them.",
    },
    KeyDef {
        path: "lifetime.horizon_yr",
        kind: positive(1.0e30),
        unit: "yr",
        default: KeyDefault::Value("1.0e6"),
        doc: "Lifetimes beyond this are reported as beyond_horizon (with the horizon), never as a number.",
    },
    KeyDef {
        path: "lifetime.target_yr",
        kind: positive(1.0e30),
        unit: "yr",
        default: KeyDefault::Value("1000.0"),
        doc: "Target lifetime: the temperature at which the lifetime equals it, and the accelerated test that demonstrates it.",
    },
    KeyDef {
        path: "lifetime.use_temperature_c",
        kind: KeyKind::Float {
            min: -273.0,
            max: 4700.0,
            min_exclusive: false,
        },
        unit: "°C",
        default: KeyDefault::Value("25.0"),
        doc: "Use (storage) temperature of the accelerated-test design.",
    },
    KeyDef {
        path: "lifetime.test_duration_h",
        kind: positive(1.0e9),
        unit: "h",
        default: KeyDefault::Value("1000.0"),
        doc: "Duration of the accelerated test (bake); the design gives the bake temperature that demonstrates target_yr at use_temperature_c.",
    },
    KeyDef {
        path: "lifetime.realizations",
        kind: KeyKind::Int { min: 1, max: 101 },
        unit: "",
        default: KeyDefault::Value("3"),
        doc: "SEM noise realizations per probe: the decode probability is the fraction decoded (decoder failure: < 0.5).",
    },
    KeyDef {
        path: "lifetime.uq_samples",
        kind: KeyKind::Int {
            min: 0,
            max: 10_000_000,
        },
        unit: "",
        default: KeyDefault::Value("4000"),
        doc: "Monte Carlo samples of the kinetic parameters (surface diffusion Ea and ln D0 correlated, γ; oxidation Ea and prefactor where oxidation acts) → B50, B5, 95 % lower bound; 0 switches the uncertainty analysis off (≥ 59 needed for the bound).",
    },
    KeyDef {
        path: "lifetime.geometry_design_points",
        kind: KeyKind::Int { min: 0, max: 6 },
        unit: "",
        default: KeyDefault::Value("3"),
        doc: "Geometry uncertainty (over-mill depth, wall angle, film thickness): design points, each a whole failure search on a perturbed copy of the milled specimen — 3: +1σ per factor (forward differences against the unperturbed specimen searched the same way: one more search), 6: ±1σ (central), 0: off (no geometry in the uncertainty, no specimen population, no B-lives). The response d ln t / d factor widens the credible interval, adds over_mill_depth / wall_angle / film_thickness to the sensitivity and gives the geometry population's B-lives (uncertainty[i].population).",
    },
    KeyDef {
        path: "lifetime.over_mill_sigma_nm",
        kind: KeyKind::Float {
            min: 0.0,
            max: 1.0e3,
            min_exclusive: false,
        },
        unit: "nm",
        default: KeyDefault::Auto(
            "the write's module-to-module spread of the milled depth (0 for the ideal mill)",
        ),
        doc: "1σ specimen-to-specimen spread of the pit depth at a fixed film (the dose's spread) for the geometry uncertainty.",
    },
    KeyDef {
        path: "lifetime.wall_angle_sigma_deg",
        kind: KeyKind::Float {
            min: 0.0,
            max: 45.0,
            min_exclusive: false,
        },
        unit: "deg",
        default: KeyDefault::Auto(
            "the write's module-to-module spread of the mean wall slope (0 for the ideal mill)",
        ),
        doc: "1σ specimen-to-specimen spread of the wall angle for the geometry uncertainty.",
    },
    KeyDef {
        path: "lifetime.film_thickness_sigma_nm",
        kind: KeyKind::Float {
            min: 0.0,
            max: 1.0e3,
            min_exclusive: false,
        },
        unit: "nm",
        default: KeyDefault::Auto(
            "5 % of the film thickness (estimated magnetron-sputter thickness tolerance)",
        ),
        doc: "1σ specimen-to-specimen spread of the film thickness (deposition tolerance) for the geometry uncertainty; the pit stays, the interfaces move.",
    },
    KeyDef {
        path: "lifetime.criteria",
        kind: KeyKind::ChoiceList(Criterion::NAMES),
        unit: "",
        default: KeyDefault::Value("[\"decoder\", \"information\"]"),
        doc: "Failure criteria searched: decoder (decode probability < 0.5) and information (worst RS block beyond capacity).",
    },
    KeyDef {
        path: "lifetime.frontier_pitches_nm",
        kind: KeyKind::FloatList {
            min: 1.0,
            max: 1.0e4,
        },
        unit: "nm",
        default: KeyDefault::Value("[5.0, 10.0, 20.0, 35.0, 49.0, 70.0, 100.0, 150.0, 200.0]"),
        doc: "Module pitches of the density–lifetime frontier (bits per area, TB per A4, lifetime): every other pitch (and the largest) is simulated — the milled specimen scaled laterally to the pitch, one failure search of surface diffusion alone — the others interpolated.",
    },
    KeyDef {
        path: "lifetime.curve_points",
        kind: KeyKind::Int { min: 2, max: 200 },
        unit: "",
        default: KeyDefault::Value("10"),
        doc: "Points of the degradation curve (log-spaced in equivalent time around the failure).",
    },
    KeyDef {
        path: "lifetime.tolerance",
        kind: KeyKind::Float {
            min: 1.0e-6,
            max: 1.0,
            min_exclusive: false,
        },
        unit: "",
        default: KeyDefault::Value("0.01"),
        doc: "Bisection stops when the failure time is bracketed within this relative width.",
    },
    KeyDef {
        path: "lifetime.max_probes",
        kind: KeyKind::Int { min: 3, max: 40 },
        unit: "",
        default: KeyDefault::Value("40"),
        doc: "Limit on age + image + decode probes per search (issue 7: ≤ 40).",
    },
    // [decode]
    KeyDef {
        path: "decode.decoders",
        kind: KeyKind::ChoiceList(Decoder::NAMES),
        unit: "",
        default: KeyDefault::Value("[\"rxing\", \"rqrr\"]"),
        doc: "Decoders run on the image: rxing (ZXing port, with reader preprocessing) and rqrr (quirc port).",
    },
    KeyDef {
        path: "decode.criterion_grid",
        kind: KeyKind::Choice(CriterionGrid::NAMES),
        unit: "",
        default: KeyDefault::Value("located"),
        doc: "Grid the information criterion samples: located (found by the blind reader from the image; not located = not decodable) or oracle (the exactly known written grid, an upper-bound diagnostic).",
    },
];

/// The definition of a key path (array indices written as `[]`).
pub fn lookup(pattern: &str) -> Option<&'static KeyDef> {
    KEYS.iter().find(|k| k.path == pattern)
}

/// Section names (first path segment) with at least one key.
pub fn sections() -> Vec<&'static str> {
    let mut s: Vec<&str> = KEYS
        .iter()
        .map(|k| k.path.split('.').next().unwrap_or(""))
        .collect();
    s.dedup();
    s
}

/// The `millage explain` table (markdown).
pub fn explain_markdown() -> String {
    let mut out = String::from(
        "| key | type and range | unit | default | meaning |\n|---|---|---|---|---|\n",
    );
    for k in KEYS {
        let default = match k.default {
            KeyDefault::Required => "required".to_string(),
            KeyDefault::Value(v) => format!("`{v}`"),
            KeyDefault::Auto(rule) => format!("auto: {rule}"),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            k.path,
            k.kind.describe(),
            if k.unit.is_empty() { "–" } else { k.unit },
            default,
            k.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_carry_units_where_dimensional() {
        let mut paths: Vec<&str> = KEYS.iter().map(|k| k.path).collect();
        paths.sort();
        let n = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), n, "duplicate key path");
        for k in KEYS {
            if !k.unit.is_empty() && k.unit != "modules" {
                // A unit suffix is one unit or a quotient of units ("nm_per_s", "c_per_cm2").
                let units = ["nm", "deg", "kev", "pa", "us", "c", "yr", "h", "s", "cm2"];
                let name = k.path.rsplit('.').next().unwrap();
                let mut quotient = name.split("_per_");
                let numerator = quotient.next().unwrap().rsplit('_').next().unwrap();
                assert!(
                    units.contains(&numerator) && quotient.all(|u| units.contains(&u)),
                    "{} has unit {} but no unit suffix",
                    k.path,
                    k.unit
                );
            }
        }
    }

    #[test]
    fn numeric_defaults_lie_in_range() {
        for k in KEYS {
            if let (
                KeyKind::Float {
                    min,
                    max,
                    min_exclusive,
                },
                KeyDefault::Value(v),
            ) = (k.kind, k.default)
            {
                let x: f64 = v.parse().unwrap();
                assert!(
                    x <= max && (x > min || (!min_exclusive && x == min)),
                    "{}",
                    k.path
                );
            }
        }
    }
}
