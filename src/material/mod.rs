//! Material records: composition, density, collision energies, surface transport, oxidation
//! and bulk diffusion, each number with its provenance.
//!
//! Owns the domain types only; reading `sims/materials/*.toml` is `config`'s job. All values
//! are in internal units (nm, eV, s, K); conversion from the file's units (g/cm³, cm²/s, J/m²)
//! happens in `config`.

pub mod element;
pub mod parameter;

pub use element::Element;

use crate::units;

/// Where a number comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Measured on this material (citation in `source`).
    Measured,
    /// Taken from the literature: a handbook, review or calculation (citation in `source`).
    Literature,
    /// Estimated by a stated rule (the rule in `source`).
    Estimated,
}

/// A material parameter with its provenance and, where known, a one-sigma uncertainty in the
/// same unit as the value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sourced {
    /// The value, in the unit named by the field holding it.
    pub value: f64,
    /// Measured, literature or estimated.
    pub provenance: Provenance,
    /// Citation, or the estimation rule.
    pub source: String,
    /// One-sigma absolute uncertainty, same unit as `value`.
    pub uncertainty: Option<f64>,
    /// One-sigma uncertainty of ln(value) (a log-normal spread, for prefactors whose spread
    /// spans decades, where an absolute σ would be meaningless); takes precedence over
    /// `uncertainty` wherever a relative spread is used.
    pub ln_uncertainty: Option<f64>,
}

impl Sourced {
    /// A copy with the value (and uncertainty) multiplied by a unit factor.
    pub fn scaled(&self, factor: f64) -> Sourced {
        // ln_uncertainty is invariant under a unit factor.
        Sourced {
            value: self.value * factor,
            uncertainty: self.uncertainty.map(|u| u * factor),
            ..self.clone()
        }
    }

    /// σ of ln(value): `ln_uncertainty` if given, else the relative uncertainty u/|value| (delta
    /// method), else 0.
    pub fn sigma_ln(&self) -> f64 {
        self.ln_uncertainty
            .or_else(|| self.uncertainty.map(|u| u / self.value.abs()))
            .unwrap_or(0.0)
    }
}

/// One element of a material with its collision energies (used by `bca`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Constituent {
    /// The element.
    #[serde(serialize_with = "serialize_element")]
    pub element: Element,
    /// Atomic fraction in the material (fractions of a material sum to 1).
    pub atomic_fraction: f64,
    /// Planar surface-binding energy Es [eV] (the barrier a sputtered atom must overcome).
    pub surface_binding_ev: Sourced,
    /// Displacement energy Ed [eV]: energy a recoil needs to leave its site.
    pub displacement_ev: Sourced,
    /// Cutoff energy Ec [eV]: moving atoms below it are stopped.
    pub cutoff_ev: Sourced,
}

fn serialize_element<S: serde::Serializer>(e: &Element, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(e.symbol)
}

/// Capillary surface transport (Mullins): B = Ds γ Ω² ν / kT with Ds = D0 exp(−Ea/kT).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SurfaceTransport {
    /// Surface energy γ [J/m²].
    pub surface_energy_j_m2: Sourced,
    /// Volume per formula unit Ω [nm³].
    pub formula_volume_nm3: Sourced,
    /// Melting (or decomposition) temperature [K], used by estimation rules.
    pub melting_k: Sourced,
    /// Surface self-diffusion prefactor D0 [nm²/s].
    pub diffusion_d0_nm2_per_s: Sourced,
    /// Surface self-diffusion activation energy Ea [eV].
    pub diffusion_ea_ev: Sourced,
    /// Correlation coefficient of (ln D0, Ea) for uncertainty sampling (Meyer–Neldel
    /// compensation makes fitted pairs strongly correlated); 0 when unknown.
    pub d0_ea_correlation: f64,
}

/// Viscosity η(T) of a glass, fixed by its three standard viscosity points (ASTM C336 fibre
/// elongation for the strain and annealing points, ASTM C338 for the softening point): the
/// strain point is where log₁₀ η [Pa·s] = 13.5, the annealing point 12.0, the Littleton
/// softening point 6.6 (10^14.5, 10^13, 10^7.6 dPa·s; Ohara "thermal properties" table, EAG
/// application note "physical properties of glass"). A Vogel–Fulcher–Tammann law
/// log₁₀ η = A + B/(T − T₀) passes through all three (`age::viscous`); below the strain point,
/// where a glass falls out of equilibrium, the curve is continued as an Arrhenius law.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Viscosity {
    /// Strain point [K] (η = 10^13.5 Pa·s).
    pub strain_point_k: Sourced,
    /// Annealing point [K] (η = 10^12 Pa·s).
    pub annealing_point_k: Sourced,
    /// Littleton softening point [K] (η = 10^6.6 Pa·s).
    pub softening_point_k: Sourced,
    /// Glass transition temperature Tg [K] (dilatometric or DSC; reported, not used by η(T)).
    pub glass_transition_k: Sourced,
    /// Surface tension of the glass (the melt value that drives viscous flattening) [J/m²].
    pub surface_tension_j_m2: Sourced,
}

/// log₁₀ η [Pa·s] at the strain point (ASTM C336: 10^14.5 dPa·s).
pub const LOG10_ETA_STRAIN_PA_S: f64 = 13.5;
/// log₁₀ η [Pa·s] at the annealing point (ASTM C336: 10^13 dPa·s).
pub const LOG10_ETA_ANNEALING_PA_S: f64 = 12.0;
/// log₁₀ η [Pa·s] at the Littleton softening point (ASTM C338: 10^7.6 dPa·s).
pub const LOG10_ETA_SOFTENING_PA_S: f64 = 6.6;

/// Kinetic law of film oxidation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "law", rename_all = "lowercase")]
pub enum OxidationLaw {
    /// The material does not oxidize in the regime modelled (e.g. an oxide).
    Inert,
    /// x² = kp t with kp = kp0 exp(−Ea/kT) (Wagner).
    Parabolic {
        /// Prefactor kp0 [nm²/s].
        kp0_nm2_per_s: Sourced,
        /// Activation energy [eV].
        activation_ev: Sourced,
    },
    /// x = a ln(1 + t/τ) with τ = τ0 exp(Ea/kT): thin native oxides (Cabrera–Mott regime).
    Logarithmic {
        /// Amplitude a [nm].
        amplitude_nm: Sourced,
        /// Time constant prefactor τ0 [s].
        time_constant_s: Sourced,
        /// Activation energy [eV].
        activation_ev: Sourced,
    },
}

/// Oxidation of the material and what the oxide is.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Oxidation {
    /// The kinetic law and its constants.
    pub law: OxidationLaw,
    /// Oxide formula, e.g. `Cr2O3`.
    pub oxide_formula: String,
    /// Oxide composition (element, atomic fraction).
    #[serde(skip)]
    pub oxide_elements: Vec<(Element, f64)>,
    /// Oxide density [g/cm³].
    pub oxide_density_g_cm3: Sourced,
    /// Pilling–Bedworth ratio: oxide volume per volume of film consumed.
    pub pilling_bedworth_ratio: Sourced,
    /// Native oxide thickness present at t = 0 [nm].
    pub native_oxide_nm: Sourced,
    /// The oxide as a library material (its own surface transport, SE yield, density,
    /// resistivity), when the file names one (`oxide_material`); `None` for inert oxides
    /// (the oxide is the material itself) and where the library has no file for the oxide.
    #[serde(skip)]
    pub oxide_material: Option<Box<Material>>,
}

/// Bulk (lattice or effective) diffusion of one species in the material.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BulkDiffusion {
    /// The diffusing species.
    #[serde(serialize_with = "serialize_element")]
    pub species: Element,
    /// Prefactor D0 [nm²/s].
    pub d0_nm2_per_s: Sourced,
    /// Activation energy [eV].
    pub activation_ev: Sourced,
}

/// A solid material: everything the physics stages need to know about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Material {
    /// Short name used in scenario files, e.g. `CrN`.
    pub name: String,
    /// One line on what the material is (phase, how made).
    pub description: String,
    /// Mass density [g/cm³].
    pub density_g_cm3: Sourced,
    /// Elements with their fractions and collision energies.
    pub constituents: Vec<Constituent>,
    /// Capillary surface transport parameters (`None` for collision-only reference solids, and
    /// for glasses without a measured surface diffusivity: they relax by viscous flow).
    pub surface: Option<SurfaceTransport>,
    /// Viscosity of a glass (`None` for crystalline materials): viscous flow F = γ/(2η).
    pub viscosity: Option<Viscosity>,
    /// Oxidation behaviour (`None` for collision-only reference solids).
    pub oxidation: Option<Oxidation>,
    /// Bulk diffusion of species in this material.
    pub bulk_diffusion: Vec<BulkDiffusion>,
    /// Secondary-electron escape depth λ_SE [nm] (sets the SEM edge-brightening width).
    pub se_escape_depth_nm: Sourced,
    /// Maximum secondary-electron yield δ_max at normal incidence (SE per primary).
    pub se_yield_max: Sourced,
    /// Primary energy E_max at which the SE yield peaks [eV].
    pub se_yield_max_energy_ev: Sourced,
    /// Electrical resistivity at room temperature [Ω·m]: whether the surface can carry away
    /// the charge an electron beam deposits (see [`Material::is_insulating`]).
    pub electrical_resistivity_ohm_m: Sourced,
}

/// Resistivity above which a material is an insulator for the readout [Ω·m]. Conductors
/// (metals, metallic nitrides) lie below 1e-4 Ω·m, semiconductors between, insulators (oxides,
/// glasses) above 1e6 Ω·m; charging of an uncoated surface in the SEM is reported for
/// insulators (Cazaux, J. Microsc. 214 (2004) 341: charging needs a dielectric whose leakage
/// cannot carry the beam current). The exact threshold inside the gap 1e-4…1e6 does not matter
/// for the library's materials.
pub const INSULATOR_RESISTIVITY_OHM_M: f64 = 1.0e6;

impl Material {
    /// Whether the surface charges under an electron beam when uncoated (resistivity above
    /// [`INSULATOR_RESISTIVITY_OHM_M`]).
    pub fn is_insulating(&self) -> bool {
        self.electrical_resistivity_ohm_m.value > INSULATOR_RESISTIVITY_OHM_M
    }

    /// The material at the surface of an oxidized column: the oxide's library record where
    /// there is one, else the material itself (inert oxides, or no oxide file).
    pub fn oxide_or_self(&self) -> &Material {
        self.oxidation
            .as_ref()
            .and_then(|o| o.oxide_material.as_deref())
            .unwrap_or(self)
    }

    /// Whether the material relaxes by capillary transport at all: surface diffusion data or a
    /// glass viscosity.
    pub fn has_capillary_transport(&self) -> bool {
        self.surface.is_some() || self.viscosity.is_some()
    }

    /// Mean atomic mass ⟨M⟩ = Σ cᵢ Mᵢ [amu].
    pub fn mean_atomic_mass_amu(&self) -> f64 {
        self.constituents
            .iter()
            .map(|c| c.atomic_fraction * c.element.mass_amu)
            .sum()
    }

    /// Atomic number density n = ρ N_A / ⟨M⟩ [atoms/nm³].
    pub fn number_density_per_nm3(&self) -> f64 {
        units::number_density_per_nm3(self.density_g_cm3.value, self.mean_atomic_mass_amu())
    }

    /// Secondary-electron yield δ(E₀) at normal incidence from the universal yield curve of
    /// Lin & Joy, Surf. Interface Anal. 37 (2005) 895:
    /// δ/δ_max = 1.28 (E₀/E_max)^−0.67 · [1 − exp(−1.614 (E₀/E_max)^1.67)].
    pub fn se_yield(&self, beam_energy_ev: f64) -> f64 {
        let x = beam_energy_ev / self.se_yield_max_energy_ev.value;
        self.se_yield_max.value * 1.28 * x.powf(-0.67) * (1.0 - (-1.614 * x.powf(1.67)).exp())
    }

    /// Mass fractions wᵢ = cᵢ Mᵢ / ⟨M⟩, in constituent order.
    pub fn mass_fractions(&self) -> Vec<(Element, f64)> {
        let mean = self.mean_atomic_mass_amu();
        self.constituents
            .iter()
            .map(|c| (c.element, c.atomic_fraction * c.element.mass_amu / mean))
            .collect()
    }
}

/// Mass fractions of a composition given as (element, atomic fraction) pairs.
pub fn mass_fractions_of(composition: &[(Element, f64)]) -> Vec<(Element, f64)> {
    let mean: f64 = composition.iter().map(|(e, c)| c * e.mass_amu).sum();
    composition
        .iter()
        .map(|(e, c)| (*e, c * e.mass_amu / mean))
        .collect()
}
