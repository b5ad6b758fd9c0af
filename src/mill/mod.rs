//! Writing the pattern into the film grid.
//!
//! [`ideal`]: the geometric reference write: every milled module becomes a pit of given depth,
//! sidewall angle and corner radius. It is not a physical model of ion milling; it exists so
//! that users can compare the Monte Carlo write against the intended shape.
//! [`fast`]: Monte Carlo milling of the height field from BCA tables (`model = "bca"`).
//! [`direct`]: the reference: every ion's full cascade through an evolving voxel grid
//! (`model = "bca-direct"`, a few modules). [`validation`]: the two compared.

pub mod direct;
pub mod fast;
pub mod ideal;
mod model;
pub mod validation;

pub use ideal::{IdealMillReport, IdealPit, mill_ideal};
pub use model::{BcaMill, MillModel, MillModelKind};

/// Where the modules of the symbol sit in the grid's field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModuleLayout {
    /// Modules per side of the symbol (29 for Version 3).
    pub modules_per_side: usize,
    /// Module pitch [nm].
    pub module_pitch_nm: f64,
    /// Unmilled margin around the symbol [modules].
    pub quiet_zone_modules: usize,
}

impl ModuleLayout {
    /// Modules per side of the whole field (symbol + quiet zone on both sides).
    pub fn field_modules(&self) -> usize {
        self.modules_per_side + 2 * self.quiet_zone_modules
    }

    /// Side of the whole field [nm].
    pub fn field_side_nm(&self) -> f64 {
        self.field_modules() as f64 * self.module_pitch_nm
    }
}

/// Shape measurements of a written specimen, the same for every mill model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MillMetrics {
    /// Mean depth below the film top over the central half (by side) of milled modules [nm].
    pub mean_depth_nm: f64,
    /// RMS deviation of those depths from their mean [nm].
    pub depth_rms_nm: f64,
    /// Mean wall slope over cells whose depth lies between 20 % and 80 % of the mean depth
    /// [deg from the horizontal]; 0 if nothing was milled.
    pub sidewall_angle_deg: f64,
    /// Mean depth eroded over the central half of unmilled symbol modules [nm] (beam tails,
    /// emission kernel, redeposition: negative means material was added).
    pub neighbour_overmill_nm: f64,
    /// Mean atomic fraction of implanted atoms in the near-surface layer over milled module
    /// centres, N / (n d + N).
    pub ga_surface_fraction: f64,
    /// Mean implanted areal density over milled module centres [atoms/nm²].
    pub ga_areal_density_per_nm2: f64,
}

/// Measures [`MillMetrics`] on a specimen. `milled(field_col, field_row)` as for the mills.
pub fn measure(
    specimen: &crate::grid::Specimen,
    layout: &ModuleLayout,
    milled: &dyn Fn(usize, usize) -> bool,
) -> MillMetrics {
    let g = &specimen.grid;
    let (nx, ny) = (g.nx(), g.ny());
    let pitch = layout.module_pitch_nm;
    let q = layout.quiet_zone_modules;
    let n = layout.modules_per_side;
    let (mut milled_depths, mut unmilled_depths) = (Vec::new(), Vec::new());
    let (mut ga_c, mut ga_n) = (Vec::new(), Vec::new());
    for k in 0..nx * ny {
        let (x, y) = g.centre_nm(k % nx, k / nx);
        let (c, r) = ((x / pitch) as usize, (y / pitch) as usize);
        if c < q || r < q || c >= q + n || r >= q + n {
            continue;
        }
        let (fx, fy) = (x / pitch - c as f64 - 0.5, y / pitch - r as f64 - 0.5);
        if fx.abs() > 0.25 || fy.abs() > 0.25 {
            continue;
        }
        let depth = -g.surface_nm[k];
        if milled(c, r) {
            milled_depths.push(depth);
            let host = specimen.materials[specimen.surface_material(k)].number_density_per_nm3()
                * specimen.implant_depth_nm;
            let ga = g.implanted_per_nm2[k];
            ga_c.push(if ga > 0.0 { ga / (host + ga) } else { 0.0 });
            ga_n.push(ga);
        } else {
            unmilled_depths.push(depth);
        }
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mean_depth = mean(&milled_depths);
    let rms = (milled_depths
        .iter()
        .map(|d| (d - mean_depth).powi(2))
        .sum::<f64>()
        / milled_depths.len().max(1) as f64)
        .sqrt();
    let walls: Vec<f64> = (0..nx * ny)
        .filter(|&k| {
            let d = -g.surface_nm[k];
            mean_depth > 0.0 && d > 0.2 * mean_depth && d < 0.8 * mean_depth
        })
        .map(|k| g.slope_angle_rad(k % nx, k / nx).to_degrees())
        .collect();
    MillMetrics {
        mean_depth_nm: mean_depth,
        depth_rms_nm: rms,
        sidewall_angle_deg: mean(&walls),
        neighbour_overmill_nm: mean(&unmilled_depths),
        ga_surface_fraction: mean(&ga_c),
        ga_areal_density_per_nm2: mean(&ga_n),
    }
}

/// Half-depth edge positions of the pit of module (`col`, `row`) [nm, field x]: the surface is
/// averaged over the rows of the module's central half (y), the reference depth is the mean of
/// that profile over the module's central half (x), and the edges are where the profile,
/// walking outward from the module centre, first rises above half that depth (linear
/// interpolation between cell centres). `None` if nothing was milled there or an edge is not
/// found inside the field.
pub fn half_depth_edges_nm(
    grid: &crate::grid::FilmGrid,
    layout: &ModuleLayout,
    col: usize,
    row: usize,
) -> Option<(f64, f64)> {
    let profile = module_row_profile(grid, layout, row);
    let c = grid.cell_nm();
    let pitch = layout.module_pitch_nm;
    let centre_x = (col as f64 + 0.5) * pitch;
    let (lo, hi) = (centre_x - 0.25 * pitch, centre_x + 0.25 * pitch);
    let central: Vec<f64> = profile
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let x = (*i as f64 + 0.5) * c;
            x >= lo && x <= hi
        })
        .map(|(_, d)| *d)
        .collect();
    if central.is_empty() {
        return None;
    }
    let depth = central.iter().sum::<f64>() / central.len() as f64;
    if depth <= 0.0 {
        return None;
    }
    let half = 0.5 * depth;
    let ic = ((centre_x / c) as usize).min(profile.len() - 1);
    let x_of = |i: usize| (i as f64 + 0.5) * c;
    let crossing = |a: usize, b: usize| {
        // profile[a] ≥ half > profile[b]
        let f = (profile[a] - half) / (profile[a] - profile[b]);
        x_of(a) + f * (x_of(b) - x_of(a))
    };
    let mut left = None;
    for i in (1..=ic).rev() {
        if profile[i] >= half && profile[i - 1] < half {
            left = Some(crossing(i, i - 1));
            break;
        }
    }
    let mut right = None;
    for i in ic..profile.len() - 1 {
        if profile[i] >= half && profile[i + 1] < half {
            right = Some(crossing(i, i + 1));
            break;
        }
    }
    Some((left?, right?))
}

/// Depth below the film top [nm] per grid column x, averaged over the rows of the central half
/// of module row `row` (a cross-section through a row of modules with the Monte Carlo noise of
/// single rows averaged out).
pub fn module_row_profile(
    grid: &crate::grid::FilmGrid,
    layout: &ModuleLayout,
    row: usize,
) -> Vec<f64> {
    let c = grid.cell_nm();
    let pitch = layout.module_pitch_nm;
    let centre_y = (row as f64 + 0.5) * pitch;
    let rows: Vec<usize> = (0..grid.ny())
        .filter(|&j| ((j as f64 + 0.5) * c - centre_y).abs() <= 0.25 * pitch)
        .collect();
    (0..grid.nx())
        .map(|i| {
            rows.iter()
                .map(|&j| -grid.surface_nm[grid.index(i, j)])
                .sum::<f64>()
                / rows.len().max(1) as f64
        })
        .collect()
}
