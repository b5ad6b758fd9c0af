//! `[decode]`: which decoders read the image, and which grid the information criterion
//! samples.

use crate::config::engine::Parsed;
use crate::decode::{CriterionGrid, Decoder};
use crate::error::Result;

/// The `[decode]` section → the decoders, in the order given, and the criterion's grid
/// (`decode.criterion_grid`, default "located").
pub(super) fn resolve(p: &mut Parsed<'_>) -> Result<(Vec<Decoder>, CriterionGrid)> {
    let decoders = p.choice_list::<Decoder>("decode.decoders")?;
    let grid = p.choice::<CriterionGrid>("decode.criterion_grid")?;
    Ok((decoders, grid))
}
