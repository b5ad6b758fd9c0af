//! The blind reader's symbol locator: where the symbol lies in an image, found from the image
//! alone (no module size, no origin).
//!
//! Method (ISO/IEC 18004:2015 §12, reference decode algorithm, steps a–f), done by the
//! decoders' own detectors rather than re-implemented:
//! - **rxing** (ZXing's `Detector`): binarize with the hybrid local threshold, scan rows and
//!   columns for the 1:1:3:1:1 dark:light:dark:light:dark run-length ratio of the finder
//!   patterns (§12 b–c), cross-check vertically and diagonally, estimate the module size from
//!   the three finder widths, the version from the finder-centre distance (§12 e), find the
//!   bottom-right alignment pattern for V ≥ 2 (§12 f), and fit the perspective transform from
//!   the three finder centres and the alignment centre (or a parallelogram without it);
//! - **rqrr** (quirc): flood-fill capstones (finder patterns), measure the timing patterns for
//!   the grid size, fit a perspective from the capstone corners and jiggle it to maximise the
//!   fitness of the fixed patterns.
//!
//! Either gives a [`LocatedGrid`]: a module-coordinate → pixel perspective map. The located
//! grid is what [`super::information_criterion`] samples, so a symbol that no detector can
//! locate is not decodable by the criterion either.

use image::GrayImage;
use rxing::common::{
    BitMatrix, DetectorRXingResult, HybridBinarizer, PerspectiveTransform, Quadrilateral,
};
use rxing::qrcode::detector::Detector;
use rxing::{BinaryBitmap, Luma8LuminanceSource, Point};

use super::Decoder;

/// Where a detector found the symbol: a perspective map from module coordinates (u, v) —
/// module (x, y) covers u ∈ [x, x + 1), v ∈ [y, y + 1), the symbol's top-left corner is
/// (0, 0) — to pixel coordinates (pixel i covers [i, i + 1)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocatedGrid {
    /// Modules per side the detector read from the finder spacing / timing pattern.
    pub modules_per_side: usize,
    /// The detector that located the symbol.
    pub locator: Decoder,
    /// True if the symbol was located in the inverted image (light-on-dark).
    pub inverted: bool,
    /// Module → pixel map (rxing's `PerspectiveTransform`, f32 inside).
    transform: PerspectiveTransform,
}

impl LocatedGrid {
    /// Pixel coordinates of module coordinates (u, v).
    pub fn to_pixel(&self, u: f64, v: f64) -> (f64, f64) {
        let p = self
            .transform
            .transform_point(Point::new(u as f32, v as f32));
        (f64::from(p.x), f64::from(p.y))
    }

    /// Mean module pitch [px] at the symbol centre (the geometric mean of the two axes).
    pub fn module_px(&self) -> f64 {
        let c = 0.5 * self.modules_per_side as f64;
        let (x0, y0) = self.to_pixel(c, c);
        let (xu, yu) = self.to_pixel(c + 1.0, c);
        let (xv, yv) = self.to_pixel(c, c + 1.0);
        ((xu - x0).hypot(yu - y0) * (xv - x0).hypot(yv - y0)).sqrt()
    }

    /// Counter-clockwise angle of the symbol's top edge against the image x axis [degrees].
    pub fn rotation_deg(&self) -> f64 {
        let c = 0.5 * self.modules_per_side as f64;
        let (x0, y0) = self.to_pixel(c, c);
        let (xu, yu) = self.to_pixel(c + 1.0, c);
        (-(yu - y0)).atan2(xu - x0).to_degrees()
    }

    /// The grid mapping module-space quad `modules` onto pixel quad `pixels` (both
    /// [top-left, top-right, bottom-right, bottom-left]); `None` if either is not convex.
    fn from_quads(
        modules_per_side: usize,
        locator: Decoder,
        inverted: bool,
        modules: [(f64, f64); 4],
        pixels: [(f64, f64); 4],
    ) -> Option<Self> {
        let quad = |q: [(f64, f64); 4]| {
            Quadrilateral::new(
                Point::new(q[0].0 as f32, q[0].1 as f32),
                Point::new(q[1].0 as f32, q[1].1 as f32),
                Point::new(q[2].0 as f32, q[2].1 as f32),
                Point::new(q[3].0 as f32, q[3].1 as f32),
            )
        };
        let transform =
            PerspectiveTransform::quadrilateralToQuadrilateral(quad(modules), quad(pixels)).ok()?;
        let grid = LocatedGrid {
            modules_per_side,
            locator,
            inverted,
            transform,
        };
        let module_px = grid.module_px();
        (module_px.is_finite() && module_px > 0.0).then_some(grid)
    }
}

/// rxing's detector hints of [`super::decode_rxing`] (TryHarder: every row is scanned).
fn rxing_hints() -> rxing::DecodeHints {
    rxing::DecodeHints {
        TryHarder: Some(true),
        ..Default::default()
    }
}

fn black_matrix(luma: &GrayImage) -> Option<BitMatrix> {
    let source =
        Luma8LuminanceSource::new(luma.as_raw().clone(), luma.width(), luma.height()).ok()?;
    let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    Some(bitmap.get_black_matrix().clone())
}

/// The symbol as rxing's (ZXing's) detector finds it in `luma` (dark modules dark), or `None`.
///
/// The detector's result points are the bottom-left, top-left and top-right finder centres
/// (module coordinates (3.5, N − 3.5), (3.5, 3.5), (N − 3.5, 3.5)) and, if found, the
/// bottom-right alignment centre (N − 6.5, N − 6.5); without it the fourth point is the
/// parallelogram completion at (N − 3.5, N − 3.5), as in ZXing's `createTransform`.
pub fn locate_rxing(luma: &GrayImage, inverted: bool) -> Option<LocatedGrid> {
    if luma.width() < 40 || luma.height() < 40 {
        return None; // below the hybrid binarizer's 5 × 8 px block minimum
    }
    let matrix = black_matrix(luma)?;
    let result = Detector::new(&matrix)
        .detect_with_hints(&rxing_hints())
        .ok()?;
    let n = result.getBits().getWidth() as usize;
    let points = result.getPoints();
    if points.len() < 3 {
        return None;
    }
    let p = |i: usize| (f64::from(points[i].x), f64::from(points[i].y));
    let (bottom_left, top_left, top_right) = (p(0), p(1), p(2));
    let far = n as f64 - 3.5;
    let (module_br, pixel_br) = if points.len() >= 4 {
        ((far - 3.0, far - 3.0), p(3))
    } else {
        (
            (far, far),
            (
                top_right.0 - top_left.0 + bottom_left.0,
                top_right.1 - top_left.1 + bottom_left.1,
            ),
        )
    };
    LocatedGrid::from_quads(
        n,
        Decoder::Rxing,
        inverted,
        [(3.5, 3.5), (far, 3.5), module_br, (3.5, far)],
        [top_left, top_right, pixel_br, bottom_left],
    )
}

/// The symbols rqrr (quirc) detects in `luma` (dark modules dark). rqrr's `Grid::bounds` are
/// its perspective evaluated at module coordinates (0, 0), (N + 1, 0), (N + 1, N + 1),
/// (0, N + 1) (rqrr 0.11 `PreparedImage::detect_grids`; quirc samples module (x, y) at
/// (x + 0.5, y + 0.5)), rounded to whole pixels.
pub fn locate_rqrr(luma: &GrayImage, inverted: bool) -> Vec<LocatedGrid> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        luma.width() as usize,
        luma.height() as usize,
        |x, y| luma.get_pixel(x as u32, y as u32)[0],
    );
    super::rqrr_guarded(|| prepared.detect_grids())
        .unwrap_or_default()
        .iter()
        .filter_map(|grid| {
            use rqrr::BitGrid;
            let n = grid.grid.size();
            let m = n as f64 + 1.0;
            let b = |i: usize| (f64::from(grid.bounds[i].x), f64::from(grid.bounds[i].y));
            LocatedGrid::from_quads(
                n,
                Decoder::Rqrr,
                inverted,
                [(0.0, 0.0), (m, 0.0), (m, m), (0.0, m)],
                [b(0), b(1), b(2), b(3)],
            )
        })
        .collect()
}

/// Locates the symbol in a preprocessed image (both polarities): rxing's detector first (fast;
/// its grid comes from the float finder and alignment centres), then rqrr's (its `bounds` are
/// rounded to whole pixels and, on a 4.3 px/module test image, put the far corner ~0.4 module
/// off, so it is the fallback); the first grid found wins.
pub fn locate(prepared: &GrayImage) -> Option<LocatedGrid> {
    let inverted = super::inverted_copy(prepared);
    locate_rxing(prepared, false)
        .or_else(|| locate_rxing(&inverted, true))
        .or_else(|| locate_rqrr(prepared, false).into_iter().next())
        .or_else(|| locate_rqrr(&inverted, true).into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::super::test_render::{DARK_GREY, LIGHT_GREY, render, render_rotated};
    use super::super::*;
    use super::*;
    use crate::qr::{EcLevel, MaskChoice, SymbolSpec};
    use crate::rng::{Stream, stream};

    const PAYLOAD: &str = "https://tuwien.at/qr";
    const QUIET: usize = 4;
    const PIXEL_NM: f64 = 1.0;

    fn symbol(version: u8) -> QrSymbol {
        QrSymbol::encode(&SymbolSpec {
            payload: PAYLOAD.into(),
            version,
            ec_level: EcLevel::M,
            mask: MaskChoice::Auto,
        })
        .unwrap()
    }

    /// Largest distance [px] between the located and the drawn module centres.
    fn worst_centre_error_px(
        grid: &LocatedGrid,
        corner: (f64, f64),
        axes: ((f64, f64), (f64, f64)),
        side: usize,
    ) -> f64 {
        let mut worst: f64 = 0.0;
        for y in 0..side {
            for x in 0..side {
                let (u, v) = (x as f64 + 0.5, y as f64 + 0.5);
                let truth = (
                    corner.0 + u * axes.0.0 + v * axes.1.0,
                    corner.1 + u * axes.0.1 + v * axes.1.1,
                );
                let (px, py) = grid.to_pixel(u, v);
                worst = worst.max((px - truth.0).hypot(py - truth.1));
            }
        }
        worst
    }

    /// Without being told the module size or origin, both detectors find the grid of a clean
    /// symbol at 6 and at 4.3 px/module (sub-pixel origin) to a small fraction of a module:
    /// rxing from the float finder/alignment centres, rqrr from its whole-pixel bounds.
    #[test]
    fn both_detectors_locate_the_drawn_grid() {
        for version in [2u8, 3] {
            let symbol = symbol(version);
            let side = symbol.modules_per_side();
            for module_px in [6.0, 4.3] {
                let image = render(
                    side,
                    |x, y| symbol.is_dark(x, y),
                    module_px,
                    QUIET,
                    (LIGHT_GREY, DARK_GREY),
                );
                let corner = (QUIET as f64 * module_px, QUIET as f64 * module_px);
                let axes = ((module_px, 0.0), (0.0, module_px));
                let rxing = locate_rxing(&image, false).expect("rxing locates");
                assert_eq!(rxing.modules_per_side, side);
                let e = worst_centre_error_px(&rxing, corner, axes, side);
                assert!(
                    e < 0.3 * module_px,
                    "V{version} {module_px} px: rxing centre error {e} px"
                );
                let rqrr = locate_rqrr(&image, false);
                let rqrr = rqrr.first().expect("rqrr locates");
                assert_eq!(rqrr.modules_per_side, side);
                let e = worst_centre_error_px(rqrr, corner, axes, side);
                // rqrr's whole-pixel bounds of an N + 1 module square: coarse (see `locate`).
                assert!(
                    e < 0.6 * module_px,
                    "V{version} {module_px} px: rqrr centre error {e} px"
                );
                assert!((rxing.module_px() / module_px - 1.0).abs() < 0.02);
            }
        }
    }

    /// The blind reader reads a symbol rotated by any angle, and the located criterion sees
    /// it as the oracle criterion sees the unrotated one (0 module errors).
    #[test]
    fn rotated_symbol_is_located_read_and_sampled() {
        let symbol = symbol(3);
        let side = symbol.modules_per_side();
        let module_px = 6.0;
        for rotation_deg in [0.0, 7.0, 30.0, 90.0, 135.0, 200.0, 315.0] {
            let (image, corner) = render_rotated(
                side,
                |x, y| symbol.is_dark(x, y),
                module_px,
                QUIET,
                rotation_deg,
                (LIGHT_GREY, DARK_GREY),
            );
            let prepared = reader_preprocess(&image, PIXEL_NM);
            let grid = prepared.located.expect("located");
            assert_eq!(grid.modules_per_side, side, "{rotation_deg}°");
            let (sin, cos) = f64::to_radians(rotation_deg).sin_cos();
            let axes = (
                (module_px * cos, -module_px * sin),
                (module_px * sin, module_px * cos),
            );
            let e = worst_centre_error_px(&grid, corner, axes, side);
            assert!(e < 0.3 * module_px, "{rotation_deg}°: centre error {e} px");
            let wrapped = (grid.rotation_deg() - rotation_deg).rem_euclid(360.0);
            assert!(
                wrapped.min(360.0 - wrapped) < 1.0,
                "{rotation_deg}° located as {}",
                grid.rotation_deg()
            );
            for decoder in <Decoder as crate::choice::Choice>::VARIANTS {
                let reading = decoder.read_prepared(&prepared);
                assert_eq!(
                    reading.payload.as_deref(),
                    Some(PAYLOAD),
                    "{decoder} at {rotation_deg}°: {reading:?}"
                );
            }
            let report = information_criterion_located(&image, prepared.located.as_ref(), &symbol);
            assert!(
                report.located && report.decodable,
                "{rotation_deg}°: {report:?}"
            );
            assert_eq!(report.module_errors, 0, "{rotation_deg}°");
        }
    }

    /// On the module-flip experiment the located criterion counts the same module errors as
    /// the oracle one: locating costs nothing on a clean image.
    #[test]
    fn located_and_oracle_criteria_agree_on_flipped_modules() {
        let symbol = symbol(3);
        let side = symbol.modules_per_side();
        let data: Vec<(usize, usize)> = (0..side * side)
            .map(|i| (i % side, i / side))
            .filter(|&(x, y)| !symbol.is_functional(x, y))
            .collect();
        for trial in 0..4 {
            let mut rng = stream(19, Stream::ModuleFlips, trial);
            let mut flipped = vec![false; side * side];
            for pick in rand::seq::index::sample(&mut rng, data.len(), 9) {
                let (x, y) = data[pick];
                flipped[y * side + x] = true;
            }
            let module_px = 5.0;
            let image = render(
                side,
                |x, y| symbol.is_dark(x, y) ^ flipped[y * side + x],
                module_px,
                QUIET,
                (LIGHT_GREY, DARK_GREY),
            );
            let oracle = information_criterion(
                &image,
                &SymbolPlacement::from_field(0.0, 0.0, module_px, QUIET),
                &symbol,
            );
            let prepared = reader_preprocess(&image, PIXEL_NM);
            let located = information_criterion_located(&image, prepared.located.as_ref(), &symbol);
            assert_eq!(oracle.data_module_errors, 9);
            assert_eq!(
                located.data_module_errors, oracle.data_module_errors,
                "trial {trial}"
            );
            assert_eq!(located.blocks, oracle.blocks, "trial {trial}");
            assert_eq!(located.decodable, oracle.decodable);
        }
    }

    /// Nothing located, or a located symbol of another size: every module counts as wrong,
    /// the worst block is beyond capacity and the symbol is not decodable.
    #[test]
    fn unlocated_symbol_is_not_decodable() {
        let symbol = symbol(3);
        let blank = GrayImage::from_pixel(240, 240, image::Luma([LIGHT_GREY]));
        let prepared = reader_preprocess(&blank, PIXEL_NM);
        assert!(prepared.located.is_none());
        let report = information_criterion_located(&blank, None, &symbol);
        assert!(!report.located && !report.decodable);
        assert_eq!(report.module_errors, 29 * 29);
        assert!(report.max_block_error_ratio > 1.0);
        // A V2 symbol located where a V3 one was written.
        let v2 = self::symbol(2);
        let image = render(
            v2.modules_per_side(),
            |x, y| v2.is_dark(x, y),
            6.0,
            QUIET,
            (LIGHT_GREY, DARK_GREY),
        );
        let located = reader_preprocess(&image, PIXEL_NM).located;
        assert_eq!(located.map(|g| g.modules_per_side), Some(25));
        let report = information_criterion_located(&image, located.as_ref(), &symbol);
        assert!(!report.located && !report.decodable);
    }

    /// The reader finds the module size itself: at 3, 8 and 12 px/module the located pitch
    /// is within 2 % and the smoothing is 0.2 of it (decoders.md), and both decoders read.
    #[test]
    fn module_size_is_found_from_the_image() {
        let symbol = symbol(3);
        let side = symbol.modules_per_side();
        for module_px in [3.0, 8.0, 12.0] {
            let image = render(
                side,
                |x, y| symbol.is_dark(x, y),
                module_px,
                QUIET,
                (LIGHT_GREY, DARK_GREY),
            );
            let prepared = reader_preprocess(&image, 2.5);
            let grid = prepared.located.expect("located");
            assert!(
                (grid.module_px() / module_px - 1.0).abs() < 0.02,
                "{module_px}: {}",
                grid.module_px()
            );
            let pitch_nm = prepared.located_module_pitch_nm().unwrap();
            assert!((pitch_nm / (2.5 * module_px) - 1.0).abs() < 0.02);
            let expected_sigma = READER_BLUR_SIGMA_MODULES * module_px;
            let expected_sigma = if expected_sigma >= MIN_READER_BLUR_SIGMA_PX {
                expected_sigma
            } else {
                0.0
            };
            assert!(
                (prepared.smoothing_sigma_px - expected_sigma).abs()
                    <= 0.15 * expected_sigma + 1e-9
            );
            for decoder in <Decoder as crate::choice::Choice>::VARIANTS {
                assert_eq!(
                    decoder.read_prepared(&prepared).payload.as_deref(),
                    Some(PAYLOAD),
                    "{decoder} at {module_px} px"
                );
            }
        }
    }
}
