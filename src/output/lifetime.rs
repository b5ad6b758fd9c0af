//! Lifetime tables (units in the headers): `lifetime.csv`, `uncertainty.csv`,
//! `degradation.csv`, `frontier.csv`, and the tables the figures are drawn from
//! (`arrhenius_model.csv`, `arrhenius_fit.csv`, `image_strip.csv`, `frontier_claim.csv`; the
//! figures themselves are in [`super::lifetime_figures`]).

use crate::image::Micrograph;
use crate::lifetime::Criterion;
use crate::lifetime::{LifetimeAnalysis, LifetimeRow, UncertaintyRow, Years};
use crate::units::{SECONDS_PER_YEAR, kelvin_to_celsius};

fn opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.6e}")).unwrap_or_default()
}

/// `lifetime.csv`: one row per storage temperature; empty cells where the failure is beyond
/// the horizon (never a number there) — see the status columns.
pub fn lifetime_csv(rows: &[LifetimeRow]) -> String {
    let mut s = String::from(
        "temperature_c,temperature_k,decoder_failure_yr,information_failure_yr,beyond_horizon,horizon_yr,decoder_status,information_status,decoder_probes,information_probes,decoder_converged,information_converged\n",
    );
    for r in rows {
        s += &format!(
            "{},{},{},{},{},{:.6e},{},{},{},{},{},{}\n",
            r.temperature_c,
            r.temperature_k,
            opt(r.decoder_failure_yr),
            opt(r.information_failure_yr),
            r.beyond_horizon,
            r.horizon_yr,
            r.decoder_status,
            r.information_status,
            r.decoder_probes,
            r.information_probes,
            r.decoder_converged,
            r.information_converged
        );
    }
    s
}

fn years(y: Years) -> String {
    match y {
        Years::Within(v) => format!("{v:.6e}"),
        Years::BeyondHorizon => "beyond_horizon".into(),
    }
}

/// `uncertainty.csv`: the epistemic (kinetic-parameter) Monte Carlo lifetime distribution per
/// temperature: nominal, credible median and 90 % interval (each with its Monte Carlo 95 %
/// interval), P(fail before the target life) with its Monte Carlo standard error.
pub fn uncertainty_csv(rows: &[UncertaintyRow]) -> String {
    let mut s = String::from(
        "temperature_c,criterion,nominal_yr,nominal_status,lifetime_median_yr,lifetime_ci90_lo_yr,lifetime_ci90_hi_yr,median_mc95_lo_yr,median_mc95_hi_yr,ci90_lo_mc95_lo_yr,ci90_lo_mc95_hi_yr,ci90_hi_mc95_lo_yr,ci90_hi_mc95_hi_yr,target_life_yr,p_fail_before_target,p_fail_before_target_mc_se,sigma_ln_t,fraction_within_horizon,samples\n",
    );
    for r in rows {
        let [lo, hi] = r.lifetime_ci90_yr;
        let [m0, m1] = r.lifetime_median_mc95_yr;
        let [[a0, a1], [b0, b1]] = r.lifetime_ci90_mc95_yr;
        s += &format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.6},{:.6},{:.4},{:.4},{}\n",
            kelvin_to_celsius(r.temperature_k),
            criterion_name(r.criterion),
            opt(r.nominal_yr),
            r.nominal_status,
            years(r.lifetime_median_yr),
            years(lo),
            years(hi),
            years(m0),
            years(m1),
            years(a0),
            years(a1),
            years(b0),
            years(b1),
            r.target_life_yr,
            r.p_fail_before_target,
            r.p_fail_before_target_mc_se,
            r.sigma_ln,
            r.fraction_within_horizon,
            r.samples
        );
    }
    s
}

/// `sensitivity.csv`: per temperature and error source, the share of the variance of ln t
/// (normalized squared Spearman rank correlation) and the signed rank correlation — the table
/// the tornado figure is drawn from.
pub fn sensitivity_csv(rows: &[UncertaintyRow]) -> String {
    let mut s = String::from("temperature_c,parameter,share,rank_correlation\n");
    for r in rows {
        for (p, share) in &r.sensitivity {
            s += &format!(
                "{},{},{:.6},{:.6}\n",
                kelvin_to_celsius(r.temperature_k),
                p.replace(',', ";"),
                share,
                r.rank_correlation.get(p).copied().unwrap_or(0.0)
            );
        }
    }
    s
}

fn criterion_name(c: Criterion) -> &'static str {
    match c {
        Criterion::DecoderFailure => "decoder",
        Criterion::InformationFailure => "information",
    }
}

/// `degradation.csv`: the degradation curve in equivalent time, with the time at each storage
/// temperature.
pub fn degradation_csv(a: &LifetimeAnalysis, decoder_names: &[&str]) -> String {
    let mut s = String::from("s_nm4");
    for t in &a.temperatures_k {
        s += &format!(",time_yr_at_{}c", kelvin_to_celsius(*t));
    }
    s += ",decode_probability";
    for d in decoder_names {
        s += &format!(",{d}_probability");
    }
    s += ",median_block_error_ratio,michelson_contrast\n";
    for p in &a.curve {
        s += &format!("{:.6e}", p.s_nm4);
        for t in &p.time_yr {
            s += &format!(",{t:.6e}");
        }
        s += &format!(",{:.4}", p.reading.decode_probability);
        for q in &p.reading.decoder_probabilities {
            s += &format!(",{q:.4}");
        }
        s += &format!(
            ",{:.4},{:.5}\n",
            p.reading.median_block_error_ratio, p.reading.michelson_contrast
        );
    }
    s
}

/// `degradation_real_time.csv`: every real-time probe (temperatures where several mechanisms
/// act are searched in real time): the degradation measured with all active mechanisms.
pub fn degradation_real_time_csv(a: &LifetimeAnalysis) -> String {
    let mut s = String::from(
        "temperature_c,temperature_k,time_yr,decode_probability,median_block_error_ratio,michelson_contrast\n",
    );
    for p in &a.real_time_points {
        s += &format!(
            "{},{},{:.6e},{:.4},{:.4},{:.5}\n",
            kelvin_to_celsius(p.temperature_k),
            p.temperature_k,
            p.time_yr,
            p.reading.decode_probability,
            p.reading.median_block_error_ratio,
            p.reading.michelson_contrast
        );
    }
    s
}

/// `frontier.csv`: density and lifetime per pitch, surface and temperature.
pub fn frontier_csv(a: &LifetimeAnalysis) -> String {
    let mut s = String::from(
        "pitch_nm,raw_bits_per_um2,raw_tb_per_a4,tiled_bits_per_um2,tiled_tb_per_a4,surface,temperature_c,lifetime_yr,beyond_horizon,temperature_for_target_c\n",
    );
    let Some(f) = &a.frontier else {
        return s;
    };
    for row in &f.rows {
        let d = &row.density;
        for l in &row.lifetimes {
            let target = row
                .temperature_for_target_k
                .iter()
                .find(|(n, _)| *n == l.surface)
                .and_then(|(_, t)| t.map(kelvin_to_celsius));
            s += &format!(
                "{},{:.6e},{:.6e},{:.6e},{:.6e},{},{},{},{},{}\n",
                d.pitch_nm,
                d.raw_bits_per_um2,
                d.raw_tb_per_a4,
                d.tiled_bits_per_um2,
                d.tiled_tb_per_a4,
                l.surface,
                kelvin_to_celsius(l.temperature_k),
                opt(l.lifetime_yr),
                l.beyond_horizon,
                target.map(|t| format!("{t:.2}")).unwrap_or_default()
            );
        }
    }
    s
}

/// `arrhenius_model.csv`: the single-mechanism model line t(T) = s_fail / B_eff(T) of the
/// first criterion that found a failure, at 101 temperatures spanning the storage temperatures
/// (±0.1 in 1000/T). Empty when no search found a failure. An extrapolation beyond the horizon,
/// never a reported lifetime.
pub fn arrhenius_model_csv(a: &LifetimeAnalysis) -> String {
    let mut s = String::from("temperature_k,inverse_temperature_per_kk,model_lifetime_yr\n");
    let Some(s_fail) = a.searches.iter().find_map(|r| r.s_fail_nm4) else {
        return s;
    };
    let t_lo = a.temperatures_k.first().copied().unwrap_or(300.0);
    let t_hi = a.temperatures_k.last().copied().unwrap_or(700.0);
    let (x_lo, x_hi) = (1000.0 / t_hi - 0.1, 1000.0 / t_lo + 0.1);
    for i in 0..=100 {
        let x = x_lo + (x_hi - x_lo) * i as f64 / 100.0;
        let t_k = 1000.0 / x;
        let yr = (s_fail.ln() - a.rate_model.ln_b(t_k)).exp() / SECONDS_PER_YEAR;
        s += &format!("{t_k:.6},{x:.6},{yr:.6e}\n");
    }
    s
}

/// `arrhenius_fit.csv`: per criterion, the fitted effective activation energy (empty when
/// fewer than two temperatures failed within the horizon), the target lifetime and the
/// temperature at which the lifetime equals it.
pub fn arrhenius_fit_csv(a: &LifetimeAnalysis, target_yr: f64) -> String {
    let mut s = String::from("criterion,fitted_ea_ev,target_yr,temperature_for_target_c\n");
    for r in &a.arrhenius {
        s += &format!(
            "{},{},{target_yr},{}\n",
            criterion_name(r.criterion),
            r.fit.map(|f| format!("{:.4}", f.ea_ev)).unwrap_or_default(),
            r.temperature_for_target_c
                .map(|t| format!("{t:.2}"))
                .unwrap_or_default()
        );
    }
    s
}

/// `image_strip.csv`: one row per tile of the image strip (`image_strip/<file>`, the raw 8-bit
/// micrograph of noise realization 0): its time at the probe temperature and the decode
/// probability measured there.
pub fn image_strip_csv(strip: &[(f64, Micrograph)], a: &LifetimeAnalysis) -> (String, Vec<String>) {
    let b_probe = a.rate_model.ln_b(a.probe_temperature_k).exp();
    let mut s = String::from("file,time_yr,temperature_c,decode_probability\n");
    let mut files = Vec::new();
    for (k, (s_nm4, _)) in strip.iter().enumerate() {
        let p = a
            .curve
            .iter()
            .find(|c| c.s_nm4 == *s_nm4)
            .map(|c| format!("{:.4}", c.reading.decode_probability))
            .unwrap_or_default();
        let file = format!("tile_{k:02}.png");
        s += &format!(
            "{file},{:.6e},{},{p}\n",
            s_nm4 / b_probe / SECONDS_PER_YEAR,
            kelvin_to_celsius(a.probe_temperature_k)
        );
        files.push(file);
    }
    (s, files)
}

/// `frontier_claim.csv`: the "> 2 TB per A4 at 49 nm" check and the target lifetime, for the
/// frontier figure.
pub fn frontier_claim_csv(a: &LifetimeAnalysis, target_yr: f64) -> String {
    let mut s = String::from(
        "pitch_nm,raw_tb_per_a4,tiled_tb_per_a4,tiled_symbol,raw_exceeds_2tb,tiled_exceeds_2tb,target_yr\n",
    );
    if let Some(f) = &a.frontier {
        let c = &f.claim_49nm;
        s += &format!(
            "{},{:.6e},{:.6e},{},{},{},{target_yr}\n",
            c.density.pitch_nm,
            c.density.raw_tb_per_a4,
            c.density.tiled_tb_per_a4,
            c.tiled_symbol,
            c.raw_exceeds_2tb,
            c.tiled_exceeds_2tb
        );
    }
    s
}
