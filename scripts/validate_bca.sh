#!/usr/bin/env bash
# Long BCA validation: yields vs Yamamura–Tawara, angular dependence, range, Sigmund, energy
# balance. Writes results/validation/bca.md. Usage: scripts/validate_bca.sh [ions-per-point]
# (default 1000; ~2–5 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export BCA_VALIDATION_IONS="${1:-1000}"
cargo test --release --test bca_validation -- --ignored --nocapture
echo "report: results/validation/bca.md"
