//! Payload → QR module matrix, module geometry and the codeword map (layer 1: pure, no physics).
//!
//! Owns: what a QR symbol looks like (which modules are dark, which are function patterns),
//! where each Reed–Solomon codeword bit sits in the matrix, the block structure of the symbol,
//! and how large the symbol is in nanometres. Knows nothing about beams, materials or images.
//!
//! Sources of facts (no ISO table is hand-copied here):
//! - encoding, masking and the module matrix: the `qrcode` crate (0.14) through its public
//!   `bits`, `ec` and `canvas` APIs;
//! - Reed–Solomon block structure (ISO/IEC 18004:2015 Table 9): `rxing`'s
//!   `qrcode::common::Version` tables;
//! - misdecode-protection codewords `p` (ISO/IEC 18004:2015 Table 9, footnotes):
//!   `qrcode::ec::max_allowed_errors`;
//! - codeword placement: the zigzag of ISO/IEC 18004:2015 §7.7.3, implemented here over the
//!   encoder's own function-pattern map and checked against the encoder's codewords in tests.

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::types::{Color, Mode, Version};
use serde::{Deserialize, Serialize};

/// Smallest QR Code version (21 × 21 modules).
pub const MIN_VERSION: u8 = 1;
/// Largest QR Code version (177 × 177 modules).
pub const MAX_VERSION: u8 = 40;
/// Number of data-mask patterns of QR Code (ISO/IEC 18004:2015 §7.8.2, Table 10).
pub const MASK_PATTERN_COUNT: u8 = 8;

/// Error-correction level (ISO/IEC 18004:2015 §7.5.1): roughly 7 / 15 / 25 / 30 % of codewords
/// recoverable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EcLevel {
    /// Low, ≈ 7 % of codewords recoverable.
    L,
    /// Medium, ≈ 15 %.
    M,
    /// Quartile, ≈ 25 %.
    Q,
    /// High, ≈ 30 %.
    H,
}

impl EcLevel {
    /// All levels from weakest to strongest.
    pub const ALL: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    fn to_qrcode(self) -> qrcode::EcLevel {
        match self {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        }
    }

    fn to_rxing(self) -> rxing::qrcode::common::ErrorCorrectionLevel {
        use rxing::qrcode::common::ErrorCorrectionLevel as R;
        match self {
            EcLevel::L => R::L,
            EcLevel::M => R::M,
            EcLevel::Q => R::Q,
            EcLevel::H => R::H,
        }
    }
}

crate::choices!(EcLevel {
    EcLevel::L => "L",
    EcLevel::M => "M",
    EcLevel::Q => "Q",
    EcLevel::H => "H",
});

/// Which data mask to apply (ISO/IEC 18004:2015 §7.8).
///
/// Serialized as `"Auto"` or `{ "Pattern": 3 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MaskChoice {
    /// The mask with the lowest penalty score (§7.8.3), as chosen by the encoder.
    #[default]
    Auto,
    /// A fixed mask pattern reference, 0..=7 (§7.8.2, Table 10).
    Pattern(u8),
}

/// What to encode and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolSpec {
    /// Text to encode (UTF-8; the encoder picks numeric/alphanumeric/byte segments optimally).
    pub payload: String,
    /// QR Code version, 1..=40; side = 17 + 4 · version modules.
    pub version: u8,
    /// Error-correction level.
    pub ec_level: EcLevel,
    /// Data mask.
    pub mask: MaskChoice,
}

/// Why a symbol could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// The payload does not fit the chosen version and EC level.
    #[error(
        "payload of {payload_bytes} bytes does not fit QR version {version}-{ec_level} \
         (byte-mode capacity {capacity_bytes} bytes){}{}",
        match smallest_fitting_version {
            Some(v) => format!("; smallest version that fits at EC {ec_level}: {v}"),
            None => format!("; no version up to {MAX_VERSION} fits at EC {ec_level}"),
        },
        match strongest_fitting_ec_level {
            Some(level) => format!("; strongest EC level that fits version {version}: {level}"),
            None => format!("; no EC level fits version {version}"),
        }
    )]
    PayloadTooLong {
        /// Length of the payload in bytes (UTF-8).
        payload_bytes: usize,
        /// How many bytes this version and EC level hold in byte mode (numeric or
        /// alphanumeric payloads may hold more characters).
        capacity_bytes: usize,
        /// The version asked for.
        version: u8,
        /// The EC level asked for.
        ec_level: EcLevel,
        /// Smallest version that holds the payload at the same EC level, if any.
        smallest_fitting_version: Option<u8>,
        /// Strongest EC level that holds the payload at the same version, if any.
        strongest_fitting_ec_level: Option<EcLevel>,
    },
    /// Version outside 1..=40.
    #[error("QR version must be in {MIN_VERSION}..={MAX_VERSION} (got {version})")]
    InvalidVersion {
        /// The version asked for.
        version: u8,
    },
    /// Mask pattern outside 0..=7.
    #[error("QR mask pattern must be in 0..=7 or auto (got {mask})")]
    InvalidMask {
        /// The mask asked for.
        mask: u8,
    },
    /// Any other failure reported by the `qrcode` encoder.
    #[error("QR encoder failed: {0}")]
    Encoder(String),
}

/// Role of a module in the symbol (ISO/IEC 18004:2015 §6.3 and Figure 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModuleRole {
    /// Finder pattern or its separator (§6.3.3, §6.3.4).
    Finder,
    /// Timing pattern (§6.3.5).
    Timing,
    /// Alignment pattern (§6.3.6).
    Alignment,
    /// The single always-dark module next to the lower-left format information (§7.9.1).
    DarkModule,
    /// Format information, either copy (§7.9).
    FormatInfo,
    /// Version information, versions ≥ 7 (§7.10).
    VersionInfo,
    /// Data or error-correction codeword bit, or a remainder bit (§7.7.3).
    Data,
}

impl ModuleRole {
    /// True for patterns whose colour a reader knows before reading anything (finder, timing,
    /// alignment, dark module); used to decide image polarity.
    pub fn is_fixed_pattern(self) -> bool {
        matches!(
            self,
            ModuleRole::Finder
                | ModuleRole::Timing
                | ModuleRole::Alignment
                | ModuleRole::DarkModule
        )
    }
}

/// One bit of one codeword carried by a data module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodewordBit {
    /// Index of the codeword in the final interleaved sequence (data codewords, then EC).
    pub codeword: usize,
    /// Bit within the codeword, 7 = most significant (placed first, §7.7.3).
    pub bit: u8,
}

/// One Reed–Solomon block (ISO/IEC 18004:2015 §7.5.2, Table 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsBlock {
    /// Number of data codewords in the block.
    pub data_codewords: usize,
    /// Number of error-correction codewords in the block.
    pub ec_codewords: usize,
    /// Codeword errors the block may contain and still decode: t = ⌊(EC codewords − p)/2⌋,
    /// with p the misdecode-protection codewords of Table 9 (non-zero only for the
    /// single-block symbols 1-L/M/Q/H, 2-L and 3-L).
    pub correctable_codewords: usize,
    /// Indices, in the final interleaved codeword sequence, of this block's codewords: its
    /// data codewords in order, then its EC codewords in order (§7.6).
    pub codeword_indices: Vec<usize>,
}

/// An encoded QR symbol: module matrix, function-pattern map and codeword layout.
#[derive(Debug, Clone)]
pub struct QrSymbol {
    payload: String,
    version: u8,
    ec_level: EcLevel,
    mask: u8,
    modules_per_side: usize,
    /// Row-major (`y * side + x`), after masking, format and version information.
    dark: Vec<bool>,
    /// Row-major module roles.
    roles: Vec<ModuleRole>,
    /// Row-major codeword bit of each module (None for function modules and remainder bits).
    codeword_bits: Vec<Option<CodewordBit>>,
    /// Final interleaved codeword sequence (data then EC) the encoder placed.
    codewords: Vec<u8>,
    data_codeword_count: usize,
    blocks: Vec<RsBlock>,
}

fn qrcode_mask_pattern(mask: u8) -> Option<MaskPattern> {
    // qrcode's enum discriminants are the ISO mask pattern references (Table 10).
    Some(match mask {
        0 => MaskPattern::Checkerboard,
        1 => MaskPattern::HorizontalLines,
        2 => MaskPattern::VerticalLines,
        3 => MaskPattern::DiagonalLines,
        4 => MaskPattern::LargeCheckerboard,
        5 => MaskPattern::Fields,
        6 => MaskPattern::Diamonds,
        7 => MaskPattern::Meadow,
        _ => return None,
    })
}

/// Encoded bit stream (mode segments + terminator + padding) for `payload`, or `None` if it
/// does not fit.
fn encode_bits(payload: &[u8], version: u8, ec_level: EcLevel) -> Result<Option<Vec<u8>>, QrError> {
    let mut bits = Bits::new(Version::Normal(i16::from(version)));
    let pushed = bits
        .push_optimal_data(payload)
        .and_then(|()| bits.push_terminator(ec_level.to_qrcode()));
    match pushed {
        Ok(()) => Ok(Some(bits.into_bytes())),
        Err(qrcode::types::QrError::DataTooLong) => Ok(None),
        Err(other) => Err(QrError::Encoder(other.to_string())),
    }
}

/// Reed–Solomon blocks of a version and EC level, from rxing's copy of ISO Table 9, with the
/// interleaved position of every codeword (§7.6: data codewords are interleaved block by
/// block, shorter blocks first, then the EC codewords likewise).
fn rs_blocks(version: u8, ec_level: EcLevel) -> Vec<RsBlock> {
    let rx_version = rxing::qrcode::common::Version::getVersionForNumber(u32::from(version))
        .expect("version checked to be in 1..=40");
    let ec_blocks = rx_version.getECBlocksForLevel(ec_level.to_rxing());
    let ec_per_block = ec_blocks.getECCodewordsPerBlock() as usize;
    let data_sizes: Vec<usize> = ec_blocks
        .getECBlocks()
        .iter()
        .flat_map(|group| {
            std::iter::repeat_n(group.getDataCodewords() as usize, group.getCount() as usize)
        })
        .collect();
    // p > 0 only for single-block symbols (Table 9 footnotes), where qrcode's symbol-wide
    // bound ⌊(EC − p)/2⌋ is exactly the block's bound; multi-block symbols have p = 0.
    let correctable = if data_sizes.len() == 1 {
        qrcode::ec::max_allowed_errors(Version::Normal(i16::from(version)), ec_level.to_qrcode())
            .expect("valid version and EC level")
    } else {
        ec_per_block / 2
    };
    let mut blocks: Vec<RsBlock> = data_sizes
        .iter()
        .map(|&data| RsBlock {
            data_codewords: data,
            ec_codewords: ec_per_block,
            correctable_codewords: correctable,
            codeword_indices: Vec::with_capacity(data + ec_per_block),
        })
        .collect();
    let longest_data = data_sizes.iter().copied().max().unwrap_or(0);
    let mut next_index = 0;
    for position in 0..longest_data {
        for block in blocks.iter_mut().filter(|b| position < b.data_codewords) {
            block.codeword_indices.push(next_index);
            next_index += 1;
        }
    }
    for _ in 0..ec_per_block {
        for block in &mut blocks {
            block.codeword_indices.push(next_index);
            next_index += 1;
        }
    }
    blocks
}

/// Module coordinates `(x, y)` in the order codeword bits are placed: the two-column zigzag
/// of ISO/IEC 18004:2015 §7.7.3 (Figure 12/13). Starting at the lower right, each pair of
/// columns is filled right module then left module, alternately upward and downward; the
/// vertical timing column (x = 6) is skipped; function modules are passed over.
pub fn placement_order(
    modules_per_side: usize,
    is_function: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let side = modules_per_side;
    let mut order = Vec::with_capacity(side * side);
    let mut right_column = side as isize - 1;
    let mut upward = true;
    while right_column > 0 {
        if right_column == 6 {
            // The vertical timing pattern occupies column 6; the zigzag continues at column 5.
            right_column = 5;
        }
        for step in 0..side {
            let y = if upward { side - 1 - step } else { step };
            for x in [right_column as usize, right_column as usize - 1] {
                if !is_function(x, y) {
                    order.push((x, y));
                }
            }
        }
        upward = !upward;
        right_column -= 2;
    }
    order
}

/// Role of every module (row-major), from the encoder's function-pattern map plus the
/// positions of §6.3 and §7.9–7.10 to tell the patterns apart.
fn module_roles(
    version: u8,
    side: usize,
    is_function: impl Fn(usize, usize) -> bool,
) -> Vec<ModuleRole> {
    let mut roles = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            roles.push(classify_module(version, side, x, y, is_function(x, y)));
        }
    }
    roles
}

fn classify_module(version: u8, side: usize, x: usize, y: usize, is_function: bool) -> ModuleRole {
    if !is_function {
        return ModuleRole::Data;
    }
    let far = side - 8; // first row/column of the right/bottom finder + separator
    if x == 8 && y == far {
        return ModuleRole::DarkModule;
    }
    // Format information (§7.9.1, Figure 25): around the upper-left finder, and split between
    // the upper-right (row 8) and lower-left (column 8) finders.
    let upper_left_format = (y == 8 && x <= 8 && x != 6) || (x == 8 && y <= 8 && y != 6);
    let split_format = (y == 8 && x >= far) || (x == 8 && y > far);
    if upper_left_format || split_format {
        return ModuleRole::FormatInfo;
    }
    let in_corner = |c: usize| c < 8 || c >= far;
    // Three corners carry a finder; the lower-right one does not.
    let in_finder = in_corner(x) && in_corner(y) && !(x >= far && y >= far);
    if in_finder {
        return ModuleRole::Finder;
    }
    // Version information (§7.10, Figure 27): 6 × 3 blocks next to the upper-right and
    // lower-left finders.
    if version >= 7 {
        let block_start = side - 11;
        let lower_left = x < 6 && (block_start..block_start + 3).contains(&y);
        let upper_right = y < 6 && (block_start..block_start + 3).contains(&x);
        if lower_left || upper_right {
            return ModuleRole::VersionInfo;
        }
    }
    if x == 6 || y == 6 {
        return ModuleRole::Timing;
    }
    ModuleRole::Alignment
}

impl QrSymbol {
    /// Encodes `spec` with the `qrcode` crate. The module matrix is identical to
    /// `qrcode::QrCode::with_version` for [`MaskChoice::Auto`].
    ///
    /// # Errors
    /// [`QrError::InvalidVersion`], [`QrError::InvalidMask`], [`QrError::PayloadTooLong`]
    /// (with the capacity and the nearest version / EC level that would fit).
    pub fn encode(spec: &SymbolSpec) -> Result<QrSymbol, QrError> {
        let version = spec.version;
        if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
            return Err(QrError::InvalidVersion { version });
        }
        let fixed_mask = match spec.mask {
            MaskChoice::Auto => None,
            MaskChoice::Pattern(mask) => {
                Some(qrcode_mask_pattern(mask).ok_or(QrError::InvalidMask { mask })?)
            }
        };
        let payload = spec.payload.as_bytes();
        let Some(raw_data) = encode_bits(payload, version, spec.ec_level)? else {
            return Err(payload_too_long(payload, version, spec.ec_level));
        };
        let qr_version = Version::Normal(i16::from(version));
        let qr_ec = spec.ec_level.to_qrcode();
        let (data_codewords, ec_codewords) =
            qrcode::ec::construct_codewords(&raw_data, qr_version, qr_ec)
                .map_err(|e| QrError::Encoder(e.to_string()))?;

        let mut canvas = Canvas::new(qr_version, qr_ec);
        canvas.draw_all_functional_patterns();
        let side = qr_version.width() as usize;
        // The encoder's own function map (includes version information, which
        // `qrcode::canvas::is_functional` omits for versions ≥ 7).
        let function_map: Vec<bool> = (0..side * side)
            .map(|i| canvas.get((i % side) as i16, (i / side) as i16) != Module::Empty)
            .collect();
        canvas.draw_data(&data_codewords, &ec_codewords);

        let masked_with = |pattern: MaskPattern| {
            let mut masked = canvas.clone();
            masked.apply_mask(pattern);
            masked.into_colors()
        };
        let (colors, mask) = match fixed_mask {
            Some(pattern) => (masked_with(pattern), pattern as u8),
            None => {
                let best = canvas.apply_best_mask().into_colors();
                // The crate does not report its choice; the mask is the one pattern that
                // reproduces the chosen matrix (masks differ on data modules).
                let mask = (0..MASK_PATTERN_COUNT)
                    .find(|&m| masked_with(qrcode_mask_pattern(m).expect("0..8")) == best)
                    .ok_or_else(|| {
                        QrError::Encoder("could not identify the mask the encoder chose".into())
                    })?;
                (best, mask)
            }
        };
        let dark: Vec<bool> = colors.iter().map(|&c| c == Color::Dark).collect();

        let is_function = |x: usize, y: usize| function_map[y * side + x];
        let roles = module_roles(version, side, is_function);
        let codewords: Vec<u8> = data_codewords
            .iter()
            .chain(ec_codewords.iter())
            .copied()
            .collect();
        let mut codeword_bits = vec![None; side * side];
        for (bit_index, (x, y)) in placement_order(side, is_function).into_iter().enumerate() {
            if bit_index / 8 < codewords.len() {
                codeword_bits[y * side + x] = Some(CodewordBit {
                    codeword: bit_index / 8,
                    bit: 7 - (bit_index % 8) as u8,
                });
            }
        }
        Ok(QrSymbol {
            payload: spec.payload.clone(),
            version,
            ec_level: spec.ec_level,
            mask,
            modules_per_side: side,
            dark,
            roles,
            codeword_bits,
            codewords,
            data_codeword_count: data_codewords.len(),
            blocks: rs_blocks(version, spec.ec_level),
        })
    }

    /// Modules per side, 17 + 4 · version (quiet zone excluded).
    pub fn modules_per_side(&self) -> usize {
        self.modules_per_side
    }

    fn index(&self, x: usize, y: usize) -> usize {
        assert!(
            x < self.modules_per_side && y < self.modules_per_side,
            "module ({x}, {y}) outside a {0}×{0} symbol",
            self.modules_per_side
        );
        y * self.modules_per_side + x
    }

    /// True if the module at column `x`, row `y` (0-based, symbol only) is dark.
    ///
    /// # Panics
    /// If `x` or `y` ≥ [`Self::modules_per_side`].
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[self.index(x, y)]
    }

    /// True if the module is part of a function pattern (finder + separator, timing, alignment,
    /// dark module, format or version information), i.e. carries no codeword bit.
    ///
    /// # Panics
    /// If `x` or `y` ≥ [`Self::modules_per_side`].
    pub fn is_functional(&self, x: usize, y: usize) -> bool {
        self.role(x, y) != ModuleRole::Data
    }

    /// Role of the module at column `x`, row `y`.
    ///
    /// # Panics
    /// If `x` or `y` ≥ [`Self::modules_per_side`].
    pub fn role(&self, x: usize, y: usize) -> ModuleRole {
        self.roles[self.index(x, y)]
    }

    /// QR Code version, 1..=40.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Error-correction level.
    pub fn ec_level(&self) -> EcLevel {
        self.ec_level
    }

    /// Mask pattern reference actually applied, 0..=7 (ISO/IEC 18004:2015 Table 10).
    pub fn mask(&self) -> u8 {
        self.mask
    }

    /// The encoded text.
    pub fn payload(&self) -> &str {
        &self.payload
    }

    /// Which codeword bit the module carries; `None` for function modules and remainder bits.
    ///
    /// # Panics
    /// If `x` or `y` ≥ [`Self::modules_per_side`].
    pub fn codeword_bit(&self, x: usize, y: usize) -> Option<CodewordBit> {
        self.codeword_bits[self.index(x, y)]
    }

    /// The final interleaved codeword sequence the encoder placed: all data codewords, then all
    /// error-correction codewords (ISO/IEC 18004:2015 §7.6).
    pub fn codewords(&self) -> &[u8] {
        &self.codewords
    }

    /// How many of [`Self::codewords`] are data codewords (the rest are EC codewords).
    pub fn data_codeword_count(&self) -> usize {
        self.data_codeword_count
    }

    /// Reed–Solomon blocks, with each block's codeword indices into [`Self::codewords`].
    pub fn rs_blocks(&self) -> &[RsBlock] {
        &self.blocks
    }

    /// True if the beam mills this module of the symbol (`milled` says which colour is milled).
    ///
    /// # Panics
    /// If `x` or `y` ≥ [`Self::modules_per_side`].
    pub fn is_milled(&self, x: usize, y: usize, milled: MilledModules) -> bool {
        match milled {
            MilledModules::Dark => self.is_dark(x, y),
            MilledModules::Light => !self.is_dark(x, y),
        }
    }

    /// True if the beam mills the module at field coordinates (`field_x`, `field_y`), which
    /// count from the outer corner of the quiet zone. The quiet zone is light (ISO/IEC
    /// 18004:2015 §6.3.8), so it is milled exactly when light modules are: a light-milled
    /// symbol without a milled quiet zone would have no quiet zone at all.
    pub fn is_milled_in_field(
        &self,
        field_x: usize,
        field_y: usize,
        geometry: &SymbolGeometry,
    ) -> bool {
        let quiet = geometry.quiet_zone_modules;
        let in_symbol = |c: usize| c >= quiet && c - quiet < self.modules_per_side;
        if in_symbol(field_x) && in_symbol(field_y) {
            self.is_milled(field_x - quiet, field_y - quiet, geometry.milled)
        } else {
            geometry.milled == MilledModules::Light
        }
    }
}

fn byte_mode_capacity(version: u8, ec_level: EcLevel) -> usize {
    let data_codewords: usize = rs_blocks(version, ec_level)
        .iter()
        .map(|b| b.data_codewords)
        .sum();
    let header_bits = 4 + Mode::Byte.length_bits_count(Version::Normal(i16::from(version)));
    (data_codewords * 8).saturating_sub(header_bits) / 8
}

fn fits(payload: &[u8], version: u8, ec_level: EcLevel) -> bool {
    matches!(encode_bits(payload, version, ec_level), Ok(Some(_)))
}

fn payload_too_long(payload: &[u8], version: u8, ec_level: EcLevel) -> QrError {
    QrError::PayloadTooLong {
        payload_bytes: payload.len(),
        capacity_bytes: byte_mode_capacity(version, ec_level),
        version,
        ec_level,
        smallest_fitting_version: (version + 1..=MAX_VERSION).find(|&v| fits(payload, v, ec_level)),
        strongest_fitting_ec_level: EcLevel::ALL
            .into_iter()
            .rev()
            .find(|&level| fits(payload, version, level)),
    }
}

/// Which modules the ion beam mills away.
///
/// Serialized as `"dark"` / `"light"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MilledModules {
    /// Dark modules are milled (the usual choice: milled pits image dark or bright depending
    /// on the detector; the reader tries both polarities).
    Dark,
    /// Light modules and the quiet zone are milled.
    Light,
}
crate::choices!(MilledModules { MilledModules::Dark => "dark", MilledModules::Light => "light" });

/// Physical size of the symbol on the sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SymbolGeometry {
    /// Centre-to-centre distance of modules [nm].
    pub module_pitch_nm: f64,
    /// Width of the quiet zone on each side [modules]; ISO/IEC 18004:2015 §6.3.8 asks for 4,
    /// the decoders tested in decoders.md also read 0 or 1.
    pub quiet_zone_modules: usize,
    /// Which modules are milled.
    pub milled: MilledModules,
}

impl SymbolGeometry {
    /// Side of the symbol without quiet zone [nm] for `modules` modules per side.
    pub fn symbol_side_nm(&self, modules: usize) -> f64 {
        self.module_pitch_nm * modules as f64
    }

    /// Area of the symbol without quiet zone [µm²].
    pub fn area_um2(&self, modules: usize) -> f64 {
        let side_um = self.symbol_side_nm(modules) * 1e-3;
        side_um * side_um
    }

    /// Side of the whole field including the quiet zone on both sides [nm].
    pub fn field_side_nm(&self, modules: usize) -> f64 {
        self.module_pitch_nm * (modules + 2 * self.quiet_zone_modules) as f64
    }
}

#[cfg(test)]
mod tests;
