//! The results directory of `millage calibrate`: `calibration.json`, `posterior.csv`,
//! `observations.csv` (observed and posterior-mean predicted), `manifest.json` and the figures
//! (`figures/posterior_pairs*.png|svg`, `figures/observed_vs_predicted.png|svg`). Written into
//! a `.partial` directory and renamed at the end, so a failed calibration leaves nothing.

use std::path::{Path, PathBuf};

use super::RunDir;
use super::figures::line_chart;
use crate::calibrate::{self, CalibrationRecord, PosteriorSample};
use crate::error::Result;

/// Points drawn (by systematic resampling of the weighted samples) in the pair figures.
pub const PAIR_POINTS: usize = 400;

/// Provenance of a calibration run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CalibrationManifest {
    /// millage version.
    pub millage_version: &'static str,
    /// The calibration file.
    pub calibration_file: String,
    /// The base scenario.
    pub scenario_file: String,
    /// The observations.
    pub observations_file: String,
    /// SHA-256 of the three files, in that order.
    pub sha256: [String; 3],
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Wall-clock seconds: write, calibration (all evaluations and the prediction).
    pub seconds: [f64; 2],
}

impl CalibrationManifest {
    /// The manifest of the three input files.
    pub fn new(files: [&Path; 3], threads: usize, seconds: [f64; 2]) -> Result<Self> {
        let hash = |p: &Path| -> Result<String> {
            let b = std::fs::read(p).map_err(super::io_err(p))?;
            Ok(super::sha256_hex(&b))
        };
        Ok(CalibrationManifest {
            millage_version: env!("CARGO_PKG_VERSION"),
            calibration_file: files[0].display().to_string(),
            scenario_file: files[1].display().to_string(),
            observations_file: files[2].display().to_string(),
            sha256: [hash(files[0])?, hash(files[1])?, hash(files[2])?],
            threads,
            seconds,
        })
    }
}

/// `posterior.csv`: one row per importance sample: the parameters (file units, columns
/// `material.key`), ln posterior and normalised weight.
pub fn posterior_csv(record: &CalibrationRecord, samples: &[PosteriorSample]) -> String {
    let mut s = record.parameter_order.join(",");
    s.push_str(",ln_posterior,weight\n");
    for p in samples {
        for v in &p.values {
            s.push_str(&format!("{v:e},"));
        }
        s.push_str(&format!("{:e},{:e}\n", p.ln_posterior, p.weight));
    }
    s
}

/// `observations.csv`: observed and posterior-mean predicted values.
pub fn observations_csv(record: &CalibrationRecord) -> String {
    let mut s = String::from("line,temperature_c,time_h,metric,value,stderr,predicted\n");
    for o in &record.observations {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            o.line, o.temperature_c, o.time_h, o.metric, o.value, o.stderr, o.predicted
        ));
    }
    s
}

/// Draws the figures into `dir/figures/`.
pub fn figures(
    dir: &Path,
    record: &CalibrationRecord,
    samples: &[PosteriorSample],
) -> Result<Vec<PathBuf>> {
    let figs = dir.join("figures");
    std::fs::create_dir_all(&figs).map_err(super::io_err(&figs))?;
    let mut out = Vec::new();
    let weights: Vec<f64> = samples.iter().map(|s| s.weight).collect();
    let names = &record.parameter_order;
    let seed = record.sampler.seed;
    if names.len() == 1 {
        // Weighted histogram of the one parameter (20 bins over the samples' range).
        let v: Vec<f64> = samples.iter().map(|s| s.values[0]).collect();
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
        let bins = 20usize;
        let width = ((hi - lo) / bins as f64).max(f64::MIN_POSITIVE);
        let mut mass = vec![0.0; bins];
        for (x, w) in v.iter().zip(&weights) {
            let k = (((x - lo) / width) as usize).min(bins - 1);
            mass[k] += w / width;
        }
        let mut pts = Vec::new();
        for (k, m) in mass.iter().enumerate() {
            pts.push((lo + k as f64 * width, *m));
            pts.push((lo + (k + 1) as f64 * width, *m));
        }
        let stem = figs.join("posterior_pairs");
        line_chart(
            &stem,
            &format!("posterior of {} (importance weights)", names[0]),
            (&names[0], "posterior density"),
            &[("posterior".to_string(), pts)],
            false,
        )?;
        out.push(stem.with_extension("png"));
    } else {
        let idx = calibrate::resample(&weights, PAIR_POINTS, seed);
        for i in 0..names.len() {
            for j in (i + 1)..names.len() {
                let pts: Vec<(f64, f64)> = idx
                    .iter()
                    .map(|&k| (samples[k].values[i], samples[k].values[j]))
                    .collect();
                let stem = if i == 0 && j == 1 {
                    figs.join("posterior_pairs")
                } else {
                    figs.join(format!("posterior_pairs_{i}_{j}"))
                };
                line_chart(
                    &stem,
                    &format!("posterior draws ({PAIR_POINTS}, resampled by weight)"),
                    (&names[i], &names[j]),
                    &[("posterior draws".to_string(), pts)],
                    true,
                )?;
                out.push(stem.with_extension("png"));
            }
        }
    }
    // Observed vs predicted: per metric and temperature, value against log10 time.
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for o in &record.observations {
        let label_obs = format!("{} {:.0} °C observed", o.metric, o.temperature_c);
        let label_pred = format!("{} {:.0} °C predicted", o.metric, o.temperature_c);
        for (label, y) in [(label_obs, o.value), (label_pred, o.predicted)] {
            match series.iter_mut().find(|(l, _)| *l == label) {
                Some((_, p)) => p.push((o.time_h.log10(), y)),
                None => series.push((label, vec![(o.time_h.log10(), y)])),
            }
        }
    }
    let stem = figs.join("observed_vs_predicted");
    line_chart(
        &stem,
        "observed vs predicted at the posterior mean",
        ("log10 bake time [h]", "metric value (its unit)"),
        &series,
        true,
    )?;
    out.push(stem.with_extension("png"));
    Ok(out)
}

/// Writes the results directory `out`; returns its final path.
pub fn save(
    out: &Path,
    record: &CalibrationRecord,
    samples: &[PosteriorSample],
    manifest: &CalibrationManifest,
) -> Result<PathBuf> {
    let dir = RunDir::create(out)?;
    dir.write_json("calibration.json", record)?;
    dir.write("posterior.csv", posterior_csv(record, samples).as_bytes())?;
    dir.write("observations.csv", observations_csv(record).as_bytes())?;
    figures(&dir.path(""), record, samples)?;
    dir.write_json("manifest.json", manifest)?;
    dir.commit()
}
