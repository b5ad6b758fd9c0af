//! The lifetime stage rendered: the statements of `summary.json` → `lifetime_analysis`
//! (`method`, Arrhenius `basis`, test-design `model`, frontier `note`: serialized as these
//! sentences from the typed facts the stage records), the stdout lines of `millage run` and
//! the "Lifetime" section of `summary.md`.

use serde::{Serialize, Serializer};

use crate::age::Mechanisms;
use crate::lifetime::{
    AccelerationModel, ArrheniusBasis, AssumedEa, Criterion, FrontierNote, LifetimeAnalysis,
    LifetimeProducts, LifetimeRow, LifetimeStatus, MethodFacts, PopulationModel, SearchPath,
    TestDesign, TestMetric, UncertaintyKind, UncertaintyMethod, UncertaintyRow, Years,
};
use crate::output::aging::time_label;
use crate::units::kelvin_to_celsius;

fn mechanism_list(m: &Mechanisms) -> String {
    let mut v = Vec::new();
    if m.surface_diffusion {
        v.push("surface diffusion");
    }
    if m.oxidation {
        v.push("oxidation with native oxide, skin and swelling");
    }
    if m.bulk_diffusion {
        v.push("implant out-diffusion where the library has a diffusivity");
    }
    if v.is_empty() {
        "no mechanism switched on".into()
    } else {
        v.join(", ")
    }
}

/// The mechanism and method statement of the lifetime stage.
pub fn method(m: &MethodFacts) -> String {
    format!(
        "probes age with the {} ({}). Per temperature: where surface diffusion is the only mechanism acting within the horizon, one search in the equivalent time s = ∫B dt serves every such temperature exactly (each probe one spectral propagation from s = 0 at {:.1} °C, t = s_fail/B_eff(T)); where more than one mechanism acts (or one other than surface diffusion), the search runs in real time at that temperature (bracketing ×3 from a third of the earliest single-mechanism estimate (lower if that probe has already failed), bisection in log time; each probe a full age of the milled specimen from t = 0 with every active mechanism, {} Lie sub-steps, + {} SEM realizations + decoding). A mechanism counts as acting when its 10 % time is below {} horizons. Degradation curve, image strip and frontier: surface diffusion alone.",
        if m.from_aging_section {
            "scenario's [aging] model"
        } else {
            "[aging] key defaults (no [aging] section)"
        },
        mechanism_list(&m.mechanisms),
        m.probe_temperature_c,
        m.splitting_steps,
        m.realizations,
        m.negligible_horizons
    )
}

/// How the Arrhenius temperatures were obtained.
pub fn arrhenius_basis(b: ArrheniusBasis) -> &'static str {
    match b {
        ArrheniusBasis::FittedLine => {
            "Arrhenius fit of the simulated lifetimes (several mechanisms)"
        }
        ArrheniusBasis::ExactRescaling => {
            "exact rescaling of surface diffusion: t = s_fail/B_eff(T)"
        }
    }
}

/// The acceleration model of the test design.
pub fn acceleration_model(m: &AccelerationModel) -> String {
    match m {
        AccelerationModel::FittedArrhenius { ea_ev, points } => format!(
            "t_use = t_bake · exp[(E_a/k)(1/T_use − 1/T_bake)] with the effective E_a = {ea_ev:.3} eV fitted to the simulated lifetimes ({points} points): several mechanisms act, so this single-Ea extrapolation is an approximation (aging.md §5.1 caveat)"
        ),
        AccelerationModel::Rescaling => "t_use = t_bake · B_eff(T_bake)/B_eff(T_use), B ∝ D0 exp(−Ea/kT)/T (single mechanism: capillary surface diffusion)".into(),
    }
}

fn criterion_word(c: Criterion) -> &'static str {
    match c {
        Criterion::DecoderFailure => "decoder",
        Criterion::InformationFailure => "information",
    }
}

/// The assumptions of the frontier.
pub fn frontier_note(n: &FrontierNote) -> String {
    format!(
        "pitches simulated: every other one of the sorted list, the largest, and any pitch above a simulated one without a failure (to keep the record run within 60 s), the others interpolated (ln of s_fail over its p⁴ scaling, linear in ln p between simulated neighbours that found a failure; `status` per row); simulation: the milled record specimen scaled laterally to the pitch (depths, oxide skin and implant areal density kept; the film is not thinned), grid cell and SEM pixel scaled with the pitch, SEM probe ({:.1} nm FWHM), kV and dose per pixel kept; one search in s = ∫B dt of surface diffusion alone per pitch ({} criterion, tolerance {:.0} %, {} SEM noise realizations per probe); per-material rows take each library material as the whole surface with the simulated s_fail(p); tiled density: abutting symbols without quiet zones, 8 bits per data codeword",
        n.probe_fwhm_nm,
        criterion_word(n.criterion),
        100.0 * n.rel_tolerance,
        n.realizations
    )
}

impl Serialize for MethodFacts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&method(self))
    }
}

impl Serialize for ArrheniusBasis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(arrhenius_basis(*self))
    }
}

impl Serialize for AccelerationModel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&acceleration_model(self))
    }
}

/// What the lab measures after the bake.
pub fn test_metric(m: TestMetric) -> &'static str {
    match m {
        TestMetric::DecodeAndContrast => {
            "decode by every configured decoder (P(decode) ≥ 0.5 over repeated SEM reads, the decoder criterion) and the Michelson module contrast, imaged before and after the bake as millage reports them (degradation.csv)"
        }
    }
}

impl Serialize for TestMetric {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(test_metric(*self))
    }
}

/// The test design as one sentence (stdout and summary.md).
pub fn test_design_sentence(d: &TestDesign) -> String {
    let ea = match &d.assumed_ea_basis {
        AssumedEa::LowestMechanism { parameter } => {
            format!(
                "{:.2} eV (5 % quantile of {parameter}, the lowest of the mechanisms switched on)",
                d.assumed_ea_ev
            )
        }
        AssumedEa::FitLowerBound => format!(
            "{:.2} eV (one-sided 95 % lower bound of the fitted slope)",
            d.assumed_ea_ev
        ),
    };
    let valid = d
        .max_valid_temperature_c
        .map(|t| format!("{t:.1} °C"))
        .unwrap_or_else(|| "–".into());
    if d.feasible {
        format!(
            "bake {} specimens for {} h at {} with zero failures of the metric demonstrates R = {} at C = {} for {} yr at {:.1} °C, assuming E_a ≥ {ea}; the model's mechanisms hold up to {valid}; the model predicts failure at the bake temperature after {}",
            d.specimens,
            d.test_duration_h,
            d.bake_temperature_c
                .map(|t| format!("{t:.1} °C"))
                .unwrap_or_else(|| "–".into()),
            d.reliability,
            d.confidence,
            d.target_yr,
            d.use_temperature_c,
            d.model_failure_at_bake_h
                .map(|h| format!("{h:.3e} h"))
                .unwrap_or_else(|| "– (beyond the model's range)".into())
        )
    } else {
        format!(
            "no feasible test: with E_a ≥ {ea}, {} h demonstrate {} yr at {:.1} °C only at {}, above {valid} where the model's low-temperature mechanisms still hold{}",
            d.test_duration_h,
            d.target_yr,
            d.use_temperature_c,
            d.bake_temperature_c
                .map(|t| format!("{t:.1} °C"))
                .unwrap_or_else(|| "– (outside 50–5000 K)".into()),
            d.bake_hours_at_max_valid
                .map(|h| format!("; at {valid} it would take {h:.3e} h"))
                .unwrap_or_default()
        )
    }
}

/// What the uncertainty rows' distribution describes.
pub fn uncertainty_kind(k: UncertaintyKind) -> &'static str {
    match k {
        UncertaintyKind::EpistemicParameters => {
            "epistemic: the materials library's kinetic-parameter uncertainty, one random variable per error source (a rule's error shared by every material the rule gave a constant), the same specimen in every sample; credible quantiles of an unconditioned prior, not fractions of a specimen population"
        }
        UncertaintyKind::EpistemicParametersAndGeometry => {
            "epistemic and geometry: the materials library's kinetic-parameter uncertainty, one random variable per error source (a rule's error shared by every material the rule gave a constant), and in every sample a specimen geometry (over-mill depth, wall angle, film thickness, normal with the spreads of lifetime_analysis.geometry) through the linear design-point response of ln t; credible quantiles for one specimen of unknown parameters and geometry, not fractions of a specimen population (see population for those)"
        }
    }
}

/// The specimen population of the uncertainty rows.
pub fn population(p: PopulationModel) -> &'static str {
    match p {
        PopulationModel::NotModelled => {
            "not modelled: write noise, over-mill depth and readout are those of the one simulated specimen (its readout realizations enter the failure criterion only), so no B-lives (fraction of specimens failed, ISO/IEC 10995) are reported"
        }
        PopulationModel::Geometry(_) => GEOMETRY_POPULATION,
    }
}

/// The statement of the geometry population (`uncertainty[i].population.model`).
const GEOMETRY_POPULATION: &str = "specimens differing in geometry only: over-mill depth, wall angle and film thickness independent normal with the spreads of lifetime_analysis.geometry.factors, at the library's nominal kinetic parameters, ln t linear in each factor (the design-point response); B-lives are the times by which 1 %, 10 %, 50 % of such specimens have failed (ISO/IEC 10995 meaning, for this population only: other write noise and the readout are not in it)";

impl Serialize for UncertaintyKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(uncertainty_kind(*self))
    }
}

impl Serialize for PopulationModel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            PopulationModel::NotModelled => s.serialize_str(population(*self)),
            PopulationModel::Geometry(g) => {
                let mut st = s.serialize_struct("GeometryPopulation", 6)?;
                st.serialize_field("model", GEOMETRY_POPULATION)?;
                st.serialize_field("factors", &g.factors)?;
                st.serialize_field("sigma_ln", &g.sigma_ln)?;
                st.serialize_field("b1_yr", &g.b1_yr)?;
                st.serialize_field("b10_yr", &g.b10_yr)?;
                st.serialize_field("b50_yr", &g.b50_yr)?;
                st.end()
            }
        }
    }
}

impl Serialize for FrontierNote {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&frontier_note(self))
    }
}

fn yr(x: Option<f64>, status: &str) -> String {
    match x {
        Some(v) => format!("{v:.3e} yr"),
        None => status.replace('_', " "),
    }
}

fn years(y: Years) -> String {
    match y {
        Years::Within(v) => format!("{v:.2e} yr"),
        Years::BeyondHorizon => "beyond horizon".into(),
    }
}

/// "[lo, hi]" of a 90 % credible interval.
fn interval(ci: [Years; 2]) -> String {
    format!("[{}, {}]", years(ci[0]), years(ci[1]))
}

/// The top `n` error sources by share, "name share".
fn top_sources(u: &UncertaintyRow, n: usize) -> String {
    let mut v: Vec<(&String, &f64)> = u.sensitivity.iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(a.1));
    v.iter()
        .take(n)
        .map(|(k, s)| format!("{k} {s:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_yr(x: Option<f64>, status: LifetimeStatus) -> String {
    yr(x, &status.to_string())
}

/// "rescaled" or "real time: mechanisms; probes d/i" of one lifetime row.
fn path_label(a: &LifetimeAnalysis, r: &LifetimeRow) -> String {
    let active = a
        .paths
        .iter()
        .find(|p| p.temperature_k == r.temperature_k)
        .map(|p| {
            if p.active.is_empty() {
                "nothing acts within the horizon".to_string()
            } else {
                p.active
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join(" + ")
            }
        })
        .unwrap_or_default();
    if r.search_path == SearchPath::RealTime {
        format!(
            "real time: {active}; probes: decoder {}, information {}",
            r.decoder_probes, r.information_probes
        )
    } else {
        format!("rescaled in s: {active}")
    }
}

fn tb(exceeds: bool) -> &'static str {
    if exceeds { "> 2 TB" } else { "< 2 TB" }
}

/// The lifetime lines of `millage run`'s stdout.
pub fn stdout_lines(life: &LifetimeProducts) -> Vec<String> {
    let a = &life.analysis;
    let mut lines = Vec::new();
    let probes: Vec<String> = a
        .searches
        .iter()
        .map(|s| format!("{:?} {} probes", s.criterion, s.search.probes))
        .collect();
    lines.push(format!(
        "  lifetime (horizon {} yr; surface diffusion alone in s: {}; {} age+image+decode probes run, {} of them real-time{}):",
        time_label(life.rows.first().map(|r| r.horizon_yr).unwrap_or(0.0)),
        probes.join(", "),
        a.unique_probes,
        a.real_time_probes,
        a.frontier
            .as_ref()
            .map(|f| format!(", + {} frontier probes", f.probes))
            .unwrap_or_default()
    ));
    for r in &life.rows {
        let u = life
            .uncertainty
            .iter()
            .find(|u| u.temperature_k == r.temperature_k)
            .map(|u| {
                let population = match u.population {
                    PopulationModel::Geometry(p) => {
                        format!("; geometry population B10 {}", opt_years(p.b10_yr))
                    }
                    PopulationModel::NotModelled => String::new(),
                };
                format!(
                    "; 90 % credible {}, P(fail < {} yr) = {:.3}{population}",
                    interval(u.lifetime_ci90_yr),
                    u.target_life_yr,
                    u.p_fail_before_target
                )
            })
            .unwrap_or_default();
        lines.push(format!(
            "    {:>6.1} °C: decoder {}, information {}{} [{}]",
            r.temperature_c,
            status_yr(r.decoder_failure_yr, r.decoder_status),
            status_yr(r.information_failure_yr, r.information_status),
            u,
            path_label(a, r)
        ));
    }
    for ar in &a.arrhenius {
        lines.push(format!(
            "    {:?}: lifetime = target at {}; fitted Ea {}",
            ar.criterion,
            ar.temperature_for_target_c
                .map(|t| format!("{t:.1} °C"))
                .unwrap_or_else(|| "– (outside 50–5000 K)".into()),
            ar.fit
                .map(|f| format!("{:.3} eV ({} points)", f.ea_ev, f.points))
                .unwrap_or_else(|| "– (< 2 lifetimes within the horizon)".into())
        ));
    }
    if let Some(d) = &a.test_design {
        lines.push(format!("    accelerated test: {}", test_design_sentence(d)));
    }
    if let Some(f) = &a.frontier {
        let c = &f.claim_49nm;
        lines.push(format!(
            "    49 nm on A4: raw {:.2} TB ({}), tiled {} {:.2} TB ({}) vs the \"> 2 TB\" claim",
            c.density.raw_tb_per_a4,
            tb(c.raw_exceeds_2tb),
            c.tiled_symbol,
            c.density.tiled_tb_per_a4,
            tb(c.tiled_exceeds_2tb)
        ));
    }
    lines
}

fn c(t: Option<f64>) -> String {
    t.map(|t| format!("{t:.1} °C"))
        .unwrap_or_else(|| "– (outside 50–5000 K)".into())
}

/// The table of rows and the uncertainty notes of the markdown section.
fn markdown_table(life: &LifetimeProducts) -> String {
    let a = &life.analysis;
    let mut s = String::from(
        "| T / °C | decoder failure (nominal) | information failure | credible median [MC 95 %] | 90 % credible interval | P(fail before target) ± MC s.e. | σ(ln t) | top error sources (share of var ln t) | search |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in &life.rows {
        let u = life
            .uncertainty
            .iter()
            .find(|u| u.temperature_k == r.temperature_k);
        let dash = || "–".to_string();
        s += &format!(
            "| {:.1} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.temperature_c,
            status_yr(r.decoder_failure_yr, r.decoder_status),
            status_yr(r.information_failure_yr, r.information_status),
            u.map(|u| format!(
                "{} [{}]",
                years(u.lifetime_median_yr),
                interval(u.lifetime_median_mc95_yr)
            ))
            .unwrap_or_else(dash),
            u.map(|u| interval(u.lifetime_ci90_yr)).unwrap_or_else(dash),
            u.map(|u| format!(
                "{:.4} ± {:.4}",
                u.p_fail_before_target, u.p_fail_before_target_mc_se
            ))
            .unwrap_or_else(dash),
            u.map(|u| format!("{:.2}", u.sigma_ln)).unwrap_or_else(dash),
            u.map(|u| top_sources(u, 3)).unwrap_or_else(dash),
            path_label(a, r)
        );
    }
    for b in &a.uncertainty_basis {
        if b.basis != UncertaintyMethod::ExactRescaling {
            s += &format!(
                "\nUncertainty at {:.1} °C: {} (anchor ln A = {:.3}{}).",
                kelvin_to_celsius(b.temperature_k),
                b.basis,
                b.ln_anchor,
                if b.anchored {
                    ", from the real-time lifetime"
                } else {
                    ", not anchored: the real-time lifetime lies beyond the horizon"
                }
            );
        }
    }
    s
}

/// The searches, Arrhenius, test-design and frontier bullets of the markdown section.
fn markdown_bullets(a: &LifetimeAnalysis) -> String {
    let mut s = String::new();
    for sr in &a.searches {
        s += &format!(
            "- search {:?}: {} probes, converged {}, s_fail = {} nm⁴\n",
            sr.criterion,
            sr.search.probes,
            sr.search.converged,
            sr.s_fail_nm4
                .map(|x| format!("{x:.4e}"))
                .unwrap_or_else(|| "–".into())
        );
    }
    if let Some(o) = &a.oxidation_search {
        s += &format!(
            "- search {:?} of oxidation alone ({}) in u = ∫rate dt: {} probes, {}\n",
            o.criterion,
            o.material,
            o.search.probes,
            match o.u_fail {
                Some(u) => format!("u_fail = {u:.4e}"),
                None => format!(
                    "no failure up to u = {:.4e} (the whole film oxidized): oxidation alone does not break the read",
                    o.u_max
                ),
            }
        );
    }
    for r in &a.real_time_searches {
        s += &format!(
            "- real-time search {:?} at {:.1} °C: {} probes (≤ 40), converged {}, first probe {:.3e} s, t_fail = {}\n",
            r.criterion,
            kelvin_to_celsius(r.temperature_k),
            r.search.probes,
            r.search.converged,
            r.clock_min_s,
            r.t_fail_yr
                .map(|x| format!("{x:.4e} yr"))
                .unwrap_or_else(|| "–".into())
        );
    }
    for ar in &a.arrhenius {
        s += &format!(
            "- {:?}: lifetime = target at {}; T(1 h) = {}, T(1000 h) = {}; fitted Ea = {}; model Ea = {}\n",
            ar.criterion,
            c(ar.temperature_for_target_c),
            c(ar.temperature_for_1h_c),
            c(ar.temperature_for_1000h_c),
            ar.fit
                .map(|f| format!(
                    "{:.3} ± {:.3} eV ({} found + {} censored points, σ(ln t) = {:.3e}{}); lifetime at use {} (one-sided 95 % lower bound {})",
                    f.ea_ev,
                    f.ea_se_ev,
                    f.points,
                    f.censored_points,
                    f.sigma_ln_t,
                    match f.sigma_basis {
                        crate::lifetime::stats::SigmaBasis::ToleranceFloor =>
                            " at the search-tolerance floor: the errors cover numerical error only, not the misfit of a single-Ea line",
                        crate::lifetime::stats::SigmaBasis::Fitted => "",
                    },
                    yr(ar.use_lifetime_yr, "–"),
                    yr(ar.use_lifetime_lower95_yr, "–")
                ))
                .unwrap_or_else(|| "–".into()),
            ar.model_ea_ev
                .map(|e| format!("{e:.3} eV"))
                .unwrap_or_else(|| "–".into())
        );
    }
    if let Some(d) = &a.test_design {
        s += &format!(
            "- accelerated test: {}. Metric: {}. Nominal model at the bake: {}\n",
            test_design_sentence(d),
            test_metric(d.metric),
            acceleration_model(&d.model)
        );
    }
    if let Some(f) = &a.frontier {
        let cl = &f.claim_49nm;
        s += &format!(
            "- density at 49 nm on A4: raw {:.3} TB, tiled {} {:.3} TB (claim \"> 2 TB\": raw {}, tiled {}); temperature for the target lifetime at 49 nm: {}\n",
            cl.density.raw_tb_per_a4,
            cl.tiled_symbol,
            cl.density.tiled_tb_per_a4,
            cl.raw_exceeds_2tb,
            cl.tiled_exceeds_2tb,
            cl.temperature_for_target_c
                .iter()
                .map(|(n, t)| format!("{n} {}", c(*t)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        s += &format!("- frontier: {}\n", frontier_note(&f.note));
    }
    s
}

/// The "Lifetime" section of `summary.md`.
pub fn markdown(life: &LifetimeProducts) -> String {
    let a = &life.analysis;
    let mut s = String::from("\n## Lifetime\n\n");
    s += &format!("Method: {}\n\n", method(&a.method));
    s += &markdown_table(life);
    s += "\n";
    s += &format!(
        "\nHorizon {} yr: later failures are reported as beyond the horizon, not as numbers; a search whose probe budget ran out says budget exhausted. Uncertainty: {}. Specimen population: {}. The bracket after each median is the Monte Carlo 95 % interval of that estimate (sampling noise only); P(fail before target) is the fraction of samples failing before the target life. Error-source shares are normalized squared Spearman rank correlations of ln t with each source (a first-order measure for a monotone response; not Sobol indices).\n\n",
        time_label(life.rows.first().map(|r| r.horizon_yr).unwrap_or(0.0)),
        uncertainty_kind(
            life.uncertainty
                .first()
                .map(|u| u.kind)
                .unwrap_or(UncertaintyKind::EpistemicParameters)
        ),
        population(
            life.uncertainty
                .first()
                .map(|u| u.population)
                .unwrap_or(PopulationModel::NotModelled)
        )
    );
    s += &markdown_bullets(a);
    s += &geometry_bullets(life);
    s
}

/// The geometry-design bullets of the markdown section (none without a design).
fn geometry_bullets(life: &LifetimeProducts) -> String {
    let Some(g) = &life.analysis.geometry else {
        return String::new();
    };
    let mut s = format!(
        "- geometry design: {} points ({} differences), {} probes; write as measured: mean depth {:.2} nm, wall {:.1}°, film {:.2} nm ({} milled modules)\n",
        g.points.len(),
        g.differences,
        g.probes,
        g.write.mean_depth_nm,
        g.write.wall_angle_deg,
        g.write.film_thickness_nm,
        g.write.modules
    );
    for f in &g.factors {
        s += &format!(
            "- geometry factor {}: σ = {:.3} {} ({}){}\n",
            f.factor,
            f.sigma,
            f.unit,
            f.sigma_source,
            if f.evaluated {
                ""
            } else {
                "; not evaluated (σ = 0 or the perturbation undefined)"
            }
        );
    }
    if let Some(c) = &g.centre {
        let pairs: Vec<String> = c
            .lifetime_yr
            .iter()
            .zip(&life.rows)
            .filter_map(|(t, r)| {
                let t = (*t)?;
                let n = match life.uncertainty.first().map(|u| u.criterion) {
                    Some(Criterion::InformationFailure) => r.information_failure_yr,
                    _ => r.decoder_failure_yr,
                }?;
                Some(format!(
                    "{:.1} °C {:.3e} yr (nominal {:.3e} yr)",
                    r.temperature_c, t, n
                ))
            })
            .collect();
        s += &format!(
            "- geometry centre (unperturbed, searched like the design points; reference of the forward differences): {}\n",
            if pairs.is_empty() {
                "no lifetime found".to_string()
            } else {
                pairs.join(", ")
            }
        );
    }
    for r in &g.responses {
        let per: Vec<String> = r
            .factors
            .iter()
            .map(|f| match f.d_ln_t_per_unit {
                Some(b) => format!(
                    "{} {:+.4}/unit ({:+.3} per σ)",
                    f.factor, b, f.ln_t_per_sigma
                ),
                None => format!("{} not determined", f.factor),
            })
            .collect();
        let pop = life
            .uncertainty
            .iter()
            .find(|u| u.temperature_k == r.temperature_k)
            .and_then(|u| match u.population {
                PopulationModel::Geometry(p) => Some(format!(
                    "; geometry population B1 {}, B10 {}, B50 {}",
                    opt_years(p.b1_yr),
                    opt_years(p.b10_yr),
                    opt_years(p.b50_yr)
                )),
                PopulationModel::NotModelled => None,
            })
            .unwrap_or_default();
        s += &format!(
            "- d ln t / d factor at {:.1} °C: {}; σ(ln t) over geometry {:.3}{}\n",
            kelvin_to_celsius(r.temperature_k),
            if per.is_empty() {
                "no factor evaluated".to_string()
            } else {
                per.join(", ")
            },
            r.population_sigma_ln,
            pop
        );
    }
    s
}

fn opt_years(y: Option<Years>) -> String {
    y.map(years).unwrap_or_else(|| "–".into())
}
