//! Readout images of a specimen: a scanning-electron micrograph ([`sem`]) or a height map
//! ([`height`]), each as the microscope would hand it to its user: an 8-bit grey image after
//! automatic brightness/contrast, plus the raw signal.
//!
//! Image pixel (u, v) has its centre at ((u + ½)·p, (v + ½)·p) in the grid's field coordinates
//! (p = pixel size), so the image covers the same field as the grid: the symbol plus its quiet
//! zone, x to the right and y downward. A rotated or shifted SEM raster maps its pixels onto the
//! field as [`FrameGeometry`] says (the frame then grows to hold the whole rotated field).

pub mod height;
pub mod microscope;
mod readout;
pub mod screen;
pub mod sem;

pub use height::{HeightSettings, height_image};
pub use microscope::{Charging, Imperfections, Microscope, Registration};
pub use readout::*;
pub use screen::Capture;
pub use sem::{Contrast, SeEscape, SemSettings, sem_image};

/// A recorded image.
#[derive(Debug, Clone)]
pub struct Micrograph {
    /// What was measured.
    pub mode: ReadoutMode,
    /// Pixel size [nm].
    pub pixel_nm: f64,
    /// Raw signal per pixel, row-major: detected electrons (SEM) or height [nm] (height map).
    pub signal: Vec<f64>,
    /// The displayed 8-bit image (auto brightness/contrast), what a user saves and decodes.
    pub grey: ::image::GrayImage,
    /// Where the written field lies in the frame (nominal raster, without drift, distortion
    /// or jitter).
    pub frame: FrameGeometry,
}

/// The nominal map from field coordinates [nm] to frame pixel coordinates (continuous: pixel
/// (u, v) covers [u, u + 1) × [v, v + 1)): the raster of `frame_px` pixels of `pixel_nm`,
/// centred on the field centre plus `offset_nm` and rotated by `rotation_deg`
/// ([`Microscope::scan_positions`] without drift, distortion or jitter).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameGeometry {
    /// Field size [nm].
    pub field_nm: (f64, f64),
    /// Frame size [px].
    pub frame_px: (usize, usize),
    /// Pixel size [nm].
    pub pixel_nm: f64,
    /// Scan rotation [deg].
    pub rotation_deg: f64,
    /// Raster centre minus field centre [nm].
    pub offset_nm: (f64, f64),
}

impl FrameGeometry {
    /// The unrotated frame that is the field (height maps, ideal rasters).
    pub fn field(width_px: usize, height_px: usize, pixel_nm: f64) -> Self {
        FrameGeometry {
            field_nm: (width_px as f64 * pixel_nm, height_px as f64 * pixel_nm),
            frame_px: (width_px, height_px),
            pixel_nm,
            rotation_deg: 0.0,
            offset_nm: (0.0, 0.0),
        }
    }

    /// Whether the frame is the field itself (unrotated, unshifted, same size).
    pub fn is_field(&self) -> bool {
        self.rotation_deg == 0.0
            && self.offset_nm == (0.0, 0.0)
            && self.field_nm
                == (
                    self.frame_px.0 as f64 * self.pixel_nm,
                    self.frame_px.1 as f64 * self.pixel_nm,
                )
    }

    /// Frame pixel coordinates of the point at field pixel coordinates (`a`, `b`) (the field
    /// point (a·p, b·p)); the identity, exactly, when the frame is the field.
    pub fn field_px_to_frame(&self, a: f64, b: f64) -> (f64, f64) {
        if self.is_field() {
            return (a, b);
        }
        let dx = a * self.pixel_nm - 0.5 * self.field_nm.0 - self.offset_nm.0;
        let dy = b * self.pixel_nm - 0.5 * self.field_nm.1 - self.offset_nm.1;
        let (sin_t, cos_t) = self.rotation_deg.to_radians().sin_cos();
        // Inverse rotation of the raster's p = c + o + R(θ)·x'.
        let (xr, yr) = (cos_t * dx + sin_t * dy, -sin_t * dx + cos_t * dy);
        (
            xr / self.pixel_nm + 0.5 * self.frame_px.0 as f64,
            yr / self.pixel_nm + 0.5 * self.frame_px.1 as f64,
        )
    }
}

impl Micrograph {
    /// Image width [px].
    pub fn width_px(&self) -> usize {
        self.grey.width() as usize
    }

    /// Image height [px].
    pub fn height_px(&self) -> usize {
        self.grey.height() as usize
    }
}

/// Automatic brightness/contrast as microscopes apply it: a linear map of the
/// `low_percentile`…`high_percentile` range of the signal onto 0…255, clipped.
pub fn auto_contrast(signal: &[f64], width: usize, height: usize) -> ::image::GrayImage {
    const LOW_PERCENTILE: f64 = 0.5;
    const HIGH_PERCENTILE: f64 = 99.5;
    let mut sorted: Vec<f64> = signal.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |p: f64| sorted[((p / 100.0) * (sorted.len() - 1) as f64).round() as usize];
    let (lo, hi) = (at(LOW_PERCENTILE), at(HIGH_PERCENTILE));
    let scale = if hi > lo { 255.0 / (hi - lo) } else { 0.0 };
    let pixels: Vec<u8> = signal
        .iter()
        .map(|s| ((s - lo) * scale).round().clamp(0.0, 255.0) as u8)
        .collect();
    ::image::GrayImage::from_raw(width as u32, height as u32, pixels)
        .expect("buffer length equals width × height")
}

/// Gaussian blur of a row-major field with standard deviation `sigma_cells` (in cells);
/// identity for σ below 0.3 cell, where the kernel would be a single tap.
pub(crate) fn gaussian_blur(field: &[f64], nx: usize, ny: usize, sigma_cells: f64) -> Vec<f64> {
    if sigma_cells < 0.3 {
        return field.to_vec();
    }
    let buffer: ::image::ImageBuffer<::image::Luma<f32>, Vec<f32>> =
        ::image::ImageBuffer::from_raw(
            nx as u32,
            ny as u32,
            field.iter().map(|v| *v as f32).collect(),
        )
        .expect("buffer length equals nx × ny");
    let blurred = ::image::imageops::blur(&buffer, sigma_cells as f32);
    blurred.into_raw().into_iter().map(f64::from).collect()
}

/// Pixel-centre sampling of a grid field: bilinear interpolation at each pixel centre.
pub(crate) fn sample_at_pixels(
    field: &[f64],
    nx: usize,
    ny: usize,
    cell_nm: f64,
    pixel_nm: f64,
) -> (Vec<f64>, usize, usize) {
    let width = ((nx as f64 * cell_nm) / pixel_nm).round().max(1.0) as usize;
    let height = ((ny as f64 * cell_nm) / pixel_nm).round().max(1.0) as usize;
    let mut out = Vec::with_capacity(width * height);
    for v in 0..height {
        for u in 0..width {
            let x = (u as f64 + 0.5) * pixel_nm;
            let y = (v as f64 + 0.5) * pixel_nm;
            out.push(crate::grid::bilinear(
                field,
                nx,
                ny,
                x / cell_nm - 0.5,
                y / cell_nm - 0.5,
            ));
        }
    }
    (out, width, height)
}

/// Contrast between milled and unmilled modules in the raw signal, measured over the central
/// half (side) of each module.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModuleContrast {
    /// Mean signal over unmilled modules (counts or nm).
    pub mean_unmilled: f64,
    /// Mean signal over milled modules.
    pub mean_milled: f64,
    /// Signed Michelson contrast (unmilled − milled)/(unmilled + milled); for a height map the
    /// plain difference [nm] is more meaningful, see `difference`.
    pub michelson: f64,
    /// mean_unmilled − mean_milled.
    pub difference: f64,
    /// Pooled per-pixel standard deviation within the module centres.
    pub pixel_noise: f64,
    /// |difference| / pixel_noise: the per-pixel SNR the decoders' binarizers face.
    pub pixel_snr: f64,
}

/// Measures [`ModuleContrast`]. `origin_px` is the symbol's top-left corner and `module_px`
/// its module pitch in field pixel coordinates; module centres are placed in the frame by
/// `image.frame` (so a rotated raster is measured on its rotated modules); `milled(col, row)`
/// says which modules were written.
pub fn module_contrast(
    image: &Micrograph,
    origin_px: (f64, f64),
    module_px: f64,
    modules_per_side: usize,
    milled: &dyn Fn(usize, usize) -> bool,
) -> ModuleContrast {
    let (w, h) = (image.width_px(), image.height_px());
    // (n, Σx, Σx²) per class, index 0 unmilled, 1 milled.
    let mut acc = [(0.0f64, 0.0f64, 0.0f64); 2];
    let mut within = 0.0;
    let mut within_n = 0.0;
    for row in 0..modules_per_side {
        for col in 0..modules_per_side {
            let (cx, cy) = image.frame.field_px_to_frame(
                origin_px.0 + (col as f64 + 0.5) * module_px,
                origin_px.1 + (row as f64 + 0.5) * module_px,
            );
            let half = 0.25 * module_px;
            let (u0, u1) = (
                (cx - half).ceil().max(0.0) as usize,
                ((cx + half).floor() as usize).min(w),
            );
            let (v0, v1) = (
                (cy - half).ceil().max(0.0) as usize,
                ((cy + half).floor() as usize).min(h),
            );
            let mut pixels = Vec::new();
            for v in v0..v1.max(v0) {
                for u in u0..u1.max(u0) {
                    pixels.push(image.signal[v * w + u]);
                }
            }
            if pixels.is_empty() {
                // Module smaller than two pixels: take the nearest pixel.
                let (u, v) = ((cx as usize).min(w - 1), (cy as usize).min(h - 1));
                pixels.push(image.signal[v * w + u]);
            }
            let n = pixels.len() as f64;
            let mean = pixels.iter().sum::<f64>() / n;
            within += pixels.iter().map(|p| (p - mean).powi(2)).sum::<f64>();
            within_n += n - 1.0;
            let a = &mut acc[usize::from(milled(col, row))];
            a.0 += n;
            a.1 += pixels.iter().sum::<f64>();
            a.2 += pixels.iter().map(|p| p * p).sum::<f64>();
        }
    }
    let mean = |a: (f64, f64, f64)| if a.0 > 0.0 { a.1 / a.0 } else { f64::NAN };
    let (unmilled, milled_mean) = (mean(acc[0]), mean(acc[1]));
    let pixel_noise = if within_n > 0.0 {
        (within / within_n).sqrt()
    } else {
        0.0
    };
    let difference = unmilled - milled_mean;
    ModuleContrast {
        mean_unmilled: unmilled,
        mean_milled: milled_mean,
        michelson: difference / (unmilled + milled_mean),
        difference,
        pixel_noise,
        pixel_snr: if pixel_noise > 0.0 {
            difference.abs() / pixel_noise
        } else {
            f64::INFINITY
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_contrast_maps_percentiles_to_full_range() {
        let signal: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let g = auto_contrast(&signal, 100, 10);
        assert_eq!(g.as_raw()[0], 0);
        assert_eq!(g.as_raw()[999], 255);
        let mid = g.as_raw()[500];
        assert!((126..=129).contains(&mid), "{mid}");
    }

    #[test]
    fn blur_conserves_the_mean_of_a_periodic_free_field() {
        let (nx, ny) = (64, 64);
        let mut f = vec![0.0; nx * ny];
        f[32 * nx + 32] = 1.0;
        let b = gaussian_blur(&f, nx, ny, 2.0);
        let sum: f64 = b.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "{sum}");
        // Second moment of the blurred point = σ².
        let var: f64 = (0..nx * ny)
            .map(|k| b[k] * ((k % nx) as f64 - 32.0).powi(2))
            .sum();
        assert!((var - 4.0).abs() < 0.2, "variance {var}");
    }
}
