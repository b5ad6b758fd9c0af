//! The effective surface-transport rate B_eff(T) of a milled specimen, and its random
//! perturbation by the materials library's kinetic uncertainties.
//!
//! Per material m (Mullins 1959; aging.md §2.1, as [`crate::age::surface::ln_mullins_b`]):
//!
//!   B_m(T) = D₀ exp(−E_a / k_B T) · γ Ω² ν / (k_B T)   [nm⁴/s],  ν = Ω^{−2/3},
//!
//! and on a multi-material surface the linear propagator uses the surface-area-weighted mean
//! B_eff(T) = Σ_m w_m B_m(T), w_m = A_m / Σ A (the area-weighted rule of [`crate::age`], with
//! the host material of each column at its surface and the true area √(1 + |∇h|²) per column,
//! forward differences, periodic). Sums are done in log space (log-sum-exp) so that B at 25 °C
//! (10⁻⁴⁰ nm⁴/s and less) never underflows.
//!
//! **Error sources** (issue 18 item 1): every uncertain parameter names the random variable
//! z ~ N(0, 1) it is drawn with ([`error_source`]). A constant *estimated by a rule* shares
//! the rule's variable with every other material whose constant the same rule gave (the rule's
//! error is common: CrN and glass get their surface-diffusion Ea and D₀ from the same Gjostein
//! correlation, so a draw that makes the rule fast makes both fast); a measured or literature
//! constant has its own. The identity is derived from the library data that exist (provenance
//! and the first clause of the `source` string, which names the rule), not from a new key.

use serde::Serialize;

use crate::grid::Specimen;
use crate::material::{Material, Provenance, Sourced, SurfaceTransport};
use crate::units::{BOLTZMANN_EV_PER_K, J_PER_M2_IN_EV_PER_NM2};

/// One material's share of the surface and its kinetic parameters with uncertainties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateTerm {
    /// Material name.
    pub material: String,
    /// Surface-area weight w_m (Σ w = 1).
    pub weight: f64,
    /// ln D₀ with D₀ in nm²/s.
    pub ln_d0_nm2_per_s: f64,
    /// E_a [eV].
    pub ea_ev: f64,
    /// ln(γ Ω² ν) with γ in eV/nm², Ω in nm³, ν = Ω^{−2/3} nm⁻²: ln of [eV·nm⁴].
    pub ln_capillary_ev_nm4: f64,
    /// σ(E_a) [eV] (0 if the library gives none).
    pub sigma_ea_ev: f64,
    /// σ(ln D₀): the library's `ln_uncertainty`, else u(D₀)/D₀ (delta method), else 0.
    pub sigma_ln_d0: f64,
    /// σ(ln γ) = u(γ)/γ (0 if none).
    pub sigma_ln_gamma: f64,
    /// Correlation of (ln D₀, E_a) (`d0_ea_correlation`, Meyer–Neldel compensation).
    pub d0_ea_correlation: f64,
    /// Error source of E_a ([`error_source`]).
    pub ea_error_source: String,
    /// Error source of the part of ln D₀ not correlated with E_a.
    pub d0_error_source: String,
    /// Error source of ln γ.
    pub gamma_error_source: String,
}

/// The rule an estimated constant was obtained by: the first clause of its `source` (up to
/// the first '(', ';', ',' or ':'), trailing punctuation removed, e.g. "Gjostein correlation
/// prefactor", "CrN-like".
fn rule_name(source: &str) -> String {
    let end = source.find(['(', ';', ',', ':']).unwrap_or(source.len());
    source[..end]
        .trim()
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// The identity of the random variable a parameter is drawn with: `rule <key>: <rule>` for a
/// constant estimated by a rule (shared by every material whose constant the rule gave),
/// `<material>.<key>` for a measured or literature constant (its own).
pub fn error_source(material: &str, key: &str, s: &Sourced) -> String {
    match s.provenance {
        Provenance::Estimated => format!("rule {key}: {}", rule_name(&s.source)),
        Provenance::Measured | Provenance::Literature => format!("{material}.{key}"),
    }
}

/// Standard normal values of the error sources of one Monte Carlo sample, by identity.
pub trait ErrorDraw {
    /// z of the source `id` (0 for a source not drawn).
    fn z(&self, id: &str) -> f64;
}

impl RateTerm {
    /// The nominal term of a material with surface data and weight w.
    pub fn from_surface(material: &str, s: &SurfaceTransport, weight: f64) -> Self {
        let gamma = s.surface_energy_j_m2.value * J_PER_M2_IN_EV_PER_NM2;
        let omega = s.formula_volume_nm3.value;
        let nu = omega.powf(-2.0 / 3.0);
        RateTerm {
            material: material.to_string(),
            weight,
            ln_d0_nm2_per_s: s.diffusion_d0_nm2_per_s.value.ln(),
            ea_ev: s.diffusion_ea_ev.value,
            ln_capillary_ev_nm4: (gamma * omega * omega * nu).ln(),
            sigma_ea_ev: s.diffusion_ea_ev.uncertainty.unwrap_or(0.0),
            // ln_uncertainty (log-normal spread, e.g. the CrN estimate) or u/D₀.
            sigma_ln_d0: s.diffusion_d0_nm2_per_s.sigma_ln(),
            sigma_ln_gamma: s.surface_energy_j_m2.sigma_ln(),
            d0_ea_correlation: s.d0_ea_correlation,
            ea_error_source: error_source(material, "diffusion_ea_ev", &s.diffusion_ea_ev),
            d0_error_source: error_source(
                material,
                "diffusion_d0_cm2_per_s",
                &s.diffusion_d0_nm2_per_s,
            ),
            gamma_error_source: error_source(
                material,
                "surface_energy_j_m2",
                &s.surface_energy_j_m2,
            ),
        }
    }

    /// The (source, σ) pairs of this term's random variables with σ > 0 (E_a, D₀, γ).
    pub fn sources(&self) -> Vec<(&str, f64)> {
        let rho = self.d0_ea_correlation.clamp(-1.0, 1.0);
        [
            (self.ea_error_source.as_str(), self.sigma_ea_ev),
            (
                self.d0_error_source.as_str(),
                self.sigma_ln_d0 * (1.0 - rho * rho).sqrt(),
            ),
            (self.gamma_error_source.as_str(), self.sigma_ln_gamma),
        ]
        .into_iter()
        .filter(|(_, sigma)| *sigma > 0.0)
        .collect()
    }

    /// ln B_m(T) = ln D₀ − E_a/k_BT + ln(γΩ²ν) − ln(k_BT), B in nm⁴/s.
    pub fn ln_b(&self, temperature_k: f64) -> f64 {
        let kt = BOLTZMANN_EV_PER_K * temperature_k;
        self.ln_d0_nm2_per_s - self.ea_ev / kt + self.ln_capillary_ev_nm4 - kt.ln()
    }
}

/// B_eff(T) = Σ w_m B_m(T) of a surface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurfaceRateModel {
    /// Terms with w_m > 0, in stack order.
    pub terms: Vec<RateTerm>,
}

impl SurfaceRateModel {
    /// The model of a specimen's surface: area weights of the host materials at the surface
    /// (the area-weighted rule of the linear aging solver). Materials without `[surface]` data
    /// are left out (their columns count in neither numerator nor denominator); `None` if no
    /// surface material has data.
    pub fn from_specimen(specimen: &Specimen) -> Option<Self> {
        let g = &specimen.grid;
        let (nx, ny, cell) = (g.nx(), g.ny(), g.cell_nm());
        let h = crate::age::metrics::outer_surface_nm(specimen);
        // Kind m: bare host m; kind nmat + m: an oxide skin on m, which has the oxide's own
        // surface transport where the library has the oxide as a material (as in `age`).
        let nmat = specimen.materials.len();
        let record = |kind: usize| {
            if kind >= nmat {
                specimen.materials[kind - nmat].oxide_or_self()
            } else {
                &specimen.materials[kind]
            }
        };
        let mut area = vec![0.0; 2 * nmat];
        // Row-major, fixed order: deterministic.
        for j in 0..ny {
            let js = if j + 1 == ny { 0 } else { j + 1 };
            for i in 0..nx {
                let ie = if i + 1 == nx { 0 } else { i + 1 };
                let k = j * nx + i;
                let sx = (h[j * nx + ie] - h[k]) / cell;
                let sy = (h[js * nx + i] - h[k]) / cell;
                area[specimen.kind_index(specimen.surface_stratum(k))] +=
                    (1.0 + sx * sx + sy * sy).sqrt();
            }
        }
        let with_data: f64 = area
            .iter()
            .enumerate()
            .filter(|(m, _)| record(*m).surface.is_some())
            .map(|(_, a)| a)
            .sum();
        if with_data <= 0.0 {
            return None;
        }
        let terms: Vec<RateTerm> = area
            .iter()
            .enumerate()
            .filter(|(_, a)| **a > 0.0)
            .filter_map(|(m, a)| {
                let mat = record(m);
                mat.surface
                    .as_ref()
                    .map(|s| RateTerm::from_surface(&mat.name, s, a / with_data))
            })
            .collect();
        Some(SurfaceRateModel { terms })
    }

    /// A single-material model (weight 1), e.g. a frontier row of one library material.
    pub fn single(material: &Material) -> Option<Self> {
        material.surface.as_ref().map(|s| SurfaceRateModel {
            terms: vec![RateTerm::from_surface(&material.name, s, 1.0)],
        })
    }

    /// ln B_eff(T) = ln Σ w_m exp(ln B_m(T)) [ln nm⁴/s], by log-sum-exp.
    pub fn ln_b(&self, temperature_k: f64) -> f64 {
        let logs: Vec<f64> = self
            .terms
            .iter()
            .map(|t| t.weight.ln() + t.ln_b(temperature_k))
            .collect();
        let max = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        max + logs.iter().map(|l| (l - max).exp()).sum::<f64>().ln()
    }

    /// A sample of the model with every uncertain parameter drawn through its error source:
    /// per term, z_E = z(E_a source), z_D = z(D₀ source), z_γ = z(γ source) and
    /// E_a = E_a⁰ + σ_E z_E, ln D₀ = ln D₀⁰ + σ_lnD (ρ z_E + √(1−ρ²) z_D), ln γ = ln γ⁰ + σ_lnγ z_γ
    /// (bivariate normal of (E_a, ln D₀) with correlation ρ; γ lognormal; aging.md §5.2 "Our
    /// UQ: Monte Carlo over (Ea, ln D0) jointly (covariance), γ"). Terms naming the same source
    /// move together (module documentation).
    pub fn sample(&self, draw: &impl ErrorDraw) -> SurfaceRateModel {
        let terms = self
            .terms
            .iter()
            .map(|t| {
                let z1 = draw.z(&t.ea_error_source);
                let z2 = draw.z(&t.d0_error_source);
                let z3 = draw.z(&t.gamma_error_source);
                let rho = t.d0_ea_correlation.clamp(-1.0, 1.0);
                RateTerm {
                    ea_ev: t.ea_ev + t.sigma_ea_ev * z1,
                    ln_d0_nm2_per_s: t.ln_d0_nm2_per_s
                        + t.sigma_ln_d0 * (rho * z1 + (1.0 - rho * rho).sqrt() * z2),
                    ln_capillary_ev_nm4: t.ln_capillary_ev_nm4 + t.sigma_ln_gamma * z3,
                    ..t.clone()
                }
            })
            .collect();
        SurfaceRateModel { terms }
    }
}

/// The oxidation rate of the one oxidizing material of a stack, with its uncertainties, for
/// the competing-risks surrogate of the lifetime uncertainty (see [`super::uncertainty`]).
///
/// ln r(T) = ln r₀ − E_a/k_BT with r the rate the law integrates (k_p [nm²/s] for the parabolic
/// law, 1/τ [1/s] for the logarithmic law; [`crate::age::oxidation::ln_law_rate`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OxidationRateModel {
    /// Material name.
    pub material: String,
    /// ln r₀ (ln k_p0 with k_p0 in nm²/s, or −ln τ₀ with τ₀ in s).
    pub ln_prefactor: f64,
    /// E_a [eV].
    pub ea_ev: f64,
    /// σ(E_a) [eV] (0 if the library gives none).
    pub sigma_ea_ev: f64,
    /// σ(ln r₀) (`ln_uncertainty` or relative uncertainty of the prefactor; 0 if none).
    pub sigma_ln_prefactor: f64,
    /// Error source of E_a ([`error_source`]).
    pub ea_error_source: String,
    /// Error source of ln r₀.
    pub prefactor_error_source: String,
}

impl OxidationRateModel {
    /// The model of a material's oxidation law; `None` if inert or without oxidation data.
    pub fn of(material: &Material) -> Option<Self> {
        use crate::material::OxidationLaw;
        let ox = material.oxidation.as_ref()?;
        let (ln_prefactor, ea, prefactor, key) = match &ox.law {
            OxidationLaw::Inert => return None,
            OxidationLaw::Parabolic {
                kp0_nm2_per_s,
                activation_ev,
            } => (
                kp0_nm2_per_s.value.ln(),
                activation_ev,
                kp0_nm2_per_s,
                "oxidation.parabolic_kp0_cm2_per_s",
            ),
            OxidationLaw::Logarithmic {
                time_constant_s,
                activation_ev,
                ..
            } => (
                -time_constant_s.value.ln(),
                activation_ev,
                time_constant_s,
                "oxidation.log_time_constant_s",
            ),
        };
        let name = &material.name;
        Some(OxidationRateModel {
            material: name.clone(),
            ln_prefactor,
            ea_ev: ea.value,
            sigma_ea_ev: ea.uncertainty.unwrap_or(0.0),
            sigma_ln_prefactor: prefactor.sigma_ln(),
            ea_error_source: error_source(name, "oxidation.activation_ev", ea),
            prefactor_error_source: error_source(name, key, prefactor),
        })
    }

    /// ln r(T).
    pub fn ln_rate(&self, temperature_k: f64) -> f64 {
        self.ln_prefactor - self.ea_ev / (BOLTZMANN_EV_PER_K * temperature_k)
    }

    /// The (source, σ) pairs of this model's random variables with σ > 0 (E_a, r₀).
    pub fn sources(&self) -> Vec<(&str, f64)> {
        [
            (self.ea_error_source.as_str(), self.sigma_ea_ev),
            (
                self.prefactor_error_source.as_str(),
                self.sigma_ln_prefactor,
            ),
        ]
        .into_iter()
        .filter(|(_, sigma)| *sigma > 0.0)
        .collect()
    }

    /// A sample: E_a = E_a⁰ + σ_E z₁, ln r₀ = ln r₀⁰ + σ_ln z₂ with z₁, z₂ the values of the two
    /// error sources (the library gives no correlation for oxidation constants; the rate
    /// pivots about T = ∞ when only E_a is uncertain).
    pub fn sample(&self, draw: &impl ErrorDraw) -> OxidationRateModel {
        let z1 = draw.z(&self.ea_error_source);
        let z2 = draw.z(&self.prefactor_error_source);
        OxidationRateModel {
            ea_ev: self.ea_ev + self.sigma_ea_ev * z1,
            ln_prefactor: self.ln_prefactor + self.sigma_ln_prefactor * z2,
            ..self.clone()
        }
    }
}
