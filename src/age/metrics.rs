//! Per-snapshot measures of the aged specimen.

use crate::grid::Specimen;

/// Where the modules are and which are milled (given by the caller; `age` does not know QR).
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleMap {
    /// Position of the top-left corner of module (0, 0) [nm] (x = y).
    pub origin_nm: f64,
    /// Module pitch [nm].
    pub pitch_nm: f64,
    /// Modules per side.
    pub modules: usize,
    /// Row-major milled flags, `modules²` long.
    pub milled: Vec<bool>,
}

impl ModuleMap {
    fn centre_nm(&self, c: usize, r: usize) -> (f64, f64) {
        (
            self.origin_nm + (c as f64 + 0.5) * self.pitch_nm,
            self.origin_nm + (r as f64 + 0.5) * self.pitch_nm,
        )
    }
}

/// Measures of one state of the specimen.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SnapshotMetrics {
    /// Mean outer height at unmilled module centres minus that at milled module centres [nm].
    pub pit_depth_nm: f64,
    /// Mean 10–90 % width of the height step between horizontally adjacent milled/unmilled
    /// module pairs [nm]; `null` once the step is below 0.1 nm (no edge left to measure).
    pub edge_width_nm: Option<f64>,
    /// RMS deviation of the outer surface from its mean over the field [nm].
    pub rms_roughness_nm: f64,
    /// Mean oxide thickness over the field [nm].
    pub oxide_mean_nm: f64,
    /// Largest oxide thickness [nm].
    pub oxide_max_nm: f64,
    /// Mean film/oxide interface depression relative to t = 0 where unmilled, i.e. the film
    /// consumed by oxidation at unmilled module centres [nm].
    pub film_consumed_nm: f64,
    /// Mean areal density of implanted Ga over the field [atoms/nm²].
    pub surface_ga_per_nm2: f64,
    /// Fraction of columns whose surface material is an insulator
    /// ([`crate::material::Material::is_insulating`]): the oxide where a column carries an oxide
    /// skin, else its host. Uncoated insulating surfaces charge in the SEM (readout).
    pub insulating_surface_fraction: f64,
}

/// The material at the surface of column `k` ([`Specimen::surface_stratum`]): its host's oxide
/// where the column carries an oxide skin (and the library has the oxide as a material), else a
/// transported cover of at least a monolayer, else the host.
pub fn surface_record(specimen: &Specimen, k: usize) -> &crate::material::Material {
    specimen.record(specimen.surface_stratum(k))
}

/// The outer surface z = surface + oxide [nm] per column.
pub fn outer_surface_nm(specimen: &Specimen) -> Vec<f64> {
    specimen
        .grid
        .surface_nm
        .iter()
        .zip(&specimen.grid.oxide_nm)
        .map(|(s, o)| s + o)
        .collect()
}

/// Computes the metrics. `interface0_nm` is the film/oxide interface at t = 0 (for
/// `film_consumed_nm`).
pub fn measure(specimen: &Specimen, map: &ModuleMap, interface0_nm: &[f64]) -> SnapshotMetrics {
    let g = &specimen.grid;
    let outer = outer_surface_nm(specimen);
    let at = |f: &[f64], x: f64, y: f64| {
        crate::grid::bilinear(
            f,
            g.nx(),
            g.ny(),
            x / g.cell_nm() - 0.5,
            y / g.cell_nm() - 0.5,
        )
    };
    let n = map.modules;
    let (mut hm, mut nm, mut hu, mut nu, mut consumed) = (0.0, 0usize, 0.0, 0usize, 0.0);
    for r in 0..n {
        for c in 0..n {
            let (x, y) = map.centre_nm(c, r);
            let z = at(&outer, x, y);
            if map.milled[r * n + c] {
                hm += z;
                nm += 1;
            } else {
                hu += z;
                nu += 1;
                consumed += at(interface0_nm, x, y) - at(&g.surface_nm, x, y);
            }
        }
    }
    let mean_u = if nu > 0 { hu / nu as f64 } else { 0.0 };
    let mean_m = if nm > 0 { hm / nm as f64 } else { 0.0 };
    let pit_depth_nm = mean_u - mean_m;

    // Edge width: 10–90 % rise between the centres of adjacent unlike modules.
    let samples = 200;
    let mut widths = Vec::new();
    for r in 0..n {
        for c in 0..n.saturating_sub(1) {
            if map.milled[r * n + c] == map.milled[r * n + c + 1] {
                continue;
            }
            let (x0, y) = map.centre_nm(c, r);
            let profile: Vec<f64> = (0..=samples)
                .map(|s| at(&outer, x0 + map.pitch_nm * s as f64 / samples as f64, y))
                .collect();
            let (a, b) = (profile[0], profile[samples]);
            let step = b - a;
            if step.abs() < 0.1 {
                continue;
            }
            let frac: Vec<f64> = profile.iter().map(|z| (z - a) / step).collect();
            let first = |level: f64| frac.iter().position(|&f| f >= level);
            let last_below = |level: f64| frac.iter().rposition(|&f| f < level);
            if let (Some(i10), Some(i90)) = (last_below(0.1), first(0.9)) {
                let w = (i90 as f64 - i10 as f64).abs() * map.pitch_nm / samples as f64;
                widths.push(w);
            }
        }
    }
    let edge_width_nm = if widths.is_empty() {
        None
    } else {
        Some(widths.iter().sum::<f64>() / widths.len() as f64)
    };
    let count = outer.len() as f64;
    let mean = outer.iter().sum::<f64>() / count;
    let rms = (outer.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / count).sqrt();
    SnapshotMetrics {
        pit_depth_nm,
        edge_width_nm,
        rms_roughness_nm: rms,
        oxide_mean_nm: g.oxide_nm.iter().sum::<f64>() / count,
        oxide_max_nm: g.oxide_nm.iter().cloned().fold(0.0, f64::max),
        film_consumed_nm: if nu > 0 { consumed / nu as f64 } else { 0.0 },
        surface_ga_per_nm2: g.implanted_per_nm2.iter().sum::<f64>() / count,
        insulating_surface_fraction: (0..outer.len())
            .filter(|&k| surface_record(specimen, k).is_insulating())
            .count() as f64
            / count,
    }
}
