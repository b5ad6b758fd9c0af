//! The read path of one specimen (layer 4): image it (SEM or height map, one noise realization),
//! decode it with the chosen decoders, measure the information criterion and the module
//! contrast, as the `readout` record of `summary.json`.
//!
//! [`ReadoutPlan`] is the part of a scenario the reader needs (imaging settings, decoders,
//! milled polarity); `pipeline` builds it from the scenario, so this module knows no `config`
//! beyond the readout settings type. No I/O.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::decode::{
    self, CriterionGrid, Decoder, DecoderReading, GridSource, InformationReport, SymbolPlacement,
};
use crate::grid::Specimen;
use crate::image::Readout;
use crate::image::{self, Micrograph, ModuleContrast};
use crate::mill::ModuleLayout;
use crate::qr::{MilledModules, QrSymbol};

/// What the reader of a scenario images with and decodes by.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadoutPlan {
    /// Imaging mode and settings.
    pub readout: Readout,
    /// Decoders to run, in scenario order (the order of `ProbeReading::decoder_probabilities`).
    pub decoders: Vec<Decoder>,
    /// Which grid the information criterion samples (located by the blind reader, or the
    /// oracle grid of the layout).
    pub criterion_grid: CriterionGrid,
    /// Which modules are milled (the polarity of the module contrast).
    pub milled: MilledModules,
}

impl ReadoutPlan {
    /// The same reader with the image pixel scaled by `factor` (the frontier scales the whole
    /// specimen laterally; probe size, kV and dose per pixel stay).
    pub fn scaled(&self, factor: f64) -> ReadoutPlan {
        let mut plan = self.clone();
        match &mut plan.readout {
            Readout::Sem(s) => s.pixel_nm *= factor,
            Readout::Height(h) => h.pixel_nm *= factor,
        }
        plan
    }

    /// FWHM of the imaging probe [nm].
    pub fn probe_fwhm_nm(&self) -> f64 {
        match &self.readout {
            Readout::Sem(s) => s.probe_fwhm_nm,
            Readout::Height(h) => h.probe_fwhm_nm,
        }
    }

    /// The module map of `symbol` laid out as `layout` (for the aging metrics).
    pub fn module_map(&self, symbol: &QrSymbol, layout: &ModuleLayout) -> crate::age::ModuleMap {
        let n = symbol.modules_per_side();
        crate::age::ModuleMap {
            origin_nm: layout.quiet_zone_modules as f64 * layout.module_pitch_nm,
            pitch_nm: layout.module_pitch_nm,
            modules: n,
            milled: (0..n * n)
                .map(|k| symbol.is_milled(k % n, k / n, self.milled))
                .collect(),
        }
    }
}

/// What one decoder read, in the record.
#[derive(Debug, Clone, Serialize)]
pub struct DecoderRecord {
    /// A payload came out.
    pub decoded: bool,
    /// It equals the written payload.
    pub payload_matches: bool,
    /// The symbol was read as light-on-dark.
    pub inverted: bool,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// What each decoder that ran read, keyed by decoder (JSON: `{"rxing": {…}, "rqrr": {…}}`, a
/// decoder that did not run is absent).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct DecodersRecord(pub BTreeMap<Decoder, DecoderRecord>);

impl DecodersRecord {
    /// The record of `decoder`, if it ran.
    pub fn get(&self, decoder: Decoder) -> Option<&DecoderRecord> {
        self.0.get(&decoder)
    }
}

impl DecoderRecord {
    /// The verdict of an optional record in the words of the reports: "decoded" (the written
    /// payload came out), "FAILED", or "not run".
    pub fn verdict(record: Option<&DecoderRecord>) -> &'static str {
        match record {
            Some(d) if d.payload_matches => "decoded",
            Some(_) => "FAILED",
            None => "not run",
        }
    }
}

/// Information criterion in the record.
#[derive(Debug, Clone, Serialize)]
pub struct InformationRecord {
    /// The grid sampled: "located" (blind reader) or "oracle" (known layout).
    pub grid: CriterionGrid,
    /// The symbol was located (always true for the oracle grid); if false every module
    /// counts as wrong.
    pub located: bool,
    /// Worst block's codeword errors ÷ its correction capacity (< 1 decodes).
    pub max_block_error_ratio: f64,
    /// Modules read with the wrong colour.
    pub module_errors: usize,
    /// Of which data/EC modules.
    pub data_module_errors: usize,
    /// Of which function-pattern modules.
    pub function_module_errors: usize,
    /// Codeword errors per RS block.
    pub block_errors: Vec<usize>,
    /// Correctable codewords per RS block.
    pub block_capacity: Vec<usize>,
    /// Every block within capacity and the format information readable.
    pub decodable: bool,
}

/// The symbol as the blind reader located it ([`decode::LocatedGrid`]).
#[derive(Debug, Clone, Serialize)]
pub struct LocatedRecord {
    /// The detector that located it.
    pub locator: Decoder,
    /// Modules per side it read.
    pub modules_per_side: usize,
    /// Located module pitch [nm] (located pitch [px] × pixel size).
    pub module_pitch_nm: f64,
    /// Located rotation of the symbol's top edge, counter-clockwise [deg].
    pub rotation_deg: f64,
    /// Smoothing σ the reader applied after locating [px].
    pub smoothing_sigma_px: f64,
}

/// The read in the record.
#[derive(Debug, Clone, Serialize)]
pub struct ReadoutRecord {
    /// "sem" or "height".
    pub mode: crate::image::ReadoutMode,
    /// Pixel size [nm].
    pub pixel_nm: f64,
    /// Image width [px].
    pub width_px: usize,
    /// Image height [px].
    pub height_px: usize,
    /// Module pitch in pixels (of the written layout).
    pub module_px: f64,
    /// What the blind reader located in the image (absent if it located nothing).
    pub located: Option<LocatedRecord>,
    /// Payload decoded by the first decoder that read the written payload, else `null`.
    pub payload: Option<String>,
    /// Per-decoder outcome.
    pub decoders: DecodersRecord,
    /// Decoder-independent information criterion.
    pub information: InformationRecord,
    /// Milled vs unmilled module contrast in the raw signal.
    pub contrast: ModuleContrast,
    /// SEM model diagnostics (absent for the height readout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sem: Option<image::sem::SemReport>,
    /// The phone photo of the SEM screen, read beside the direct frame (`capture =
    /// "screen-photo"`; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_photo: Option<ScreenPhotoRecord>,
}

/// What the decoders read from the phone photo of the screen ([`image::screen`]).
#[derive(Debug, Clone, Serialize)]
pub struct ScreenPhotoRecord {
    /// Photo width [px].
    pub width_px: usize,
    /// Photo height [px].
    pub height_px: usize,
    /// Module pitch in photo pixels at the centre.
    pub module_px: f64,
    /// Per-decoder outcome on the photo.
    pub decoders: DecodersRecord,
}

/// Adds the screen-photo read to `record` when the plan asks for it (SEM, `capture =
/// "screen-photo"`), from `rng::stream(seed, Stream::ScreenPhoto, realization)`.
fn read_screen_photo(
    plan: &ReadoutPlan,
    symbol: &QrSymbol,
    micrograph: &Micrograph,
    record: &mut ReadoutRecord,
    seed: u64,
    realization: u64,
) {
    let Readout::Sem(s) = &plan.readout else {
        return;
    };
    if s.capture != image::Capture::ScreenPhoto {
        return;
    }
    let mut rng = crate::rng::stream(seed, crate::rng::Stream::ScreenPhoto, realization);
    let (photo, scale) = image::screen::screen_photo(&micrograph.grey, &mut rng);
    let module_px = record.module_px * scale;
    let mut decoders = DecodersRecord::default();
    for &decoder in &plan.decoders {
        let r = decoder.read(&photo, module_px);
        decoders.0.insert(
            decoder,
            DecoderRecord {
                payload_matches: r.payload.as_deref() == Some(symbol.payload()),
                decoded: r.decoded,
                inverted: r.inverted,
                error: r.error,
            },
        );
    }
    record.screen_photo = Some(ScreenPhotoRecord {
        width_px: photo.width() as usize,
        height_px: photo.height() as usize,
        module_px,
        decoders,
    });
}

/// Images the specimen (realization `realization` of the noise) and reads it.
pub fn read(
    plan: &ReadoutPlan,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &Specimen,
    seed: u64,
    realization: u64,
) -> (Micrograph, ReadoutRecord) {
    let (micrograph, sem_report) = match &plan.readout {
        Readout::Sem(s) => {
            let (m, r) = image::sem_image(specimen, s, seed, realization);
            (m, Some(r))
        }
        Readout::Height(h) => (image::height_image(specimen, h, seed, realization), None),
    };
    let mut record = read_micrograph(plan, symbol, layout, &micrograph, sem_report);
    read_screen_photo(plan, symbol, &micrograph, &mut record, seed, realization);
    (micrograph, record)
}

/// `realizations` noise realizations of one specimen (indices 0.., the same at every call:
/// common random numbers), each read; in realization order. The noise-free SEM signal is
/// computed once; each realization is bit-identical to [`read`] of the same index.
pub fn read_realizations(
    plan: &ReadoutPlan,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &Specimen,
    seed: u64,
    realizations: usize,
) -> Vec<(Micrograph, ReadoutRecord)> {
    use rayon::prelude::*;
    match &plan.readout {
        Readout::Sem(sem) => {
            let expected = image::sem::sem_expected(specimen, sem);
            (0..realizations as u64)
                .into_par_iter()
                .map(|r| {
                    let (m, rep) = image::sem::sem_realize(&expected, sem, seed, r);
                    let mut rec = read_micrograph(plan, symbol, layout, &m, Some(rep));
                    read_screen_photo(plan, symbol, &m, &mut rec, seed, r);
                    (m, rec)
                })
                .collect()
        }
        Readout::Height(_) => (0..realizations as u64)
            .into_par_iter()
            .map(|r| read(plan, symbol, layout, specimen, seed, r))
            .collect(),
    }
}

/// Decodes and measures a micrograph of the symbol (the part of [`read`] after imaging).
pub fn read_micrograph(
    plan: &ReadoutPlan,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    micrograph: &Micrograph,
    sem_report: Option<image::sem::SemReport>,
) -> ReadoutRecord {
    let pixel_nm = micrograph.pixel_nm;
    let module_px = layout.module_pitch_nm / pixel_nm;
    let origin_px = layout.quiet_zone_modules as f64 * module_px;
    // The oracle knows where the symbol landed in the frame (its registration included); its
    // grid stays axis-aligned, so it is exact for unrotated frames only.
    let (frame_origin_x_px, frame_origin_y_px) =
        micrograph.frame.field_px_to_frame(origin_px, origin_px);
    let placement = SymbolPlacement {
        origin_x_px: frame_origin_x_px,
        origin_y_px: frame_origin_y_px,
        module_px,
    };
    let expected = symbol.payload();
    let record_of = |r: DecoderReading| DecoderRecord {
        payload_matches: r.payload.as_deref() == Some(expected),
        decoded: r.decoded,
        inverted: r.inverted,
        error: r.error,
    };
    let prepared = decode::reader_preprocess(&micrograph.grey, pixel_nm);
    let mut decoders = DecodersRecord::default();
    let mut payload = None;
    for &decoder in &plan.decoders {
        let reading = decoder.read_prepared(&prepared);
        if payload.is_none() && reading.payload.as_deref() == Some(expected) {
            payload = reading.payload.clone();
        }
        decoders.0.insert(decoder, record_of(reading));
    }
    let source = match plan.criterion_grid {
        CriterionGrid::Located => GridSource::Located(prepared.located.as_ref()),
        CriterionGrid::Oracle => GridSource::Oracle(&placement),
    };
    let info: InformationReport = decode::criterion(&micrograph.grey, source, symbol);
    let located = prepared.located.map(|grid| LocatedRecord {
        locator: grid.locator,
        modules_per_side: grid.modules_per_side,
        module_pitch_nm: grid.module_px() * pixel_nm,
        rotation_deg: grid.rotation_deg(),
        smoothing_sigma_px: prepared.smoothing_sigma_px,
    });
    let milled_kind = plan.milled;
    let contrast = image::module_contrast(
        micrograph,
        (origin_px, origin_px),
        module_px,
        symbol.modules_per_side(),
        &|c, r| symbol.is_milled(c, r, milled_kind),
    );
    ReadoutRecord {
        mode: plan.readout.mode(),
        pixel_nm,
        width_px: micrograph.width_px(),
        height_px: micrograph.height_px(),
        module_px,
        located,
        payload,
        decoders,
        information: InformationRecord {
            grid: plan.criterion_grid,
            located: info.located,
            max_block_error_ratio: info.max_block_error_ratio,
            module_errors: info.module_errors,
            data_module_errors: info.data_module_errors,
            function_module_errors: info.function_module_errors,
            block_errors: info.blocks.iter().map(|b| b.errors).collect(),
            block_capacity: info.blocks.iter().map(|b| b.capacity).collect(),
            decodable: info.decodable,
        },
        contrast,
        sem: sem_report,
        screen_photo: None,
    }
}

/// A read margin: one transformation of the t = 0 read, searched for the worst setting a
/// decoder still reads. Adding a margin is one variant here, its key in [`Margin::key`], its
/// range in [`Margin::bracket`] and its transformation in [`Margin::image`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Margin {
    /// Fewest primary electrons per pixel (the SEM dwell scaled down, same probe current):
    /// a new shot-noise realization of the same noise-free signal.
    MinDose,
    /// Largest extra Gaussian blur of the t = 0 micrograph (FWHM = 2√(2 ln 2) σ).
    MaxBlur,
    /// Largest additive Gaussian grey-level noise on the t = 0 micrograph (σ in 8-bit grey).
    MaxNoise,
}

impl Margin {
    /// Every margin, in report order.
    pub const ALL: [Margin; 3] = [Margin::MinDose, Margin::MaxBlur, Margin::MaxNoise];

    /// The `summary.json` key (`read_margins.<decoder>.<key>`), unit in the name.
    pub fn key(self) -> &'static str {
        match self {
            Margin::MinDose => "min_dose_electrons_per_px",
            Margin::MaxBlur => "max_blur_fwhm_nm",
            Margin::MaxNoise => "max_gaussian_noise_sigma_grey",
        }
    }

    /// The searched parameter x ∈ [low, high] (the easy end first: the t = 0 read), in the
    /// margin's own unit: dose factor of the scenario's dwell, blur σ [px], noise σ [grey].
    pub fn bracket(self, module_px: f64) -> (f64, f64) {
        match self {
            Margin::MinDose => (1.0, 1.0e-4),
            Margin::MaxBlur => (0.0, module_px),
            Margin::MaxNoise => (0.0, 255.0),
        }
    }
}

/// Bisection steps per margin (the bracket shrinks by 2⁻¹⁰; the dose bracket is bisected in
/// log space).
const MARGIN_STEPS: usize = 10;

/// Bisection of one margin on `bracket` = (easy end, far end): `reads(x, step)` says whether
/// the decoder reads the image transformed by x (step 0 is the far end, 1.. the bisection
/// points). Returns (last readable x, first unreadable x); if the far end reads, both are the
/// far end (a bound, not a limit). The dose margin is bisected in log space.
pub fn bisect_margin(
    margin: Margin,
    bracket: (f64, f64),
    mut reads: impl FnMut(f64, u64) -> bool,
) -> (f64, f64) {
    let (mut ok, mut bad) = bracket;
    if reads(bad, 0) {
        return (bad, bad);
    }
    for step in 1..=MARGIN_STEPS as u64 {
        let mid = match margin {
            Margin::MinDose => (ok * bad).sqrt(),
            _ => 0.5 * (ok + bad),
        };
        if reads(mid, step) {
            ok = mid;
        } else {
            bad = mid;
        }
    }
    (ok, bad)
}

/// Read margins of one decoder: margin key → value (unit in the key). A decoder that does
/// not read the t = 0 image has no margins; a margin whose far end still reads reports that
/// end (a bound, not a limit).
pub type DecoderMargins = BTreeMap<&'static str, f64>;

/// Read margins per decoder at t = 0 (`summary.json` → `read_margins`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct ReadMargins(pub BTreeMap<Decoder, DecoderMargins>);

/// The worst setting of each [`Margin`] each decoder still reads, found by bisection on one
/// realization per setting (seeded; decodability is not strictly monotone in noise, so the
/// value is the bisection's last readable setting, within one bracket step of the limit for
/// a monotone response).
pub fn read_margins(
    plan: &ReadoutPlan,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &Specimen,
    seed: u64,
) -> ReadMargins {
    use rand_distr::{Distribution, Normal};
    let expected_payload = symbol.payload();
    let (base, sem) = match &plan.readout {
        Readout::Sem(s) => {
            let expected = image::sem::sem_expected(specimen, s);
            let (m, _) = image::sem::sem_realize(&expected, s, seed, 0);
            (m, Some((expected, s.clone())))
        }
        Readout::Height(h) => (image::height_image(specimen, h, seed, 0), None),
    };
    let pixel_nm = base.pixel_nm;
    let module_px = layout.module_pitch_nm / pixel_nm;
    let mut margins = ReadMargins::default();
    for &decoder in &plan.decoders {
        let reads = |grey: &::image::GrayImage| {
            decoder.read(grey, pixel_nm).payload.as_deref() == Some(expected_payload)
        };
        if !reads(&base.grey) {
            continue;
        }
        let mut entry = DecoderMargins::new();
        for margin in Margin::ALL {
            let transformed = |x: f64, step: u64| -> Option<::image::GrayImage> {
                match margin {
                    Margin::MinDose => {
                        let (expected, s) = sem.as_ref()?;
                        let mut scaled = s.clone();
                        scaled.dwell_s *= x;
                        Some(
                            image::sem::sem_realize(expected, &scaled, seed, 1000 + step)
                                .0
                                .grey,
                        )
                    }
                    Margin::MaxBlur => Some(if x > 0.0 {
                        ::image::imageops::blur(&base.grey, x as f32)
                    } else {
                        base.grey.clone()
                    }),
                    Margin::MaxNoise => {
                        let normal = Normal::new(0.0, x.max(1e-9)).ok()?;
                        let mut rng =
                            crate::rng::stream(seed, crate::rng::Stream::ImageNoise, 2000 + step);
                        let mut noisy = base.grey.clone();
                        for p in noisy.pixels_mut() {
                            p[0] = (f64::from(p[0]) + normal.sample(&mut rng))
                                .round()
                                .clamp(0.0, 255.0) as u8;
                        }
                        Some(noisy)
                    }
                }
            };
            if transformed(margin.bracket(module_px).1, 0).is_none() {
                continue;
            }
            let (ok, _) = bisect_margin(margin, margin.bracket(module_px), |x, step| {
                transformed(x, step).is_some_and(|img| reads(&img))
            });
            let value = match margin {
                Margin::MinDose => {
                    let (_, s) = sem.as_ref().expect("dose margin needs the SEM");
                    ok * s.probe_current_a * s.dwell_s / crate::units::ELEMENTARY_CHARGE_C
                }
                Margin::MaxBlur => ok * pixel_nm * 2.0 * (2.0 * std::f64::consts::LN_2).sqrt(),
                Margin::MaxNoise => ok,
            };
            entry.insert(margin.key(), value);
        }
        margins.0.insert(decoder, entry);
    }
    margins
}

/// The quantity one axis of the robustness sweep varies ([`robustness`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RobustnessAxis {
    /// Scan rotation of the raster about the field centre [deg]
    /// (`readout.rotation_deg` replaced).
    RotationDeg,
    /// Stage/beam drift speed during the frame [nm/s] (`readout.drift_nm_per_s` replaced,
    /// direction as the scenario's).
    DriftNmPerS,
    /// Primary electrons per pixel (the probe current scaled at the scenario's dwell, so the
    /// frame time and the drift per frame stay): a new shot-noise realization of the same
    /// noise-free signal.
    DoseElectronsPerPx,
}
crate::choices!(RobustnessAxis {
    RobustnessAxis::RotationDeg => "rotation_deg",
    RobustnessAxis::DriftNmPerS => "drift_nm_per_s",
    RobustnessAxis::DoseElectronsPerPx => "dose_electrons_per_px",
});

/// One point of the robustness sweep for one decoder: the decode probability over
/// `realizations` noise realizations, with its 95 % Wilson score interval (a binomial
/// proportion from a finite Monte Carlo sample).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustnessRow {
    /// Which setting was varied.
    pub axis: RobustnessAxis,
    /// Its value, in the unit of the axis name.
    pub value: f64,
    /// The decoder.
    pub decoder: Decoder,
    /// Realizations that decoded to the expected payload.
    pub decoded: usize,
    /// Realizations tried.
    pub realizations: usize,
    /// decoded / realizations.
    pub probability: f64,
    /// Lower end of the 95 % Wilson interval.
    pub probability_low: f64,
    /// Upper end of the 95 % Wilson interval.
    pub probability_high: f64,
}

/// 95 % Wilson score interval of a binomial proportion k/n (Wilson, JASA 22 (1927) 209):
/// (p̂ + z²/2n ± z √(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96.
pub fn wilson_interval(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = p + z * z / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (
        ((centre - half) / denom).max(0.0),
        ((centre + half) / denom).min(1.0),
    )
}

/// First realization index of the robustness sweep (distinct from the t = 0 read, index 0,
/// and the read margins, 1000.. and 2000..).
const ROBUSTNESS_REALIZATION_BASE: u64 = 10_000;

/// Decode probability of the t = 0 specimen against each `(axis, values)`: per value, the
/// scenario's SEM with that one setting replaced, `realizations` frames (seeded: realization
/// `10000 + point · realizations + r` of the scan and noise streams), each read by the blind
/// reader and every decoder of the plan. The noise-free signal is computed once (rotation,
/// drift and dose act in the scan, [`image::sem::sem_realize`]). SEM only: a height readout
/// gives no rows.
pub fn robustness(
    plan: &ReadoutPlan,
    symbol: &QrSymbol,
    specimen: &Specimen,
    seed: u64,
    axes: &[(RobustnessAxis, Vec<f64>)],
    realizations: usize,
) -> Vec<RobustnessRow> {
    use rayon::prelude::*;
    let Readout::Sem(sem) = &plan.readout else {
        return Vec::new();
    };
    let expected = image::sem::sem_expected(specimen, sem);
    let primaries = sem.probe_current_a * sem.dwell_s / crate::units::ELEMENTARY_CHARGE_C;
    let points: Vec<(RobustnessAxis, f64)> = axes
        .iter()
        .flat_map(|(axis, values)| values.iter().map(move |v| (*axis, *v)))
        .collect();
    let jobs: Vec<(usize, u64)> = (0..points.len())
        .flat_map(|p| (0..realizations as u64).map(move |r| (p, r)))
        .collect();
    let outcomes: Vec<(usize, Vec<bool>)> = jobs
        .par_iter()
        .map(|&(p, r)| {
            let (axis, value) = points[p];
            let mut s = sem.clone();
            match axis {
                RobustnessAxis::RotationDeg => s.microscope.rotation_deg = value,
                RobustnessAxis::DriftNmPerS => s.microscope.drift_nm_per_s = value,
                RobustnessAxis::DoseElectronsPerPx => s.probe_current_a *= value / primaries,
            }
            let realization = ROBUSTNESS_REALIZATION_BASE + (p * realizations) as u64 + r;
            let (m, _) = image::sem::sem_realize(&expected, &s, seed, realization);
            let prepared = decode::reader_preprocess(&m.grey, m.pixel_nm);
            let reads = plan
                .decoders
                .iter()
                .map(|d| d.read_prepared(&prepared).payload.as_deref() == Some(symbol.payload()))
                .collect();
            (p, reads)
        })
        .collect();
    let mut rows = Vec::new();
    for (p, &(axis, value)) in points.iter().enumerate() {
        for (k, &decoder) in plan.decoders.iter().enumerate() {
            let decoded = outcomes
                .iter()
                .filter(|(q, reads)| *q == p && reads[k])
                .count();
            let (low, high) = wilson_interval(decoded, realizations);
            rows.push(RobustnessRow {
                axis,
                value,
                decoder,
                decoded,
                realizations,
                probability: decoded as f64 / realizations.max(1) as f64,
                probability_low: low,
                probability_high: high,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decoder that reads up to a sharp threshold: the bisection's last readable setting
    /// reads, the first unreadable one (one bracket step beyond) does not, and the two are one
    /// final bracket width apart.
    #[test]
    fn margins_are_ordered_around_the_threshold() {
        for margin in Margin::ALL {
            let bracket = margin.bracket(8.0);
            // Threshold inside the bracket (geometric for the dose, linear otherwise).
            let limit = match margin {
                Margin::MinDose => 0.0137,
                _ => bracket.0 + 0.371 * (bracket.1 - bracket.0),
            };
            let readable = |x: f64| match margin {
                Margin::MinDose => x >= limit,
                _ => x <= limit,
            };
            let mut calls = 0;
            let (ok, bad) = bisect_margin(margin, bracket, |x, _| {
                calls += 1;
                readable(x)
            });
            assert!(
                readable(ok),
                "{margin:?}: worst decoded {ok} does not decode"
            );
            assert!(
                !readable(bad),
                "{margin:?}: one step beyond ({bad}) decodes"
            );
            assert_eq!(calls, 1 + MARGIN_STEPS);
            let width = match margin {
                Margin::MinDose => (ok / bad).ln().abs() / (bracket.0 / bracket.1).ln().abs(),
                _ => (ok - bad).abs() / (bracket.1 - bracket.0).abs(),
            };
            assert!(
                (width - 0.5f64.powi(MARGIN_STEPS as i32)).abs() < 1e-9,
                "{width}"
            );
        }
        // A far end that still reads is reported as a bound.
        assert_eq!(
            bisect_margin(Margin::MaxNoise, (0.0, 255.0), |_, _| true),
            (255.0, 255.0)
        );
    }

    #[test]
    fn wilson_interval_brackets_the_proportion() {
        let (lo, hi) = wilson_interval(8, 8);
        assert!(hi == 1.0 && lo > 0.6 && lo < 0.7, "{lo}"); // 8/8: [0.676, 1]
        let (lo, hi) = wilson_interval(0, 8);
        assert!(lo == 0.0 && hi > 0.3 && hi < 0.33, "{hi}");
        let (lo, hi) = wilson_interval(5, 10);
        assert!((0.5 - lo - (hi - 0.5)).abs() < 1e-12 && lo > 0.23 && lo < 0.24);
    }
}
