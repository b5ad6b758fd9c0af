//! The lifetime stage of a scenario: the scenario's reader as a [`ReadoutPlan`] and the call
//! of [`crate::lifetime::LifetimeStage`] (the searches, curve, Arrhenius analysis, test design,
//! uncertainty and frontier live in `crate::lifetime`, layer 4). No I/O.
//!
//! The records are re-exported here so that `pipeline::lifetime::LifetimeRow` etc. keep
//! naming the `summary.json` contract.

pub use crate::lifetime::classify::NEGLIGIBLE_HORIZONS;
pub use crate::lifetime::frontier_stage::{FRONTIER_TOLERANCE, simulated_pitch};
pub use crate::lifetime::probe::REAL_TIME_FLOOR_S;
pub use crate::lifetime::{
    ArrheniusRecord, CurvePoint, DensityClaim, FrontierRecord, FrontierSearchRecord,
    LifetimeAnalysis, LifetimeProducts, LifetimeRow, OxidationSearchRecord, RealTimePoint,
    RealTimeSearchRecord, SearchRecord, TemperaturePath, TestDesign, UncertaintyBasis,
    UncertaintyRow,
};

use crate::age::ModuleMap;
use crate::error::Result;
use crate::grid::Specimen;
use crate::lifetime::{LifetimeSettings, LifetimeStage};
use crate::mill::ModuleLayout;
use crate::pipeline::Scenario;
use crate::qr::QrSymbol;

/// Runs the lifetime stage on the milled `specimen` read as the scenario reads it.
pub fn lifetime_stage(
    sc: &Scenario,
    settings: &LifetimeSettings,
    symbol: &QrSymbol,
    layout: &ModuleLayout,
    specimen: &Specimen,
    map: &ModuleMap,
    seed: u64,
) -> Result<LifetimeProducts> {
    let plan = super::readout_plan(sc);
    LifetimeStage::new(&plan, settings, symbol, layout, specimen, map, seed)?.run()
}

#[cfg(test)]
#[path = "lifetime_tests.rs"]
mod tests;
