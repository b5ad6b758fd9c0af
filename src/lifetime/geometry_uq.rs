//! Geometry uncertainty of the lifetime (issue 17 item 6; issue 18 item 1): the over-mill depth,
//! the wall angle and the film thickness of the written specimen, evaluated at a few perturbed
//! geometries with the same lifetime search, their response d ln t_fail / d factor, and the
//! specimen population it implies. No I/O.
//!
//! Geometry cannot be rescaled like a rate, so each design point is a whole failure search (the
//! stage's surface, oxidation and real-time searches, primary criterion only) on a perturbed copy
//! of the milled specimen. The design is one factor at a time with steps of ±1σ
//! (`lifetime.geometry_design_points` = 6: central differences) or +1σ (= 3: forward
//! differences against the nominal search); 0 switches the analysis off.
//!
//! Perturbations of the milled specimen (written once; the mill is not re-run):
//! - **over_mill_depth** δ [nm]: every column below the film top is deepened in proportion,
//!   z' = z·(D + δ)/D (D the mean milled depth of the module centres), so the pit floor moves
//!   by δ, the rim stays, and the wall keeps its width (tan α grows by (D + δ)/D: a deeper mill
//!   with the same beam tails). Redeposit above z = 0 is unchanged.
//! - **wall_angle** δ [deg]: the mean wall profile P(d) of the specimen against the signed
//!   distance d to the mid-depth contour z = −D/2 (exact Euclidean distance transform,
//!   Felzenszwalb & Huttenlocher, Theory of Computing 8 (2012) 415) is compressed laterally by
//!   r = tan(α + δ)/tan α about that contour: z' = z + P(r·d) − P(d). The roughness of every
//!   column about the mean profile is kept; floors and tops (P flat) are unchanged.
//! - **film_thickness** δ [nm]: every layer of the stack scaled by (t + δ)/t at the same
//!   surface heights: the interfaces move, so the over-mill into the substrate changes by −δ
//!   (the pit is the same dose into a thicker film).
//!
//! Spreads (1σ, normal, independent; specimen to specimen):
//! - over_mill_depth: `lifetime.over_mill_sigma_nm`, else the write's own module-to-module
//!   spread of the mean depth over the central half of each milled module (sample standard
//!   deviation). Estimated: taking the within-write spread as the spread between writes assumes
//!   a repeated write varies at least as much as its own modules (the dose and focus drift that
//!   moves one module moves a whole write); zero for the ideal mill.
//! - wall_angle: `lifetime.wall_angle_sigma_deg`, else the write's module-to-module spread of
//!   the mean wall slope (cells between 20 % and 80 % of the mean depth; as
//!   `mill::MillMetrics::sidewall_angle_deg`). Same assumption; zero for the ideal mill.
//! - film_thickness: `lifetime.film_thickness_sigma_nm`, else [`FILM_THICKNESS_SIGMA_FRACTION`]
//!   of the film thickness.
//!
//! Response (linear, per storage temperature T): β_g(T) = [ln t(+σ_g) − ln t(−σ_g)]/(2σ_g)
//! (central) or [ln t(+σ_g) − ln t₀]/σ_g (forward) [per nm or per deg], where both lifetimes are
//! found within the horizon; otherwise not determined at T and left out there. Each lifetime is
//! a bisection midpoint to `lifetime.tolerance` in relative width, so β is resolved to about
//! ln(1 + tol)/σ_g (forward) or ln(1 + tol)/(2σ_g) (central).
//!
//! Propagation: (a) every Monte Carlo sample of the kinetic parameters also draws z_g ~ N(0, 1)
//! per factor and shifts ln t by Σ β_g σ_g z_g (the credible interval then covers parameters and
//! geometry; sensitivity entries "over_mill_depth", "wall_angle", "film_thickness");
//! (b) a specimen population at the nominal kinetic parameters, ln t ~ N(ln t₀, s²) with
//! s² = Σ (β_g σ_g)², whose B-lives B_p = t₀·exp(z_p s) (z_p the standard-normal p-quantile)
//! are fractions p of such specimens failed (ISO/IEC 10995 meaning) — for geometry only: write
//! noise beyond these three factors and the readout are not in the population.

use rayon::prelude::*;
use serde::Serialize;

use super::Criterion;
use super::rows::LifetimeRow;
use super::search::Searches;
use super::stage::LifetimeStage;
use crate::age::ModuleMap;
use crate::error::Result;
use crate::grid::Specimen;
use crate::units::SECONDS_PER_YEAR;

/// The default film-thickness spread (1σ) as a fraction of the film thickness: 0.05.
/// Estimated: the ±5 % thickness uniformity commonly quoted for magnetron-sputtered films over a
/// substrate (static planar-magnetron flux distributions, Gencoa application notes; uniformity
/// modelling of planar targets: Zhang, Song & Sun, Physics Procedia 32 (2012) 903), taken as 1σ
/// between specimens. Replace with the deposition's measured tolerance where known.
pub const FILM_THICKNESS_SIGMA_FRACTION: f64 = 0.05;

/// Steepest wall angle a perturbed wall may get [deg] (the profile compression diverges at 90°).
pub const MAX_WALL_ANGLE_DEG: f64 = 89.0;

/// A geometry factor of the written specimen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryFactor {
    /// Pit depth at a fixed film (the dose's spread) [nm].
    OverMillDepth,
    /// Mean wall slope [deg from the horizontal].
    WallAngle,
    /// Film thickness at fixed pit depth [nm].
    FilmThickness,
}

crate::choices!(GeometryFactor {
    GeometryFactor::OverMillDepth => "over_mill_depth",
    GeometryFactor::WallAngle => "wall_angle",
    GeometryFactor::FilmThickness => "film_thickness",
});

/// Where a factor's σ comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigmaSource {
    /// The scenario's `lifetime.*_sigma_*` key.
    Scenario,
    /// The write's own module-to-module spread, measured on the specimen.
    WriteModuleSpread,
    /// [`FILM_THICKNESS_SIGMA_FRACTION`] of the film thickness.
    DepositionTolerance,
}

crate::choices!(SigmaSource {
    SigmaSource::Scenario => "scenario",
    SigmaSource::WriteModuleSpread => "write_module_spread",
    SigmaSource::DepositionTolerance => "deposition_tolerance",
});

/// The geometry design of the lifetime (`[lifetime]` keys; module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GeometryUqSettings {
    /// `lifetime.geometry_design_points`: 0 (off), 3 (+1σ per factor) or 6 (±1σ per factor).
    pub design_points: usize,
    /// `lifetime.over_mill_sigma_nm` (`None`: the write's module spread) [nm].
    pub over_mill_sigma_nm: Option<f64>,
    /// `lifetime.wall_angle_sigma_deg` (`None`: the write's module spread) [deg].
    pub wall_angle_sigma_deg: Option<f64>,
    /// `lifetime.film_thickness_sigma_nm` (`None`: 5 % of the film thickness) [nm].
    pub film_thickness_sigma_nm: Option<f64>,
}

impl GeometryUqSettings {
    /// Off (no design points).
    pub fn off() -> Self {
        GeometryUqSettings {
            design_points: 0,
            over_mill_sigma_nm: None,
            wall_angle_sigma_deg: None,
            film_thickness_sigma_nm: None,
        }
    }

    /// Whether each factor is evaluated at −σ too (central differences).
    pub fn central(&self) -> bool {
        self.design_points >= 6
    }
}

/// The write's geometry as measured on the milled specimen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WriteGeometry {
    /// Mean depth over the central half of the milled modules [nm].
    pub mean_depth_nm: f64,
    /// Sample standard deviation of the per-module mean depths [nm].
    pub module_depth_sigma_nm: f64,
    /// Mean wall slope (cells between 20 % and 80 % of the mean depth) [deg].
    pub wall_angle_deg: f64,
    /// Sample standard deviation of the per-module mean wall slopes [deg].
    pub module_wall_angle_sigma_deg: f64,
    /// Total film thickness as deposited [nm].
    pub film_thickness_nm: f64,
    /// Milled modules measured.
    pub modules: usize,
}

/// Sample mean and standard deviation (n − 1); (NaN, 0) when empty.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, 0.0);
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, var.sqrt())
}

/// Measures [`WriteGeometry`] on the milled specimen: per milled module of `map`, the mean
/// depth −z over cells in the central half (by side) of the module and the mean slope angle of
/// the module's cells whose depth lies between 20 % and 80 % of the overall mean depth
/// (modules with fewer than 3 such cells have no wall value).
pub fn measure_write(specimen: &Specimen, map: &ModuleMap) -> WriteGeometry {
    let g = &specimen.grid;
    let (nx, ny) = (g.nx(), g.ny());
    let n = map.modules;
    let module_of = |x: f64, y: f64| -> Option<(usize, f64, f64)> {
        let u = (x - map.origin_nm) / map.pitch_nm;
        let v = (y - map.origin_nm) / map.pitch_nm;
        if u < 0.0 || v < 0.0 {
            return None;
        }
        let (c, r) = (u as usize, v as usize);
        if c >= n || r >= n || !map.milled[r * n + c] {
            return None;
        }
        Some((r * n + c, u - c as f64 - 0.5, v - r as f64 - 0.5))
    };
    let mut depth_sum = vec![0.0; n * n];
    let mut depth_count = vec![0usize; n * n];
    for j in 0..ny {
        for i in 0..nx {
            let (x, y) = g.centre_nm(i, j);
            if let Some((m, fx, fy)) = module_of(x, y)
                && fx.abs() <= 0.25
                && fy.abs() <= 0.25
            {
                depth_sum[m] -= g.surface_nm[g.index(i, j)];
                depth_count[m] += 1;
            }
        }
    }
    let depths: Vec<f64> = (0..n * n)
        .filter(|&m| depth_count[m] > 0)
        .map(|m| depth_sum[m] / depth_count[m] as f64)
        .collect();
    let (mean_depth, depth_sd) = mean_sd(&depths);
    let mut wall_sum = vec![0.0; n * n];
    let mut wall_count = vec![0usize; n * n];
    if mean_depth > 0.0 {
        for j in 0..ny {
            for i in 0..nx {
                let (x, y) = g.centre_nm(i, j);
                let d = -g.surface_nm[g.index(i, j)];
                if d < 0.2 * mean_depth || d > 0.8 * mean_depth {
                    continue;
                }
                if let Some((m, _, _)) = module_of(x, y) {
                    wall_sum[m] += g.slope_angle_rad(i, j).to_degrees();
                    wall_count[m] += 1;
                }
            }
        }
    }
    let walls: Vec<f64> = (0..n * n)
        .filter(|&m| wall_count[m] >= 3)
        .map(|m| wall_sum[m] / wall_count[m] as f64)
        .collect();
    let (wall_angle, wall_sd) = mean_sd(&walls);
    WriteGeometry {
        mean_depth_nm: mean_depth,
        module_depth_sigma_nm: depth_sd,
        wall_angle_deg: if wall_angle.is_finite() {
            wall_angle
        } else {
            0.0
        },
        module_wall_angle_sigma_deg: wall_sd,
        film_thickness_nm: specimen.stack.film_thickness_nm(),
        modules: depths.len(),
    }
}

/// One factor of the design with its spread.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FactorSpread {
    /// The factor.
    pub factor: GeometryFactor,
    /// Its nominal value (mean depth [nm], mean wall angle [deg], film thickness [nm]).
    pub nominal: f64,
    /// 1σ between specimens (same unit).
    pub sigma: f64,
    /// Unit of `nominal` and `sigma`.
    pub unit: &'static str,
    /// Where σ comes from.
    pub sigma_source: SigmaSource,
    /// Whether the factor is in the design (σ > 0 and the perturbation is defined).
    pub evaluated: bool,
}

/// The spread of every factor (module documentation) for the measured write.
pub fn factor_spreads(settings: &GeometryUqSettings, write: &WriteGeometry) -> Vec<FactorSpread> {
    let pick = |key: Option<f64>, measured: f64, fallback: SigmaSource| match key {
        Some(s) => (s, SigmaSource::Scenario),
        None => (measured, fallback),
    };
    let (sd, sd_src) = pick(
        settings.over_mill_sigma_nm,
        write.module_depth_sigma_nm,
        SigmaSource::WriteModuleSpread,
    );
    let (sa, sa_src) = pick(
        settings.wall_angle_sigma_deg,
        write.module_wall_angle_sigma_deg,
        SigmaSource::WriteModuleSpread,
    );
    let (sf, sf_src) = pick(
        settings.film_thickness_sigma_nm,
        FILM_THICKNESS_SIGMA_FRACTION * write.film_thickness_nm,
        SigmaSource::DepositionTolerance,
    );
    let milled = write.mean_depth_nm > 0.0;
    vec![
        FactorSpread {
            factor: GeometryFactor::OverMillDepth,
            nominal: write.mean_depth_nm,
            sigma: sd,
            unit: "nm",
            sigma_source: sd_src,
            evaluated: milled && sd > 0.0 && sd < write.mean_depth_nm,
        },
        FactorSpread {
            factor: GeometryFactor::WallAngle,
            nominal: write.wall_angle_deg,
            sigma: sa,
            unit: "deg",
            sigma_source: sa_src,
            evaluated: milled
                && sa > 0.0
                && write.wall_angle_deg > sa
                && write.wall_angle_deg < MAX_WALL_ANGLE_DEG,
        },
        FactorSpread {
            factor: GeometryFactor::FilmThickness,
            nominal: write.film_thickness_nm,
            sigma: sf,
            unit: "nm",
            sigma_source: sf_src,
            evaluated: sf > 0.0 && sf < write.film_thickness_nm,
        },
    ]
}

/// The milled specimen with one factor moved by `delta` (its unit; module documentation).
pub fn perturbed(
    specimen: &Specimen,
    write: &WriteGeometry,
    factor: GeometryFactor,
    delta: f64,
) -> Specimen {
    let mut s = specimen.clone();
    match factor {
        GeometryFactor::OverMillDepth => {
            let f = (write.mean_depth_nm + delta) / write.mean_depth_nm;
            for z in s.grid.surface_nm.iter_mut() {
                if *z < 0.0 {
                    *z *= f;
                }
            }
        }
        GeometryFactor::FilmThickness => {
            let f = (write.film_thickness_nm + delta) / write.film_thickness_nm;
            for l in s.stack.layers.iter_mut() {
                l.thickness_nm *= f;
            }
        }
        GeometryFactor::WallAngle => {
            let a = write.wall_angle_deg.to_radians();
            let b = (write.wall_angle_deg + delta)
                .clamp(1.0, MAX_WALL_ANGLE_DEG)
                .to_radians();
            let r = b.tan() / a.tan();
            compress_walls(&mut s, write.mean_depth_nm, r);
        }
    }
    s
}

/// z' = z + P(r·d) − P(d) with P the mean height against the signed distance d [nm] to the
/// mid-depth contour (positive inside the pits), binned by one cell, over |d| < 3·(wall width
/// + cell) (beyond that P is flat and nothing changes).
fn compress_walls(s: &mut Specimen, mean_depth_nm: f64, r: f64) {
    let g = &s.grid;
    let (nx, ny, c) = (g.nx(), g.ny(), g.cell_nm());
    let z_mid = -0.5 * mean_depth_nm;
    let inside: Vec<bool> = g.surface_nm.iter().map(|&z| z < z_mid).collect();
    let d_in = distance_to(&inside, nx, ny, false);
    let d_out = distance_to(&inside, nx, ny, true);
    let signed: Vec<f64> = (0..nx * ny)
        .map(|k| {
            if inside[k] {
                (d_in[k] - 0.5) * c
            } else {
                -(d_out[k] - 0.5) * c
            }
        })
        .collect();
    // Bins of one cell over [−reach, reach].
    let reach = 3.0 * (mean_depth_nm + c);
    let bins = (2.0 * reach / c).ceil() as usize + 1;
    let bin_of = |d: f64| ((d + reach) / c).floor();
    let mut sum = vec![0.0; bins];
    let mut count = vec![0usize; bins];
    for (&d, &z) in signed.iter().zip(&g.surface_nm) {
        let b = bin_of(d);
        if b >= 0.0 && (b as usize) < bins {
            sum[b as usize] += z;
            count[b as usize] += 1;
        }
    }
    let filled: Vec<(f64, f64)> = (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| (-reach + (b as f64 + 0.5) * c, sum[b] / count[b] as f64))
        .collect();
    if filled.len() < 2 {
        return;
    }
    let profile = |d: f64| -> f64 {
        if d <= filled[0].0 {
            return filled[0].1;
        }
        let last = filled[filled.len() - 1];
        if d >= last.0 {
            return last.1;
        }
        let i = filled.partition_point(|p| p.0 <= d);
        let (a, b) = (filled[i - 1], filled[i]);
        a.1 + (d - a.0) / (b.0 - a.0) * (b.1 - a.1)
    };
    let z = &mut s.grid.surface_nm;
    for k in 0..nx * ny {
        let d = signed[k];
        if d.abs() < reach {
            z[k] += profile(r * d) - profile(d);
        }
    }
}

/// Euclidean distance [cells] from every cell to the nearest cell whose mask equals `target`
/// (0 on such cells): the exact two-pass squared-distance transform of Felzenszwalb &
/// Huttenlocher (2012), lower envelope of parabolas per row, then per column.
fn distance_to(mask: &[bool], nx: usize, ny: usize, target: bool) -> Vec<f64> {
    const INF: f64 = 1e20;
    let mut f: Vec<f64> = mask
        .iter()
        .map(|&m| if m == target { 0.0 } else { INF })
        .collect();
    let mut line = Vec::new();
    let mut out = Vec::new();
    for j in 0..ny {
        line.clear();
        line.extend_from_slice(&f[j * nx..(j + 1) * nx]);
        edt_1d(&line, &mut out);
        f[j * nx..(j + 1) * nx].copy_from_slice(&out);
    }
    for i in 0..nx {
        line.clear();
        line.extend((0..ny).map(|j| f[j * nx + i]));
        edt_1d(&line, &mut out);
        for j in 0..ny {
            f[j * nx + i] = out[j];
        }
    }
    f.iter().map(|v| v.sqrt()).collect()
}

/// One-dimensional squared distance transform d(q) = min_p [(q − p)² + f(p)].
fn edt_1d(f: &[f64], d: &mut Vec<f64>) {
    let n = f.len();
    d.clear();
    d.resize(n, 0.0);
    let mut v = vec![0usize; n];
    let mut zb = vec![0.0f64; n + 1];
    let mut k = 0usize;
    zb[0] = f64::NEG_INFINITY;
    zb[1] = f64::INFINITY;
    let inter = |q: usize, p: usize| -> f64 {
        let (qf, pf) = (q as f64, p as f64);
        ((f[q] + qf * qf) - (f[p] + pf * pf)) / (2.0 * qf - 2.0 * pf)
    };
    for q in 1..n {
        let mut s = inter(q, v[k]);
        while s <= zb[k] {
            k -= 1;
            s = inter(q, v[k]);
        }
        k += 1;
        v[k] = q;
        zb[k] = s;
        zb[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (q, dq) in d.iter_mut().enumerate() {
        while zb[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        *dq = (q as f64 - p as f64).powi(2) + f[p];
    }
}

/// One design point: a factor moved by `delta`, and the primary lifetime it gave per
/// temperature.
#[derive(Debug, Clone, Serialize)]
pub struct DesignPoint {
    /// The factor moved.
    pub factor: GeometryFactor,
    /// The step (its unit; ±σ).
    pub delta: f64,
    /// Per storage temperature (scenario order), the primary lifetime [yr], `null` unless
    /// found within the horizon.
    pub lifetime_yr: Vec<Option<f64>>,
    /// Age + image + decode probes this point ran.
    pub probes: usize,
}

/// The unperturbed specimen searched like a design point.
#[derive(Debug, Clone, Serialize)]
pub struct CentrePoint {
    /// Per storage temperature (scenario order), the primary lifetime [yr], `null` unless
    /// searched and found within the horizon.
    pub lifetime_yr: Vec<Option<f64>>,
    /// Age + image + decode probes.
    pub probes: usize,
}

/// The response of ln t to one factor at one temperature.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FactorResponse {
    /// The factor.
    pub factor: GeometryFactor,
    /// d ln t / d factor [per nm or per deg], `null` when a design lifetime was not found.
    pub d_ln_t_per_unit: Option<f64>,
    /// β·σ: the shift of ln t by a 1σ specimen (0 when not determined).
    pub ln_t_per_sigma: f64,
}

/// The responses at one storage temperature.
#[derive(Debug, Clone, Serialize)]
pub struct TemperatureResponse {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Per evaluated factor.
    pub factors: Vec<FactorResponse>,
    /// s = √Σ(β_g σ_g)²: σ of ln t over the geometry population.
    pub population_sigma_ln: f64,
}

/// `summary.json` → `lifetime_analysis.geometry`: the geometry design and its responses.
#[derive(Debug, Clone, Serialize)]
pub struct GeometryRecord {
    /// `lifetime.geometry_design_points`.
    pub design_points: usize,
    /// "central" (±1σ) or "forward" (+1σ against the nominal search).
    pub differences: &'static str,
    /// The write as measured.
    pub write: WriteGeometry,
    /// Every factor with its σ and whether it is in the design.
    pub factors: Vec<FactorSpread>,
    /// The design points run.
    pub points: Vec<DesignPoint>,
    /// Forward differences: the unperturbed specimen searched as the design points are (the
    /// reference of the differences); its ratio to the stage's nominal lifetime shows how much
    /// the search path alone moves the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub centre: Option<CentrePoint>,
    /// Per storage temperature, the responses.
    pub responses: Vec<TemperatureResponse>,
    /// Probes run by all design points.
    pub probes: usize,
}

/// Per temperature, the responses from the design points (module documentation). `nominal_yr`
/// per temperature is the reference of forward differences (the centre point).
pub fn responses(
    temperatures_k: &[f64],
    factors: &[FactorSpread],
    points: &[DesignPoint],
    nominal_yr: &[Option<f64>],
    central: bool,
) -> Vec<TemperatureResponse> {
    temperatures_k
        .iter()
        .enumerate()
        .map(|(i, &t_k)| {
            let mut out = Vec::new();
            for f in factors.iter().filter(|f| f.evaluated) {
                let at = |sign: f64| {
                    points
                        .iter()
                        .find(|p| p.factor == f.factor && p.delta * sign > 0.0)
                        .and_then(|p| p.lifetime_yr[i])
                };
                let beta = match (at(1.0), central) {
                    (Some(up), true) => at(-1.0).map(|dn| (up.ln() - dn.ln()) / (2.0 * f.sigma)),
                    (Some(up), false) => nominal_yr[i].map(|t0| (up.ln() - t0.ln()) / f.sigma),
                    (None, _) => None,
                };
                out.push(FactorResponse {
                    factor: f.factor,
                    d_ln_t_per_unit: beta,
                    ln_t_per_sigma: beta.map(|b| b * f.sigma).unwrap_or(0.0),
                });
            }
            let s = out
                .iter()
                .map(|r| r.ln_t_per_sigma.powi(2))
                .sum::<f64>()
                .sqrt();
            TemperatureResponse {
                temperature_k: t_k,
                factors: out,
                population_sigma_ln: s,
            }
        })
        .collect()
}

/// The primary criterion's lifetime [yr] of each row, `None` unless found within the horizon.
pub(super) fn primary_years(rows: &[LifetimeRow], primary: Criterion) -> Vec<Option<f64>> {
    rows.iter()
        .map(|r| match primary {
            Criterion::DecoderFailure => r.decoder_failure_yr,
            Criterion::InformationFailure => r.information_failure_yr,
        })
        .collect()
}

impl LifetimeStage<'_> {
    /// The primary lifetime per temperature [yr] of a perturbed specimen, by the stage's own
    /// searches (surface, oxidation, real time) with the primary criterion only, and the probes
    /// that took.
    ///
    /// The real-time searches start from the nominal lifetime (`nominal_yr`,
    /// [`super::search::HINT_BRACKET`]); where every searched temperature is a real-time one,
    /// the surface and oxidation searches (which only place a real-time search's start) are
    /// skipped.
    fn design_lifetimes(
        &self,
        specimen: &Specimen,
        searched: &[bool],
        nominal_yr: &[Option<f64>],
    ) -> Result<(Vec<Option<f64>>, usize)> {
        let mut settings = self.settings.clone();
        settings.temperatures_k = self
            .settings
            .temperatures_k
            .iter()
            .zip(searched)
            .filter(|(_, s)| **s)
            .map(|(t, _)| *t)
            .collect();
        settings.criteria = vec![self.primary];
        settings.uq_samples = 0;
        settings.frontier_pitches_nm.clear();
        settings.frontier_materials.clear();
        settings.geometry = GeometryUqSettings::off();
        let mut stage = LifetimeStage::new(
            self.plan,
            &settings,
            self.symbol,
            self.layout,
            specimen,
            self.map,
            self.seed,
        )?;
        stage.real_time_hints = self
            .settings
            .temperatures_k
            .iter()
            .zip(&self.paths)
            .zip(nominal_yr)
            .filter(|((_, path), _)| path.real_time())
            .filter_map(|((&t_k, _), yr)| yr.map(|yr| (t_k, yr * SECONDS_PER_YEAR)))
            .collect();
        let all_hinted = stage.paths.iter().all(|p| {
            stage
                .real_time_hints
                .iter()
                .any(|(t, _)| *t == p.temperature_k)
        });
        let (surface, oxidation) = if all_hinted {
            (Vec::new(), None)
        } else {
            (stage.surface_searches()?, stage.oxidation_search()?)
        };
        let mut searches = Searches {
            surface,
            oxidation,
            real_time: Vec::new(),
        };
        searches.real_time = stage.real_time_searches(&searches)?;
        let rows = stage.rows(&searches);
        let found = primary_years(&rows, self.primary);
        let mut k = 0;
        let lifetime_yr = searched
            .iter()
            .map(|&s| {
                if s {
                    k += 1;
                    found[k - 1]
                } else {
                    None
                }
            })
            .collect();
        Ok((lifetime_yr, stage.prober.unique_probes()))
    }

    /// The geometry design (module documentation), `None` when `lifetime.geometry_design_points`
    /// is 0. `rows` are the stage's nominal rows.
    pub(super) fn geometry(&self, rows: &[LifetimeRow]) -> Result<Option<GeometryRecord>> {
        let gs = self.settings.geometry;
        if gs.design_points == 0 {
            return Ok(None);
        }
        let write = measure_write(self.specimen, self.map);
        let factors = factor_spreads(&gs, &write);
        let central = gs.central();
        let nominal_yr = primary_years(rows, self.primary);
        let nominal = &nominal_yr;
        // Only temperatures whose nominal lifetime is found within the horizon are searched:
        // elsewhere the response is not determined (a censored nominal), whatever the points.
        let searched: Vec<bool> = nominal.iter().map(Option::is_some).collect();
        let any = searched.iter().any(|s| *s);
        let mut jobs: Vec<(GeometryFactor, f64)> = Vec::new();
        for f in factors.iter().filter(|f| f.evaluated && any) {
            let steps: &[f64] = if central { &[1.0, -1.0] } else { &[1.0] };
            for &sign in steps {
                jobs.push((f.factor, sign * f.sigma));
            }
        }
        // Forward differences need the centre searched the same way as the perturbed points
        // (same temperatures, primary criterion only): the found failure depends on the search
        // path by more than the tolerance where readability is not monotone near the failure.
        let with_centre = !central && !jobs.is_empty();
        // The design searches are independent (each its own stage, prober and cache): run in
        // parallel, collected in design order, so the result does not depend on the threads.
        let searched_ref = &searched;
        let results: Vec<Result<(Vec<Option<f64>>, usize)>> = (0..jobs.len()
            + usize::from(with_centre))
            .into_par_iter()
            .map(|i| match jobs.get(i) {
                Some(&(factor, delta)) => {
                    let specimen = perturbed(self.specimen, &write, factor, delta);
                    self.design_lifetimes(&specimen, searched_ref, nominal)
                }
                None => self.design_lifetimes(self.specimen, searched_ref, nominal),
            })
            .collect();
        let mut results = results.into_iter();
        let mut points = Vec::new();
        for &(factor, delta) in &jobs {
            let (lifetime_yr, probes) = results.next().expect("one result per job")?;
            points.push(DesignPoint {
                factor,
                delta,
                lifetime_yr,
                probes,
            });
        }
        let centre = match results.next() {
            Some(r) => {
                let (lifetime_yr, probes) = r?;
                Some(CentrePoint {
                    lifetime_yr,
                    probes,
                })
            }
            None => None,
        };
        let reference = centre
            .as_ref()
            .map(|c| c.lifetime_yr.clone())
            .unwrap_or_else(|| nominal_yr.clone());
        let responses = responses(
            &self.settings.temperatures_k,
            &factors,
            &points,
            &reference,
            central,
        );
        Ok(Some(GeometryRecord {
            design_points: gs.design_points,
            differences: if central { "central" } else { "forward" },
            write,
            factors,
            probes: points.iter().map(|p| p.probes).sum::<usize>()
                + centre.as_ref().map(|c| c.probes).unwrap_or(0),
            points,
            centre,
            responses,
        }))
    }
}

/// The standard-normal quantiles of the reported B-lives: B1, B10 (z₀.₀₁ = −2.3263,
/// z₀.₁₀ = −1.2816; Abramowitz & Stegun table 26.5).
pub const Z_B1: f64 = -2.326_347_9;
/// See [`Z_B1`].
pub const Z_B10: f64 = -1.281_551_6;

#[cfg(test)]
mod tests {
    use super::super::rate::{RateTerm, SurfaceRateModel};
    use super::super::stats::{
        CompetingSpec, GeometryTerms, Times, propagate_competing, propagate_with_geometry,
    };
    use super::*;

    fn model(sigma_ea: f64) -> SurfaceRateModel {
        SurfaceRateModel {
            terms: vec![RateTerm {
                material: "X".into(),
                weight: 1.0,
                ln_d0_nm2_per_s: (740.0e14f64).ln(),
                ea_ev: 2.66,
                ln_capillary_ev_nm4: 0.0,
                sigma_ea_ev: sigma_ea,
                sigma_ln_d0: 0.0,
                sigma_ln_gamma: 0.0,
                d0_ea_correlation: 0.0,
                ea_error_source: "X.diffusion_ea_ev".into(),
                d0_error_source: "X.diffusion_d0_cm2_per_s".into(),
                gamma_error_source: "X.surface_energy_j_m2".into(),
            }],
        }
    }

    #[test]
    fn geometry_terms_widen_the_interval_and_none_is_the_parameter_propagation() {
        // σ(ln t) from Ea alone: 0.02 eV / kT at 600 K = 0.387; a geometry factor shifting ln t
        // by 1.0 per σ gives √(0.387² + 1) = 1.072 and its share ≈ 1/1.15 = 0.87.
        let m = model(0.02);
        let spec = [CompetingSpec {
            temperature_k: 600.0,
            with_oxidation: false,
            ln_anchor: 0.0,
        }];
        let times = Times {
            horizon_s: 1e300,
            target_s: 1e300,
        };
        let n = 4000;
        let plain = propagate_competing(&m, None, 0.0, None, &spec, times, n, 7);
        let none = propagate_with_geometry(&m, None, 0.0, None, &spec, times, n, 7, None);
        assert_eq!(
            plain, none,
            "no geometry: bit-identical to the parameter propagation"
        );
        let g = GeometryTerms {
            labels: vec!["over_mill_depth".into()],
            coefficients: vec![vec![1.0]],
        };
        let with = &propagate_with_geometry(&m, None, 0.0, None, &spec, times, n, 7, Some(&g))[0];
        let plain = &plain[0];
        let s0 = 0.02 / (crate::units::BOLTZMANN_EV_PER_K * 600.0);
        assert!(
            (plain.sigma_ln / s0 - 1.0).abs() < 0.06,
            "{}",
            plain.sigma_ln
        );
        let expect = (s0 * s0 + 1.0).sqrt();
        assert!(
            (with.sigma_ln / expect - 1.0).abs() < 0.06,
            "{}",
            with.sigma_ln
        );
        let width = |d: &super::super::stats::LifetimeDistribution| d.q95.ln_s - d.q05.ln_s;
        assert!(
            width(with) > 2.0 * width(plain),
            "{} vs {}",
            width(with),
            width(plain)
        );
        let share = with
            .sensitivity
            .iter()
            .find(|e| e.parameter == "over_mill_depth")
            .expect("geometry factor in the sensitivity");
        assert!(
            (share.share - 1.0 / (1.0 + s0 * s0)).abs() < 0.05,
            "{share:?}"
        );
        assert!(share.rank_correlation > 0.9);
    }

    #[test]
    fn distance_transform_is_euclidean() {
        // One target cell in the middle of a 9 × 9 grid: distances are √(di² + dj²).
        let (nx, ny) = (9, 9);
        let mut mask = vec![false; nx * ny];
        mask[4 * nx + 4] = true;
        let d = distance_to(&mask, nx, ny, true);
        for j in 0..ny {
            for i in 0..nx {
                let want = ((i as f64 - 4.0).powi(2) + (j as f64 - 4.0).powi(2)).sqrt();
                assert!((d[j * nx + i] - want).abs() < 1e-12, "{i},{j}");
            }
        }
    }

    #[test]
    fn forward_and_central_responses() {
        let f = FactorSpread {
            factor: GeometryFactor::OverMillDepth,
            nominal: 20.0,
            sigma: 2.0,
            unit: "nm",
            sigma_source: SigmaSource::Scenario,
            evaluated: true,
        };
        let up = DesignPoint {
            factor: f.factor,
            delta: 2.0,
            lifetime_yr: vec![Some(200.0 * 1.1f64.powi(2)), None],
            probes: 1,
        };
        let dn = DesignPoint {
            factor: f.factor,
            delta: -2.0,
            lifetime_yr: vec![Some(200.0 / 1.1f64.powi(2)), Some(1.0)],
            probes: 1,
        };
        let nominal = [Some(200.0), Some(2.0)];
        let c = responses(&[300.0, 400.0], &[f], &[up.clone(), dn], &nominal, true);
        let b = c[0].factors[0].d_ln_t_per_unit.unwrap();
        assert!((b - 1.1f64.ln()).abs() < 1e-12);
        assert!(c[1].factors[0].d_ln_t_per_unit.is_none());
        assert_eq!(c[1].population_sigma_ln, 0.0);
        let fw = responses(&[300.0, 400.0], &[f], &[up], &nominal, false);
        let b = fw[0].factors[0].d_ln_t_per_unit.unwrap();
        assert!((b - 1.1f64.ln()).abs() < 1e-12);
        assert!((fw[0].population_sigma_ln - 2.0 * 1.1f64.ln()).abs() < 1e-12);
    }
}
