//! `sims/materials/*.toml`: the material file format and its conversion to [`Material`].
//!
//! The file is in user units (g/cm³, cm²/s, J/m², nm³, eV, K, s); the conversion to internal
//! units (nm²/s) happens here and nowhere else. Every number is a table
//! `{ value, provenance, source, uncertainty?, ln_uncertainty? }`; a bare number is rejected so that no
//! parameter enters the library without saying where it comes from.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::material::{
    BulkDiffusion, Constituent, Element, Material, Oxidation, OxidationLaw, Provenance, Sourced,
    SurfaceTransport, Viscosity, element,
};

/// cm²/s → nm²/s.
const CM2_TO_NM2: f64 = 1.0e14;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourced {
    value: f64,
    provenance: Provenance,
    source: String,
    #[serde(default)]
    uncertainty: Option<f64>,
    #[serde(default)]
    ln_uncertainty: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstituent {
    symbol: String,
    atomic_fraction: f64,
    surface_binding_ev: RawSourced,
    displacement_ev: RawSourced,
    cutoff_ev: RawSourced,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurface {
    surface_energy_j_m2: RawSourced,
    formula_volume_nm3: RawSourced,
    melting_k: RawSourced,
    diffusion_d0_cm2_per_s: RawSourced,
    diffusion_ea_ev: RawSourced,
    #[serde(default)]
    d0_ea_correlation: Option<RawSourced>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawViscosity {
    strain_point_k: RawSourced,
    annealing_point_k: RawSourced,
    softening_point_k: RawSourced,
    glass_transition_k: RawSourced,
    surface_tension_j_m2: RawSourced,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawLaw {
    Inert,
    Parabolic,
    Logarithmic,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    symbol: String,
    atomic_fraction: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOxidation {
    law: RawLaw,
    oxide_formula: String,
    oxide_elements: Vec<RawComponent>,
    oxide_density_g_cm3: RawSourced,
    pilling_bedworth_ratio: RawSourced,
    native_oxide_nm: RawSourced,
    #[serde(default)]
    oxide_material: Option<String>,
    #[serde(default)]
    parabolic_kp0_cm2_per_s: Option<RawSourced>,
    #[serde(default)]
    activation_ev: Option<RawSourced>,
    #[serde(default)]
    log_amplitude_nm: Option<RawSourced>,
    #[serde(default)]
    log_time_constant_s: Option<RawSourced>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBulk {
    species: String,
    d0_cm2_per_s: RawSourced,
    activation_ev: RawSourced,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterial {
    name: String,
    description: String,
    density_g_cm3: RawSourced,
    se_escape_depth_nm: RawSourced,
    se_yield_max: RawSourced,
    se_yield_max_energy_ev: RawSourced,
    electrical_resistivity_ohm_m: RawSourced,
    elements: Vec<RawConstituent>,
    #[serde(default)]
    surface: Option<RawSurface>,
    #[serde(default)]
    viscosity: Option<RawViscosity>,
    #[serde(default)]
    oxidation: Option<RawOxidation>,
    #[serde(default)]
    bulk_diffusion: Vec<RawBulk>,
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, key: &str, rule: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::input(Some(self.file.to_path_buf()), key, None, rule, hint)
    }

    fn sourced(&self, key: &str, raw: RawSourced, min_exclusive: Option<f64>) -> Result<Sourced> {
        if !raw.value.is_finite() {
            return Err(self.err(key, format!("value must be finite (got {})", raw.value), ""));
        }
        if let Some(min) = min_exclusive
            && raw.value <= min
        {
            return Err(self.err(
                key,
                format!("value must be > {min} (got {})", raw.value),
                "check the unit in the key name",
            ));
        }
        if let Some(u) = raw.uncertainty
            && !(u.is_finite() && u >= 0.0)
        {
            return Err(self.err(key, format!("uncertainty must be ≥ 0 (got {u})"), ""));
        }
        if let Some(u) = raw.ln_uncertainty
            && !(u.is_finite() && (0.0..=20.0).contains(&u))
        {
            return Err(self.err(
                key,
                format!("ln_uncertainty must be in [0, 20] (σ of ln value; got {u})"),
                "a spread of ±1 decade at one sigma is ln_uncertainty = 2.303",
            ));
        }
        if raw.source.trim().is_empty() {
            return Err(self.err(
                key,
                "source is empty",
                "give the citation (measured/literature) or the estimation rule (estimated)",
            ));
        }
        Ok(Sourced {
            value: raw.value,
            provenance: raw.provenance,
            source: raw.source,
            uncertainty: raw.uncertainty,
            ln_uncertainty: raw.ln_uncertainty,
        })
    }

    fn element(&self, key: &str, symbol: &str) -> Result<Element> {
        element::by_symbol(symbol).ok_or_else(|| {
            self.err(
                key,
                format!("unknown element symbol `{symbol}`"),
                "write the symbol as chemistry does, e.g. `Cr`, `N`, `Si`",
            )
        })
    }

    fn fractions_sum_to_one(&self, key: &str, fractions: &[f64]) -> Result<()> {
        let sum: f64 = fractions.iter().sum();
        if fractions.iter().any(|f| !(*f > 0.0 && *f <= 1.0)) || (sum - 1.0).abs() > 1e-6 {
            return Err(self.err(
                key,
                format!("atomic fractions must be in (0, 1] and sum to 1 (sum = {sum})"),
                "normalise the fractions",
            ));
        }
        Ok(())
    }
}

/// Parses one material file's text. `file` is used only in error messages. The oxide named by
/// `oxidation.oxide_material` is not resolved here (see [`MaterialLibrary::load`]).
pub fn parse_material(text: &str, file: &Path) -> Result<Material> {
    parse_with_oxide_name(text, file).map(|(m, _)| m)
}

/// [`parse_material`] and the library name of the oxide material, if the file gives one.
fn parse_with_oxide_name(text: &str, file: &Path) -> Result<(Material, Option<String>)> {
    let raw: RawMaterial =
        super::from_toml_str(text, file, "see sims/materials/CrN.toml for the format")?;
    let cx = Ctx { file };
    if raw.elements.is_empty() {
        return Err(cx.err("elements", "at least one element is required", ""));
    }
    let mut constituents = Vec::with_capacity(raw.elements.len());
    for (i, c) in raw.elements.into_iter().enumerate() {
        let k = |f: &str| format!("elements[{i}].{f}");
        constituents.push(Constituent {
            element: cx.element(&k("symbol"), &c.symbol)?,
            atomic_fraction: c.atomic_fraction,
            surface_binding_ev: cx.sourced(
                &k("surface_binding_ev"),
                c.surface_binding_ev,
                Some(0.0),
            )?,
            displacement_ev: cx.sourced(&k("displacement_ev"), c.displacement_ev, Some(0.0))?,
            cutoff_ev: cx.sourced(&k("cutoff_ev"), c.cutoff_ev, Some(0.0))?,
        });
    }
    let fractions: Vec<f64> = constituents.iter().map(|c| c.atomic_fraction).collect();
    cx.fractions_sum_to_one("elements", &fractions)?;

    let surface = raw.surface.map(|s| surface_transport(&cx, s)).transpose()?;
    let viscosity = raw.viscosity.map(|v| viscosity(&cx, v)).transpose()?;
    let oxide_name = raw
        .oxidation
        .as_ref()
        .and_then(|o| o.oxide_material.clone());
    let oxidation = raw.oxidation.map(|o| oxidation(&cx, o)).transpose()?;

    let mut bulk_diffusion = Vec::new();
    for (i, b) in raw.bulk_diffusion.into_iter().enumerate() {
        let k = |f: &str| format!("bulk_diffusion[{i}].{f}");
        bulk_diffusion.push(BulkDiffusion {
            species: cx.element(&k("species"), &b.species)?,
            d0_nm2_per_s: cx
                .sourced(&k("d0_cm2_per_s"), b.d0_cm2_per_s, Some(0.0))?
                .scaled(CM2_TO_NM2),
            activation_ev: cx.sourced(&k("activation_ev"), b.activation_ev, Some(0.0))?,
        });
    }

    let material = Material {
        name: raw.name,
        description: raw.description,
        density_g_cm3: cx.sourced("density_g_cm3", raw.density_g_cm3, Some(0.0))?,
        constituents,
        surface,
        viscosity,
        oxidation,
        bulk_diffusion,
        se_escape_depth_nm: cx.sourced("se_escape_depth_nm", raw.se_escape_depth_nm, Some(0.0))?,
        se_yield_max: cx.sourced("se_yield_max", raw.se_yield_max, Some(0.0))?,
        se_yield_max_energy_ev: cx.sourced(
            "se_yield_max_energy_ev",
            raw.se_yield_max_energy_ev,
            Some(0.0),
        )?,
        electrical_resistivity_ohm_m: cx.sourced(
            "electrical_resistivity_ohm_m",
            raw.electrical_resistivity_ohm_m,
            Some(0.0),
        )?,
    };
    Ok((material, oxide_name))
}

fn viscosity(cx: &Ctx, v: RawViscosity) -> Result<Viscosity> {
    let k = |f: &str| format!("viscosity.{f}");
    let out = Viscosity {
        strain_point_k: cx.sourced(&k("strain_point_k"), v.strain_point_k, Some(0.0))?,
        annealing_point_k: cx.sourced(&k("annealing_point_k"), v.annealing_point_k, Some(0.0))?,
        softening_point_k: cx.sourced(&k("softening_point_k"), v.softening_point_k, Some(0.0))?,
        glass_transition_k: cx.sourced(
            &k("glass_transition_k"),
            v.glass_transition_k,
            Some(0.0),
        )?,
        surface_tension_j_m2: cx.sourced(
            &k("surface_tension_j_m2"),
            v.surface_tension_j_m2,
            Some(0.0),
        )?,
    };
    let (s, a, f) = (
        out.strain_point_k.value,
        out.annealing_point_k.value,
        out.softening_point_k.value,
    );
    if !(s < a && a < f) {
        return Err(cx.err(
            "viscosity",
            format!("fixed points must rise: strain {s} K < annealing {a} K < softening {f} K"),
            "the strain point (10^13.5 Pa·s) is the coldest, the softening point (10^6.6 Pa·s) the hottest",
        ));
    }
    // Three points fix a VFT law only if they bend the right way (T₀ below the strain point).
    if crate::age::viscous::Vft::through_fixed_points(&out).is_none() {
        return Err(cx.err(
            "viscosity",
            format!(
                "no Vogel–Fulcher–Tammann law with T₀ < strain point passes through {s}, {a}, {f} K"
            ),
            "check the three fixed points against the data sheet",
        ));
    }
    Ok(out)
}

fn surface_transport(cx: &Ctx, s: RawSurface) -> Result<SurfaceTransport> {
    let correlation = match s.d0_ea_correlation {
        Some(r) => {
            let r = cx.sourced("surface.d0_ea_correlation", r, None)?;
            if !(-1.0..=1.0).contains(&r.value) {
                return Err(cx.err("surface.d0_ea_correlation", "must lie in [-1, 1]", ""));
            }
            r.value
        }
        None => 0.0,
    };
    let surface = SurfaceTransport {
        surface_energy_j_m2: cx.sourced(
            "surface.surface_energy_j_m2",
            s.surface_energy_j_m2,
            Some(0.0),
        )?,
        formula_volume_nm3: cx.sourced(
            "surface.formula_volume_nm3",
            s.formula_volume_nm3,
            Some(0.0),
        )?,
        melting_k: cx.sourced("surface.melting_k", s.melting_k, Some(0.0))?,
        diffusion_d0_nm2_per_s: cx
            .sourced(
                "surface.diffusion_d0_cm2_per_s",
                s.diffusion_d0_cm2_per_s,
                Some(0.0),
            )?
            .scaled(CM2_TO_NM2),
        diffusion_ea_ev: cx.sourced("surface.diffusion_ea_ev", s.diffusion_ea_ev, Some(0.0))?,
        d0_ea_correlation: correlation,
    };
    Ok(surface)
}

fn oxidation(cx: &Ctx, o: RawOxidation) -> Result<Oxidation> {
    let need = |key: &str, v: Option<RawSourced>| -> Result<RawSourced> {
        v.ok_or_else(|| {
            cx.err(
                &format!("oxidation.{key}"),
                "missing: required by this oxidation law",
                format!("add `{key} = {{ value = …, provenance = …, source = … }}`"),
            )
        })
    };
    let law = match o.law {
        RawLaw::Inert => OxidationLaw::Inert,
        RawLaw::Parabolic => OxidationLaw::Parabolic {
            kp0_nm2_per_s: cx
                .sourced(
                    "oxidation.parabolic_kp0_cm2_per_s",
                    need("parabolic_kp0_cm2_per_s", o.parabolic_kp0_cm2_per_s)?,
                    Some(0.0),
                )?
                .scaled(CM2_TO_NM2),
            activation_ev: cx.sourced(
                "oxidation.activation_ev",
                need("activation_ev", o.activation_ev)?,
                Some(0.0),
            )?,
        },
        RawLaw::Logarithmic => OxidationLaw::Logarithmic {
            amplitude_nm: cx.sourced(
                "oxidation.log_amplitude_nm",
                need("log_amplitude_nm", o.log_amplitude_nm)?,
                Some(0.0),
            )?,
            time_constant_s: cx.sourced(
                "oxidation.log_time_constant_s",
                need("log_time_constant_s", o.log_time_constant_s)?,
                Some(0.0),
            )?,
            activation_ev: cx.sourced(
                "oxidation.activation_ev",
                need("activation_ev", o.activation_ev)?,
                Some(0.0),
            )?,
        },
    };
    let mut oxide_elements = Vec::new();
    for (i, c) in o.oxide_elements.iter().enumerate() {
        oxide_elements.push((
            cx.element(&format!("oxidation.oxide_elements[{i}].symbol"), &c.symbol)?,
            c.atomic_fraction,
        ));
    }
    let ox_fractions: Vec<f64> = oxide_elements.iter().map(|(_, f)| *f).collect();
    cx.fractions_sum_to_one("oxidation.oxide_elements", &ox_fractions)?;
    let oxidation = Oxidation {
        law,
        oxide_formula: o.oxide_formula,
        oxide_elements,
        oxide_density_g_cm3: cx.sourced(
            "oxidation.oxide_density_g_cm3",
            o.oxide_density_g_cm3,
            Some(0.0),
        )?,
        pilling_bedworth_ratio: cx.sourced(
            "oxidation.pilling_bedworth_ratio",
            o.pilling_bedworth_ratio,
            Some(0.0),
        )?,
        native_oxide_nm: cx.sourced("oxidation.native_oxide_nm", o.native_oxide_nm, None)?,
        oxide_material: None,
    };
    Ok(oxidation)
}

/// The bundled library compiled into the binary: (path from the crate root, text) of every file
/// of `sims/materials/` and `sims/materials/elements/` (a unit test holds the list equal to the
/// directories), so that an installed binary has its materials.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "sims/materials/Al2O3.toml",
        include_str!("../../sims/materials/Al2O3.toml"),
    ),
    (
        "sims/materials/AlCrN.toml",
        include_str!("../../sims/materials/AlCrN.toml"),
    ),
    (
        "sims/materials/Au.toml",
        include_str!("../../sims/materials/Au.toml"),
    ),
    (
        "sims/materials/Cr2O3.toml",
        include_str!("../../sims/materials/Cr2O3.toml"),
    ),
    (
        "sims/materials/CrN.toml",
        include_str!("../../sims/materials/CrN.toml"),
    ),
    (
        "sims/materials/Si.toml",
        include_str!("../../sims/materials/Si.toml"),
    ),
    (
        "sims/materials/SiC.toml",
        include_str!("../../sims/materials/SiC.toml"),
    ),
    (
        "sims/materials/SiO2.toml",
        include_str!("../../sims/materials/SiO2.toml"),
    ),
    (
        "sims/materials/Ti0.5Al0.5N.toml",
        include_str!("../../sims/materials/Ti0.5Al0.5N.toml"),
    ),
    (
        "sims/materials/TiB2.toml",
        include_str!("../../sims/materials/TiB2.toml"),
    ),
    (
        "sims/materials/TiN.toml",
        include_str!("../../sims/materials/TiN.toml"),
    ),
    (
        "sims/materials/TiO2.toml",
        include_str!("../../sims/materials/TiO2.toml"),
    ),
    (
        "sims/materials/aluminosilicate.toml",
        include_str!("../../sims/materials/aluminosilicate.toml"),
    ),
    (
        "sims/materials/soda-lime.toml",
        include_str!("../../sims/materials/soda-lime.toml"),
    ),
    (
        "sims/materials/elements/Al.toml",
        include_str!("../../sims/materials/elements/Al.toml"),
    ),
    (
        "sims/materials/elements/Cr.toml",
        include_str!("../../sims/materials/elements/Cr.toml"),
    ),
    (
        "sims/materials/elements/Cu.toml",
        include_str!("../../sims/materials/elements/Cu.toml"),
    ),
    (
        "sims/materials/elements/Mo.toml",
        include_str!("../../sims/materials/elements/Mo.toml"),
    ),
    (
        "sims/materials/elements/Ni.toml",
        include_str!("../../sims/materials/elements/Ni.toml"),
    ),
    (
        "sims/materials/elements/Pt.toml",
        include_str!("../../sims/materials/elements/Pt.toml"),
    ),
    (
        "sims/materials/elements/Ta.toml",
        include_str!("../../sims/materials/elements/Ta.toml"),
    ),
    (
        "sims/materials/elements/Ti.toml",
        include_str!("../../sims/materials/elements/Ti.toml"),
    ),
    (
        "sims/materials/elements/W.toml",
        include_str!("../../sims/materials/elements/W.toml"),
    ),
];

/// Where the embedded files say they come from (messages and provenance name the file).
const EMBEDDED_DIR: &str = "sims/materials";

/// Where a library's files are.
#[derive(Debug, Clone)]
enum Source {
    /// `<dir>/*.toml` and `<dir>/elements/*.toml` on disk.
    Dir(PathBuf),
    /// The files compiled into the binary ([`EMBEDDED`]).
    Embedded,
}

/// The materials library: a directory of `<Name>.toml` files, or the bundled copy compiled into
/// the binary.
#[derive(Debug, Clone)]
pub struct MaterialLibrary {
    source: Source,
}

impl MaterialLibrary {
    /// A library rooted at `dir` (not read until a material is asked for).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        MaterialLibrary {
            source: Source::Dir(dir.into()),
        }
    }

    /// The bundled library: `sims/materials` of the source tree this binary was built from when
    /// it is still there (a checkout: edits to the files count, as for any library directory),
    /// else the copy compiled into the binary (an installed binary).
    pub fn bundled() -> Self {
        let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join(EMBEDDED_DIR);
        if checkout.is_dir() {
            Self::new(checkout)
        } else {
            Self::embedded()
        }
    }

    /// The copy of `sims/materials` compiled into the binary.
    pub fn embedded() -> Self {
        MaterialLibrary {
            source: Source::Embedded,
        }
    }

    /// The library directory (for the embedded copy: `sims/materials`, where its files come
    /// from).
    pub fn dir(&self) -> &Path {
        match &self.source {
            Source::Dir(dir) => dir,
            Source::Embedded => Path::new(EMBEDDED_DIR),
        }
    }

    /// All material files in the library: `<dir>/*.toml` (compounds and films) and
    /// `<dir>/elements/*.toml` (elemental reference solids), as (name, path), sorted by name.
    pub fn entries(&self) -> Vec<(String, PathBuf)> {
        let paths: Vec<PathBuf> = match &self.source {
            Source::Dir(dir) => [dir.clone(), dir.join("elements")]
                .iter()
                .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
                .map(|e| e.path())
                .collect(),
            Source::Embedded => EMBEDDED.iter().map(|(p, _)| PathBuf::from(p)).collect(),
        };
        let mut entries: Vec<(String, PathBuf)> = paths
            .into_iter()
            .filter_map(|p| {
                if p.extension()? != "toml" {
                    return None;
                }
                Some((p.file_stem()?.to_str()?.to_string(), p))
            })
            .collect();
        entries.sort();
        entries
    }

    /// Names of all materials in the library, sorted.
    pub fn names(&self) -> Vec<String> {
        self.entries().into_iter().map(|(n, _)| n).collect()
    }

    /// Loads material `name` (case-insensitive file stem). `key` and `from` say where the
    /// request came from, for the error message.
    pub fn load(&self, name: &str, key: &str, from: Option<&Path>) -> Result<Material> {
        let name = alias(name);
        let (mut material, oxide_name) = self.load_one(name, key, from)?;
        if let Some(oxide) = oxide_name
            && !oxide.eq_ignore_ascii_case(&material.name)
        {
            let path = self
                .entries()
                .into_iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, p)| p);
            let (ox, _) = self.load_one(&oxide, "oxidation.oxide_material", path.as_deref())?;
            if let Some(o) = material.oxidation.as_mut() {
                o.oxide_material = Some(Box::new(ox));
            }
        }
        Ok(material)
    }

    /// One file, without resolving its oxide.
    fn load_one(
        &self,
        name: &str,
        key: &str,
        from: Option<&Path>,
    ) -> Result<(Material, Option<String>)> {
        let entries = self.entries();
        let Some((_, path)) = entries.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
            let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
            let suggestion = super::suggest(name, names.iter().copied());
            return Err(Error::input(
                from.map(Path::to_path_buf),
                key,
                None,
                format!(
                    "unknown material `{name}` (library: {}{})",
                    self.dir().display(),
                    match self.source {
                        Source::Dir(_) => "",
                        Source::Embedded => ", built in",
                    }
                ),
                match suggestion {
                    Some(s) => format!("did you mean `{s}`? Available: {}", names.join(", ")),
                    None => format!("available: {}", names.join(", ")),
                },
            ));
        };
        let text = match self.source {
            Source::Dir(_) => std::fs::read_to_string(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?,
            Source::Embedded => EMBEDDED
                .iter()
                .find(|(p, _)| Path::new(p) == path)
                .map(|(_, text)| text.to_string())
                .expect("entries of the embedded library are in EMBEDDED"),
        };
        parse_with_oxide_name(&text, path)
    }
}

/// Names a scenario may use for a library file: `fused-silica` is `SiO2` (the library's fused
/// silica); every other name is a file stem.
pub const ALIASES: &[(&str, &str)] = &[("fused-silica", "SiO2")];

fn alias(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(name))
        .map(|(_, n)| *n)
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_material_parses_with_provenance() {
        let lib = MaterialLibrary::bundled();
        let names = lib.names();
        assert!(names.iter().any(|n| n == "CrN"), "{names:?}");
        for name in names {
            let m = lib
                .load(&name, "test", None)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(m.number_density_per_nm3() > 10.0, "{name}");
        }
    }

    #[test]
    fn crn_number_density_matches_lattice() {
        // Rock salt with a = 4.148 Å holds 8 atoms per a³: n = 8 / 0.07137 nm³ = 112.1 nm⁻³.
        let m = MaterialLibrary::bundled()
            .load("crn", "test", None)
            .unwrap();
        let n = m.number_density_per_nm3();
        assert!((n - 112.1).abs() < 0.5, "n = {n}");
    }

    #[test]
    fn bare_number_is_rejected() {
        let text = std::fs::read_to_string(MaterialLibrary::bundled().dir().join("CrN.toml"))
            .unwrap()
            .replace(
                "density_g_cm3 = { value = 6.14,",
                "density_g_cm3 = 6.14\nx = {",
            );
        let e = parse_material(&text, Path::new("CrN.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("CrN.toml"), "{e}");
    }

    #[test]
    fn the_embedded_library_is_the_directory() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let on_disk: Vec<(String, PathBuf)> = MaterialLibrary::new(root.join(EMBEDDED_DIR))
            .entries()
            .into_iter()
            .map(|(n, p)| (n, p.strip_prefix(root).unwrap().to_path_buf()))
            .collect();
        let embedded = MaterialLibrary::embedded();
        assert_eq!(
            embedded.entries(),
            on_disk,
            "update EMBEDDED to sims/materials/"
        );
        for (path, text) in EMBEDDED {
            assert_eq!(
                *text,
                std::fs::read_to_string(root.join(path)).unwrap(),
                "{path}"
            );
        }
        let dir = MaterialLibrary::new(root.join(EMBEDDED_DIR));
        for name in embedded.names() {
            let (e, d) = (
                embedded.load(&name, "test", None),
                dir.load(&name, "test", None),
            );
            assert_eq!(e.unwrap().name, d.unwrap().name);
        }
    }

    #[test]
    fn unknown_material_suggests_a_name() {
        let e = MaterialLibrary::bundled()
            .load("CrNN", "film.material", None)
            .unwrap_err();
        assert!(e.to_string().contains("did you mean `CrN`"), "{e}");
    }
}
