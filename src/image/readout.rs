//! The readout a scenario asks for: which instrument images the specimen, with its settings.
//!
//! A domain record only (the scenario resolver in `config` builds it, `pipeline` consumes it);
//! the instruments themselves are [`super::sem`] and [`super::height`].

use super::{HeightSettings, SemSettings};

/// What the readout measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadoutMode {
    /// Secondary-electron SEM image.
    Sem,
    /// Height map (AFM-like).
    Height,
}
crate::choices!(ReadoutMode { ReadoutMode::Sem => "sem", ReadoutMode::Height => "height" });

/// How the written specimen is read.
///
/// Serialized with its mode as the `"mode"` tag; the tag words are [`ReadoutMode`]'s (a unit
/// test holds them equal).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Readout {
    /// Secondary-electron image.
    Sem(SemSettings),
    /// Height map.
    Height(HeightSettings),
}

impl Readout {
    /// Pixel size [nm].
    pub fn pixel_nm(&self) -> f64 {
        match self {
            Readout::Sem(s) => s.pixel_nm,
            Readout::Height(h) => h.pixel_nm,
        }
    }

    /// Which instrument reads.
    pub fn mode(&self) -> ReadoutMode {
        match self {
            Readout::Sem(_) => ReadoutMode::Sem,
            Readout::Height(_) => ReadoutMode::Height,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::Choice;

    #[test]
    fn the_serde_tag_is_the_mode_word() {
        let height = Readout::Height(HeightSettings {
            pixel_nm: 1.0,
            probe_fwhm_nm: 1.0,
            height_noise_nm: 0.0,
        });
        let json = serde_json::to_value(&height).unwrap();
        assert_eq!(json["mode"], height.mode().name());
        assert_eq!(ReadoutMode::NAMES, &["sem", "height"]);
    }
}
