//! Angular tables for the milling stage: Y(θ) per element, reflection, emission kernel and range
//! for a material, ion and energy over a list of incidence angles.

use super::{Estimate, SetupError, Simulation, Summary};

/// What to tabulate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TableRequest {
    /// Angles of incidence from the normal [deg], each in [0, 90).
    pub angles_deg: Vec<f64>,
    /// Ions per angle.
    pub ions_per_angle: u64,
    /// Master seed; angle i uses seed `rng::derived_seed(seed, SweepPoint, i)`.
    pub seed: u64,
}

impl TableRequest {
    /// θ = 0, 1, …, 89° with `ions_per_angle` ions each.
    pub fn every_degree(ions_per_angle: u64, seed: u64) -> Self {
        TableRequest {
            angles_deg: (0..90).map(f64::from).collect(),
            ions_per_angle,
            seed,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AngularPoint {
    /// Angle of incidence [deg].
    pub angle_deg: f64,
    /// Total yield [atoms/ion].
    pub yield_total: Estimate,
    /// Yield per element.
    pub yield_by_element: std::collections::BTreeMap<String, Estimate>,
    /// Full summary at this angle (reflection, range, kernel, distributions).
    pub summary: Summary,
}

/// The table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AngularTable {
    /// Rows in the order of the request.
    pub points: Vec<AngularPoint>,
}

impl AngularTable {
    /// Linear interpolation of the total yield at `angle_deg` (clamped to the table range).
    pub fn yield_at(&self, angle_deg: f64) -> f64 {
        let p = &self.points;
        if p.is_empty() {
            return 0.0;
        }
        if angle_deg <= p[0].angle_deg {
            return p[0].yield_total.mean;
        }
        for w in p.windows(2) {
            if angle_deg <= w[1].angle_deg {
                let f = (angle_deg - w[0].angle_deg) / (w[1].angle_deg - w[0].angle_deg);
                return w[0].yield_total.mean * (1.0 - f) + w[1].yield_total.mean * f;
            }
        }
        p[p.len() - 1].yield_total.mean
    }
}

/// Runs `sim` (its beam angle is replaced) at every requested angle in the current rayon pool.
/// `progress(angles_done)` is called between angles.
pub fn angular_table(
    sim: &Simulation,
    request: &TableRequest,
    progress: &dyn Fn(usize),
) -> Result<AngularTable, SetupError> {
    let mut points = Vec::with_capacity(request.angles_deg.len());
    for (i, &angle) in request.angles_deg.iter().enumerate() {
        let s = sim.with_angle(angle)?;
        let seed = crate::rng::derived_seed(request.seed, crate::rng::Stream::SweepPoint, i as u64);
        let summary = s.run(seed, request.ions_per_angle, &|_| {}).summary();
        points.push(AngularPoint {
            angle_deg: angle,
            yield_total: summary.sputter_yield.total,
            yield_by_element: summary.sputter_yield.by_element.clone(),
            summary,
        });
        progress(i + 1);
    }
    Ok(AngularTable { points })
}
