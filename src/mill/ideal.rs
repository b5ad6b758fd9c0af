//! Ideal (geometric) milling: a labelled reference, not ion physics.
//!
//! The milled set M is the union of the milled modules' squares (adjacent milled modules merge
//! into one pit, as a raster-scanned beam makes them). Its outline is rounded at convex corners
//! with radius r_c by a morphological opening with a disk of radius r_c (erosion, then
//! dilation), the shape a finite beam leaves at an outside corner. Depth at a point p is
//!
//!   h(p) = −D · clamp(s(p) / w, 0, 1),   w = D / tan α,
//!
//! where s(p) is the distance from p inward to the rounded outline, D the pit depth, α the
//! sidewall angle from the horizontal (90° = vertical wall) and w the wall's horizontal width.
//! s is exact (point-to-square distances) for straight edges and concave corners; at rounded
//! corners it is s = r_c − dist(p, E) with E = {d_u ≥ r_c} the eroded set, evaluated from E
//! sampled at cell centres (accurate to a fraction of a cell).

use rayon::prelude::*;

use super::ModuleLayout;
use crate::grid::FilmGrid;

/// The geometry of an ideal pit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct IdealPit {
    /// Pit depth D below the film top [nm].
    pub depth_nm: f64,
    /// Sidewall angle α from the horizontal [deg], in (0, 90].
    pub sidewall_angle_deg: f64,
    /// Radius r_c of the rounding of convex pit corners [nm], ≥ 0.
    pub corner_radius_nm: f64,
}

impl IdealPit {
    /// Horizontal width of the sloped wall w = D / tan α [nm].
    pub fn wall_width_nm(&self) -> f64 {
        if self.sidewall_angle_deg >= 90.0 {
            0.0
        } else {
            self.depth_nm / self.sidewall_angle_deg.to_radians().tan()
        }
    }

    /// Depth [nm] at inward distance s from the outline.
    fn depth_at(&self, inward_nm: f64) -> f64 {
        let w = self.wall_width_nm();
        if inward_nm <= 0.0 {
            0.0
        } else if w == 0.0 {
            self.depth_nm
        } else {
            self.depth_nm * (inward_nm / w).min(1.0)
        }
    }
}

/// What the ideal write did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IdealMillReport {
    /// Number of milled modules.
    pub milled_modules: usize,
    /// Milled volume [nm³] (Σ depth × cell area).
    pub milled_volume_nm3: f64,
    /// Mean depth over the cells whose centres lie inside milled modules [nm].
    pub mean_depth_in_milled_modules_nm: f64,
}

/// Mills the field modules for which `milled(field_col, field_row)` is true into `grid` as
/// ideal pits. Field modules include the quiet zone (indices 0 … symbol + 2·quiet zone − 1):
/// when the light modules are milled, the quiet zone is milled too.
///
/// The grid must cover the field with its origin at the field's top-left corner. Heights are
/// set to −h(p), replacing what was there.
pub fn mill_ideal(
    grid: &mut FilmGrid,
    layout: &ModuleLayout,
    milled: &(dyn Fn(usize, usize) -> bool + Sync),
    pit: &IdealPit,
) -> IdealMillReport {
    let field_modules = layout.field_modules();
    let occupied: Vec<bool> = (0..field_modules * field_modules)
        .map(|k| milled(k % field_modules, k / field_modules))
        .collect();
    let pitch = layout.module_pitch_nm;
    let cell = grid.cell_nm();
    let (nx, ny) = (grid.nx(), grid.ny());
    let rc = pit.corner_radius_nm;
    let reach_nm = rc + pit.wall_width_nm() + 2.0 * cell;
    let module_radius = (reach_nm / pitch).ceil() as isize;

    let module_of = |x_nm: f64| -> isize { (x_nm / pitch).floor() as isize };
    let is_milled = |c: isize, r: isize| -> bool {
        c >= 0
            && r >= 0
            && (c as usize) < field_modules
            && (r as usize) < field_modules
            && occupied[r as usize * field_modules + c as usize]
    };
    // Distance from p to the unmilled set, capped at `reach_nm` (exact: point-to-square).
    let distance_to_unmilled = |x: f64, y: f64| -> f64 {
        let (mc, mr) = (module_of(x), module_of(y));
        if !is_milled(mc, mr) {
            return 0.0;
        }
        let mut best = reach_nm;
        for dr in -module_radius..=module_radius {
            for dc in -module_radius..=module_radius {
                let (c, r) = (mc + dc, mr + dr);
                if is_milled(c, r) {
                    continue;
                }
                let (x0, y0) = (c as f64 * pitch, r as f64 * pitch);
                let dx = (x0 - x).max(0.0).max(x - (x0 + pitch));
                let dy = (y0 - y).max(0.0).max(y - (y0 + pitch));
                best = best.min(dx.hypot(dy));
            }
        }
        best
    };

    let d_unmilled: Vec<f64> = (0..nx * ny)
        .into_par_iter()
        .map(|k| {
            let (x, y) = grid.centre_nm(k % nx, k / nx);
            distance_to_unmilled(x, y)
        })
        .collect();

    // Inward distance to the opened (corner-rounded) outline.
    let window = (rc / cell).ceil() as isize + 1;
    let inward: Vec<f64> = (0..nx * ny)
        .into_par_iter()
        .map(|k| {
            let du = d_unmilled[k];
            if rc == 0.0 || du >= rc {
                return du;
            }
            if du == 0.0 {
                return 0.0;
            }
            let (i, j) = ((k % nx) as isize, (k / nx) as isize);
            // s(p) = r_c − dist(p, E) = max over q ∈ E of [d_u(q) − |p − q|], because d_u is
            // 1-Lipschitz and equals r_c on ∂E; the max form is exact along straight edges
            // even with E sampled at cell centres.
            let mut best = f64::NEG_INFINITY;
            for dj in -window..=window {
                for di in -window..=window {
                    let (ii, jj) = (i + di, j + dj);
                    if ii < 0 || jj < 0 || ii >= nx as isize || jj >= ny as isize {
                        continue;
                    }
                    let dq = d_unmilled[jj as usize * nx + ii as usize];
                    if dq >= rc {
                        best = best.max(dq - (di as f64).hypot(dj as f64) * cell);
                    }
                }
            }
            best
        })
        .collect();

    let mut volume = 0.0;
    let mut depth_sum = 0.0;
    let mut depth_cells = 0usize;
    for (k, s) in inward.iter().enumerate() {
        let depth = pit.depth_at(*s);
        grid.surface_nm[k] = -depth;
        volume += depth * cell * cell;
        let (x, y) = grid.centre_nm(k % nx, k / nx);
        if is_milled(module_of(x), module_of(y)) {
            depth_sum += depth;
            depth_cells += 1;
        }
    }
    IdealMillReport {
        milled_modules: occupied.iter().filter(|m| **m).count(),
        milled_volume_nm3: volume,
        mean_depth_in_milled_modules_nm: if depth_cells > 0 {
            depth_sum / depth_cells as f64
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(n: usize) -> ModuleLayout {
        ModuleLayout {
            modules_per_side: n,
            module_pitch_nm: 40.0,
            quiet_zone_modules: 1,
        }
    }

    fn grid_for(l: &ModuleLayout, cell: f64) -> FilmGrid {
        let cells = (l.field_side_nm() / cell).round() as usize;
        FilmGrid::new(cells, cells, cell)
    }

    #[test]
    fn vertical_walls_without_rounding_give_exact_squares() {
        let l = layout(3);
        let mut g = grid_for(&l, 2.0);
        let pit = IdealPit {
            depth_nm: 20.0,
            sidewall_angle_deg: 90.0,
            corner_radius_nm: 0.0,
        };
        let r = mill_ideal(&mut g, &l, &|c, r| c == 2 && r == 2, &pit);
        assert_eq!(r.milled_modules, 1);
        // Exactly one module area at full depth: 40 × 40 × 20 nm³.
        assert!(
            (r.milled_volume_nm3 - 32_000.0).abs() < 1e-6,
            "{}",
            r.milled_volume_nm3
        );
        // Symbol module (1, 1) is field module (2, 2): centre at (100, 100) nm.
        assert_eq!(g.surface_at(100.0, 100.0), -20.0);
        assert_eq!(g.surface_nm[g.index(0, 0)], 0.0);
    }

    #[test]
    fn sloped_wall_removes_the_expected_volume() {
        // An isolated square pit of side a = 40 nm with D = 20 nm and α = 45° has walls of
        // width w = 20 nm = a/2 that meet at the centre: a square pyramid, V = a² D / 3.
        let l = layout(3);
        let mut g = grid_for(&l, 0.5);
        let pit = IdealPit {
            depth_nm: 20.0,
            sidewall_angle_deg: 45.0,
            corner_radius_nm: 0.0,
        };
        let r = mill_ideal(&mut g, &l, &|c, r| c == 2 && r == 2, &pit);
        let frustum = 20.0 / 3.0 * (40.0_f64 * 40.0);
        let rel = (r.milled_volume_nm3 - frustum).abs() / frustum;
        assert!(
            rel < 0.01,
            "volume {} vs pyramid {frustum}",
            r.milled_volume_nm3
        );
    }

    #[test]
    fn corner_rounding_removes_the_corner_area() {
        // Opening a square of side a by a disk r_c removes (4 − π) r_c² of area.
        let l = layout(3);
        let cell = 0.25;
        let mut g = grid_for(&l, cell);
        let rc = 10.0;
        let pit = IdealPit {
            depth_nm: 1.0,
            sidewall_angle_deg: 90.0,
            corner_radius_nm: rc,
        };
        let r = mill_ideal(&mut g, &l, &|c, r| c == 2 && r == 2, &pit);
        let expected = 40.0 * 40.0 - (4.0 - std::f64::consts::PI) * rc * rc;
        let rel = (r.milled_volume_nm3 - expected).abs() / expected;
        assert!(rel < 0.005, "area {} vs {expected}", r.milled_volume_nm3);
    }

    #[test]
    fn adjacent_modules_merge_and_pattern_is_symmetric() {
        let l = layout(3);
        let mut g = grid_for(&l, 2.0);
        let pit = IdealPit {
            depth_nm: 20.0,
            sidewall_angle_deg: 70.0,
            corner_radius_nm: 5.0,
        };
        mill_ideal(&mut g, &l, &|c, r| r == 2 && (1..=3).contains(&c), &pit);
        // A 3-module bar at field row 2 (y 80–120 nm): no wall at the module boundary x = 80.
        assert_eq!(g.surface_at(80.0, 100.0), -20.0);
        // Mirror symmetry of the bar about the field centre.
        let n = g.nx();
        for j in 0..g.ny() {
            for i in 0..n {
                let a = g.surface_nm[g.index(i, j)];
                let b = g.surface_nm[g.index(n - 1 - i, j)];
                assert!((a - b).abs() < 1e-9, "asymmetry at ({i},{j}): {a} vs {b}");
            }
        }
    }
}
