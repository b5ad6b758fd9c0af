//! Tallies of many ions: per-ion accumulators (n, Σx, Σx²) for every estimate, histograms for
//! distributions, and the reduction to a [`Summary`] with standard errors.
//!
//! Merging is plain addition; [`super::Simulation::run`] merges in ion order so the floating-point
//! sums, and hence every reported digit, do not depend on the thread count.

use std::collections::BTreeMap;

use super::{IonOutcome, Simulation};

/// Running sums of one per-ion quantity.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Acc {
    /// Number of samples.
    pub n: u64,
    /// Σx.
    pub sum: f64,
    /// Σx².
    pub sum_sq: f64,
}

impl Acc {
    /// Adds one sample.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Adds another accumulator.
    pub fn merge(&mut self, o: &Acc) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }

    /// Mean (0 if empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// Sample standard deviation (Bessel-corrected; 0 for n < 2).
    pub fn std_dev(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        let var = (self.sum_sq - self.sum * self.sum / n) / (n - 1.0);
        var.max(0.0).sqrt()
    }

    /// Standard error of the mean σ/√n.
    pub fn stderr(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.std_dev() / (self.n as f64).sqrt()
        }
    }

    /// (mean, stderr) as an [`Estimate`].
    pub fn estimate(&self) -> Estimate {
        Estimate {
            mean: self.mean(),
            stderr: self.stderr(),
        }
    }
}

/// Per-ion sums for a mean over atoms, Σᵢ Sᵢ / Σᵢ Nᵢ (Sᵢ the sum of a quantity over the Nᵢ
/// sputtered atoms of ion i), whose standard error must count ions, not atoms: the atoms of one
/// cascade are correlated (they leave near the same entry point), so treating them as
/// independent understates the error ≈ 3× for 3 keV Ar → Si. The ratio estimator R = ΣS/ΣN
/// has the delta-method variance Var(R) ≈ Σᵢ (Sᵢ − R Nᵢ)² / ((n − 1) n N̄²) (Cochran,
/// Sampling Techniques, 3rd ed. 1977, §6.3, eq. 6.9 — the "batch means" error with one
/// cascade per batch).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct RatioAcc {
    /// Number of ions (batches), including those that sputtered nothing.
    pub n: u64,
    /// ΣS.
    pub sum_num: f64,
    /// ΣN.
    pub sum_den: f64,
    /// ΣS².
    pub sum_num_sq: f64,
    /// ΣN².
    pub sum_den_sq: f64,
    /// ΣSN.
    pub sum_cross: f64,
}

impl RatioAcc {
    /// Adds one ion: `num` = Sᵢ, `den` = Nᵢ.
    #[inline]
    pub fn push(&mut self, num: f64, den: f64) {
        self.n += 1;
        self.sum_num += num;
        self.sum_den += den;
        self.sum_num_sq += num * num;
        self.sum_den_sq += den * den;
        self.sum_cross += num * den;
    }

    /// Adds another accumulator.
    pub fn merge(&mut self, o: &RatioAcc) {
        self.n += o.n;
        self.sum_num += o.sum_num;
        self.sum_den += o.sum_den;
        self.sum_num_sq += o.sum_num_sq;
        self.sum_den_sq += o.sum_den_sq;
        self.sum_cross += o.sum_cross;
    }

    /// R = ΣS/ΣN and its per-ion standard error (0 if there are fewer than two ions or no atoms).
    pub fn estimate(&self) -> Estimate {
        if self.sum_den <= 0.0 {
            return Estimate {
                mean: 0.0,
                stderr: 0.0,
            };
        }
        let r = self.sum_num / self.sum_den;
        let stderr = if self.n < 2 {
            0.0
        } else {
            let n = self.n as f64;
            // Σ(S − R N)² expanded; its mean residual is 0 by construction of R.
            let ss = self.sum_num_sq - 2.0 * r * self.sum_cross + r * r * self.sum_den_sq;
            let mean_den = self.sum_den / n;
            (ss.max(0.0) / ((n - 1.0) * n)).sqrt() / mean_den
        };
        Estimate { mean: r, stderr }
    }
}

/// A Monte Carlo estimate with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// Mean.
    pub mean: f64,
    /// Standard error of the mean.
    pub stderr: f64,
}

/// Histogram binning of the sputtered-atom energy: log bins, 10 per decade from 0.1 eV.
pub const ENERGY_BINS: usize = 50;
/// Lower edge of the first energy bin [eV].
pub const ENERGY_MIN_EV: f64 = 0.1;
/// Polar-angle bins of sputtered atoms (5° wide, 0–90° from the outward normal).
pub const POLAR_BINS: usize = 18;
/// Emission-kernel grid: KERNEL_BINS² square cells of KERNEL_CELL_NM centred on the entry point.
pub const KERNEL_BINS: usize = 64;
/// Emission-kernel cell size [nm].
pub const KERNEL_CELL_NM: f64 = 0.5;
/// Implanted-depth profile bins.
pub const DEPTH_BINS: usize = 400;
/// Implanted-depth bin width [nm].
pub const DEPTH_BIN_NM: f64 = 0.5;

/// Everything accumulated over ions.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    species: Vec<&'static str>,
    ion_energy_ev: f64,
    /// Sputtered atoms per ion, all species.
    pub yield_total: Acc,
    /// Sputtered atoms per ion, per species.
    pub yield_by_species: Vec<Acc>,
    /// Ion reflected (1) or not (0).
    pub reflected: Acc,
    /// Reflected energy / E₀ per ion.
    pub reflected_energy: Acc,
    /// Implanted depth [nm] over implanted ions.
    pub depth: Acc,
    /// Implanted x [nm].
    pub lateral_x: Acc,
    /// Implanted y [nm].
    pub lateral_y: Acc,
    /// Collisions per ion.
    pub collisions: Acc,
    /// Recoils per ion.
    pub recoils: Acc,
    /// Recoils with T above the counting threshold per ion.
    pub recoils_above: Acc,
    /// Displacements (T > Ed) per ion.
    pub displacements: Acc,
    /// Energy fractions per ion: electronic, nuclear, deposited, sputtered, reflected.
    pub partition: [Acc; 5],
    /// Largest |Σ channels − E₀| / E₀ over ions.
    pub max_partition_error: f64,
    /// Sputtered-atom energy [eV] over atoms.
    pub sputtered_energy: Acc,
    /// Sputtered-atom emission point x, y [nm] over atoms (for the spreads σ).
    pub emission_x: Acc,
    /// See `emission_x`.
    pub emission_y: Acc,
    /// Per-ion sums of sputtered energy, emission x and y over the ion's sputtered atoms (for
    /// the means and their per-ion standard errors, [`RatioAcc`]).
    pub per_ion_means: [RatioAcc; 3],
    /// Energy histogram counts (log bins) with an overflow bin at the end.
    pub energy_hist: Vec<u64>,
    /// Polar-angle histogram counts.
    pub polar_hist: Vec<u64>,
    /// Emission kernel counts, row-major (y, x), plus one overflow count at the end.
    pub kernel_hist: Vec<u64>,
    /// Implanted depth histogram counts, plus overflow.
    pub depth_hist: Vec<u64>,
}

impl Tally {
    /// An empty tally for a simulation.
    pub fn new(sim: &Simulation) -> Tally {
        let s = sim.target().species.len();
        Tally {
            species: sim.target().species.iter().map(|sp| sp.symbol).collect(),
            ion_energy_ev: sim.beam().energy_ev,
            yield_total: Acc::default(),
            yield_by_species: vec![Acc::default(); s],
            reflected: Acc::default(),
            reflected_energy: Acc::default(),
            depth: Acc::default(),
            lateral_x: Acc::default(),
            lateral_y: Acc::default(),
            collisions: Acc::default(),
            recoils: Acc::default(),
            recoils_above: Acc::default(),
            displacements: Acc::default(),
            partition: [Acc::default(); 5],
            max_partition_error: 0.0,
            sputtered_energy: Acc::default(),
            emission_x: Acc::default(),
            emission_y: Acc::default(),
            per_ion_means: [RatioAcc::default(); 3],
            energy_hist: vec![0; ENERGY_BINS + 1],
            polar_hist: vec![0; POLAR_BINS],
            kernel_hist: vec![0; KERNEL_BINS * KERNEL_BINS + 1],
            depth_hist: vec![0; DEPTH_BINS + 1],
        }
    }

    /// Number of ions tallied.
    pub fn ions(&self) -> u64 {
        self.yield_total.n
    }

    /// Adds one ion's outcome.
    pub fn add(&mut self, o: &IonOutcome) {
        let mut counts = [0u32; 16];
        let mut counts_vec;
        let counts: &mut [u32] = if self.species.len() <= 16 {
            &mut counts[..self.species.len()]
        } else {
            counts_vec = vec![0u32; self.species.len()];
            &mut counts_vec
        };
        let mut ion_sums = [0.0f64; 3];
        for a in &o.sputtered {
            counts[a.species] += 1;
            ion_sums[0] += a.energy_ev;
            ion_sums[1] += a.x_nm;
            ion_sums[2] += a.y_nm;
            self.sputtered_energy.push(a.energy_ev);
            self.emission_x.push(a.x_nm);
            self.emission_y.push(a.y_nm);
            let eb = ((a.energy_ev / ENERGY_MIN_EV).log10() * 10.0).floor();
            let eb = if eb < 0.0 {
                0
            } else {
                (eb as usize).min(ENERGY_BINS)
            };
            self.energy_hist[eb] += 1;
            let polar = (-a.dir[2]).clamp(-1.0, 1.0).acos().to_degrees();
            self.polar_hist[((polar / 5.0) as usize).min(POLAR_BINS - 1)] += 1;
            let half = KERNEL_BINS as f64 * KERNEL_CELL_NM / 2.0;
            let (kx, ky) = (
                (a.x_nm + half) / KERNEL_CELL_NM,
                (a.y_nm + half) / KERNEL_CELL_NM,
            );
            if kx >= 0.0 && ky >= 0.0 && (kx as usize) < KERNEL_BINS && (ky as usize) < KERNEL_BINS
            {
                self.kernel_hist[ky as usize * KERNEL_BINS + kx as usize] += 1;
            } else {
                self.kernel_hist[KERNEL_BINS * KERNEL_BINS] += 1;
            }
        }
        self.yield_total.push(o.sputtered.len() as f64);
        for (acc, sum) in self.per_ion_means.iter_mut().zip(ion_sums) {
            acc.push(sum, o.sputtered.len() as f64);
        }
        for (acc, &c) in self.yield_by_species.iter_mut().zip(counts.iter()) {
            acc.push(c as f64);
        }
        let e0 = o.energy_ev;
        let refl = o.reflected_ev.unwrap_or(0.0);
        self.reflected
            .push(if o.reflected_ev.is_some() { 1.0 } else { 0.0 });
        self.reflected_energy.push(refl / e0);
        if let Some(p) = o.implanted_nm {
            self.depth.push(p[2]);
            self.lateral_x.push(p[0]);
            self.lateral_y.push(p[1]);
            let b = ((p[2] / DEPTH_BIN_NM) as usize).min(DEPTH_BINS);
            self.depth_hist[b] += 1;
        }
        self.collisions.push(o.collisions as f64);
        self.recoils.push(o.recoils as f64);
        self.recoils_above.push(o.recoils_above as f64);
        self.displacements.push(o.displacements as f64);
        let parts = [
            o.electronic_ev,
            o.nuclear_ev,
            o.deposited_ev,
            o.sputtered_ev,
            refl,
        ];
        for (acc, v) in self.partition.iter_mut().zip(parts) {
            acc.push(v / e0);
        }
        let err = ((o.energy_sum_ev() - e0) / e0).abs();
        self.max_partition_error = self.max_partition_error.max(err);
    }

    /// Adds another tally (same simulation).
    pub fn merge(&mut self, o: &Tally) {
        self.yield_total.merge(&o.yield_total);
        for (a, b) in self.yield_by_species.iter_mut().zip(&o.yield_by_species) {
            a.merge(b);
        }
        for (a, b) in [
            (&mut self.reflected, &o.reflected),
            (&mut self.reflected_energy, &o.reflected_energy),
            (&mut self.depth, &o.depth),
            (&mut self.lateral_x, &o.lateral_x),
            (&mut self.lateral_y, &o.lateral_y),
            (&mut self.collisions, &o.collisions),
            (&mut self.recoils, &o.recoils),
            (&mut self.recoils_above, &o.recoils_above),
            (&mut self.displacements, &o.displacements),
            (&mut self.sputtered_energy, &o.sputtered_energy),
            (&mut self.emission_x, &o.emission_x),
            (&mut self.emission_y, &o.emission_y),
        ] {
            a.merge(b);
        }
        for (a, b) in self.partition.iter_mut().zip(&o.partition) {
            a.merge(b);
        }
        for (a, b) in self.per_ion_means.iter_mut().zip(&o.per_ion_means) {
            a.merge(b);
        }
        self.max_partition_error = self.max_partition_error.max(o.max_partition_error);
        for (a, b) in [
            (&mut self.energy_hist, &o.energy_hist),
            (&mut self.polar_hist, &o.polar_hist),
            (&mut self.kernel_hist, &o.kernel_hist),
            (&mut self.depth_hist, &o.depth_hist),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += *y;
            }
        }
    }

    /// Reduces the tally to reported estimates.
    pub fn summary(&self) -> Summary {
        let n = self.ions().max(1) as f64;
        let by_element = self
            .species
            .iter()
            .zip(&self.yield_by_species)
            .map(|(s, a)| (s.to_string(), a.estimate()))
            .collect();
        let lateral =
            ((self.lateral_x.std_dev().powi(2) + self.lateral_y.std_dev().powi(2)) / 2.0).sqrt();
        let per_ion = |c: &[u64]| -> Vec<f64> { c.iter().map(|&k| k as f64 / n).collect() };
        let energy_edges: Vec<f64> = (0..=ENERGY_BINS)
            .map(|i| ENERGY_MIN_EV * 10f64.powf(i as f64 / 10.0))
            .collect();
        Summary {
            ions: self.ions(),
            sputter_yield: YieldSummary {
                total: self.yield_total.estimate(),
                by_element,
            },
            reflection: ReflectionSummary {
                particle: self.reflected.mean(),
                particle_stderr: self.reflected.stderr(),
                energy: self.reflected_energy.mean(),
                energy_stderr: self.reflected_energy.stderr(),
            },
            range: RangeSummary {
                implanted_ions: self.depth.n,
                depth_mean_nm: self.depth.mean(),
                depth_mean_stderr_nm: self.depth.stderr(),
                depth_straggle_nm: self.depth.std_dev(),
                lateral_straggle_nm: lateral,
                depth_bin_nm: DEPTH_BIN_NM,
                depth_profile_per_ion: per_ion(&self.depth_hist[..DEPTH_BINS]),
                deeper_than_profile_per_ion: self.depth_hist[DEPTH_BINS] as f64 / n,
            },
            energy_partition: PartitionSummary {
                electronic: self.partition[0].estimate(),
                nuclear: self.partition[1].estimate(),
                deposited: self.partition[2].estimate(),
                sputtered: self.partition[3].estimate(),
                reflected: self.partition[4].estimate(),
                max_relative_error_per_ion: self.max_partition_error,
            },
            cascade: CascadeSummary {
                collisions_per_ion: self.collisions.estimate(),
                recoils_per_ion: self.recoils.estimate(),
                recoils_above_threshold_per_ion: self.recoils_above.estimate(),
                displacements_per_ion: self.displacements.estimate(),
            },
            sputtered: SputteredSummary {
                mean_energy_ev: Estimate {
                    mean: self.sputtered_energy.mean(),
                    stderr: self.per_ion_means[0].estimate().stderr,
                },
                energy_bin_edges_ev: energy_edges,
                energy_per_ion: per_ion(&self.energy_hist[..ENERGY_BINS]),
                energy_overflow_per_ion: self.energy_hist[ENERGY_BINS] as f64 / n,
                polar_bin_deg: 5.0,
                polar_per_ion: per_ion(&self.polar_hist),
            },
            emission_kernel: KernelSummary {
                mean_x_nm: Estimate {
                    mean: self.emission_x.mean(),
                    stderr: self.per_ion_means[1].estimate().stderr,
                },
                mean_y_nm: Estimate {
                    mean: self.emission_y.mean(),
                    stderr: self.per_ion_means[2].estimate().stderr,
                },
                sigma_x_nm: self.emission_x.std_dev(),
                sigma_y_nm: self.emission_y.std_dev(),
                cell_nm: KERNEL_CELL_NM,
                bins: KERNEL_BINS,
                counts_per_ion: per_ion(&self.kernel_hist[..KERNEL_BINS * KERNEL_BINS]),
                outside_per_ion: self.kernel_hist[KERNEL_BINS * KERNEL_BINS] as f64 / n,
            },
        }
    }
}

/// Sputtering yields [atoms/ion].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct YieldSummary {
    /// All species.
    pub total: Estimate,
    /// Per element symbol.
    pub by_element: BTreeMap<String, Estimate>,
}

/// Ion reflection (backscattering).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReflectionSummary {
    /// Particle reflection coefficient R_N.
    pub particle: f64,
    /// Its standard error.
    pub particle_stderr: f64,
    /// Energy reflection coefficient R_E (reflected energy / E₀).
    pub energy: f64,
    /// Its standard error.
    pub energy_stderr: f64,
}

/// Range of implanted ions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RangeSummary {
    /// Ions that stopped inside.
    pub implanted_ions: u64,
    /// Mean depth ⟨z⟩ [nm] (projected range).
    pub depth_mean_nm: f64,
    /// Standard error of the mean depth [nm].
    pub depth_mean_stderr_nm: f64,
    /// Depth straggle σ_z [nm].
    pub depth_straggle_nm: f64,
    /// Lateral straggle: per-axis standard deviation √((σ_x² + σ_y²)/2) [nm].
    pub lateral_straggle_nm: f64,
    /// Depth-profile bin width [nm].
    pub depth_bin_nm: f64,
    /// Implanted ions per incident ion in each depth bin from the surface.
    pub depth_profile_per_ion: Vec<f64>,
    /// Implanted ions per incident ion deeper than the profile.
    pub deeper_than_profile_per_ion: f64,
}

/// Where the ion energy went, as fractions of E₀ (sum = 1).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartitionSummary {
    /// Lost to electrons.
    pub electronic: Estimate,
    /// Given to the lattice in sub-cutoff transfers (nuclear/damage).
    pub nuclear: Estimate,
    /// Left in stopped atoms and paid as surface barrier.
    pub deposited: Estimate,
    /// Carried out by sputtered atoms.
    pub sputtered: Estimate,
    /// Carried out by the reflected ion.
    pub reflected: Estimate,
    /// Largest per-ion |Σ − E₀|/E₀.
    pub max_relative_error_per_ion: f64,
}

/// Work and cascade size.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CascadeSummary {
    /// Binary collisions of all moving atoms per ion.
    pub collisions_per_ion: Estimate,
    /// Recoils set in motion per ion.
    pub recoils_per_ion: Estimate,
    /// Recoils with T above `Options::count_recoils_above_ev` per ion.
    pub recoils_above_threshold_per_ion: Estimate,
    /// Recoils with T > Ed per ion.
    pub displacements_per_ion: Estimate,
}

/// Energy and angle distributions of sputtered atoms.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SputteredSummary {
    /// Mean energy of sputtered atoms [eV].
    pub mean_energy_ev: Estimate,
    /// Log-spaced energy bin edges [eV].
    pub energy_bin_edges_ev: Vec<f64>,
    /// Sputtered atoms per ion in each energy bin.
    pub energy_per_ion: Vec<f64>,
    /// Sputtered atoms per ion above the last edge.
    pub energy_overflow_per_ion: f64,
    /// Polar-angle bin width [deg] (angle from the outward surface normal).
    pub polar_bin_deg: f64,
    /// Sputtered atoms per ion in each polar bin.
    pub polar_per_ion: Vec<f64>,
}

/// Lateral emission kernel: where sputtered atoms leave relative to the ion's entry point.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KernelSummary {
    /// Mean emission x [nm] (x along the beam's in-plane direction); the standard error counts
    /// ions, not atoms ([`RatioAcc`]).
    pub mean_x_nm: Estimate,
    /// Mean emission y [nm].
    pub mean_y_nm: Estimate,
    /// Standard deviation of x over sputtered atoms [nm].
    pub sigma_x_nm: f64,
    /// Standard deviation of y [nm].
    pub sigma_y_nm: f64,
    /// Cell size [nm].
    pub cell_nm: f64,
    /// Cells per side (grid centred on the entry point).
    pub bins: usize,
    /// Sputtered atoms per ion per cell, row-major (y, x). Poisson stderr: √(count)/ions.
    pub counts_per_ion: Vec<f64>,
    /// Sputtered atoms per ion outside the grid.
    pub outside_per_ion: f64,
}

/// The reported result of a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Ions run.
    pub ions: u64,
    /// Sputtering yields.
    #[serde(rename = "yield")]
    pub sputter_yield: YieldSummary,
    /// Reflection coefficients.
    pub reflection: ReflectionSummary,
    /// Ion range.
    pub range: RangeSummary,
    /// Energy partition.
    pub energy_partition: PartitionSummary,
    /// Cascade size.
    pub cascade: CascadeSummary,
    /// Sputtered-atom distributions.
    pub sputtered: SputteredSummary,
    /// Lateral emission kernel.
    pub emission_kernel: KernelSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_stderr_counts_cascades_not_atoms() {
        // One atom per ion: the ratio error is the ordinary error of the mean (to O(1/n)).
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
            .collect();
        let (mut single, mut plain) = (RatioAcc::default(), Acc::default());
        for &x in &xs {
            single.push(x, 1.0);
            plain.push(x);
        }
        let e = single.estimate();
        assert!((e.mean - plain.mean()).abs() < 1e-12);
        assert!((e.stderr / plain.stderr() - 1.0).abs() < 1e-9, "{e:?}");
        // Every ion emits the same x five times (fully correlated atoms): the error stays that of
        // 1000 ions, while the atom-level error falls by √5.
        let (mut fivefold, mut atoms) = (RatioAcc::default(), Acc::default());
        for &x in &xs {
            fivefold.push(5.0 * x, 5.0);
            for _ in 0..5 {
                atoms.push(x);
            }
        }
        let f = fivefold.estimate();
        assert!((f.stderr / plain.stderr() - 1.0).abs() < 1e-9, "{f:?}");
        assert!((f.stderr / atoms.stderr() - 5f64.sqrt()).abs() < 0.01);
        // Ions that sputter nothing still count as batches.
        let mut with_empty = fivefold;
        with_empty.push(0.0, 0.0);
        assert_eq!(with_empty.estimate().mean, f.mean);
        assert_eq!(with_empty.n, 1001);
    }
}
