//! The multi-mechanism lifetime search on a small milled symbol (V1, 21 × 21 modules, ideal
//! pits in 15 nm CrN on glass, 1 noise realization per probe):
//! - the real-time machinery reproduces the exact single-mechanism rescaling (surface
//!   diffusion alone, one Lie sub-step: the geometry at t equals the geometry at s = B_eff·t);
//! - with surface diffusion and oxidation both acting, the temperature is searched in real
//!   time within the probe limit, and the lifetime is not longer than with surface diffusion
//!   alone: the oxide skin and its swelling only lower the module contrast of this film
//!   (measured on the record: 0.78–0.80 of the diffusion-only lifetime at 300 and 450 °C).

use std::path::Path;

use super::*;
use crate::config::{MaterialLibrary, parse_scenario};
use crate::lifetime::probe::{Clock, ProbeRates, Prober, Reader, search_down, search_with};
use crate::lifetime::rate::SurfaceRateModel;
use crate::lifetime::{Criterion, Mechanism, SearchPath, SearchSettings};
use crate::pipeline;
use crate::units::SECONDS_PER_YEAR;

fn scenario(aging: &str) -> Scenario {
    let text = format!(
        r#"
[run]
name = "multi"
seed = 5
[pattern]
payload = "multi"
version = 1
module_pitch_nm = 48.485
[film]
substrate = "SiO2"
[[film.layers]]
material = "CrN"
thickness_nm = 15.0
[mill]
depth_nm = 20.0
[aging]
temperature_c = 450.0
horizon_yr = 1.0
bulk_diffusion = false
{aging}
[lifetime]
temperatures_c = [450.0]
horizon_yr = 1.0e4
realizations = 1
uq_samples = 0
curve_points = 2
criteria = ["decoder"]
tolerance = 0.02
"#
    );
    let lib = MaterialLibrary::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("sims/materials"));
    parse_scenario(&text, Path::new("multi.toml"), &lib).unwrap()
}

struct Written {
    sc: Scenario,
    symbol: QrSymbol,
    layout: ModuleLayout,
    specimen: Specimen,
    map: ModuleMap,
}

fn written(aging: &str) -> Written {
    let sc = scenario(aging);
    let symbol = QrSymbol::encode(&sc.symbol).unwrap();
    let layout = pipeline::layout(&sc, &symbol);
    let mut specimen = pipeline::pristine_specimen(&sc, &layout);
    pipeline::write(&sc, &symbol, &layout, &mut specimen, &[], sc.seed);
    let map = pipeline::module_map(&sc, &symbol, &layout);
    Written {
        sc,
        symbol,
        layout,
        specimen,
        map,
    }
}

#[test]
fn real_time_search_reproduces_the_exact_rescaling_for_surface_diffusion_alone() {
    // Oxidation off: surface diffusion is the only mechanism, so the stage takes the rescaled
    // path; the real-time prober on the same specimen must find the same failure time.
    let w = written("oxidation = false\nsplitting_steps = 1");
    let settings = w.sc.lifetime.clone().unwrap();
    let t_k = settings.temperatures_k[0];
    let model = SurfaceRateModel::from_specimen(&w.specimen).unwrap();
    let plan = pipeline::readout_plan(&w.sc);
    let reader = Reader {
        plan: &plan,
        symbol: &w.symbol,
        layout: &w.layout,
        seed: w.sc.seed,
        realizations: 1,
    };
    let rates = ProbeRates {
        probe_k: t_k,
        ln_b_probe: model.ln_b(t_k),
        ln_ox_probe: None,
        surface_floor_nm4: 1.0,
        real_time_floor_s: crate::lifetime::probe::REAL_TIME_FLOOR_S,
    };
    let mut prober = Prober::new(
        reader,
        &w.specimen,
        w.specimen.clone(),
        &w.map,
        settings.aging_model,
        rates,
    );
    let kf4 = (std::f64::consts::PI / w.layout.module_pitch_nm).powi(4);
    let tol: f64 = 0.02;
    let s_search = SearchSettings {
        clock_min: 1e-4 / kf4,
        clock_max: 100.0 / kf4,
        rel_tolerance: tol,
        bracket_factor: 10.0,
        max_probes: 40,
    };
    let crit = Criterion::DecoderFailure;
    let rescaled = search_with(&s_search, |s| prober.probe(Clock::Surface, s), crit).unwrap();
    let s_fail = rescaled
        .failure_clock()
        .expect("the V1 code fails by surface diffusion");
    let t_expected = (s_fail.ln() - model.ln_b(t_k)).exp();
    let t_search = SearchSettings {
        clock_min: t_expected / 3.0,
        clock_max: t_expected * 1e3,
        rel_tolerance: tol,
        bracket_factor: 3.0,
        max_probes: 40,
    };
    let real = search_down(
        &t_search,
        REAL_TIME_FLOOR_S,
        30.0,
        |t| prober.probe(Clock::Real(t_k), t),
        crit,
    )
    .unwrap();
    let t_real = real.failure_clock().expect("found in real time");
    assert!(real.probes <= 40, "{} probes", real.probes);
    // Both are geometric midpoints of brackets no wider than 1 + tol around the same crossing.
    let ratio = t_real / t_expected;
    assert!(
        (ratio.ln()).abs() <= (1.0 + tol).ln() * 1.01,
        "real time {t_real:.4e} s vs rescaled {t_expected:.4e} s (ratio {ratio:.4})"
    );
    assert!(prober.runs[2] > 0 && prober.runs[0] > 0);
}

#[test]
fn two_mechanisms_are_searched_in_real_time_and_do_not_outlive_diffusion_alone() {
    let w = written("oxidation = true\nnative_oxide = true");
    let mut settings = w.sc.lifetime.clone().unwrap();
    settings.frontier_pitches_nm.clear();
    let products = lifetime_stage(
        &w.sc,
        &settings,
        &w.symbol,
        &w.layout,
        &w.specimen,
        &w.map,
        w.sc.seed,
    )
    .unwrap();
    let a = &products.analysis;
    let path = &a.paths[0];
    assert_eq!(path.path, SearchPath::RealTime, "{path:?}");
    assert!(
        path.active.contains(&Mechanism::SurfaceDiffusion)
            && path.active.contains(&Mechanism::Oxidation),
        "{path:?}"
    );
    let row = &products.rows[0];
    assert_eq!(row.search_path, SearchPath::RealTime);
    let rt = &a.real_time_searches[0];
    assert!(rt.search.probes <= 40 && rt.search.converged, "{rt:?}");
    assert_eq!(row.decoder_probes, rt.search.probes);
    assert!(a.real_time_probes > 0);
    let t_real_yr = row
        .decoder_failure_yr
        .unwrap_or_else(|| panic!("decoder failure within the horizon: {row:?}"));
    // Surface diffusion alone on the same start (native oxide), by the exact rescaling.
    let s_fail = a.searches[0].s_fail_nm4.expect("diffusion-only failure");
    let t_diff_yr = (s_fail.ln() - a.rate_model.ln_b(row.temperature_k)).exp() / SECONDS_PER_YEAR;
    // Oxidation adds a loss of contrast: the lifetime is at most the diffusion-only one
    // (up to the two bracket tolerances and the splitting of the real-time probes).
    assert!(
        t_real_yr <= t_diff_yr * 1.05,
        "with oxidation {t_real_yr:.4e} yr > diffusion alone {t_diff_yr:.4e} yr"
    );
    // And the oxidation clock was searched (one oxidizing material: CrN; glass is inert).
    let ox = a.oxidation_search.as_ref().expect("oxidation-alone search");
    assert_eq!(ox.material, "CrN");
}
