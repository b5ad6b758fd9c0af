//! The film grid: a regular lateral grid over the written field holding, per column, the
//! surface height and what lies beneath it.
//!
//! Representation (2.5-D, "height field + per-column layer stack"; see
//! ../shared/research/milling_imaging_qr.md §2.1): the film stack is planar as deposited, so
//! layer interfaces are global heights z (film top at z = 0, interfaces below it, the substrate
//! below the last interface). Each column stores its surface height `surface_nm` (≤ 0 once
//! milled; > 0 where material was redeposited or oxide swelled), the thickness of an oxide skin
//! on top, and the areal density of implanted atoms in a near-surface layer. The composition at
//! any depth of a column follows from these without storing a voxel stack, which keeps memory
//! at 4 numbers per column: ~900 × 900 columns for a Version 3 symbol at any module pitch
//! from 5 nm to 200 nm when the cell is ~1/24 module (≈ 26 MB).
//!
//! Cell (i, j) covers x ∈ [i·c, (i+1)·c), y ∈ [j·c, (j+1)·c) with c = `cell_nm`; x grows to the
//! right (columns), y grows downward (rows), as in an image, so that module (col, row) of the
//! QR symbol maps to the same orientation in the SEM image.

/// Index into the specimen's material palette.
pub type MaterialIndex = usize;

/// A film layer as deposited.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Material of the layer (index into the palette).
    pub material: MaterialIndex,
    /// As-deposited thickness [nm].
    pub thickness_nm: f64,
}

/// Film layers on a substrate, top layer first.
#[derive(Debug, Clone, PartialEq)]
pub struct FilmStack {
    /// Layers from the top (z = 0) down.
    pub layers: Vec<Layer>,
    /// The substrate below the last layer (semi-infinite).
    pub substrate: MaterialIndex,
}

impl FilmStack {
    /// Height of the bottom interface of layer `k` [nm] (negative: below the film top).
    pub fn layer_bottom_z_nm(&self, k: usize) -> f64 {
        -self.layers[..=k]
            .iter()
            .map(|l| l.thickness_nm)
            .sum::<f64>()
    }

    /// Total film thickness [nm].
    pub fn film_thickness_nm(&self) -> f64 {
        self.layers.iter().map(|l| l.thickness_nm).sum()
    }

    /// Material at height z [nm] in an unoxidised column whose surface lies above z.
    pub fn material_at_z(&self, z_nm: f64) -> MaterialIndex {
        let mut top = 0.0;
        for layer in &self.layers {
            let bottom = top - layer.thickness_nm;
            if z_nm >= bottom {
                return layer.material;
            }
            top = bottom;
        }
        self.substrate
    }

    /// The material at the surface of a column whose surface is at `surface_nm` (the first
    /// entry of [`FilmStack::remaining_below`], without allocating).
    pub fn top_material(&self, surface_nm: f64) -> MaterialIndex {
        let mut bottom = 0.0;
        for layer in &self.layers {
            bottom -= layer.thickness_nm;
            if surface_nm > bottom {
                return layer.material;
            }
        }
        self.substrate
    }

    /// Thicknesses [nm] of the stack's materials remaining under a surface at `surface_nm`,
    /// from the top down, ending with the substrate (thickness `f64::INFINITY`). Material
    /// redeposited above z = 0 is counted as the top layer's material.
    pub fn remaining_below(&self, surface_nm: f64) -> Vec<(MaterialIndex, f64)> {
        let mut out = Vec::with_capacity(self.layers.len() + 1);
        self.for_each_remaining(surface_nm, |m, t| {
            out.push((m, t));
            true
        });
        out
    }

    /// The first (top) entry of [`FilmStack::remaining_below`], without allocating (the
    /// per-column, per-step query of oxidation).
    pub fn top_remaining(&self, surface_nm: f64) -> (MaterialIndex, f64) {
        let mut first = (self.substrate, f64::INFINITY);
        self.for_each_remaining(surface_nm, |m, t| {
            first = (m, t);
            false
        });
        first
    }

    /// Calls `f(material, thickness)` for the strata of [`FilmStack::remaining_below`] from the
    /// top down, ending with the substrate, until `f` returns false.
    fn for_each_remaining(&self, surface_nm: f64, mut f: impl FnMut(MaterialIndex, f64) -> bool) {
        let mut top = f64::INFINITY; // layer 0 extends upward over any redeposit
        let mut bottom = 0.0;
        for layer in &self.layers {
            bottom -= layer.thickness_nm;
            let t = surface_nm.min(top) - bottom;
            if t > 0.0 && !f(layer.material, t) {
                return;
            }
            top = bottom;
        }
        f(self.substrate, f64::INFINITY);
    }
}

/// The film grid: per-column state over the written field.
#[derive(Debug, Clone, PartialEq)]
pub struct FilmGrid {
    nx: usize,
    ny: usize,
    cell_nm: f64,
    /// Surface height z [nm] per column (film top as deposited = 0).
    pub surface_nm: Vec<f64>,
    /// Oxide skin thickness on top of each column [nm] (part of the column above `surface_nm`
    /// minus the film consumed; see `age`).
    pub oxide_nm: Vec<f64>,
    /// Areal density of implanted atoms (Ga) in the near-surface layer [atoms/nm²].
    pub implanted_per_nm2: Vec<f64>,
    /// Material carried onto each column by surface transport (issue 17 item 4): per kind of
    /// material, its thickness [nm] in a covering layer between the column's in-situ strata and
    /// its oxide skin. It is part of the column below `surface_nm`, so the in-situ strata end at
    /// `surface_nm − Σ cover` ([`FilmGrid::in_situ_top_nm`]). The covering layer is treated as
    /// well mixed (one layer of volume-fraction composition). Empty until transport moves
    /// material (`age::composition`).
    pub cover_nm: Vec<(Stratum, Vec<f64>)>,
}

/// What a stratum of a column is made of: a palette material, or the oxide grown on one
/// (the oxide's library record where it has one, [`crate::material::Material::oxide_or_self`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stratum {
    /// A palette material.
    Material(MaterialIndex),
    /// The oxide of a palette material.
    OxideOf(MaterialIndex),
}

/// Thickness of one monolayer [nm], below which a covering layer or a conductor left in a
/// column is not counted as the column's surface material or as a conducting path: estimated
/// as the interlayer spacing of the library's ceramics, 0.2–0.4 nm (CrN (200) spacing
/// a/2 = 0.207 nm for a = 4.148 Å; Cr2O3 and SiO2 cation–anion layers ≈ 0.2–0.3 nm), upper end.
pub const MONOLAYER_NM: f64 = 0.3;

impl FilmGrid {
    /// A pristine grid of `nx × ny` cells of side `cell_nm`.
    ///
    /// # Panics
    /// If a dimension is zero or the cell is not positive and finite (callers validate first).
    pub fn new(nx: usize, ny: usize, cell_nm: f64) -> Self {
        assert!(nx > 0 && ny > 0 && cell_nm.is_finite() && cell_nm > 0.0);
        let n = nx * ny;
        FilmGrid {
            nx,
            ny,
            cell_nm,
            surface_nm: vec![0.0; n],
            oxide_nm: vec![0.0; n],
            implanted_per_nm2: vec![0.0; n],
            cover_nm: Vec::new(),
        }
    }

    /// Total thickness of transported cover on column k [nm].
    #[inline]
    pub fn cover_total_nm(&self, k: usize) -> f64 {
        self.cover_nm.iter().map(|(_, v)| v[k]).sum()
    }

    /// Height of the top of column k's in-situ strata (the film and substrate as deposited and
    /// milled, below any transported cover) [nm].
    #[inline]
    pub fn in_situ_top_nm(&self, k: usize) -> f64 {
        self.surface_nm[k] - self.cover_total_nm(k)
    }

    /// Position of `kind` in `cover_nm`, allocating a zero field for it if absent.
    pub fn cover_slot(&mut self, kind: Stratum) -> usize {
        if let Some(i) = self.cover_nm.iter().position(|(s, _)| *s == kind) {
            return i;
        }
        self.cover_nm.push((kind, vec![0.0; self.nx * self.ny]));
        self.cover_nm.len() - 1
    }

    /// Number of columns in x.
    pub fn nx(&self) -> usize {
        self.nx
    }

    /// Number of rows in y.
    pub fn ny(&self) -> usize {
        self.ny
    }

    /// Cell side [nm].
    pub fn cell_nm(&self) -> f64 {
        self.cell_nm
    }

    /// Field width [nm].
    pub fn width_nm(&self) -> f64 {
        self.nx as f64 * self.cell_nm
    }

    /// Field height [nm].
    pub fn height_nm(&self) -> f64 {
        self.ny as f64 * self.cell_nm
    }

    /// Flat index of cell (i, j).
    #[inline]
    pub fn index(&self, i: usize, j: usize) -> usize {
        j * self.nx + i
    }

    /// Centre of cell (i, j) [nm].
    #[inline]
    pub fn centre_nm(&self, i: usize, j: usize) -> (f64, f64) {
        (
            (i as f64 + 0.5) * self.cell_nm,
            (j as f64 + 0.5) * self.cell_nm,
        )
    }

    /// Surface height at (x, y) [nm] by bilinear interpolation between cell centres, clamped
    /// at the field edge.
    pub fn surface_at(&self, x_nm: f64, y_nm: f64) -> f64 {
        bilinear(
            &self.surface_nm,
            self.nx,
            self.ny,
            x_nm / self.cell_nm - 0.5,
            y_nm / self.cell_nm - 0.5,
        )
    }

    /// Surface slope angle θ [rad] from the horizontal at cell (i, j), by central differences
    /// (one-sided at the field edge): tan θ = |∇z|.
    pub fn slope_angle_rad(&self, i: usize, j: usize) -> f64 {
        let (dzdx, dzdy) = self.surface_gradient(i, j);
        dzdx.hypot(dzdy).atan()
    }

    /// Surface gradient (∂z/∂x, ∂z/∂y) at cell (i, j), by central differences (one-sided at the
    /// field edge). The outward unit normal is (−∂z/∂x, −∂z/∂y, 1)/√(1 + |∇z|²).
    pub fn surface_gradient(&self, i: usize, j: usize) -> (f64, f64) {
        let z = |i: usize, j: usize| self.surface_nm[self.index(i, j)];
        let (il, ir) = (i.saturating_sub(1), (i + 1).min(self.nx - 1));
        let (ju, jd) = (j.saturating_sub(1), (j + 1).min(self.ny - 1));
        let dzdx = (z(ir, j) - z(il, j)) / ((ir - il).max(1) as f64 * self.cell_nm);
        let dzdy = (z(i, jd) - z(i, ju)) / ((jd - ju).max(1) as f64 * self.cell_nm);
        (dzdx, dzdy)
    }

    /// Bytes of memory the grid's fields occupy.
    pub fn memory_bytes(&self) -> usize {
        (3 + self.cover_nm.len()) * self.nx * self.ny * std::mem::size_of::<f64>()
    }
}

/// Bilinear interpolation of a row-major field at fractional cell coordinates (u, v) measured
/// from the first cell centre; clamped at the edges.
pub fn bilinear(field: &[f64], nx: usize, ny: usize, u: f64, v: f64) -> f64 {
    let u = u.clamp(0.0, (nx - 1) as f64);
    let v = v.clamp(0.0, (ny - 1) as f64);
    let (i0, j0) = (u.floor() as usize, v.floor() as usize);
    let (i1, j1) = ((i0 + 1).min(nx - 1), (j0 + 1).min(ny - 1));
    let (fu, fv) = (u - i0 as f64, v - j0 as f64);
    let at = |i: usize, j: usize| field[j * nx + i];
    let top = at(i0, j0) * (1.0 - fu) + at(i1, j0) * fu;
    let bottom = at(i0, j1) * (1.0 - fu) + at(i1, j1) * fu;
    top * (1.0 - fv) + bottom * fv
}

/// A written film: the grid, its stack and the materials the indices refer to.
#[derive(Debug, Clone)]
pub struct Specimen {
    /// Per-column state.
    pub grid: FilmGrid,
    /// The deposited stack (indices into `materials`).
    pub stack: FilmStack,
    /// Material palette.
    pub materials: Vec<crate::material::Material>,
    /// The implanted species tracked in `grid.implanted_per_nm2` (Ga for a Ga FIB).
    pub implant_species: crate::material::Element,
    /// Depth of the near-surface layer holding the implanted atoms [nm].
    pub implant_depth_nm: f64,
}

impl Specimen {
    /// The in-situ host of column k: the material at the top of its in-situ strata (below any
    /// transported cover; the host an oxide skin grows on and reports as, see `oxide_nm`).
    pub fn surface_material(&self, k: usize) -> MaterialIndex {
        self.stack.top_material(self.grid.in_situ_top_nm(k))
    }

    /// The library record of a stratum kind.
    pub fn record(&self, kind: Stratum) -> &crate::material::Material {
        match kind {
            Stratum::Material(m) => &self.materials[m],
            Stratum::OxideOf(m) => self.materials[m].oxide_or_self(),
        }
    }

    /// Index of a stratum kind among `2 × materials.len()` kinds: m for material m, n + m for
    /// the oxide of m when the library holds that oxide as a material (else m: the oxide is
    /// given its host's properties).
    pub fn kind_index(&self, kind: Stratum) -> usize {
        match kind {
            Stratum::Material(m) => m,
            Stratum::OxideOf(m) => {
                let own = self.materials[m]
                    .oxidation
                    .as_ref()
                    .is_some_and(|o| o.oxide_material.is_some());
                if own { self.materials.len() + m } else { m }
            }
        }
    }

    /// The strata of column k from the outer surface down, as (kind, thickness [nm]): the
    /// oxide skin (oxide of the in-situ host), the transported cover (one entry per kind,
    /// together a mixed layer), then the in-situ strata ending with the semi-infinite
    /// substrate. Entries of zero thickness are left out.
    pub fn strata(&self, k: usize) -> Vec<(Stratum, f64)> {
        let g = &self.grid;
        let base = g.in_situ_top_nm(k);
        let below = self.stack.remaining_below(base);
        let mut out = Vec::with_capacity(below.len() + 1 + g.cover_nm.len());
        if g.oxide_nm[k] > 0.0 {
            out.push((Stratum::OxideOf(below[0].0), g.oxide_nm[k]));
        }
        for (kind, v) in &g.cover_nm {
            if v[k] > 0.0 {
                out.push((*kind, v[k]));
            }
        }
        out.extend(below.into_iter().map(|(m, t)| (Stratum::Material(m), t)));
        out
    }

    /// The kind of material at the outer surface of column k, the one surface transport and the
    /// insulating flag see: the oxide where the column carries a skin, else the most abundant
    /// kind of a cover of at least [`MONOLAYER_NM`], else the in-situ host.
    pub fn surface_stratum(&self, k: usize) -> Stratum {
        let host = self.surface_material(k);
        let g = &self.grid;
        if g.oxide_nm[k] > 0.0 {
            return Stratum::OxideOf(host);
        }
        if g.cover_total_nm(k) >= MONOLAYER_NM
            && let Some((kind, _)) = g.cover_nm.iter().max_by(|a, b| a.1[k].total_cmp(&b.1[k]))
        {
            return *kind;
        }
        Stratum::Material(host)
    }

    /// Whether column k offers a conducting path to ground: some stratum of a non-insulating
    /// material at least [`MONOLAYER_NM`] thick (a consumed film's sliver, or a sub-monolayer
    /// cover, does not count).
    pub fn conducts(&self, k: usize) -> bool {
        self.strata(k)
            .iter()
            .any(|&(kind, t)| t >= MONOLAYER_NM && !self.record(kind).is_insulating())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack() -> FilmStack {
        FilmStack {
            layers: vec![Layer {
                material: 0,
                thickness_nm: 15.0,
            }],
            substrate: 1,
        }
    }

    #[test]
    fn material_at_depth_follows_the_stack() {
        let s = stack();
        assert_eq!(s.material_at_z(-1.0), 0);
        assert_eq!(s.material_at_z(-15.0), 0);
        assert_eq!(s.material_at_z(-15.1), 1);
        assert_eq!(s.layer_bottom_z_nm(0), -15.0);
    }

    #[test]
    fn remaining_thickness_after_milling() {
        let s = stack();
        assert_eq!(s.remaining_below(0.0)[0], (0, 15.0));
        for z in [3.0, 0.0, -7.5, -15.0, -15.01, -40.0] {
            assert_eq!(s.top_material(z), s.remaining_below(z)[0].0, "z = {z}");
            assert_eq!(s.top_remaining(z), s.remaining_below(z)[0], "z = {z}");
        }
        assert_eq!(s.remaining_below(-5.0)[0], (0, 10.0));
        let through = s.remaining_below(-20.0);
        assert_eq!(through.len(), 1);
        assert_eq!(through[0].0, 1);
        // Redeposit above the original top counts as film material.
        assert_eq!(s.remaining_below(2.0)[0], (0, 17.0));
    }

    #[test]
    fn two_layer_stack_remaining() {
        let s = FilmStack {
            layers: vec![
                Layer {
                    material: 0,
                    thickness_nm: 5.0,
                },
                Layer {
                    material: 2,
                    thickness_nm: 10.0,
                },
            ],
            substrate: 1,
        };
        assert_eq!(s.remaining_below(-7.0), vec![(2, 8.0), (1, f64::INFINITY)]);
        assert_eq!(
            s.remaining_below(-1.0),
            vec![(0, 4.0), (2, 10.0), (1, f64::INFINITY)]
        );
    }

    #[test]
    fn slope_of_a_ramp() {
        let mut g = FilmGrid::new(8, 4, 2.0);
        for j in 0..4 {
            for i in 0..8 {
                let k = g.index(i, j);
                g.surface_nm[k] = -(i as f64) * 2.0; // 45° ramp
            }
        }
        let theta = g.slope_angle_rad(3, 2).to_degrees();
        assert!((theta - 45.0).abs() < 1e-9, "{theta}");
        assert!((g.surface_at(5.0, 3.0) + 4.0).abs() < 1e-12);
    }
}
