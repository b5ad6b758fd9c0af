//! The frontier step of the lifetime stage: for each (simulated) pitch, the milled specimen
//! scaled laterally to that pitch (heights, oxide skin and implant areal density unchanged,
//! grid cell and SEM pixel scaled with the pitch, SEM probe size, kV and dose per pixel
//! unchanged) and a failure search in s of surface diffusion alone; the pitches between are
//! interpolated ([`super::frontier`] has the density and lifetime arithmetic). No I/O.

use serde::Serialize;

use super::frontier::{self, Density, FrontierRow, FrontierStatus};
use super::probe::{Clock, ProbeRates, Prober, Reader};
use super::rate::SurfaceRateModel;
use super::stage::LifetimeStage;
use super::{Criterion, FailureOutcome, FailureSearch, SearchSettings};
use crate::error::Result;
use crate::grid::{FilmGrid, Specimen};
use crate::mill::ModuleLayout;
use crate::units::kelvin_to_celsius;

/// Relative bracket width of the frontier searches (coarser than the main search to keep the
/// record run within its budget: the frontier spans ten decades in lifetime, and 10 % in s is
/// 10 % in lifetime).
pub const FRONTIER_TOLERANCE: f64 = 0.10;

/// Whether the pitch at `index` of a sorted list of `n` is simulated: every other one from the
/// smallest, and the largest (the rest are interpolated, unless the simulated pitch below found
/// no failure).
pub fn simulated_pitch(index: usize, n: usize) -> bool {
    index.is_multiple_of(2) || index + 1 == n
}

/// The "> 2 TB per A4 at 49 nm" check.
#[derive(Debug, Clone, Serialize)]
pub struct DensityClaim {
    /// Density at 49 nm.
    pub density: Density,
    /// Symbol used for tiling, e.g. "V3-M".
    pub tiled_symbol: String,
    /// Raw density exceeds 2 TB per A4.
    pub raw_exceeds_2tb: bool,
    /// Tiled QR payload exceeds 2 TB per A4.
    pub tiled_exceeds_2tb: bool,
    /// Per surface, the temperature at which the 49 nm code lives the target time [°C].
    pub temperature_for_target_c: Vec<(String, Option<f64>)>,
}

/// The assumptions of the frontier (serialized as the `note` sentence by `output`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrontierNote {
    /// FWHM of the imaging probe [nm] (kept at every pitch).
    pub probe_fwhm_nm: f64,
    /// Criterion searched per pitch.
    pub criterion: Criterion,
    /// Relative tolerance of the searches.
    pub rel_tolerance: f64,
    /// Noise realizations per probe.
    pub realizations: usize,
}

/// The frontier.
#[derive(Debug, Clone, Serialize)]
pub struct FrontierRecord {
    /// Pitch of the milled specimen [nm] that is scaled to every frontier pitch.
    pub simulated_pitch_nm: f64,
    /// Criterion searched per pitch.
    pub criterion: Criterion,
    /// Rows by pitch.
    pub rows: Vec<FrontierRow>,
    /// The 49 nm check.
    pub claim_49nm: DensityClaim,
    /// One search per pitch.
    pub searches: Vec<FrontierSearchRecord>,
    /// Probes of all frontier searches.
    pub probes: usize,
    /// Assumptions.
    pub note: FrontierNote,
}

/// One simulated pitch of the frontier.
#[derive(Debug, Clone, Serialize)]
pub struct FrontierSearchRecord {
    /// Module pitch [nm].
    pub pitch_nm: f64,
    /// Outcome, probes and convergence (clock = s [nm⁴]).
    pub search: FailureSearch,
    /// Failure equivalent time s_fail(p) [nm⁴], `None` unless found.
    pub s_fail_nm4: Option<f64>,
    /// s_fail(p₀)·(p/p₀)⁴, the self-similar scaling from the record pitch, for comparison.
    pub s_fail_p4_scaled_nm4: f64,
}

impl LifetimeStage<'_> {
    /// The surfaces of the frontier rows: the simulated stack (rate model `stack`), then every
    /// library material with surface kinetics as the whole surface.
    fn surfaces(&self, stack: &SurfaceRateModel) -> Vec<(String, SurfaceRateModel)> {
        let mut surfaces = vec![("simulated stack".to_string(), stack.clone())];
        surfaces.extend(
            self.settings
                .frontier_materials
                .iter()
                .filter_map(|m| SurfaceRateModel::single(m).map(|s| (m.name.clone(), s))),
        );
        surfaces
    }

    /// The row of pitch `p` from ln s_fail(p) over `surfaces` at the storage temperatures.
    fn frontier_row(
        &self,
        p: f64,
        ln_s: Option<f64>,
        surfaces: &[(String, SurfaceRateModel)],
        temperatures_k: &[f64],
    ) -> FrontierRow {
        frontier::frontier_row(
            p,
            ln_s,
            surfaces,
            temperatures_k,
            self.settings.horizon_s,
            self.settings.target_s,
            self.symbol.modules_per_side(),
            self.symbol.data_codeword_count(),
        )
    }

    /// The failure search at pitch `p` on the oxidized specimen scaled laterally by p/p₀,
    /// from a third of the p⁴ estimate `scaled` (lower if that probe has already failed).
    fn simulate_pitch(&self, p: f64, scaled: f64) -> Result<(FailureSearch, SurfaceRateModel)> {
        let settings = self.settings;
        let f = p / self.pitch_nm;
        let plan_p = self.plan.scaled(f);
        let layout_p = ModuleLayout {
            module_pitch_nm: p,
            modules_per_side: self.symbol.modules_per_side(),
            quiet_zone_modules: self.layout.quiet_zone_modules,
        };
        let map_p = plan_p.module_map(self.symbol, &layout_p);
        let g = &self.oxidized.grid;
        let mut grid = FilmGrid::new(g.nx(), g.ny(), g.cell_nm() * f);
        grid.surface_nm = g.surface_nm.clone();
        grid.oxide_nm = g.oxide_nm.clone();
        grid.implanted_per_nm2 = g.implanted_per_nm2.clone();
        grid.cover_nm = g.cover_nm.clone();
        let spec_p = Specimen {
            grid,
            ..self.oxidized.clone()
        };
        let model_p =
            SurfaceRateModel::from_specimen(&spec_p).unwrap_or_else(|| self.rate_model.clone());
        let reader = Reader {
            plan: &plan_p,
            symbol: self.symbol,
            layout: &layout_p,
            seed: self.seed,
            realizations: settings.realizations,
        };
        let rates = ProbeRates {
            probe_k: self.probe_k,
            ln_b_probe: model_p.ln_b(self.probe_k),
            ln_ox_probe: None,
            surface_floor_nm4: 1e-4 / (std::f64::consts::PI / layout_p.module_pitch_nm).powi(4),
            real_time_floor_s: super::probe::REAL_TIME_FLOOR_S,
        };
        let mut prober = Prober::new(
            reader,
            &spec_p,
            spec_p.clone(),
            &map_p,
            settings.aging_model,
            rates,
        );
        let s = SearchSettings {
            clock_min: scaled / 3.0,
            clock_max: scaled * 1e3,
            rel_tolerance: settings.rel_tolerance.max(FRONTIER_TOLERANCE),
            bracket_factor: 3.0,
            max_probes: settings.max_probes,
        };
        // First the specimen as written (with its native oxide): a pitch the reader cannot
        // read as written has no lifetime, even if smoothing later makes it readable.
        let search = if prober.probe(Clock::Surface, 0.0)?.failed(self.primary) {
            FailureSearch {
                outcome: FailureOutcome::FailedAtStart { clock: 0.0 },
                probes: 1,
                converged: true,
            }
        } else {
            let mut r = super::probe::search_down(
                &s,
                scaled * 1e-7,
                1e4,
                |x| prober.probe(Clock::Surface, x),
                self.primary,
            )?;
            r.probes += 1;
            r
        };
        Ok((search, model_p))
    }

    /// The row of a pitch between simulated ones: ln(s_fail/s_p⁴) interpolated linearly in
    /// ln p between the two simulated neighbours, if both found a failure.
    fn interpolated_row(
        &self,
        p: f64,
        s_fail: f64,
        records: &[FrontierSearchRecord],
        surfaces: &[(String, SurfaceRateModel)],
    ) -> FrontierRow {
        let below = records.iter().rev().find(|r| r.pitch_nm < p);
        let above = records.iter().find(|r| r.pitch_nm > p);
        let scaled = s_fail * (p / self.pitch_nm).powi(4);
        let ln_s = match (below, above) {
            (Some(a), Some(b)) => match (a.s_fail_nm4, b.s_fail_nm4) {
                (Some(sa), Some(sb)) => {
                    let ra = (sa / a.s_fail_p4_scaled_nm4).ln();
                    let rb = (sb / b.s_fail_p4_scaled_nm4).ln();
                    let w = (p / a.pitch_nm).ln() / (b.pitch_nm / a.pitch_nm).ln();
                    Some(scaled.ln() + ra + w * (rb - ra))
                }
                _ => None,
            },
            _ => None,
        };
        let mut row = self.frontier_row(p, ln_s, surfaces, &self.settings.temperatures_k);
        row.status = if ln_s.is_some() {
            FrontierStatus::Interpolated
        } else {
            FrontierStatus::NotSimulated
        };
        row
    }

    /// The 49 nm check: the row within 2 % of 49 nm, else the p⁴ scaling from the record pitch.
    fn claim_49nm(
        &self,
        rows: &[FrontierRow],
        s_fail: f64,
        surfaces: &[(String, SurfaceRateModel)],
    ) -> DensityClaim {
        let at49 = match rows
            .iter()
            .find(|r| (r.density.pitch_nm / 49.0 - 1.0).abs() < 0.02 && r.s_fail_nm4.is_some())
        {
            Some(r) => r.clone(),
            None => self.frontier_row(
                49.0,
                Some(s_fail.ln() + 4.0 * (49.0 / self.pitch_nm).ln()),
                surfaces,
                &[],
            ),
        };
        let d = at49.density;
        DensityClaim {
            density: d,
            tiled_symbol: format!("V{}-{:?}", self.symbol.version(), self.symbol.ec_level()),
            raw_exceeds_2tb: d.raw_tb_per_a4 > 2.0,
            tiled_exceeds_2tb: d.tiled_tb_per_a4 > 2.0,
            temperature_for_target_c: at49
                .temperature_for_target_k
                .iter()
                .map(|(n, t)| (n.clone(), t.map(kelvin_to_celsius)))
                .collect(),
        }
    }

    /// The frontier from the primary failure equivalent time `s_fail` at the milled pitch.
    pub(super) fn frontier(&self, s_fail: f64) -> Result<FrontierRecord> {
        let settings = self.settings;
        let temps = &settings.temperatures_k;
        let pitches = &settings.frontier_pitches_nm;
        let mut rows = Vec::new();
        let mut records = Vec::new();
        // A pitch after a simulated one that found no failure is simulated too (there is nothing
        // to interpolate from).
        let mut last_found = true;
        for (index, &p) in pitches.iter().enumerate() {
            if !simulated_pitch(index, pitches.len()) && last_found {
                continue;
            }
            let scaled = s_fail * (p / self.pitch_nm).powi(4);
            let (search, model_p) = self.simulate_pitch(p, scaled)?;
            let s_p = search.failure_clock();
            let mut row = self.frontier_row(p, s_p.map(f64::ln), &self.surfaces(&model_p), temps);
            row.status = match search.outcome {
                FailureOutcome::FailedAtStart { .. } => FrontierStatus::FailsAsWritten,
                FailureOutcome::BeyondHorizon { .. } => FrontierStatus::BeyondSearchRange,
                FailureOutcome::BudgetExhausted { .. } => FrontierStatus::BudgetExhausted,
                FailureOutcome::Found { .. } => FrontierStatus::Simulated,
            };
            row.s_fail_nm4 = s_p;
            last_found = s_p.is_some();
            rows.push(row);
            records.push(FrontierSearchRecord {
                pitch_nm: p,
                search,
                s_fail_nm4: s_p,
                s_fail_p4_scaled_nm4: scaled,
            });
        }
        let surfaces = self.surfaces(&self.rate_model);
        let rows: Vec<FrontierRow> = pitches
            .iter()
            .map(|&p| match rows.iter().find(|r| r.density.pitch_nm == p) {
                Some(r) => r.clone(),
                None => self.interpolated_row(p, s_fail, &records, &surfaces),
            })
            .collect();
        let claim_49nm = self.claim_49nm(&rows, s_fail, &surfaces);
        let probes = records.iter().map(|r| r.search.probes).sum();
        Ok(FrontierRecord {
            simulated_pitch_nm: self.pitch_nm,
            criterion: self.primary,
            rows,
            claim_49nm,
            searches: records,
            probes,
            note: FrontierNote {
                probe_fwhm_nm: self.plan.probe_fwhm_nm(),
                criterion: self.primary,
                rel_tolerance: settings.rel_tolerance.max(FRONTIER_TOLERANCE),
                realizations: settings.realizations,
            },
        })
    }
}
