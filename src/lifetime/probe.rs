//! The probe engine of the failure searches: age a copy of the milled specimen to one clock
//! value, image it with several noise realizations, decode each, and cache the reading.
//!
//! Every probe images the same realization indices 0..n (common random numbers), so two
//! probes differ only by the aging; the cache key is the clock kind, the temperature of a
//! real-time clock and the clock value (bit patterns), so both criteria share probes. No I/O.

use std::collections::BTreeMap;

use super::readout::{self, ReadoutPlan};
use super::{
    Criterion, FailureOutcome, FailureSearch, ProbeAgingModel, ProbeReading, SearchSettings,
    find_failure, median,
};
use crate::age::{self, ModuleMap};
use crate::error::{Error, Result};
use crate::grid::Specimen;
use crate::image::Micrograph;
use crate::mill::ModuleLayout;
use crate::qr::QrSymbol;

/// Smallest real time probed [s].
pub const REAL_TIME_FLOOR_S: f64 = 1.0e-2;

/// What a probe ages with, and on which clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Clock {
    /// Equivalent time of surface diffusion alone, s = ∫B dt [nm⁴] (exact rescaling).
    Surface,
    /// Equivalent time of oxidation alone, u = ∫rate dt (nm² parabolic, 1 logarithmic).
    Oxidation,
    /// Real time [s] at a constant temperature [K], every active mechanism of the model.
    Real(f64),
}

impl Clock {
    /// Index of the clock kind in [`Prober::runs`] and in the cache key.
    fn kind(self) -> u8 {
        match self {
            Clock::Surface => 0,
            Clock::Oxidation => 1,
            Clock::Real(_) => 2,
        }
    }

    fn temperature_bits(self) -> u64 {
        match self {
            Clock::Real(t_k) => t_k.to_bits(),
            _ => 0,
        }
    }
}

/// Cache key of one probe. Field order is the sort order: clock kind, then temperature bits,
/// then clock-value bits (both ascending for positive floats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ProbeKey {
    kind: u8,
    temperature_bits: u64,
    value_bits: u64,
}

impl ProbeKey {
    fn new(clock: Clock, value: f64) -> Self {
        ProbeKey {
            kind: clock.kind(),
            temperature_bits: clock.temperature_bits(),
            value_bits: value.to_bits(),
        }
    }

    fn on(&self, clock: Clock) -> bool {
        self.kind == clock.kind() && self.temperature_bits == clock.temperature_bits()
    }
}

/// Images and decodes aged specimens of one symbol (the readout half of a probe).
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    pub(crate) plan: &'a ReadoutPlan,
    pub(crate) symbol: &'a QrSymbol,
    pub(crate) layout: &'a ModuleLayout,
    pub(crate) seed: u64,
    pub(crate) realizations: usize,
}

impl Reader<'_> {
    /// `realizations` SEM noise realizations of `aged` (the same realization indices at every
    /// probe: common random numbers), each decoded; the reading and realization 0's image.
    fn read(&self, aged: &Specimen, clock: f64) -> (ProbeReading, Micrograph) {
        let reads = readout::read_realizations(
            self.plan,
            self.symbol,
            self.layout,
            aged,
            self.seed,
            self.realizations,
        );
        let n = reads.len() as f64;
        let any = reads.iter().filter(|(_, r)| r.payload.is_some()).count() as f64 / n;
        let per_decoder = self
            .plan
            .decoders
            .iter()
            .map(|&decoder| {
                let hits = reads
                    .iter()
                    .filter(|(_, r)| r.decoders.get(decoder).is_some_and(|d| d.payload_matches))
                    .count();
                hits as f64 / n
            })
            .collect();
        let ratios: Vec<f64> = reads
            .iter()
            .map(|(_, r)| r.information.max_block_error_ratio)
            .collect();
        let reading = ProbeReading {
            clock,
            realizations: reads.len(),
            decode_probability: any,
            decoder_probabilities: per_decoder,
            median_block_error_ratio: median(&ratios),
            michelson_contrast: reads.iter().map(|(_, r)| r.contrast.michelson).sum::<f64>() / n,
        };
        let first = reads
            .into_iter()
            .next()
            .expect("at least one realization")
            .0;
        (reading, first)
    }
}

/// The rates that turn the equivalent clocks into a probe's aging time at `probe_k`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProbeRates {
    /// Temperature of the surface- and oxidation-clock probes [K].
    pub(crate) probe_k: f64,
    /// ln B_eff(probe_k) of the oxidized start [ln nm⁴/s].
    pub(crate) ln_b_probe: f64,
    /// ln of the oxidation rate at probe_k (one oxidizing material), if any.
    pub(crate) ln_ox_probe: Option<f64>,
    /// Lowest rung of the checkpoint ladder of the surface clock [nm⁴].
    pub(crate) surface_floor_nm4: f64,
    /// Lowest rung of the checkpoint ladders of the real-time clocks [s].
    pub(crate) real_time_floor_s: f64,
}

/// Rungs of a checkpoint ladder per decade of the clock: c_j = floor · 10^{j/4}.
pub const LADDER_PER_DECADE: f64 = 4.0;
/// Checkpoints kept per clock (the lowest is dropped first; each holds one specimen).
pub const LADDER_KEEP: usize = 4;

/// The aged state at one rung of a ladder, and the nonlinear solver's step there.
struct Checkpoint {
    rung: i64,
    specimen: Specimen,
    step_nm4: f64,
}

/// Runs and caches probes (age + image + decode) of one milled specimen on every clock.
pub(crate) struct Prober<'a> {
    reader: Reader<'a>,
    /// The specimen as written.
    specimen: &'a Specimen,
    /// As written plus the native oxide where the model grows one: the start of every
    /// surface-clock probe (the skin forms within days of writing, before any storage).
    oxidized: Specimen,
    map: &'a ModuleMap,
    model: ProbeAgingModel,
    rates: ProbeRates,
    cache: BTreeMap<ProbeKey, (ProbeReading, Micrograph)>,
    /// Checkpoint ladders per clock (kind, temperature bits), ascending rung.
    ladders: BTreeMap<(u8, u64), Vec<Checkpoint>>,
    /// Unique probes run per clock kind (surface, oxidation, real time).
    pub(crate) runs: [usize; 3],
}

fn constant_settings(
    t_k: f64,
    t_s: f64,
    mechanisms: age::Mechanisms,
    native_oxide: bool,
    splitting_steps: usize,
    model: &ProbeAgingModel,
) -> Result<age::AgingSettings> {
    Ok(age::AgingSettings {
        history: age::TemperatureHistory::constant(t_k, t_s)
            .map_err(|e| Error::Numerical(format!("{e:?}")))?,
        horizon_s: t_s,
        snapshots_s: vec![t_s],
        mechanisms,
        // The model's solver: by default the nonlinear graph equation (steep walls), which
        // the checkpoint ladder of [`Prober`] makes affordable.
        solver: model.solver,
        surface_rule: model.surface_rule,
        splitting_steps,
        nonlinear: model.nonlinear,
        native_oxide,
    })
}

impl<'a> Prober<'a> {
    /// A prober of `specimen` (as written), whose surface-clock probes start from `oxidized`.
    pub(crate) fn new(
        reader: Reader<'a>,
        specimen: &'a Specimen,
        oxidized: Specimen,
        map: &'a ModuleMap,
        model: ProbeAgingModel,
        rates: ProbeRates,
    ) -> Self {
        Prober {
            reader,
            specimen,
            oxidized,
            map,
            model,
            rates,
            cache: BTreeMap::new(),
            ladders: BTreeMap::new(),
            runs: [0; 3],
        }
    }

    /// A prober of the same specimen, reader and model with an empty cache and no ladders, for
    /// searches run in parallel (each on its own clocks); its probes come back with
    /// [`Prober::absorb`]. A probe's reading does not depend on which probes ran before it
    /// (the ladder's fixed rungs), so forking changes no number.
    pub(crate) fn fork(&self) -> Prober<'a> {
        Prober {
            reader: self.reader,
            specimen: self.specimen,
            oxidized: self.oxidized.clone(),
            map: self.map,
            model: self.model,
            rates: self.rates,
            cache: BTreeMap::new(),
            ladders: BTreeMap::new(),
            runs: [0; 3],
        }
    }

    /// Takes over the cached probes and run counts of a [`Prober::fork`] (its ladders are
    /// dropped: they belong to clocks this prober does not run again).
    pub(crate) fn absorb(&mut self, other: Prober<'a>) {
        for (key, value) in other.cache {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.cache.entry(key) {
                slot.insert(value);
                self.runs[key.kind as usize] += 1;
            }
        }
    }

    /// The ladder floor of `clock` (`None`: no ladder, the probe ages in one run).
    fn floor(&self, clock: Clock) -> Option<f64> {
        match clock {
            Clock::Surface => Some(self.rates.surface_floor_nm4),
            Clock::Real(_) => Some(self.rates.real_time_floor_s),
            Clock::Oxidation => None,
        }
    }

    /// Clock value of rung j ≥ 0.
    fn rung_value(floor: f64, rung: i64) -> f64 {
        floor * 10f64.powf(rung as f64 / LADDER_PER_DECADE)
    }

    /// Ages `start` (at clock value `from`, or the specimen as written if `from` = 0) by
    /// `to − from` on `clock`, resuming the nonlinear solver at `step_nm4`; returns the
    /// solver's step at the end.
    fn segment(
        &self,
        clock: Clock,
        start: &mut Specimen,
        from: f64,
        to: f64,
        step_nm4: f64,
    ) -> Result<f64> {
        let probe_k = self.rates.probe_k;
        let fresh = from <= 0.0;
        let mut settings = match clock {
            Clock::Surface => {
                let t_s = (to - from) / self.rates.ln_b_probe.exp();
                let only = age::Mechanisms {
                    surface_diffusion: true,
                    oxidation: false,
                    bulk_diffusion: false,
                };
                constant_settings(probe_k, t_s, only, false, 1, &self.model)?
            }
            Clock::Oxidation => {
                let ln_rate = self.rates.ln_ox_probe.ok_or_else(|| {
                    Error::Numerical("no oxidizing material for the oxidation clock".into())
                })?;
                let t_s = (to - from) / ln_rate.exp();
                let only = age::Mechanisms {
                    surface_diffusion: false,
                    oxidation: true,
                    bulk_diffusion: false,
                };
                // Oxidation alone is exact in one step (the law is a state equation in ∫rate dt).
                let native = self.model.native_oxide && fresh;
                constant_settings(probe_k, t_s, only, native, 1, &self.model)?
            }
            Clock::Real(t_k) => {
                // The first segment [0, floor] keeps the model's Lie sub-steps; each later rung
                // (a factor 10^{1/4} in time) is one sub-step.
                let steps = if fresh { self.model.splitting_steps } else { 1 };
                let native = self.model.native_oxide && fresh;
                constant_settings(
                    t_k,
                    to - from,
                    self.model.mechanisms,
                    native,
                    steps,
                    &self.model,
                )?
            }
        };
        settings.nonlinear.initial_step_nm4 = step_nm4;
        let out = age::age(start, &settings, self.map, &mut ())?;
        Ok(out.nonlinear.final_step_nm4)
    }

    /// The specimen aged to `value` on `clock`. On a clock with a ladder, the run passes
    /// every rung c_j = floor·10^{j/4} ≤ value (a fixed grid of sub-step ends, independent of
    /// the probes asked for), and resumes from the highest stored rung ≤ value with the
    /// solver's step stored there: so a probe gives the same specimen whichever probes ran
    /// before it, and a search costs about one trajectory instead of one per probe. The
    /// highest rung passed is stored (at most [`LADDER_KEEP`] per clock).
    fn aged(&mut self, clock: Clock, value: f64) -> Result<Specimen> {
        if value <= 0.0 {
            return Ok(self.specimen.clone());
        }
        let base = match clock {
            Clock::Surface => &self.oxidized,
            _ => self.specimen,
        };
        let floor = match self.floor(clock) {
            Some(f) if value >= f && f > 0.0 => f,
            _ => {
                let mut aged = base.clone();
                self.segment(clock, &mut aged, 0.0, value, 0.0)?;
                return Ok(aged);
            }
        };
        let top = {
            let mut j = (LADDER_PER_DECADE * (value / floor).log10()).floor() as i64;
            while j > 0 && Self::rung_value(floor, j) > value {
                j -= 1;
            }
            while Self::rung_value(floor, j + 1) <= value {
                j += 1;
            }
            j
        };
        let key = (clock.kind(), clock.temperature_bits());
        let resume = self.ladders.get(&key).and_then(|l| {
            l.iter()
                .rev()
                .find(|c| c.rung <= top)
                .map(|c| (c.rung, c.specimen.clone(), c.step_nm4))
        });
        let (mut rung, mut aged, mut step) = match resume {
            Some((r, sp, st)) => (r, sp, st),
            None => {
                let mut aged = base.clone();
                let st = self.segment(clock, &mut aged, 0.0, floor, 0.0)?;
                (0, aged, st)
            }
        };
        let passed = rung < top;
        while rung < top {
            let (a, b) = (
                Self::rung_value(floor, rung),
                Self::rung_value(floor, rung + 1),
            );
            step = self.segment(clock, &mut aged, a, b, step)?;
            rung += 1;
        }
        let stored = self
            .ladders
            .get(&key)
            .is_some_and(|l| l.iter().any(|c| c.rung == top));
        if passed || !stored {
            let ladder = self.ladders.entry(key).or_default();
            if !ladder.iter().any(|c| c.rung == top) {
                ladder.push(Checkpoint {
                    rung: top,
                    specimen: aged.clone(),
                    step_nm4: step,
                });
                ladder.sort_by_key(|c| c.rung);
                if ladder.len() > LADDER_KEEP {
                    ladder.remove(0);
                }
            }
        }
        let at = Self::rung_value(floor, top);
        if value > at {
            self.segment(clock, &mut aged, at, value, step)?;
        }
        Ok(aged)
    }

    /// The reading at `value` on `clock` (run once, then from the cache).
    pub(crate) fn probe(&mut self, clock: Clock, value: f64) -> Result<ProbeReading> {
        let key = ProbeKey::new(clock, value);
        if let Some((r, _)) = self.cache.get(&key) {
            return Ok(r.clone());
        }
        let aged = self.aged(clock, value)?;
        let (reading, first) = self.reader.read(&aged, value);
        self.cache.insert(key, (reading.clone(), first));
        self.runs[clock.kind() as usize] += 1;
        Ok(reading)
    }

    /// (last passing, first failing) of the cached probes on `clock` under `criterion`, in
    /// clock order, if some probe fails and an earlier one exists.
    pub(crate) fn cached_bracket(&self, clock: Clock, criterion: Criterion) -> Option<(f64, f64)> {
        let mut probes: Vec<(f64, bool)> = self
            .cache
            .iter()
            .filter(|(k, _)| k.on(clock))
            .map(|(_, (r, _))| (r.clock, r.failed(criterion)))
            .collect();
        probes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let first = probes.iter().position(|(_, failed)| *failed)?;
        (first > 0 && probes[first - 1].0 > 0.0).then(|| (probes[first - 1].0, probes[first].0))
    }

    /// Realization 0's image of a cached probe.
    pub(crate) fn image(&self, clock: Clock, value: f64) -> Option<&Micrograph> {
        self.cache.get(&ProbeKey::new(clock, value)).map(|(_, m)| m)
    }

    /// Unique probes run (all clocks).
    pub(crate) fn unique_probes(&self) -> usize {
        self.cache.len()
    }

    /// Every cached real-time probe as (temperature [K], time [s], reading), by temperature then
    /// time (the key order).
    pub(crate) fn real_time_probes(&self) -> impl Iterator<Item = (f64, f64, &ProbeReading)> {
        self.cache
            .iter()
            .filter(|(k, _)| k.kind == Clock::Real(0.0).kind())
            .map(|(k, (reading, _))| {
                (
                    f64::from_bits(k.temperature_bits),
                    f64::from_bits(k.value_bits),
                    reading,
                )
            })
    }
}

/// [`find_failure`] over a probe closure, with the first error returned.
pub(crate) fn search_with(
    settings: &SearchSettings,
    mut probe: impl FnMut(f64) -> Result<ProbeReading>,
    criterion: Criterion,
) -> Result<FailureSearch> {
    let mut error = None;
    let search = find_failure(settings, |c| match probe(c) {
        Ok(r) => r.failed(criterion),
        Err(e) => {
            error.get_or_insert(e);
            true
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(search),
    }
}

/// A search that, when the first probe has already failed, moves its start down by `step`
/// (the old start becomes the top) until `floor`, within one probe budget; the probes of all
/// attempts are counted.
pub(crate) fn search_down(
    settings: &SearchSettings,
    floor: f64,
    step: f64,
    mut probe: impl FnMut(f64) -> Result<ProbeReading>,
    criterion: Criterion,
) -> Result<FailureSearch> {
    let mut attempt = *settings;
    let mut spent = 0;
    loop {
        let mut r = search_with(&attempt, &mut probe, criterion)?;
        r.probes += spent;
        let retry = matches!(r.outcome, FailureOutcome::FailedAtStart { .. })
            && attempt.clock_min > floor
            && r.probes < settings.max_probes;
        if !retry {
            return Ok(r);
        }
        spent = r.probes;
        attempt.clock_max = attempt.clock_min;
        attempt.clock_min = (attempt.clock_min / step).max(floor);
        attempt.max_probes = settings.max_probes - spent;
    }
}
