//! Constructed cases with known answers (issue 7 "Must show").

use super::frontier::{self, density};
use super::rate::{RateTerm, SurfaceRateModel};
use super::stats::*;
use super::*;
use crate::age::spectral::Spectral2d;
use crate::age::surface::{Capillary, propagate_linear};
use crate::units::BOLTZMANN_EV_PER_K;

/// A grating h = A cos(k x) on a periodic grid, propagated exactly by the spectral solver to
/// time t with B [nm⁴/s]; returns the amplitude ratio (max |h| / A).
fn grating_amplitude(b_nm4_per_s: f64, t_s: f64) -> f64 {
    let (n, cell) = (64usize, 2.0);
    let k = 2.0 * std::f64::consts::PI * 4.0 / (n as f64 * cell);
    let amp = 5.0;
    let mut h: Vec<f64> = (0..n * n)
        .map(|idx| amp * (k * (idx % n) as f64 * cell).cos())
        .collect();
    let sp = Spectral2d::new(n, n);
    propagate_linear(
        &sp,
        &mut h,
        cell,
        &Capillary::surface_only(b_nm4_per_s * t_s),
    );
    h.iter().fold(0.0f64, |m, x| m.max(x.abs())) / amp
}

fn settings(min: f64, max: f64) -> SearchSettings {
    SearchSettings {
        clock_min: min,
        clock_max: max,
        rel_tolerance: 1e-3,
        bracket_factor: 1e3,
        max_probes: 40,
    }
}

#[test]
fn grating_fails_at_the_analytic_time_within_tolerance() {
    // Contrast C(t) = exp(−B k⁴ t); failure when C < 0.2 → t* = ln 5 / (B k⁴).
    let b = 2.0e-3;
    let k = 2.0 * std::f64::consts::PI * 4.0 / 128.0;
    let t_star = 5f64.ln() / (b * k.powi(4));
    let search = find_failure(&settings(1.0, 1e12), |t| grating_amplitude(b, t) < 0.2);
    let FailureOutcome::Found {
        last_ok,
        first_failed,
    } = search.outcome
    else {
        panic!("not found: {search:?}")
    };
    assert!(
        last_ok <= t_star && t_star <= first_failed,
        "{search:?} vs {t_star}"
    );
    let t = search.failure_clock().unwrap();
    assert!((t / t_star - 1.0).abs() < 1e-3, "{t} vs {t_star}");
    assert!(search.converged && search.probes <= 40, "{search:?}");
}

#[test]
fn grating_beyond_the_horizon_is_reported_as_such() {
    let b = 2.0e-3;
    let k = 2.0 * std::f64::consts::PI * 4.0 / 128.0;
    let t_star = 5f64.ln() / (b * k.powi(4));
    let search = find_failure(&settings(1.0, t_star / 10.0), |t| {
        grating_amplitude(b, t) < 0.2
    });
    assert_eq!(
        search.outcome,
        FailureOutcome::BeyondHorizon {
            clock: t_star / 10.0
        }
    );
    assert!(search.converged && search.probes <= 40, "{search:?}");
    assert_eq!(search.failure_clock(), None);
    // Already failed at the start.
    let s = find_failure(&settings(t_star * 10.0, t_star * 1e6), |t| {
        grating_amplitude(b, t) < 0.2
    });
    assert!(matches!(s.outcome, FailureOutcome::FailedAtStart { .. }));
}

#[test]
fn search_respects_the_probe_limit() {
    let mut s = settings(1e-300, 1e300);
    s.rel_tolerance = 1e-15;
    s.max_probes = 12;
    let r = find_failure(&s, |t| t > 1.0);
    assert!(r.probes <= 12 && !r.converged, "{r:?}");
    // Out of budget while bracketing: its own outcome, never "beyond the horizon".
    let mut b = settings(1.0, 1e12);
    b.bracket_factor = 10.0;
    b.max_probes = 4;
    let r = find_failure(&b, |t| t > 1e9);
    assert_eq!(
        r.outcome,
        FailureOutcome::BudgetExhausted { last_ok: 1e3 },
        "{r:?}"
    );
    assert!(!r.converged && r.probes == 4 && r.failure_clock().is_none());
    // Not monotone: readable again after a failure window wider than the bracket factor — the first failure is found.
    let w = find_failure(&settings(1.0, 1e12), |t| (1e4..1e8).contains(&t));
    let c = w.failure_clock().unwrap();
    assert!((c / 1e4 - 1.0).abs() < 2e-3, "{w:?}");
}

fn cr_like_term(sigma_ea: f64, sigma_ln_d0: f64, rho: f64) -> RateTerm {
    RateTerm {
        material: "X".into(),
        weight: 1.0,
        ln_d0_nm2_per_s: (740.0e14f64).ln(),
        ea_ev: 2.66,
        ln_capillary_ev_nm4: (1.3 * 6.2415 * 0.01784f64.powf(4.0 / 3.0)).ln(),
        sigma_ea_ev: sigma_ea,
        sigma_ln_d0,
        sigma_ln_gamma: 0.0,
        d0_ea_correlation: rho,
        ea_error_source: "X.diffusion_ea_ev".into(),
        d0_error_source: "X.diffusion_d0_cm2_per_s".into(),
        gamma_error_source: "X.surface_energy_j_m2".into(),
    }
}

#[test]
fn accelerated_test_design_inverts_the_extrapolation_exactly() {
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(0.0, 0.0, 0.0)],
    };
    let ln_rate = |t: f64| model.ln_b(t);
    let use_k = 298.15;
    let target_s = 1000.0 * crate::units::SECONDS_PER_YEAR;
    let bake_s = 1000.0 * 3600.0;
    let bake_k = bake_temperature_k(use_k, target_s, bake_s, ln_rate).unwrap();
    let back = demonstrated_use_time_s(use_k, bake_k, bake_s, ln_rate);
    assert!((back / target_s - 1.0).abs() < 1e-9, "{back} vs {target_s}");
    // The duration form is the exact inverse at any bake temperature.
    for bake in [400.0, 523.15, 700.0] {
        let d = bake_duration_s(use_k, target_s, bake, ln_rate);
        let back = demonstrated_use_time_s(use_k, bake, d, ln_rate);
        assert!((back / target_s - 1.0).abs() < 1e-12);
    }
    // AF for r ∝ exp(−Ea/kT)/T (aging.md §2.6).
    let af = demonstrated_use_time_s(use_k, 523.15, 1.0, ln_rate);
    let expect =
        ((2.66 / BOLTZMANN_EV_PER_K) * (1.0 / use_k - 1.0 / 523.15)).exp() * (use_k / 523.15);
    assert!((af / expect - 1.0).abs() < 1e-9);
}

#[test]
fn uq_with_normal_ea_reproduces_the_t14_lognormal_variance() {
    // T14 (aging.md §0 item 2): σ(ln τ) = σ_Ea / kT; σ_Ea = 0.2 eV at 25 °C → 7.78.
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(0.2, 0.0, 0.9)],
    };
    let t_k = 298.15;
    let n = 4000;
    let ln_s_fail = 1e3f64.ln();
    let d = &propagate_uncertainty(&model, ln_s_fail, &[t_k], 1e300, 1e300, n, 11)[0];
    let expect = 0.2 / (BOLTZMANN_EV_PER_K * t_k);
    assert!((expect - 7.78).abs() < 0.01);
    // Standard error of a sample σ: σ/√(2(n−1)) ≈ 1.1 %; allow 4 SE.
    let se = expect / (2.0 * (n as f64 - 1.0)).sqrt();
    assert!(
        (d.sigma_ln - expect).abs() < 4.0 * se,
        "{} vs {expect}",
        d.sigma_ln
    );
    // Mean ln t = ln s_fail − ln B(Ea⁰) within 4 SE of the mean.
    let nominal = ln_s_fail - model.ln_b(t_k);
    assert!((d.mean_ln_s - nominal).abs() < 4.0 * expect / (n as f64).sqrt());
    // q05 < median < q95, each inside its Monte Carlo interval; same seed → identical.
    assert!(d.q05.ln_s < d.median.ln_s && d.median.ln_s < d.q95.ln_s);
    for q in [d.q05, d.median, d.q95] {
        assert!(
            q.mc95_ln_s[0] <= q.ln_s && q.ln_s <= q.mc95_ln_s[1],
            "{q:?}"
        );
    }
    // The median's MC interval: ≈ ±1.96·σ·√(π/2)/√n for a normal ln t (asymptotic variance of
    // the sample median), i.e. ±0.30 here; allow a factor 1.5 either way.
    let half = 0.5 * (d.median.mc95_ln_s[1] - d.median.mc95_ln_s[0]);
    let expect_half = 1.96 * expect * (std::f64::consts::PI / 2.0).sqrt() / (n as f64).sqrt();
    assert!(
        half > expect_half / 1.5 && half < expect_half * 1.5,
        "{half} vs {expect_half}"
    );
    let again = &propagate_uncertainty(&model, ln_s_fail, &[t_k], 1e300, 1e300, n, 11)[0];
    assert_eq!(d, again);
    // Beyond the horizon: quantiles are not numbers.
    let capped = &propagate_uncertainty(&model, ln_s_fail, &[t_k], 1.0, 1.0, 100, 11)[0];
    assert!(capped.median.ln_s > 0.0);
    assert_eq!(capped.fraction_within_horizon, 0.0);
    // Target 1 s: every sample outlives it → P(fail before target) = 0.
    assert_eq!(capped.p_fail_before_target, 0.0);
}

#[test]
fn correlated_d0_reduces_the_spread_when_compensating() {
    // ln t = c + Ea/kT − ln D0: with ρ > 0 and σ_lnD0 = σ_Ea/kT the variance is
    // 2σ²(1 − ρ); check against the closed form.
    let t_k = 600.0;
    let s_e = 0.3;
    let s_d = s_e / (BOLTZMANN_EV_PER_K * t_k);
    let rho = 0.9;
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(s_e, s_d, rho)],
    };
    let d = &propagate_uncertainty(&model, 0.0, &[t_k], 1e300, 1e300, 4000, 3)[0];
    let expect = (2.0 * s_d * s_d * (1.0 - rho)).sqrt();
    assert!(
        (d.sigma_ln / expect - 1.0).abs() < 0.06,
        "{} vs {expect}",
        d.sigma_ln
    );
}

#[test]
fn arrhenius_fit_recovers_the_activation_energy() {
    let ea = 2.1;
    let pts: Vec<(f64, f64)> = [500.0, 600.0, 700.0]
        .iter()
        .map(|t| (*t, 3.0e-9 * (ea / (BOLTZMANN_EV_PER_K * t)).exp()))
        .collect();
    let fit = fit_arrhenius(&pts).unwrap();
    assert!((fit.ea_ev - ea).abs() < 1e-9 && fit.points == 3);
    assert!((fit.ln_time_s(600.0) - pts[1].1.ln()).abs() < 1e-9);
    assert!(fit_arrhenius(&pts[..1]).is_none());
    // A rate r ∝ exp(−Ea/kT)/T has a local effective Ea = Ea − kT̃ (ln r = −Ea x + ln x + c,
    // x = 1/kT).
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(0.0, 0.0, 0.0)],
    };
    let e = effective_ea_ev(500.0, 700.0, |t| model.ln_b(t));
    assert!(e < 2.66 - BOLTZMANN_EV_PER_K * 500.0 && e > 2.66 - BOLTZMANN_EV_PER_K * 700.0);
}

#[test]
fn order_statistic_bound_matches_the_binomial() {
    // 59 samples is the smallest n whose minimum bounds B5 at 95 % (1 − 0.95⁵⁹ = 0.9515).
    assert_eq!(lower_bound_order_index(59, 0.05, 0.05), Some(0));
    assert_eq!(lower_bound_order_index(58, 0.05, 0.05), None);
    let r = lower_bound_order_index(2000, 0.05, 0.05).unwrap();
    // Normal approximation: 100 − 1.645·√95 ≈ 84.
    assert!((80..=88).contains(&r), "{r}");
    assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
}

#[test]
fn a4_density_matches_the_research_notes() {
    // Raw 49 nm on A4: 2.6·10¹³ bit = 3.25 TB; abutting V3-L symbols (55 data codewords):
    // 1.70 TB (milling_imaging_qr.md §0).
    let d = density(49.0, 29, 55);
    assert!(
        (d.raw_tb_per_a4 - 3.247).abs() < 0.01,
        "{}",
        d.raw_tb_per_a4
    );
    assert!(
        (d.tiled_tb_per_a4 - 1.70).abs() < 0.01,
        "{}",
        d.tiled_tb_per_a4
    );
    // Lifetime scales as p⁴ at fixed temperature.
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(0.0, 0.0, 0.0)],
    };
    let rows = frontier::frontier(
        &[20.0, 40.0],
        40.0,
        1e6,
        &[("X".into(), model)],
        &[900.0],
        1e300,
        1e10,
        29,
        55,
    );
    let a = rows[0].lifetimes[0].lifetime_yr.unwrap();
    let b = rows[1].lifetimes[0].lifetime_yr.unwrap();
    assert!((b / a - 16.0).abs() < 1e-9);
    assert!(
        rows[0].temperature_for_target_k[0].1.unwrap()
            < rows[1].temperature_for_target_k[0].1.unwrap()
    );
}

#[test]
fn crn_d0_carries_its_log_normal_spread_into_the_rate_model() {
    // The CrN file gives σ(ln D0) = 3.45 (±3 decades as the 95 % band) with ρ(ln D0, Ea) = 0.9;
    // the rate term must carry both, and the sampled σ(ln t) at T must follow the bivariate
    // normal: var = σ_D² + (σ_E/kT)² − 2ρ σ_D σ_E/kT (ln t = c + Ea/kT − ln D0).
    let lib = crate::config::MaterialLibrary::new(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sims/materials"),
    );
    let crn = lib.load("CrN", "test", None).unwrap();
    let model = SurfaceRateModel::single(&crn).unwrap();
    let t = &model.terms[0];
    assert!((t.sigma_ln_d0 - 3.45).abs() < 1e-12, "{}", t.sigma_ln_d0);
    assert!((t.d0_ea_correlation - 0.9).abs() < 1e-12);
    // γ spread off, so only (Ea, ln D0) enter.
    let model = SurfaceRateModel {
        terms: vec![RateTerm {
            sigma_ln_gamma: 0.0,
            ..t.clone()
        }],
    };
    let t_k = 573.15;
    let a = t.sigma_ea_ev / (BOLTZMANN_EV_PER_K * t_k);
    let expect = (3.45f64.powi(2) + a * a - 2.0 * 0.9 * 3.45 * a).sqrt();
    let n = 4000;
    let d = &propagate_uncertainty(&model, 0.0, &[t_k], 1e300, 1e300, n, 17)[0];
    let se = expect / (2.0 * (n as f64 - 1.0)).sqrt();
    assert!(
        (d.sigma_ln - expect).abs() < 4.0 * se,
        "{} vs {expect}",
        d.sigma_ln
    );
}

fn ox_model(sigma_ea: f64) -> rate::OxidationRateModel {
    rate::OxidationRateModel {
        material: "X".into(),
        ln_prefactor: (1.3e6f64).ln(),
        ea_ev: 1.14,
        sigma_ea_ev: sigma_ea,
        sigma_ln_prefactor: 0.0,
        ea_error_source: "X.oxidation.activation_ev".into(),
        prefactor_error_source: "X.oxidation.parabolic_kp0_cm2_per_s".into(),
    }
}

#[test]
fn competing_surrogate_without_oxidation_is_the_exact_rescaling() {
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(0.3, 2.0, 0.9)],
    };
    let temps = [423.15, 573.15];
    let exact = propagate_uncertainty(&model, 10.0, &temps, 1e300, 1e300, 500, 9);
    let specs: Vec<CompetingSpec> = temps
        .iter()
        .map(|&t| CompetingSpec {
            temperature_k: t,
            with_oxidation: false,
            ln_anchor: 0.0,
        })
        .collect();
    let ox = ox_model(0.06);
    let times = Times {
        horizon_s: 1e300,
        target_s: 1e300,
    };
    let surrogate = propagate_competing(&model, Some(&ox), 10.0, Some(5.0), &specs, times, 500, 9);
    for (e, s) in exact.iter().zip(&surrogate) {
        assert_eq!((e.median, e.q05, e.q95), (s.median, s.q05, s.q95));
        assert_eq!(e.sigma_ln, s.sigma_ln);
    }
}

#[test]
fn competing_surrogate_takes_the_earlier_mechanism_times_the_anchor() {
    // No spread: every sample is ln A + min(ln s − ln B, ln u − ln r) exactly.
    let model = SurfaceRateModel {
        terms: vec![cr_like_term(0.0, 0.0, 0.0)],
    };
    let ox = ox_model(0.0);
    let t_k = 723.15;
    let ln_s = 10.0;
    let ln_d = ln_s - model.ln_b(t_k);
    for (ln_u, anchor) in [(ln_d + ox.ln_rate(t_k) - 2.0, -0.3), (1e3, 0.2)] {
        let spec = CompetingSpec {
            temperature_k: t_k,
            with_oxidation: true,
            ln_anchor: anchor,
        };
        let times = Times {
            horizon_s: 1e300,
            target_s: 1e300,
        };
        let d = &propagate_competing(&model, Some(&ox), ln_s, Some(ln_u), &[spec], times, 60, 1)[0];
        let expect = anchor + ln_d.min(ln_u - ox.ln_rate(t_k));
        assert!(
            (d.mean_ln_s - expect).abs() < 1e-9,
            "{} vs {expect}",
            d.mean_ln_s
        );
        assert!(d.sigma_ln < 1e-9);
    }
}

fn sourced(provenance: crate::material::Provenance, source: &str) -> crate::material::Sourced {
    crate::material::Sourced {
        value: 1.0,
        provenance,
        source: source.into(),
        uncertainty: Some(0.1),
        ln_uncertainty: None,
    }
}

#[test]
fn a_rule_is_one_error_source_and_a_measurement_its_own() {
    use crate::material::Provenance::{Estimated, Measured};
    let a = sourced(
        Estimated,
        "Gjostein rule Ea = q·Tm with q = 30 cal/(mol K), band 20–55",
    );
    let b = sourced(
        Estimated,
        "Gjostein rule Ea = q·Tm with q = 30 cal/(mol K); for a glass…",
    );
    let id = |m, s| rate::error_source(m, "diffusion_ea_ev", s);
    assert_eq!(id("CrN", &a), id("SiO2", &b));
    assert_eq!(
        id("CrN", &a),
        "rule diffusion_ea_ev: Gjostein rule Ea = q·Tm with q = 30 cal"
    );
    let m = sourced(Measured, "Chen & Lu, TSF 515 (2006) 2179");
    assert_ne!(id("CrN", &m), id("TiN", &m));
    // Labels say which materials share a source.
    let mut x = cr_like_term(0.2, 1.0, 0.9);
    let mut y = cr_like_term(0.2, 1.0, 0.9);
    x.material = "CrN".into();
    y.material = "SiO2".into();
    y.gamma_error_source = "SiO2.surface_energy_j_m2".into();
    x.sigma_ln_gamma = 0.1;
    y.sigma_ln_gamma = 0.1;
    let srcs = ErrorSources::of(&SurfaceRateModel { terms: vec![x, y] }, None);
    assert_eq!(srcs.ids.len(), 4, "{srcs:?}");
    assert_eq!(srcs.labels[0], "CrN+SiO2.diffusion_ea_ev (shared rule)");
    assert_eq!(srcs.labels[3], "SiO2.surface_energy_j_m2");
}

#[test]
fn a_shared_rule_error_keeps_the_median_at_the_nominal_and_independence_does_not() {
    // Two materials with the same constants, half the surface each. With the rule error shared
    // B_eff moves as one log-normal: median ln t = nominal. Sampled independently, the sum of
    // two log-normals has a median above either's, so the median lifetime falls below the
    // nominal (the B50 ≪ nominal artefact of review age_life.md §2.2).
    let t_k = 573.15;
    let shared = |w: f64| RateTerm {
        weight: w,
        ..cr_like_term(0.5, 3.45, 0.9)
    };
    let model = SurfaceRateModel {
        terms: vec![shared(0.5), shared(0.5)],
    };
    let nominal = -model.ln_b(t_k);
    let n = 4000;
    let d = &propagate_uncertainty(&model, 0.0, &[t_k], 1e300, 1e300, n, 5)[0];
    let se = 1.25 * d.sigma_ln / (n as f64).sqrt();
    assert!(
        (d.median.ln_s - nominal).abs() < 4.0 * se,
        "{:?} vs {nominal}",
        d.median
    );
    let mut other = shared(0.5);
    other.ea_error_source = "Y.diffusion_ea_ev".into();
    other.d0_error_source = "Y.diffusion_d0_cm2_per_s".into();
    let independent = SurfaceRateModel {
        terms: vec![shared(0.5), other],
    };
    let e = &propagate_uncertainty(&independent, 0.0, &[t_k], 1e300, 1e300, n, 5)[0];
    assert!(e.median.ln_s < nominal - 1.0, "{:?} vs {nominal}", e.median);
}

#[test]
fn sensitivity_shares_follow_the_variance_contributions() {
    // ln t = c + Ea/kT − ln γ (ρ = 0, σ_D0 = 0): var = (σ_E/kT)² + σ_γ²; with σ_E/kT = 2 and
    // σ_γ = 1 the shares are 0.8 and 0.2 (linear normal model: Spearman ≈ Pearson).
    let t_k = 600.0;
    let mut t = cr_like_term(2.0 * BOLTZMANN_EV_PER_K * t_k, 0.0, 0.0);
    t.sigma_ln_gamma = 1.0;
    let model = SurfaceRateModel { terms: vec![t] };
    let target_ln = 0.0 - model.ln_b(t_k) - 1.0;
    let n = 4000;
    let d = &propagate_uncertainty(&model, 0.0, &[t_k], 1e300, target_ln.exp(), n, 21)[0];
    let share = |p: &str| {
        d.sensitivity
            .iter()
            .find(|e| e.parameter == p)
            .map(|e| e.share)
            .unwrap()
    };
    assert!(
        (share("X.diffusion_ea_ev") - 0.8).abs() < 0.03,
        "{:?}",
        d.sensitivity
    );
    assert!((share("X.surface_energy_j_m2") - 0.2).abs() < 0.03);
    // Larger Ea lengthens, larger γ shortens.
    assert!(
        d.sensitivity
            .iter()
            .all(|e| e.parameter.contains("_ea_") == (e.rank_correlation > 0.0))
    );
    // P(t < target) = Φ(−1/√5) = 0.327 for a target 1 below the nominal in ln t.
    let expect = 0.5 * (1.0 + libm_erf(-1.0 / 5f64.sqrt() / std::f64::consts::SQRT_2));
    let se = (expect * (1.0 - expect) / n as f64).sqrt();
    assert!(
        (d.p_fail_before_target - expect).abs() < 4.0 * se,
        "{} vs {expect}",
        d.p_fail_before_target
    );
    assert!((d.p_fail_before_target_mc_se - se).abs() < 0.1 * se);
}

/// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
fn libm_erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * (-x * x).exp();
    s * y
}

#[test]
fn censored_arrhenius_fit_uses_the_beyond_horizon_points_and_gives_standard_errors() {
    let ea = 2.0;
    let k = BOLTZMANN_EV_PER_K;
    let t = |t_k: f64, r: f64| (t_k, 1e-8 * (ea / (k * t_k)).exp() * r.exp());
    // Four points with residuals ±0.1 in ln t: σ̂ ≈ 0.1, SE(Ea) ≈ σ/√Σ(x−x̄)².
    let pts = [t(600.0, 0.1), t(650.0, -0.1), t(700.0, 0.1), t(750.0, -0.1)];
    let f = fit_arrhenius_censored(&pts, &[], 1e-3).unwrap();
    let xs: Vec<f64> = pts.iter().map(|p| 1.0 / (k * p.0)).collect();
    let mx = xs.iter().sum::<f64>() / 4.0;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    assert!((f.ea_ev - ea).abs() < 3.0 * f.ea_se_ev, "{f:?}");
    assert!(
        (f.ea_se_ev / (f.sigma_ln_t / sxx.sqrt()) - 1.0).abs() < 0.02,
        "{f:?}"
    );
    assert_eq!(f.sigma_basis, SigmaBasis::Fitted);
    assert!(f.ln_time_lower95_s(298.15) < f.ln_time_s(298.15));
    // Two exact points: σ at the floor, zero residual degrees of freedom.
    let two = fit_arrhenius_censored(&pts[..2], &[], 1e-3).unwrap();
    assert_eq!(
        (two.sigma_basis, two.residual_dof),
        (SigmaBasis::ToleranceFloor, 0)
    );
    // A censored point far above the line changes nothing; one the line violates (the line
    // says it failed before the horizon, the search says it did not) steepens it.
    let line = |f: &ArrheniusFit, t_k: f64| f.ln_time_s(t_k);
    let far = (500.0, (line(&f, 500.0) - 5.0).exp());
    let g = fit_arrhenius_censored(&pts, &[far], 1e-3).unwrap();
    assert!(
        (g.ea_ev - f.ea_ev).abs() < 0.02 * f.ea_se_ev.max(1e-3),
        "{g:?} vs {f:?}"
    );
    let violated = (500.0, (line(&f, 500.0) + 1.0).exp());
    let h = fit_arrhenius_censored(&pts, &[violated], 1e-3).unwrap();
    assert!(h.ea_ev > f.ea_ev + f.ea_se_ev, "{h:?} vs {f:?}");
    assert_eq!(h.censored_points, 1);
}

#[test]
fn success_run_sample_size_is_the_textbook_value() {
    // 1 − 0.95⁵⁹ = 0.9515 ≥ 0.95 > 1 − 0.95⁵⁸.
    assert_eq!(super::design::success_run_specimens(0.95, 0.95), 59);
    assert_eq!(super::design::success_run_specimens(0.90, 0.90), 22);
}
