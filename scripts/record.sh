#!/usr/bin/env bash
# Run the record and the Münster scenarios and print where their results are.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
for s in sims/record.toml sims/muenster_2024.toml; do
  ./target/release/millage run "$s"
done
