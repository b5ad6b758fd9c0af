//! `millage age SCENARIO`: the per-mechanism timescale report only (no write, no image).

use std::path::PathBuf;

use clap::Args;

use crate::config;
use crate::error::{Error, Result};

/// Arguments of `millage age`.
#[derive(Debug, Args)]
pub struct AgeArgs {
    /// Scenario file with an [aging] section.
    pub scenario: PathBuf,
    /// Materials library directory (as for `millage run`).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

/// Prints the timescale table (markdown) of the scenario's materials at its temperatures and
/// at 25 °C, plus the mechanism switches.
pub fn run(args: &AgeArgs) -> Result<()> {
    let library = config::library_for(&args.scenario, args.materials.as_deref());
    let scenario = config::load_scenario(&args.scenario, &library)?;
    let Some(rows) = crate::pipeline::timescales(&scenario) else {
        return Err(Error::input(
            Some(args.scenario.clone()),
            "aging",
            None,
            "the scenario has no [aging] section",
            "add e.g. [aging] with temperature_c = 25.0 and horizon_yr = 1000.0",
        ));
    };
    println!(
        "{}: time for each mechanism to change a {} nm module feature by 10 %, and the temperature at which that takes 1,000 yr",
        scenario.name, scenario.geometry.module_pitch_nm
    );
    println!();
    print!("{}", crate::output::aging::timescales_markdown(&rows));
    Ok(())
}
