//! The comparison report: one [`CompareRow`] per variant, built from the variant's run record,
//! written as `compare.csv` (through the `csv` writer, which quotes and escapes) and as the
//! markdown table `compare.md`.
//!
//! Records are read back from the point files through [`CompareRecord`], a typed view of the
//! `summary.json` fields the comparison uses (the run record itself is write-only), so a
//! renamed field fails loudly instead of leaving an empty cell.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::choice::Choice;
use crate::decode::Decoder;
use crate::error::{Error, Result};

/// The fields of a run record (`summary.json`) the comparison reads.
#[derive(Debug, Clone, Deserialize)]
pub struct CompareRecord {
    mill: MillView,
    readout: ReadoutView,
    #[serde(default)]
    lifetime: Option<Vec<LifetimeView>>,
    #[serde(default)]
    uncertainty: Option<Vec<UncertaintyView>>,
    #[serde(default)]
    lifetime_analysis: Option<AnalysisView>,
}

#[derive(Debug, Clone, Deserialize)]
struct MillView {
    dose_ions_per_nm2: Option<f64>,
    write_time_s: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
struct ReadoutView {
    contrast: ContrastView,
    decoders: DecodersView,
}

#[derive(Debug, Clone, Deserialize)]
struct ContrastView {
    michelson: Option<f64>,
    pixel_snr: Option<f64>,
}

type DecodersView = BTreeMap<Decoder, DecoderView>;

#[derive(Debug, Clone, Deserialize)]
struct DecoderView {
    payload_matches: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct LifetimeView {
    temperature_c: f64,
    decoder_failure_yr: Option<f64>,
    information_failure_yr: Option<f64>,
    horizon_yr: f64,
    decoder_status: String,
    information_status: String,
}

#[derive(Debug, Clone, Deserialize)]
struct UncertaintyView {
    temperature_k: f64,
    criterion: String,
    lifetime_median_yr: serde_json::Value,
    lifetime_ci90_yr: Option<[serde_json::Value; 2]>,
}

#[derive(Debug, Clone, Deserialize)]
struct AnalysisView {
    arrhenius: Vec<ArrheniusView>,
}

#[derive(Debug, Clone, Deserialize)]
struct ArrheniusView {
    criterion: String,
    temperature_for_target_c: Option<f64>,
}

/// The JSON word of the decoder criterion (`lifetime::Criterion::DecoderFailure`).
const DECODER_CRITERION: &str = "decoder_failure";

impl CompareRecord {
    /// The view of a point's record.
    pub fn from_json(summary: serde_json::Value) -> Result<Self> {
        serde_json::from_value(summary)
            .map_err(|e| Error::Numerical(format!("not a run record: {e}")))
    }

    /// Storage temperatures with lifetimes [°C] (None: the run had no lifetime stage).
    pub fn temperatures_c(&self) -> Option<Vec<f64>> {
        self.lifetime
            .as_ref()
            .map(|rows| rows.iter().map(|r| r.temperature_c).collect())
    }
}

/// A number in a comparison cell: three decimals, or three significant digits in scientific
/// notation for large and small magnitudes; "–" for none.
fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-2) => format!("{v:.3e}"),
        Some(v) => format!("{v:.3}"),
        None => "–".into(),
    }
}

/// A lifetime cell: the number, else the criterion's status in words ("beyond horizon",
/// "fails as written", …), else "–" (no lifetime at that temperature).
fn lifetime_cell(value: Option<f64>, status: Option<&str>) -> String {
    match (value, status) {
        (Some(v), _) => cell(Some(v)),
        (None, Some(s)) if !s.is_empty() => s.replace('_', " "),
        (None, _) => cell(None),
    }
}

/// The cells of one storage temperature.
#[derive(Debug, Clone, Serialize)]
pub struct TemperatureCells {
    /// Decoder-criterion lifetime [yr] or its status.
    pub decoder_failure_yr: String,
    /// Information-criterion lifetime [yr] or its status.
    pub information_failure_yr: String,
    /// Credible median lifetime of the decoder criterion [yr] (empty beyond the horizon).
    pub decoder_median_yr: String,
    /// Lower end (5 % credible quantile) of its 90 % credible interval [yr].
    pub decoder_ci90_lo_yr: String,
}

/// One variant of a comparison, as its row of `compare.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    /// The variant's label.
    pub variant: String,
    /// Write dose [ions/nm²] (bca writes).
    pub write_dose_ions_per_nm2: String,
    /// Beam-on time of the write [s].
    pub write_time_s: String,
    /// Michelson contrast at t = 0.
    pub contrast_michelson_t0: String,
    /// Per-pixel SNR at t = 0.
    pub pixel_snr_t0: String,
    /// Per decoder (in `Decoder::VARIANTS` order): it reads the payload at t = 0 (empty: not
    /// run).
    pub decoded_t0: Vec<String>,
    /// Per storage temperature of the comparison, in order.
    pub temperatures: Vec<TemperatureCells>,
    /// Temperature at which the decoder-criterion lifetime equals the target [°C].
    pub temperature_for_target_c: String,
    /// Lifetime horizon [yr].
    pub horizon_yr: String,
}

impl CompareRow {
    /// The row of variant `label` at the comparison's temperatures `temperatures_c`.
    pub fn new(label: &str, r: &CompareRecord, temperatures_c: &[f64]) -> Self {
        let decoded =
            |d: Option<&DecoderView>| d.map(|d| d.payload_matches.to_string()).unwrap_or_default();
        let rows = r.lifetime.as_deref().unwrap_or_default();
        let temperatures = temperatures_c
            .iter()
            .map(|&t| {
                let row = rows.iter().find(|x| (x.temperature_c - t).abs() < 1e-9);
                let kelvin = crate::units::celsius_to_kelvin(t);
                let quantiles = r.uncertainty.iter().flatten().find(|u| {
                    (u.temperature_k - kelvin).abs() < 1e-6 && u.criterion == DECODER_CRITERION
                });
                TemperatureCells {
                    decoder_failure_yr: lifetime_cell(
                        row.and_then(|x| x.decoder_failure_yr),
                        row.map(|x| x.decoder_status.as_str()),
                    ),
                    information_failure_yr: lifetime_cell(
                        row.and_then(|x| x.information_failure_yr),
                        row.map(|x| x.information_status.as_str()),
                    ),
                    decoder_median_yr: cell(quantiles.and_then(|u| u.lifetime_median_yr.as_f64())),
                    decoder_ci90_lo_yr: cell(
                        quantiles
                            .and_then(|u| u.lifetime_ci90_yr.as_ref())
                            .and_then(|c| c[0].as_f64()),
                    ),
                }
            })
            .collect();
        let target = r.lifetime_analysis.as_ref().and_then(|a| {
            a.arrhenius
                .iter()
                .find(|x| x.criterion == DECODER_CRITERION)
                .and_then(|x| x.temperature_for_target_c)
        });
        CompareRow {
            variant: label.to_string(),
            write_dose_ions_per_nm2: cell(r.mill.dose_ions_per_nm2),
            write_time_s: cell(r.mill.write_time_s),
            contrast_michelson_t0: cell(r.readout.contrast.michelson),
            pixel_snr_t0: cell(r.readout.contrast.pixel_snr),
            decoded_t0: Decoder::VARIANTS
                .iter()
                .map(|d| decoded(r.readout.decoders.get(d)))
                .collect(),
            temperatures,
            temperature_for_target_c: cell(target),
            horizon_yr: cell(rows.first().map(|x| x.horizon_yr)),
        }
    }

    /// The row's cells in column order ([`header`]).
    pub fn cells(&self) -> Vec<&str> {
        let mut cells = vec![
            self.variant.as_str(),
            &self.write_dose_ions_per_nm2,
            &self.write_time_s,
            &self.contrast_michelson_t0,
            &self.pixel_snr_t0,
        ];
        cells.extend(self.decoded_t0.iter().map(String::as_str));
        for t in &self.temperatures {
            cells.extend([
                t.decoder_failure_yr.as_str(),
                &t.information_failure_yr,
                &t.decoder_median_yr,
                &t.decoder_ci90_lo_yr,
            ]);
        }
        cells.extend([self.temperature_for_target_c.as_str(), &self.horizon_yr]);
        cells
    }
}

/// The column names of `compare.csv` for storage temperatures `temperatures_c`.
pub fn header(temperatures_c: &[f64]) -> Vec<String> {
    let mut header: Vec<String> = [
        "variant",
        "write_dose_ions_per_nm2",
        "write_time_s",
        "contrast_michelson_t0",
        "pixel_snr_t0",
    ]
    .map(String::from)
    .to_vec();
    header.extend(Decoder::NAMES.iter().map(|d| format!("{d}_decoded_t0")));
    for t in temperatures_c {
        header.push(format!("decoder_failure_yr_at_{t}C"));
        header.push(format!("information_failure_yr_at_{t}C"));
        header.push(format!("decoder_median_yr_at_{t}C"));
        header.push(format!("decoder_ci90_lo_yr_at_{t}C"));
    }
    header.push("temperature_for_target_c".into());
    header.push("horizon_yr".into());
    header
}

/// `compare.csv`.
pub fn compare_csv(header: &[String], rows: &[CompareRow]) -> Result<String> {
    let fail = |e: &dyn std::fmt::Display| Error::Numerical(format!("cannot write CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(|e| fail(&e))?;
    for r in rows {
        w.write_record(r.cells()).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

/// `compare.md`: the comparison's name as heading, then the table.
pub fn compare_markdown(name: &str, header: &[String], rows: &[CompareRow]) -> String {
    let mut md = format!(
        "# {name}\n\n| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in rows {
        md += &format!("| {} |\n", r.cells().join(" | "));
    }
    md
}
