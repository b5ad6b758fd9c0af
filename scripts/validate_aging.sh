#!/usr/bin/env bash
# Opt-in aging validations (#[ignore] tests): convergence of the nonlinear surface-diffusion
# solver under tolerance refinement. The fast analytic tests T1–T14 run in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --lib age::tests -- --ignored --nocapture
