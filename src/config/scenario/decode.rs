//! `[decode]`: which decoders read the image.

use crate::config::engine::Parsed;
use crate::decode::Decoder;
use crate::error::Result;

/// The `[decode]` section → the decoders, in the order given.
pub(super) fn resolve(p: &mut Parsed<'_>) -> Result<Vec<Decoder>> {
    p.choice_list::<Decoder>("decode.decoders")
}
