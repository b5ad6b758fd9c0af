#!/usr/bin/env bash
# The record QR code aged 1,000 years at 25 °C, 300 °C and 600 °C (sims/aging_record_*.toml).
# Writes results/aging_record_<T>c/ (SEM and height images per snapshot) and copies the tables to
# results/reference/aging_record/ (the tracked summary is results/reference/aging_record.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
mkdir -p results/reference/aging_record
for t in 25 300 600; do
  out="results/aging_record_${t}c"
  ./target/release/millage run "sims/aging_record_${t}c.toml" --out "$out"
  cp "$out/aging.csv" "results/reference/aging_record/aging_${t}c.csv"

done
./target/release/millage age sims/aging_record_300c.toml
