//! A kinetic constant of a material addressed by its material-file key: get and set it on a
//! [`Material`] in the unit of the material file (the unit a calibration prior is written in).
//!
//! The keys are the material-file keys of `sims/materials/*.toml` (`[surface]` and
//! `[oxidation]` tables); values are in the file's units, converted here to the internal ones
//! (D₀ and k_p0: cm²/s in the file, nm²/s inside, factor 1e14).

use super::{Material, OxidationLaw};

/// cm² → nm² (the material files give D₀ and k_p0 in cm²/s).
const CM2_TO_NM2: f64 = 1.0e14;

/// A kinetic material-file key that can be calibrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KineticKey {
    /// `[surface] diffusion_ea_ev`: surface self-diffusion activation energy [eV].
    SurfaceDiffusionEa,
    /// `[surface] diffusion_d0_cm2_per_s`: surface self-diffusion prefactor [cm²/s].
    SurfaceDiffusionD0,
    /// `[surface] surface_energy_j_m2`: surface energy γ [J/m²].
    SurfaceEnergy,
    /// `[oxidation] activation_ev`: oxidation activation energy [eV] (parabolic or
    /// logarithmic law).
    OxidationEa,
    /// `[oxidation] parabolic_kp0_cm2_per_s`: parabolic rate prefactor [cm²/s].
    OxidationKp0,
}
crate::choices!(KineticKey {
    KineticKey::SurfaceDiffusionEa => "diffusion_ea_ev",
    KineticKey::SurfaceDiffusionD0 => "diffusion_d0_cm2_per_s",
    KineticKey::SurfaceEnergy => "surface_energy_j_m2",
    KineticKey::OxidationEa => "activation_ev",
    KineticKey::OxidationKp0 => "parabolic_kp0_cm2_per_s",
});

/// Why a key cannot be read or written on a material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterError {
    /// The material has no `[surface]` table.
    NoSurface,
    /// The material has no `[oxidation]` table, or its law has no such constant (an inert
    /// law, or k_p0 of a logarithmic law).
    NoOxidationConstant,
    /// A value that the key cannot take (non-finite, or ≤ 0 for a prefactor or energy).
    BadValue,
}

impl std::fmt::Display for ParameterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ParameterError::NoSurface => "the material has no [surface] table",
            ParameterError::NoOxidationConstant => {
                "the material's [oxidation] law has no such constant (inert or another law)"
            }
            ParameterError::BadValue => "the value must be finite and > 0",
        })
    }
}

/// A typed handle "material + material-file key".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Parameter {
    /// Material name, e.g. `CrN`.
    pub material: String,
    /// The key.
    pub key: KineticKey,
}

impl KineticKey {
    /// The table of the material file the key lives in.
    pub fn table(self) -> &'static str {
        match self {
            KineticKey::SurfaceDiffusionEa
            | KineticKey::SurfaceDiffusionD0
            | KineticKey::SurfaceEnergy => "surface",
            KineticKey::OxidationEa | KineticKey::OxidationKp0 => "oxidation",
        }
    }

    /// The value on `m`, in the material file's unit.
    pub fn get(self, m: &Material) -> Result<f64, ParameterError> {
        let surface = || m.surface.as_ref().ok_or(ParameterError::NoSurface);
        match self {
            KineticKey::SurfaceDiffusionEa => Ok(surface()?.diffusion_ea_ev.value),
            KineticKey::SurfaceDiffusionD0 => {
                Ok(surface()?.diffusion_d0_nm2_per_s.value / CM2_TO_NM2)
            }
            KineticKey::SurfaceEnergy => Ok(surface()?.surface_energy_j_m2.value),
            KineticKey::OxidationEa | KineticKey::OxidationKp0 => {
                let law = &m
                    .oxidation
                    .as_ref()
                    .ok_or(ParameterError::NoOxidationConstant)?
                    .law;
                match (self, law) {
                    (KineticKey::OxidationEa, OxidationLaw::Parabolic { activation_ev, .. })
                    | (KineticKey::OxidationEa, OxidationLaw::Logarithmic { activation_ev, .. }) => {
                        Ok(activation_ev.value)
                    }
                    (KineticKey::OxidationKp0, OxidationLaw::Parabolic { kp0_nm2_per_s, .. }) => {
                        Ok(kp0_nm2_per_s.value / CM2_TO_NM2)
                    }
                    _ => Err(ParameterError::NoOxidationConstant),
                }
            }
        }
    }

    /// Sets the value on `m` (material-file unit). The provenance of the constant is kept;
    /// the caller records that the value is a calibration draw.
    pub fn set(self, m: &mut Material, value: f64) -> Result<(), ParameterError> {
        if !value.is_finite() || value <= 0.0 {
            return Err(ParameterError::BadValue);
        }
        self.get(m)?;
        match self {
            KineticKey::SurfaceDiffusionEa => {
                m.surface.as_mut().expect("checked").diffusion_ea_ev.value = value
            }
            KineticKey::SurfaceDiffusionD0 => {
                m.surface
                    .as_mut()
                    .expect("checked")
                    .diffusion_d0_nm2_per_s
                    .value = value * CM2_TO_NM2
            }
            KineticKey::SurfaceEnergy => {
                m.surface
                    .as_mut()
                    .expect("checked")
                    .surface_energy_j_m2
                    .value = value
            }
            KineticKey::OxidationEa | KineticKey::OxidationKp0 => {
                match &mut m.oxidation.as_mut().expect("checked").law {
                    OxidationLaw::Parabolic {
                        activation_ev,
                        kp0_nm2_per_s,
                    } => {
                        if self == KineticKey::OxidationEa {
                            activation_ev.value = value
                        } else {
                            kp0_nm2_per_s.value = value * CM2_TO_NM2
                        }
                    }
                    OxidationLaw::Logarithmic { activation_ev, .. } => activation_ev.value = value,
                    OxidationLaw::Inert => unreachable!("get checked the law"),
                }
            }
        }
        Ok(())
    }
}

impl Parameter {
    /// `material.key`, as in `calibration.json`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.material, self.key)
    }

    /// The material of `materials` this handle names, if any.
    pub fn find<'a>(&self, materials: &'a [Material]) -> Option<&'a Material> {
        materials.iter().find(|m| m.name == self.material)
    }

    /// Sets the value on the material of `materials` named by the handle.
    pub fn set_in(&self, materials: &mut [Material], value: f64) -> Result<(), ParameterError> {
        let m = materials
            .iter_mut()
            .find(|m| m.name == self.material)
            .ok_or(ParameterError::NoSurface)?;
        self.key.set(m, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::Choice;

    #[test]
    fn set_then_get_round_trips_in_file_units() {
        let lib = crate::testkit::material("CrN");
        let mut m = lib.clone();
        for &key in KineticKey::VARIANTS {
            let v = key.get(&m).unwrap();
            key.set(&mut m, v * 1.5).unwrap();
            let back = key.get(&m).unwrap();
            assert!(
                (back / (v * 1.5) - 1.0).abs() < 1e-12,
                "{key}: {back} vs {}",
                v * 1.5
            );
        }
        // D0 of the file is 740 cm²/s.
        assert!((KineticKey::SurfaceDiffusionD0.get(&lib).unwrap() - 740.0).abs() < 1e-9);
        assert_eq!(
            KineticKey::SurfaceDiffusionEa.set(&mut m, -1.0),
            Err(ParameterError::BadValue)
        );
    }
}
