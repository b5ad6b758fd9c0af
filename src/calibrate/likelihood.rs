//! The forward model of a calibration and its likelihood.
//!
//! One evaluation = one forward aging run per observed temperature, with the physics of
//! `millage run` and of the lifetime probes: the specimen milled once by the scenario's write,
//! a copy aged at constant temperature by [`crate::age::age`] with the scenario's `[aging]`
//! mechanisms (or the `[aging]` key defaults when it has none, as the lifetime probes do),
//! snapshots at every observed time, the metrics of [`crate::age::metrics`] at each snapshot,
//! and, where a row observes `michelson_contrast` or `decoded`, the scenario's readout and
//! decoders ([`crate::lifetime::readout::read_realizations`], common random numbers: the same
//! noise realizations at every evaluation, so the likelihood is a deterministic function of
//! the parameters).
//!
//! Likelihood (observations independent given the parameters):
//! - continuous metrics: y ~ N(f(θ), σ²) with σ the row's `stderr`;
//! - `decoded` (y ∈ {0, 1}): Bernoulli with P(y = 1) = ε + (1 − 2ε) q(θ), q the fraction of
//!   noise realizations in which a decoder reads the payload and ε = max(stderr, 0.01) the
//!   probability that the lab's verdict is wrong (a label-noise Bernoulli; ε keeps one surprising
//!   verdict from setting the likelihood to zero).

use rayon::prelude::*;

use super::{Metric, Observation};
use crate::age::{self, AgeObserver, ModuleMap, SnapshotMetrics};
use crate::error::{Error, Result};
use crate::grid::Specimen;
use crate::lifetime::ProbeAgingModel;
use crate::lifetime::readout::{self, ReadoutPlan};
use crate::material::Material;
use crate::mill::ModuleLayout;
use crate::qr::QrSymbol;

/// Smallest label-error probability of a `decoded` row.
pub const MIN_DECODE_LABEL_ERROR: f64 = 0.01;

/// What the forward model needs: the written specimen, its reader and the aging model.
#[derive(Debug, Clone)]
pub struct ForwardModel<'a> {
    /// The specimen as written (materials are replaced per evaluation).
    pub specimen: &'a Specimen,
    /// The written symbol.
    pub symbol: &'a QrSymbol,
    /// Its layout.
    pub layout: &'a ModuleLayout,
    /// Where the modules are (for the metrics).
    pub map: &'a ModuleMap,
    /// Readout and decoders.
    pub plan: &'a ReadoutPlan,
    /// Aging mechanisms and splitting.
    pub model: ProbeAgingModel,
    /// Surface solver (the lifetime probes': the scenario's `[aging]`, else the key default).
    pub solver: age::SurfaceSolver,
    /// Multi-material rule of the linear solver.
    pub surface_rule: age::SurfaceRule,
    /// Noise realizations per read.
    pub realizations: usize,
    /// Master seed (readout noise).
    pub seed: u64,
}

/// Observations at one temperature, sorted by time.
#[derive(Debug, Clone, PartialEq)]
pub struct TemperatureGroup {
    /// Temperature [K].
    pub temperature_k: f64,
    /// Distinct observed times [s], ascending.
    pub times_s: Vec<f64>,
    /// Per time, whether a read (image + decode) is needed.
    pub read: Vec<bool>,
    /// Per observation index of this group: (observation index, time index).
    pub members: Vec<(usize, usize)>,
}

/// Groups observations by temperature (bit-equal), in ascending temperature.
pub fn groups(observations: &[Observation]) -> Vec<TemperatureGroup> {
    let mut temps: Vec<f64> = observations.iter().map(|o| o.temperature_k).collect();
    temps.sort_by(f64::total_cmp);
    temps.dedup();
    temps
        .into_iter()
        .map(|t| {
            let mine: Vec<usize> = (0..observations.len())
                .filter(|&i| observations[i].temperature_k == t)
                .collect();
            let mut times: Vec<f64> = mine.iter().map(|&i| observations[i].time_s).collect();
            times.sort_by(f64::total_cmp);
            times.dedup();
            let mut read = vec![false; times.len()];
            let members = mine
                .iter()
                .map(|&i| {
                    let k = times
                        .iter()
                        .position(|&x| x == observations[i].time_s)
                        .expect("time listed");
                    if matches!(
                        observations[i].metric,
                        Metric::MichelsonContrast | Metric::Decoded
                    ) {
                        read[k] = true;
                    }
                    (i, k)
                })
                .collect();
            TemperatureGroup {
                temperature_k: t,
                times_s: times,
                read,
                members,
            }
        })
        .collect()
}

/// The model's value of every metric at one snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predicted {
    /// Topography metrics.
    pub metrics: SnapshotMetrics,
    /// Mean Michelson contrast over the realizations (NaN when not read).
    pub michelson_contrast: f64,
    /// Fraction of realizations decoded (NaN when not read).
    pub decode_fraction: f64,
}

impl Predicted {
    /// The predicted value of `metric`. A vanished edge (`edge_width_nm` undefined once the
    /// step is below 0.1 nm) is predicted as one module pitch, the width of a fully smeared
    /// step.
    pub fn value(&self, metric: Metric, pitch_nm: f64) -> f64 {
        match metric {
            Metric::PitDepth => self.metrics.pit_depth_nm,
            Metric::EdgeWidth => self.metrics.edge_width_nm.unwrap_or(pitch_nm),
            Metric::MichelsonContrast => self.michelson_contrast,
            Metric::Decoded => self.decode_fraction,
        }
    }
}

struct Snapshots<'a, 'b> {
    model: &'a ForwardModel<'b>,
    read: &'a [bool],
    out: Vec<Predicted>,
}

impl AgeObserver for Snapshots<'_, '_> {
    fn on_snapshot(&mut self, index: usize, _t: f64, specimen: &Specimen, m: &SnapshotMetrics) {
        let (contrast, decoded) = if self.read[index] {
            let f = self.model;
            let reads = readout::read_realizations(
                f.plan,
                f.symbol,
                f.layout,
                specimen,
                f.seed,
                f.realizations,
            );
            let n = reads.len().max(1) as f64;
            let c: Vec<f64> = reads.iter().map(|(_, r)| r.contrast.michelson).collect();
            let d = reads.iter().filter(|(_, r)| r.payload.is_some()).count() as f64 / n;
            (c.iter().sum::<f64>() / n, d)
        } else {
            (f64::NAN, f64::NAN)
        };
        self.out.push(Predicted {
            metrics: *m,
            michelson_contrast: contrast,
            decode_fraction: decoded,
        });
    }
}

impl ForwardModel<'_> {
    /// Constant-temperature aging settings to `t_end_s` with snapshots at `times_s`.
    fn settings(&self, temperature_k: f64, times_s: &[f64]) -> Result<age::AgingSettings> {
        let t_end = *times_s.last().expect("a group has a time");
        Ok(age::AgingSettings {
            history: age::TemperatureHistory::constant(temperature_k, t_end)
                .map_err(|e| Error::Numerical(format!("{e:?}")))?,
            horizon_s: t_end,
            snapshots_s: times_s.to_vec(),
            mechanisms: self.model.mechanisms,
            solver: self.solver,
            surface_rule: self.surface_rule,
            splitting_steps: self.model.splitting_steps,
            nonlinear: self.model.nonlinear,
            native_oxide: self.model.native_oxide,
        })
    }

    /// The model's values at one group's snapshots, with `materials` in place of the written
    /// specimen's.
    pub fn run_group(
        &self,
        materials: &[Material],
        g: &TemperatureGroup,
    ) -> Result<Vec<Predicted>> {
        let mut aged = self.specimen.clone();
        aged.materials = materials.to_vec();
        let settings = self.settings(g.temperature_k, &g.times_s)?;
        let mut obs = Snapshots {
            model: self,
            read: &g.read,
            out: Vec::with_capacity(g.times_s.len()),
        };
        age::age(&mut aged, &settings, self.map, &mut obs)?;
        Ok(obs.out)
    }

    /// Predicted value of every observation (observation order), groups in parallel.
    pub fn predict(
        &self,
        materials: &[Material],
        groups: &[TemperatureGroup],
        observations: &[Observation],
    ) -> Result<Vec<f64>> {
        let per_group: Vec<Result<Vec<Predicted>>> = groups
            .par_iter()
            .map(|g| self.run_group(materials, g))
            .collect();
        let mut out = vec![f64::NAN; observations.len()];
        for (g, snaps) in groups.iter().zip(per_group) {
            let snaps = snaps?;
            for &(i, k) in &g.members {
                out[i] = snaps[k].value(observations[i].metric, self.layout.module_pitch_nm);
            }
        }
        Ok(out)
    }
}

/// ln p(y | f) of one observation given the model's value `f`.
pub fn ln_likelihood_one(o: &Observation, f: f64) -> f64 {
    if !f.is_finite() {
        return f64::NEG_INFINITY;
    }
    match o.metric {
        Metric::Decoded => {
            let eps = o.stderr.clamp(MIN_DECODE_LABEL_ERROR, 0.5);
            let p = eps + (1.0 - 2.0 * eps) * f.clamp(0.0, 1.0);
            if o.value >= 0.5 {
                p.ln()
            } else {
                (1.0 - p).ln()
            }
        }
        _ => {
            let z = (o.value - f) / o.stderr;
            -0.5 * z * z - o.stderr.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        }
    }
}

/// Σ ln p(yᵢ | fᵢ).
pub fn ln_likelihood(observations: &[Observation], predicted: &[f64]) -> f64 {
    observations
        .iter()
        .zip(predicted)
        .map(|(o, &f)| ln_likelihood_one(o, f))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(t: f64, time: f64, metric: Metric) -> Observation {
        Observation {
            temperature_k: t,
            time_s: time,
            metric,
            value: 1.0,
            stderr: 0.5,
            line: 2,
        }
    }

    #[test]
    fn groups_share_one_run_per_temperature_and_mark_reads() {
        let o = vec![
            obs(600.0, 10.0, Metric::PitDepth),
            obs(500.0, 5.0, Metric::PitDepth),
            obs(600.0, 3.0, Metric::Decoded),
            obs(600.0, 10.0, Metric::EdgeWidth),
        ];
        let g = groups(&o);
        assert_eq!(g.len(), 2);
        assert_eq!(g[1].temperature_k, 600.0);
        assert_eq!(g[1].times_s, vec![3.0, 10.0]);
        assert_eq!(g[1].read, vec![true, false]);
        assert_eq!(g[1].members, vec![(0, 1), (2, 0), (3, 1)]);
    }

    #[test]
    fn gaussian_and_bernoulli_likelihoods() {
        let o = obs(600.0, 1.0, Metric::PitDepth);
        let best = ln_likelihood_one(&o, 1.0);
        assert!(best > ln_likelihood_one(&o, 1.5));
        assert!((best - ln_likelihood_one(&o, 2.0) - 2.0).abs() < 1e-12);
        let d = Observation {
            stderr: 0.0,
            ..obs(600.0, 1.0, Metric::Decoded)
        };
        assert!((ln_likelihood_one(&d, 1.0) - (0.99f64).ln()).abs() < 1e-12);
        assert!((ln_likelihood_one(&d, 0.0) - (0.01f64).ln()).abs() < 1e-12);
        assert_eq!(ln_likelihood_one(&o, f64::NAN), f64::NEG_INFINITY);
    }
}
