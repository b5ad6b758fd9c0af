//! The phone-on-screen read: the saved SEM frame shown on a monitor and photographed with a
//! phone camera, the way the record itself was read. A stage after the microscope, optional
//! (`[readout] capture = "screen-photo"`), reported beside the direct read.
//!
//! 1. **Display**: the frame fills a viewport of [`VIEWPORT_PX`] display pixels (nearest-
//!    neighbour upscaling, as SEM user interfaces show a frame); each display pixel is a lit
//!    square of aperture [`DISPLAY_FILL_FACTOR`] (LCD aperture ratios 0.7–0.85) in a black
//!    matrix, luminance L = (g/255)^γ with the sRGB display gamma γ = 2.2 (IEC 61966-2-1).
//! 2. **Camera**: a perspective (keystone) view of the screen, a phone held
//!    [`KEYSTONE`]·(≈ 6°) off-axis: normalized camera coordinates (x, y) ∈ [−½, ½]² image the
//!    screen point s·(x, y)/(1 + k x); [`CAMERA_PX_PER_DISPLAY_PX`] camera pixels per display
//!    pixel, sampled [`SUPERSAMPLES`]² times per camera pixel: the beat between the display
//!    pixel grid and the sensor grid is the moiré.
//! 3. **Defocus**: Gaussian of σ = [`DEFOCUS_SIGMA_CAMERA_PX`] camera pixels.
//! 4. **Sensor noise**: photoelectrons ~ Poisson (normal approximation) with
//!    [`FULL_WELL_ELECTRONS`] at the white level, plus read noise [`READ_NOISE_ELECTRONS`]
//!    (small-pixel phone sensors: full well 4–6 ke⁻, read noise 1.5–3 e⁻; estimate from
//!    published sensor data sheets), then the camera's gamma 1/2.2 and 8-bit quantization.
//! 5. **JPEG**: the lossy step of baseline JPEG (ITU-T T.81): 8×8 DCT, quantization by the
//!    Annex K luminance table scaled to quality [`JPEG_QUALITY`] (IJG scaling), inverse DCT.
//!    The entropy coding that follows in a real file is lossless and is skipped.
//!
//! All numbers here are stated defaults of this stage, not fitted to any read.

use ::image::GrayImage;
use rand_distr::{Distribution, Normal};

use crate::rng::StreamRng;

/// What the decoders get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// The frame the microscope saves.
    Direct,
    /// The saved frame and, beside it, a phone photo of the SEM screen showing it.
    ScreenPhoto,
}
crate::choices!(Capture { Capture::Direct => "direct", Capture::ScreenPhoto => "screen-photo" });

/// Display pixels the frame fills (its longer side).
pub const VIEWPORT_PX: f64 = 700.0;
/// Lit fraction of a display pixel's side (the aperture ratio is its square).
pub const DISPLAY_FILL_FACTOR: f64 = 0.85;
/// Display gamma (sRGB).
pub const DISPLAY_GAMMA: f64 = 2.2;
/// Camera pixels per display pixel at the centre of the photo.
pub const CAMERA_PX_PER_DISPLAY_PX: f64 = 1.3;
/// Keystone coefficient k of the perspective view.
pub const KEYSTONE: f64 = 0.1;
/// Samples per camera pixel along each axis.
pub const SUPERSAMPLES: usize = 3;
/// Defocus σ [camera px].
pub const DEFOCUS_SIGMA_CAMERA_PX: f64 = 0.8;
/// Photoelectrons per camera pixel at the display's white level.
pub const FULL_WELL_ELECTRONS: f64 = 4000.0;
/// Read noise [e⁻ rms].
pub const READ_NOISE_ELECTRONS: f64 = 2.5;
/// JPEG quality (1–100, IJG scale).
pub const JPEG_QUALITY: f64 = 85.0;

/// The ITU-T T.81 Annex K.1 luminance quantization table (row-major).
const JPEG_LUMA_TABLE: [f64; 64] = [
    16., 11., 10., 16., 24., 40., 51., 61., 12., 12., 14., 19., 26., 58., 60., 55., 14., 13., 16.,
    24., 40., 57., 69., 56., 14., 17., 22., 29., 51., 87., 80., 62., 18., 22., 37., 56., 68., 109.,
    103., 77., 24., 35., 55., 64., 81., 104., 113., 92., 49., 64., 78., 87., 103., 121., 120.,
    101., 72., 92., 95., 98., 112., 100., 103., 99.,
];

/// A phone photo of `frame` shown on the SEM screen, and the scale: photo pixels per frame
/// pixel at the centre (the decoders' module size is the frame's times this).
pub fn screen_photo(frame: &GrayImage, rng: &mut StreamRng) -> (GrayImage, f64) {
    let (fw, fh) = (frame.width() as f64, frame.height() as f64);
    let display_per_frame = VIEWPORT_PX / fw.max(fh);
    let (vw, vh) = (fw * display_per_frame, fh * display_per_frame);
    // The photo frames the viewport with a margin of 10 % each side.
    let (cw, ch) = (
        (vw * CAMERA_PX_PER_DISPLAY_PX * 1.2).round() as usize,
        (vh * CAMERA_PX_PER_DISPLAY_PX * 1.2).round() as usize,
    );
    let luminance: Vec<f64> = frame
        .as_raw()
        .iter()
        .map(|g| (f64::from(*g) / 255.0).powf(DISPLAY_GAMMA))
        .collect();
    let screen = |sx: f64, sy: f64| -> f64 {
        // sx, sy in display pixels from the viewport's top-left corner.
        if sx < 0.0 || sy < 0.0 || sx >= vw || sy >= vh {
            return 0.0; // the UI around the image is dark
        }
        let (fx, fy) = (sx.fract(), sy.fract());
        let gap = 0.5 * (1.0 - DISPLAY_FILL_FACTOR);
        if fx < gap || fx > 1.0 - gap || fy < gap || fy > 1.0 - gap {
            return 0.0; // black matrix
        }
        let u = ((sx.floor() / display_per_frame) as usize).min(frame.width() as usize - 1);
        let v = ((sy.floor() / display_per_frame) as usize).min(frame.height() as usize - 1);
        luminance[v * frame.width() as usize + u]
    };
    let scale = (cw.max(ch) as f64) / CAMERA_PX_PER_DISPLAY_PX; // display px across the photo
    let n = SUPERSAMPLES as f64;
    let mut photo = vec![0.0; cw * ch];
    for j in 0..ch {
        for i in 0..cw {
            let mut acc = 0.0;
            for b in 0..SUPERSAMPLES {
                for a in 0..SUPERSAMPLES {
                    let xn = (i as f64 + (a as f64 + 0.5) / n) / cw.max(ch) as f64 - 0.5;
                    let yn = (j as f64 + (b as f64 + 0.5) / n) / cw.max(ch) as f64 - 0.5;
                    let w = 1.0 + KEYSTONE * xn;
                    acc += screen(0.5 * vw + scale * xn / w, 0.5 * vh + scale * yn / w);
                }
            }
            photo[j * cw + i] = acc / (n * n);
        }
    }
    let photo = super::gaussian_blur(&photo, cw, ch, DEFOCUS_SIGMA_CAMERA_PX);
    let standard = Normal::new(0.0, 1.0).expect("unit normal");
    let encoded: Vec<f64> = photo
        .iter()
        .map(|l| {
            let electrons = FULL_WELL_ELECTRONS * l.clamp(0.0, 1.0);
            let noisy = electrons
                + (electrons + READ_NOISE_ELECTRONS * READ_NOISE_ELECTRONS).sqrt()
                    * standard.sample(rng);
            let level = (noisy / FULL_WELL_ELECTRONS).clamp(0.0, 1.0);
            (255.0 * level.powf(1.0 / DISPLAY_GAMMA)).round()
        })
        .collect();
    let jpeg = jpeg_lossy(&encoded, cw, ch, JPEG_QUALITY);
    let pixels: Vec<u8> = jpeg
        .iter()
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    let image = GrayImage::from_raw(cw as u32, ch as u32, pixels).expect("cw × ch pixels");
    (image, display_per_frame * CAMERA_PX_PER_DISPLAY_PX)
}

/// The lossy part of baseline JPEG on an 8-bit grey field: level shift, 8×8 DCT-II,
/// quantization by the Annex K luminance table scaled to `quality` (IJG: s = 5000/q for
/// q < 50, 200 − 2q otherwise; entries (T·s + 50)/100 clamped to 1…255), inverse DCT. Edge
/// blocks are padded by replicating the last row/column.
pub fn jpeg_lossy(field: &[f64], w: usize, h: usize, quality: f64) -> Vec<f64> {
    let q = quality.clamp(1.0, 100.0);
    let s = if q < 50.0 {
        5000.0 / q
    } else {
        200.0 - 2.0 * q
    };
    let table: Vec<f64> = JPEG_LUMA_TABLE
        .iter()
        .map(|t| ((t * s + 50.0) / 100.0).floor().clamp(1.0, 255.0))
        .collect();
    let c = |k: usize| if k == 0 { (0.125f64).sqrt() } else { 0.5 };
    let mut cos = [[0.0f64; 8]; 8];
    for (x, row) in cos.iter_mut().enumerate() {
        for (u, v) in row.iter_mut().enumerate() {
            *v = (((2 * x + 1) as f64) * u as f64 * std::f64::consts::PI / 16.0).cos();
        }
    }
    let mut out = field.to_vec();
    for by in (0..h).step_by(8) {
        for bx in (0..w).step_by(8) {
            let mut block = [[0.0f64; 8]; 8];
            for (y, row) in block.iter_mut().enumerate() {
                for (x, v) in row.iter_mut().enumerate() {
                    let (xx, yy) = ((bx + x).min(w - 1), (by + y).min(h - 1));
                    *v = field[yy * w + xx] - 128.0;
                }
            }
            let mut coef = [[0.0f64; 8]; 8];
            for v in 0..8 {
                for u in 0..8 {
                    let mut sum = 0.0;
                    for (y, row) in block.iter().enumerate() {
                        for (x, p) in row.iter().enumerate() {
                            sum += p * cos[x][u] * cos[y][v];
                        }
                    }
                    let d = c(u) * c(v) * sum;
                    let t = table[v * 8 + u];
                    coef[v][u] = (d / t).round() * t;
                }
            }
            for y in 0..8 {
                for x in 0..8 {
                    let (xx, yy) = (bx + x, by + y);
                    if xx >= w || yy >= h {
                        continue;
                    }
                    let mut sum = 0.0;
                    for (v, row) in coef.iter().enumerate() {
                        for (u, d) in row.iter().enumerate() {
                            sum += c(u) * c(v) * d * cos[x][u] * cos[y][v];
                        }
                    }
                    out[yy * w + xx] = sum + 128.0;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_keeps_a_flat_field_and_rounds_an_edge() {
        let flat = vec![100.0; 16 * 16];
        let j = jpeg_lossy(&flat, 16, 16, 85.0);
        assert!(j.iter().all(|v| (v - 100.0).abs() < 1.0));
        let edge: Vec<f64> = (0..16 * 16)
            .map(|k| if k % 16 < 5 { 20.0 } else { 230.0 })
            .collect();
        let j = jpeg_lossy(&edge, 16, 16, 85.0);
        let err = j
            .iter()
            .zip(&edge)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(err > 0.5 && err < 60.0, "{err}");
        let j100 = jpeg_lossy(&edge, 16, 16, 100.0);
        let err100 = j100
            .iter()
            .zip(&edge)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(err100 < err, "{err100} vs {err}");
    }

    #[test]
    fn photo_of_a_two_level_frame_keeps_its_halves() {
        let frame = GrayImage::from_fn(60, 60, |x, _| {
            ::image::Luma([if x < 30 { 30 } else { 220 }])
        });
        let mut r = crate::rng::stream(1, crate::rng::Stream::ScreenPhoto, 0);
        let (photo, scale) = screen_photo(&frame, &mut r);
        assert!((scale - VIEWPORT_PX / 60.0 * CAMERA_PX_PER_DISPLAY_PX).abs() < 1e-9);
        let (w, h) = (photo.width(), photo.height());
        let mean = |x0: u32, x1: u32| {
            let mut s = 0.0;
            let mut n = 0.0;
            for y in h / 3..2 * h / 3 {
                for x in x0..x1 {
                    s += f64::from(photo.get_pixel(x, y)[0]);
                    n += 1.0;
                }
            }
            s / n
        };
        let (left, right) = (mean(w / 4, w * 2 / 5), mean(w * 3 / 5, w * 3 / 4));
        assert!(right > left + 80.0, "{left} {right}");
    }
}
