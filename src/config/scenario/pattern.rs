//! `[pattern]`: the QR symbol and its geometry on the sample.

use crate::config::engine::Parsed;
use crate::error::Result;
use crate::qr::{EcLevel, MilledModules, QrSymbol, SymbolGeometry, SymbolSpec};

/// The `[pattern]` section → the symbol to encode (checked to fit) and its geometry.
pub(super) fn resolve(p: &mut Parsed<'_>) -> Result<(SymbolSpec, SymbolGeometry)> {
    let payload = p.text("pattern.payload")?;
    let version = p.int("pattern.version")? as u8;
    let ec_level = p.choice::<EcLevel>("pattern.ec_level")?;
    let mask = p.mask("pattern.mask")?;
    let symbol = SymbolSpec {
        payload,
        version,
        ec_level,
        mask,
    };
    if let Err(e) = QrSymbol::encode(&symbol) {
        return Err(p.err_at(
            "pattern.payload",
            e.to_string(),
            "shorten the payload, raise pattern.version or lower pattern.ec_level",
        ));
    }
    let geometry = SymbolGeometry {
        module_pitch_nm: p.float("pattern.module_pitch_nm")?,
        quiet_zone_modules: p.int("pattern.quiet_zone_modules")? as usize,
        milled: p.choice::<MilledModules>("pattern.milled_modules")?,
    };
    Ok((symbol, geometry))
}
