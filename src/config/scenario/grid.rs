//! `[grid]`: the film-grid cell, checked against the module pitch and a memory limit.

use crate::config::engine::Parsed;
use crate::error::Result;
use crate::qr::SymbolGeometry;

/// Cells per grid beyond which the film grid would need ≈ 1.5 GB.
const MAX_CELLS: usize = 64_000_000;

/// The `[grid]` section → the cell [nm] (auto: pitch / 24).
pub(super) fn resolve(
    p: &mut Parsed<'_>,
    geometry: &SymbolGeometry,
    modules: usize,
) -> Result<f64> {
    let module_pitch_nm = geometry.module_pitch_nm;
    let cell_nm = p.float_or("grid.cell_nm", module_pitch_nm / 24.0)?;
    if cell_nm > module_pitch_nm / 8.0 {
        return Err(p.err_at(
            "grid.cell_nm",
            format!(
                "{cell_nm} nm cells cannot resolve {module_pitch_nm} nm modules (need ≤ pitch/8 = {:.3} nm)",
                module_pitch_nm / 8.0
            ),
            "use a smaller cell or remove the key (auto: pitch/24)",
        ));
    }
    let field_nm = geometry.field_side_nm(modules);
    let cells_per_side = (field_nm / cell_nm).round() as usize;
    if cells_per_side * cells_per_side > MAX_CELLS {
        return Err(p.err_at(
            "grid.cell_nm",
            format!("{cells_per_side}² cells exceed the limit of {MAX_CELLS} (≈ 1.5 GB)"),
            "use a larger cell",
        ));
    }
    Ok(cell_nm)
}
