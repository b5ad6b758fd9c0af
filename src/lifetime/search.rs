//! The failure searches of the lifetime stage, as typed records: surface diffusion alone in
//! s = ∫B dt, oxidation alone in u = ∫rate dt, and real time at each temperature that needs it
//! (with bracket reuse between criteria). No I/O.

use serde::Serialize;

use super::frontier_stage::FRONTIER_TOLERANCE;
use super::probe::{Clock, Prober, REAL_TIME_FLOOR_S, search_down, search_with};
use super::stage::LifetimeStage;
use super::{Criterion, FailureSearch, SearchSettings};
use crate::age;
use crate::error::Result;
use crate::units::SECONDS_PER_YEAR;

/// Step of the real-time pre-scan from t = 0 (two decades per probe: from 10⁻² s to 10³ yr in
/// seven probes).
pub const PRESCAN_FACTOR: f64 = 100.0;

/// Bracket factor of a real-time search started from a hint (a known nearby failure, as the
/// nominal lifetime is for a geometry design point): the first probe at hint / 1.5, then ×1.5
/// upward, bisection within the bracket; a failure at the first probe moves the start down
/// ×30 as any search does ([`search_down`]). The pre-scan from t = 0 is skipped: a design
/// point measures the local response of the nominal failure to a 1σ change of geometry.
pub const HINT_BRACKET: f64 = 1.5;

/// One search in equivalent time.
#[derive(Debug, Clone, Serialize)]
pub struct SearchRecord {
    /// Criterion.
    pub criterion: Criterion,
    /// Outcome, probes and convergence (clock = s [nm⁴]).
    pub search: FailureSearch,
    /// Failure equivalent time s_fail = ∫B dt [nm⁴] (geometric midpoint of the final bracket).
    pub s_fail_nm4: Option<f64>,
}

/// The search of oxidation alone in its equivalent time.
#[derive(Debug, Clone, Serialize)]
pub struct OxidationSearchRecord {
    /// Criterion.
    pub criterion: Criterion,
    /// The oxidizing material.
    pub material: String,
    /// Outcome, probes and convergence (clock u = ∫rate dt: nm² parabolic, 1 logarithmic).
    pub search: FailureSearch,
    /// Failure equivalent time u_fail, `None` unless found (oxidation alone may never fail).
    pub u_fail: Option<f64>,
    /// Top of the range: the whole film oxidized (1.01 × PBR × thickness of oxide).
    pub u_max: f64,
}

/// One real-time search (one temperature, one criterion).
#[derive(Debug, Clone, Serialize)]
pub struct RealTimeSearchRecord {
    /// Storage temperature [K].
    pub temperature_k: f64,
    /// Criterion.
    pub criterion: Criterion,
    /// Outcome, probes and convergence (clock = t [s]).
    pub search: FailureSearch,
    /// Failure time [yr] (geometric midpoint of the final bracket), `None` unless found.
    pub t_fail_yr: Option<f64>,
    /// First probe [s] of the bracket (from the single-mechanism estimates).
    pub clock_min_s: f64,
}

/// Every search of the stage.
#[derive(Debug, Clone)]
pub(crate) struct Searches {
    /// In s (surface diffusion alone), per criterion.
    pub(crate) surface: Vec<SearchRecord>,
    /// In u (oxidation alone), primary criterion.
    pub(crate) oxidation: Option<OxidationSearchRecord>,
    /// In real time, per temperature × criterion.
    pub(crate) real_time: Vec<RealTimeSearchRecord>,
}

impl Searches {
    /// The search in s of `criterion`, if run.
    pub(crate) fn surface(&self, criterion: Criterion) -> Option<&SearchRecord> {
        self.surface.iter().find(|s| s.criterion == criterion)
    }

    /// s_fail of `primary`, if found.
    pub(crate) fn s_primary(&self, primary: Criterion) -> Option<f64> {
        self.surface(primary).and_then(|r| r.s_fail_nm4)
    }

    /// u_fail of oxidation alone, if found.
    pub(crate) fn u_fail(&self) -> Option<f64> {
        self.oxidation.as_ref().and_then(|r| r.u_fail)
    }

    /// The real-time search at `t_k` of `criterion`, if run.
    pub(crate) fn real(&self, t_k: f64, criterion: Criterion) -> Option<&RealTimeSearchRecord> {
        self.real_time
            .iter()
            .find(|r| r.temperature_k == t_k && r.criterion == criterion)
    }
}

impl LifetimeStage<'_> {
    /// Surface diffusion alone, in s (exact for the rescaled temperatures; the reference of the
    /// real-time brackets, of the UQ and of the frontier). With no rescaled temperature s_fail
    /// only seeds those, so the primary criterion alone at a coarser tolerance is enough.
    pub(super) fn surface_searches(&mut self) -> Result<Vec<SearchRecord>> {
        let range = self.surface_range();
        let any_rescaled = self.paths.iter().any(|p| !p.real_time());
        let settings = if any_rescaled {
            range
        } else {
            SearchSettings {
                rel_tolerance: self.settings.rel_tolerance.max(FRONTIER_TOLERANCE),
                ..range
            }
        };
        let mut searches = Vec::new();
        for &criterion in &self.settings.criteria {
            if !any_rescaled && criterion != self.primary {
                continue;
            }
            let prober = &mut self.prober;
            let search = search_with(&settings, |s| prober.probe(Clock::Surface, s), criterion)?;
            searches.push(SearchRecord {
                criterion,
                search,
                s_fail_nm4: search.failure_clock(),
            });
        }
        Ok(searches)
    }

    /// Oxidation alone, in u = ∫rate dt (the competing-risks reference; only where a
    /// temperature needs real time). The range ends where the film is gone: after that
    /// oxidation alone changes nothing more.
    pub(super) fn oxidation_search(&mut self) -> Result<Option<OxidationSearchRecord>> {
        let (true, Some(_), Some(&mat)) = (
            self.any_real(),
            self.ox_model.as_ref(),
            self.oxidizers.first(),
        ) else {
            return Ok(None);
        };
        let ox = mat.oxidation.as_ref().expect("oxidizer");
        let specimen = self.specimen;
        let film_nm = specimen
            .stack
            .layers
            .iter()
            .find(|l| specimen.materials[l.material].name == mat.name)
            .map(|l| l.thickness_nm)
            .unwrap_or(self.pitch_nm);
        let pbr = ox.pilling_bedworth_ratio.value;
        let u_max = age::oxidation::integrated_rate_for_oxide(&ox.law, 1.01 * pbr * film_nm);
        let u_min = age::oxidation::integrated_rate_for_oxide(&ox.law, 0.02 * pbr * film_nm);
        let settings = SearchSettings {
            clock_min: u_min,
            clock_max: u_max,
            rel_tolerance: self.settings.rel_tolerance,
            bracket_factor: 10.0,
            max_probes: self.settings.max_probes,
        };
        let prober = &mut self.prober;
        let search = search_with(
            &settings,
            |u| prober.probe(Clock::Oxidation, u),
            self.primary,
        )?;
        Ok(Some(OxidationSearchRecord {
            criterion: self.primary,
            material: mat.name.clone(),
            search,
            u_fail: search.failure_clock(),
            u_max,
        }))
    }

    /// The first probe [s] of the real-time search at `t_k`: a third of the earliest
    /// single-mechanism failure estimate (surface diffusion alone s_fail/B(T), oxidation alone
    /// u_fail/rate(T)), at most a third of the horizon, at least [`REAL_TIME_FLOOR_S`]. The
    /// criterion's own s_fail, else the primary's (searched alone when no temperature is
    /// rescaled).
    fn real_time_start_s(&self, searches: &Searches, t_k: f64, criterion: Criterion) -> f64 {
        let s_ref = searches
            .surface(criterion)
            .or_else(|| searches.surface(self.primary))
            .and_then(|r| r.s_fail_nm4);
        let mut est = f64::INFINITY;
        if let Some(s) = s_ref {
            est = est.min((s.ln() - self.ln_b(t_k)).exp());
        }
        if let (Some(o), Some(u)) = (&self.ox_model, searches.u_fail()) {
            est = est.min((u.ln() - o.ln_rate(t_k)).exp());
        }
        (est.min(self.settings.horizon_s) / 3.0).max(REAL_TIME_FLOOR_S)
    }

    /// Real time at each temperature that needs it, the first failure searched from t = 0:
    /// 1. a coarse pre-scan from [`REAL_TIME_FLOOR_S`] (the specimen right after writing, with
    ///    its native oxide) upward by ×[`PRESCAN_FACTOR`] up to [`Self::real_time_start_s`]:
    ///    a failure there brackets the first failure between it and the passing probe before
    ///    (found also when the interaction of the mechanisms breaks the read long before either
    ///    single-mechanism estimate);
    /// 2. otherwise bracketing ×3 from that start to the horizon, bisection in log time.
    ///
    /// A first failure narrower than one pre-scan step (a code readable, unreadable and readable
    /// again between two pre-scan probes) can be missed: the statement is about this grid.
    /// Pre-scan probes count against the budget and are reported in `probes`.
    pub(super) fn real_time_searches(
        &mut self,
        searches: &Searches,
    ) -> Result<Vec<RealTimeSearchRecord>> {
        use rayon::prelude::*;
        let temps: Vec<f64> = self
            .paths
            .iter()
            .filter(|p| p.real_time())
            .map(|p| p.temperature_k)
            .collect();
        // Each temperature runs on its own real-time clock: the searches are independent and
        // run in parallel, each on a fork of the prober (same probes, same numbers), collected
        // in temperature order.
        let this: &Self = self;
        let per_temperature: Vec<Result<(Vec<RealTimeSearchRecord>, Prober<'_>)>> = temps
            .par_iter()
            .map(|&t_k| {
                let mut prober = this.prober.fork();
                let records = this.real_time_searches_at(searches, t_k, &mut prober)?;
                Ok((records, prober))
            })
            .collect();
        let mut records = Vec::new();
        let mut forks = Vec::new();
        for r in per_temperature {
            let (mut recs, prober) = r?;
            records.append(&mut recs);
            forks.push(prober);
        }
        for prober in forks {
            self.prober.absorb(prober);
        }
        Ok(records)
    }

    /// The real-time searches at `t_k` (one per criterion, later criteria starting from the
    /// probes of earlier ones) with `prober`.
    fn real_time_searches_at(
        &self,
        searches: &Searches,
        t_k: f64,
        prober: &mut Prober<'_>,
    ) -> Result<Vec<RealTimeSearchRecord>> {
        let mut records = Vec::new();
        let hint = self
            .real_time_hints
            .iter()
            .find(|(t, _)| *t == t_k)
            .map(|(_, t_fail_s)| *t_fail_s);
        for &criterion in &self.settings.criteria {
            let clock_min = match hint {
                Some(t_fail_s) => (t_fail_s / HINT_BRACKET).max(REAL_TIME_FLOOR_S),
                None => self.real_time_start_s(searches, t_k, criterion),
            };
            let mut settings = SearchSettings {
                clock_min,
                clock_max: self.settings.horizon_s,
                rel_tolerance: self.settings.rel_tolerance,
                bracket_factor: if hint.is_some() { HINT_BRACKET } else { 3.0 },
                max_probes: self.settings.max_probes,
            };
            // The pre-scan from t = 0 (probes shared between criteria through the cache); none
            // from a hint.
            let mut prescan_probes = 0;
            let mut t = REAL_TIME_FLOOR_S;
            let mut last_ok = None;
            let mut floor_failed = false;
            while hint.is_none() && t < clock_min && prescan_probes + 2 < settings.max_probes {
                prescan_probes += 1;
                if prober.probe(Clock::Real(t_k), t)?.failed(criterion) {
                    floor_failed = last_ok.is_none();
                    break;
                }
                last_ok = Some(t);
                t *= PRESCAN_FACTOR;
            }
            settings.max_probes -= prescan_probes;
            // A later criterion starts from the probes already run at this temperature: the
            // first probe (in time) that fails it and the probe just before (which, like
            // every earlier one, passes it) bracket its first failure, so the search starts
            // there (both served from the cache, still counted). The pre-scan's probes are
            // among them.
            if let Some((lo, hi)) = prober.cached_bracket(Clock::Real(t_k), criterion) {
                settings.clock_min = lo;
                settings.clock_max = hi;
                // The first step lands exactly on hi (min with clock_max).
                settings.bracket_factor = (hi / lo) * (1.0 + 1e-9);
            } else if floor_failed {
                // Unreadable right after writing: the search reports it at its first probe.
                settings.clock_min = REAL_TIME_FLOOR_S;
            } else if let Some(lo) = last_ok
                && lo >= clock_min
            {
                settings.clock_min = lo;
            }
            let search = search_down(
                &settings,
                REAL_TIME_FLOOR_S,
                30.0,
                |t| prober.probe(Clock::Real(t_k), t),
                criterion,
            )?;
            let search = FailureSearch {
                probes: search.probes + prescan_probes,
                ..search
            };
            records.push(RealTimeSearchRecord {
                temperature_k: t_k,
                criterion,
                search,
                t_fail_yr: search.failure_clock().map(|t| t / SECONDS_PER_YEAR),
                clock_min_s: clock_min,
            });
        }
        Ok(records)
    }
}
