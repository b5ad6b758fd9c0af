//! Height readout (AFM-like): the surface height sampled at pixel centres after a Gaussian
//! tip/probe blur, plus Gaussian height noise. Deeper is darker in the displayed image.
//!
//! z_meas(u, v) = [z ⊛ G(σ_tip)](x_u, y_v) + N(0, σ_z²), σ_tip = FWHM / (2√(2 ln 2)).
//! A real AFM tip also dilates the surface (it cannot reach narrow pit bottoms); the Gaussian
//! blur is the small-slope limit of that and is stated as such.

use rand_distr::{Distribution, Normal};

use super::{Micrograph, ReadoutMode, auto_contrast, gaussian_blur, sample_at_pixels};
use crate::grid::Specimen;
use crate::rng::{self, Stream};

/// Height-map readout settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HeightSettings {
    /// Pixel size [nm].
    pub pixel_nm: f64,
    /// Tip/probe blur, full width at half maximum [nm].
    pub probe_fwhm_nm: f64,
    /// RMS height noise per pixel [nm].
    pub height_noise_nm: f64,
}

/// Records a height map of the specimen (surface plus oxide skin, the outer surface a probe
/// touches).
pub fn height_image(
    specimen: &Specimen,
    s: &HeightSettings,
    seed: u64,
    realization: u64,
) -> Micrograph {
    let grid = &specimen.grid;
    let (nx, ny, cell) = (grid.nx(), grid.ny(), grid.cell_nm());
    let outer: Vec<f64> = grid
        .surface_nm
        .iter()
        .zip(&grid.oxide_nm)
        .map(|(z, ox)| z + ox)
        .collect();
    let sigma_nm = s.probe_fwhm_nm / (8.0 * std::f64::consts::LN_2).sqrt();
    let blurred = gaussian_blur(&outer, nx, ny, sigma_nm / cell);
    let (mut heights, width, height) = sample_at_pixels(&blurred, nx, ny, cell, s.pixel_nm);
    if s.height_noise_nm > 0.0 {
        let mut rng = rng::stream(seed, Stream::ImageNoise, realization);
        let normal = Normal::new(0.0, s.height_noise_nm).expect("σ > 0 was checked");
        for h in &mut heights {
            *h += normal.sample(&mut rng);
        }
    }
    let grey = auto_contrast(&heights, width, height);
    Micrograph {
        mode: ReadoutMode::Height,
        pixel_nm: s.pixel_nm,
        signal: heights,
        grey,
        frame: super::FrameGeometry::field(width, height, s.pixel_nm),
    }
}
