//! Unit tests of the QR symbol model.

use super::*;

fn spec(payload: &str, version: u8, ec_level: EcLevel) -> SymbolSpec {
    SymbolSpec {
        payload: payload.into(),
        version,
        ec_level,
        mask: MaskChoice::Auto,
    }
}

#[test]
fn v3_m_url_is_29_by_29() {
    let payload = "https://www.tuwien.at/etit/qr-record-2025";
    assert!(payload.len() <= 42);
    let symbol = QrSymbol::encode(&spec(payload, 3, EcLevel::M)).unwrap();
    assert_eq!(symbol.modules_per_side(), 29);
    assert_eq!(symbol.version(), 3);
    assert_eq!(symbol.ec_level(), EcLevel::M);
    assert_eq!(symbol.payload(), payload);
    assert!(symbol.mask() < 8);
    // Finder pattern corners are dark, separator light.
    assert!(symbol.is_dark(0, 0) && symbol.is_dark(28, 0) && symbol.is_dark(0, 28));
    assert!(!symbol.is_dark(7, 7));
    assert!(symbol.is_functional(0, 0) && !symbol.is_functional(28, 28));
}

#[test]
fn too_long_payload_reports_capacity_and_alternatives() {
    let payload = "https://www.tuwien.at/a-payload-too-long-for-v3-h";
    let err = QrSymbol::encode(&spec(payload, 3, EcLevel::H)).unwrap_err();
    match &err {
        QrError::PayloadTooLong {
            payload_bytes,
            capacity_bytes,
            smallest_fitting_version,
            strongest_fitting_ec_level,
            ..
        } => {
            assert_eq!(*payload_bytes, payload.len());
            // V3-H: 26 data codewords → (208 − 4 − 8) / 8 = 24 bytes (ISO Table 7).
            assert_eq!(*capacity_bytes, 24);
            assert_eq!(*smallest_fitting_version, Some(6)); // V5-H holds 44 bytes, V6-H 58
            assert_eq!(*strongest_fitting_ec_level, Some(EcLevel::L));
        }
        other => panic!("expected PayloadTooLong, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("24 bytes") && message.contains("version 3-H"),
        "{message}"
    );
    assert!(
        message.contains("smallest version that fits at EC H: 6"),
        "{message}"
    );
}

#[test]
fn version_and_mask_bounds_are_checked() {
    for version in [0, 41] {
        let err = QrSymbol::encode(&spec("x", version, EcLevel::M)).unwrap_err();
        assert_eq!(err, QrError::InvalidVersion { version });
    }
    let bad_mask = SymbolSpec {
        mask: MaskChoice::Pattern(8),
        ..spec("x", 1, EcLevel::M)
    };
    assert_eq!(
        QrSymbol::encode(&bad_mask).unwrap_err(),
        QrError::InvalidMask { mask: 8 }
    );
}

#[test]
fn auto_mask_matches_qrcode_and_explicit_masks_are_applied() {
    let payload = "https://tuwien.at/qr";
    let auto = QrSymbol::encode(&spec(payload, 3, EcLevel::M)).unwrap();
    let reference =
        qrcode::QrCode::with_version(payload, Version::Normal(3), qrcode::EcLevel::M).unwrap();
    let reference_dark: Vec<bool> = reference
        .to_colors()
        .iter()
        .map(|&c| c == Color::Dark)
        .collect();
    assert_eq!(auto.dark, reference_dark);
    for mask in 0..8 {
        let fixed = QrSymbol::encode(&SymbolSpec {
            mask: MaskChoice::Pattern(mask),
            ..spec(payload, 3, EcLevel::M)
        })
        .unwrap();
        assert_eq!(fixed.mask(), mask);
        assert_eq!(read_format_info(&fixed), (EcLevel::M, mask));
    }
    assert_eq!(read_format_info(&auto).1, auto.mask());
}

/// Reads the upper-left format information back from the matrix and decodes it with
/// rxing's BCH table (ISO/IEC 18004:2015 §7.9.1; bit order of ZXing's BitMatrixParser).
fn read_format_info(symbol: &QrSymbol) -> (EcLevel, u8) {
    let side = symbol.modules_per_side();
    let mut first = 0u32;
    let push =
        |bits: &mut u32, x: usize, y: usize| *bits = (*bits << 1) | u32::from(symbol.is_dark(x, y));
    let upper_left: Vec<(usize, usize)> = (0..6)
        .map(|x| (x, 8))
        .chain([(7, 8), (8, 8), (8, 7)])
        .chain((0..6).rev().map(|y| (8, y)))
        .collect();
    for (x, y) in upper_left {
        push(&mut first, x, y);
    }
    let mut second = 0u32;
    let split: Vec<(usize, usize)> = (side - 7..side)
        .rev()
        .map(|y| (8, y))
        .chain((side - 8..side).map(|x| (x, 8)))
        .collect();
    for (x, y) in split {
        push(&mut second, x, y);
    }
    assert_eq!(first, second, "both format copies agree");
    let info = rxing::qrcode::common::FormatInformation::decodeFormatInformation(first, second)
        .expect("format information decodes");
    use rxing::qrcode::common::ErrorCorrectionLevel as R;
    let level = match info.getErrorCorrectionLevel() {
        R::L => EcLevel::L,
        R::M => EcLevel::M,
        R::Q => EcLevel::Q,
        R::H => EcLevel::H,
        R::Invalid => panic!("invalid EC level"),
    };
    (level, info.getDataMask())
}

/// ISO/IEC 18004:2015 §7.7.3: the zigzag over the non-function modules, read from the
/// unmasked matrix, must return exactly the codewords the encoder produced; and the data
/// must start with the byte-mode header (mode 0100, 8-bit length) of the payload.
#[test]
fn codeword_map_reproduces_encoder_codewords() {
    for (payload, version, ec_level) in [
        ("https://tuwien.at/qr", 3, EcLevel::M),
        ("https://tuwien.at/qr", 3, EcLevel::H),
        ("https://www.tuwien.at/?qr=record", 5, EcLevel::Q),
        (
            "https://www.tuwien.at/?qr=record-with-version-info",
            7,
            EcLevel::H,
        ),
    ] {
        let symbol = QrSymbol::encode(&spec(payload, version, ec_level)).unwrap();
        let side = symbol.modules_per_side();
        let mask_pattern = mask_pattern_from_encoder(version, ec_level, symbol.mask());
        let mut extracted = vec![0u8; symbol.codewords().len()];
        let mut carried_bits = 0;
        for y in 0..side {
            for x in 0..side {
                if let Some(CodewordBit { codeword, bit }) = symbol.codeword_bit(x, y) {
                    let unmasked = symbol.is_dark(x, y) ^ mask_pattern[y * side + x];
                    extracted[codeword] |= u8::from(unmasked) << bit;
                    carried_bits += 1;
                }
            }
        }
        assert_eq!(carried_bits, 8 * symbol.codewords().len());
        assert_eq!(extracted, symbol.codewords(), "{version}-{ec_level}");
        // Byte-mode header: the URL has lower-case letters, so the optimal segmentation
        // is a single byte segment.
        // De-interleave (§7.6): the data bit stream is block 1's data, block 2's data, ….
        let data: Vec<u8> = symbol
            .rs_blocks()
            .iter()
            .flat_map(|block| {
                block.codeword_indices[..block.data_codewords]
                    .iter()
                    .map(|&i| extracted[i])
            })
            .collect();
        assert_eq!(data.len(), symbol.data_codeword_count());
        assert_eq!(data[0] >> 4, 0b0100, "byte mode indicator");
        let length = ((data[0] & 0x0f) << 4) | (data[1] >> 4);
        assert_eq!(usize::from(length), payload.len());
        let first_char = ((data[1] & 0x0f) << 4) | (data[2] >> 4);
        assert_eq!(first_char, b'h');
    }
}

/// The mask pattern (Table 10) as the encoder applies it: a canvas with all-light data,
/// masked, is dark exactly where the mask inverts.
fn mask_pattern_from_encoder(version: u8, ec_level: EcLevel, mask: u8) -> Vec<bool> {
    let qr_version = Version::Normal(i16::from(version));
    let mut canvas = Canvas::new(qr_version, ec_level.to_qrcode());
    canvas.draw_all_functional_patterns();
    canvas.apply_mask(qrcode_mask_pattern(mask).unwrap());
    canvas
        .into_colors()
        .iter()
        .map(|&c| c == Color::Dark)
        .collect()
}

#[test]
fn block_structure_matches_table_9_and_the_module_count() {
    let capacities = |version, level| -> Vec<usize> {
        rs_blocks(version, level)
            .iter()
            .map(|b| b.correctable_codewords)
            .collect()
    };
    // decoders.md theory check: V3 L 7, M 13, Q 2 × 9, H 2 × 11.
    assert_eq!(capacities(3, EcLevel::L), vec![7]);
    assert_eq!(capacities(3, EcLevel::M), vec![13]);
    assert_eq!(capacities(3, EcLevel::Q), vec![9, 9]);
    assert_eq!(capacities(3, EcLevel::H), vec![11, 11]);
    for version in MIN_VERSION..=MAX_VERSION {
        for level in EcLevel::ALL {
            let blocks = rs_blocks(version, level);
            let total: usize = blocks
                .iter()
                .map(|b| b.data_codewords + b.ec_codewords)
                .sum();
            let mut indices: Vec<usize> = blocks
                .iter()
                .flat_map(|b| b.codeword_indices.clone())
                .collect();
            indices.sort_unstable();
            assert_eq!(indices, (0..total).collect::<Vec<_>>());
            // The symbol-wide bound of the qrcode crate equals the sum of block bounds,
            // which confirms p = 0 for every multi-block symbol.
            let sum_t: usize = blocks.iter().map(|b| b.correctable_codewords).sum();
            let crate_t = qrcode::ec::max_allowed_errors(
                Version::Normal(i16::from(version)),
                level.to_qrcode(),
            )
            .unwrap();
            assert_eq!(sum_t, crate_t, "{version}-{level}");
        }
        // Non-function modules = 8 × codewords + remainder bits (0, 3, 4 or 7; §7.7.3).
        let symbol = QrSymbol::encode(&spec("1", version, EcLevel::L)).unwrap();
        let side = symbol.modules_per_side();
        let data_modules = (0..side * side)
            .filter(|&i| !symbol.is_functional(i % side, i / side))
            .count();
        let remainder = data_modules - 8 * symbol.codewords().len();
        assert!(
            [0, 3, 4, 7].contains(&remainder),
            "version {version}: remainder {remainder}"
        );
    }
}

#[test]
fn roles_count_format_and_version_information() {
    for version in [3u8, 7] {
        let symbol = QrSymbol::encode(&spec("1", version, EcLevel::L)).unwrap();
        let side = symbol.modules_per_side();
        let count = |role| {
            (0..side * side)
                .filter(|&i| symbol.role(i % side, i / side) == role)
                .count()
        };
        assert_eq!(count(ModuleRole::FormatInfo), 30);
        assert_eq!(count(ModuleRole::DarkModule), 1);
        assert!(symbol.is_dark(8, side - 8));
        assert_eq!(
            count(ModuleRole::VersionInfo),
            if version >= 7 { 36 } else { 0 }
        );
        // Three 8 × 8 corners: 7 × 7 finder plus separator.
        assert_eq!(count(ModuleRole::Finder), 3 * 64);
    }
}

#[test]
fn geometry_of_the_record_symbol() {
    let geometry = SymbolGeometry {
        module_pitch_nm: 48.48,
        quiet_zone_modules: 4,
        milled: MilledModules::Dark,
    };
    assert!((geometry.symbol_side_nm(29) - 1405.92).abs() < 1e-9);
    assert!(
        (geometry.area_um2(29) - 1.977).abs() < 5e-4,
        "{}",
        geometry.area_um2(29)
    );
    assert!((geometry.field_side_nm(29) - 48.48 * 37.0).abs() < 1e-9);
}

#[test]
fn milled_modules_follow_the_choice_and_the_quiet_zone() {
    let symbol = QrSymbol::encode(&spec("https://tuwien.at/qr", 3, EcLevel::M)).unwrap();
    let dark = SymbolGeometry {
        module_pitch_nm: 50.0,
        quiet_zone_modules: 2,
        milled: MilledModules::Dark,
    };
    let light = SymbolGeometry {
        milled: MilledModules::Light,
        ..dark
    };
    assert!(
        symbol.is_milled(0, 0, MilledModules::Dark)
            && !symbol.is_milled(0, 0, MilledModules::Light)
    );
    assert!(symbol.is_milled_in_field(2, 2, &dark)); // finder corner
    assert!(!symbol.is_milled_in_field(0, 0, &dark) && symbol.is_milled_in_field(0, 0, &light));
    assert!(symbol.is_milled_in_field(32, 32, &light)); // far quiet-zone corner
}
