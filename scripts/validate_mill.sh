#!/usr/bin/env bash
# Fast vs direct (voxel BCA) milling validation on one module and a 3 × 3 block: mean depth
# within 10 %, half-depth edges within 2 nm, Ga per nm² within 20 %. Writes
# results/validation/mill.md and results/validation/mill_profiles.png.
# Usage: scripts/validate_mill.sh [half|record] [dose-ions-per-nm2] [sticking] [film-nm]
#   half (default): 24.24 nm modules, 5 nm spot (~45 min on 2 cores at the default dose 300)
#   record: 48.485 nm modules, 10 nm spot (4× the ions: hours)
#   sticking (default 1) of sputtered atoms in both modes; 0 tests the erosion physics alone
#   film-nm (default 15, the record's CrN): e.g. 5 mills through into the glass at dose 300
# The direct reference is valid up to a few hundred ions/nm² (see src/mill/direct.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export MILL_VALIDATION_SCALE="${1:-half}"
export MILL_VALIDATION_DOSE="${2:-300}"
export MILL_VALIDATION_STICKING="${3:-1}"
export MILL_VALIDATION_FILM_NM="${4:-15}"
cargo test --release --test integration validation::mill -- --ignored --nocapture
echo "report: results/validation/mill.md"
