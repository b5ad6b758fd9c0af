//! Writing the pattern into the film grid.
//!
//! [`ideal`]: the geometric reference write: every milled module becomes a pit of given depth,
//! sidewall angle and corner radius. It is not a physical model of ion milling; it exists so
//! that users can compare the Monte Carlo write (to come) against the intended shape.

pub mod ideal;

pub use ideal::{IdealMillReport, IdealPit, mill_ideal};

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
