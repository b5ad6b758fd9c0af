//! The write a scenario asks for: which mill model, with its settings.
//!
//! A domain record only (the scenario resolver in `config` builds it, `pipeline` runs it).

use super::IdealPit;
use super::fast::FastMillOptions;
use crate::beam::Beam;

/// The mill model's word (`mill.model`), without its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MillModelKind {
    /// Geometric reference pits.
    Ideal,
    /// Fast Monte Carlo milling from BCA tables.
    Bca,
    /// Every ion's full cascade through a voxel grid.
    BcaDirect,
}
crate::choices!(MillModelKind {
    MillModelKind::Ideal => "ideal",
    MillModelKind::Bca => "bca",
    MillModelKind::BcaDirect => "bca-direct",
});

/// How the pattern is written.
///
/// Serialized with its kind as the `"model"` tag; the tag words are [`MillModelKind`]'s (a unit
/// test holds them equal).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum MillModel {
    /// Geometric reference pits.
    Ideal(IdealPit),
    /// The beam mills the grid with binary-collision sputtering tables (fast mode).
    Bca(Box<BcaMill>),
    /// Every ion's full cascade runs through a voxelized field (direct reference mode).
    #[serde(rename = "bca-direct")]
    BcaDirect(Box<BcaMill>),
}

impl MillModel {
    /// The model's word.
    pub fn kind(&self) -> MillModelKind {
        match self {
            MillModel::Ideal(_) => MillModelKind::Ideal,
            MillModel::Bca(_) => MillModelKind::Bca,
            MillModel::BcaDirect(_) => MillModelKind::BcaDirect,
        }
    }
}

/// Settings of the Monte Carlo milling (fast and direct modes).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BcaMill {
    /// The beam and its scan.
    pub beam: Beam,
    /// Physics and numerics of the surface evolution.
    pub options: FastMillOptions,
    /// Ions per incidence angle in the BCA tables.
    pub table_ions_per_angle: u64,
    /// Incidence angles of the BCA tables [deg].
    pub table_angles_deg: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::Choice;

    #[test]
    fn the_serde_tag_is_the_kind_word() {
        let ideal = MillModel::Ideal(IdealPit {
            depth_nm: 20.0,
            sidewall_angle_deg: 80.0,
            corner_radius_nm: 5.0,
        });
        let json = serde_json::to_value(&ideal).unwrap();
        assert_eq!(json["model"], ideal.kind().name());
        assert_eq!(MillModelKind::NAMES, &["ideal", "bca", "bca-direct"]);
    }
}
