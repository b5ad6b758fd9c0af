#!/usr/bin/env bash
# Run a sweep as N local background shards, then merge them.
#   usage: scripts/sweep_local.sh SWEEP.toml N OUT_DIR
# Each shard is an independent `millage sweep --shard i/N` process (resumable: rerun the script
# after a crash and only missing points are computed); the merge writes OUT_DIR/points.csv,
# byte-identical to an unsharded run.
set -euo pipefail
sweep=${1:?sweep file}; n=${2:?number of shards}; out=${3:?output directory}
cd "$(dirname "$0")/.."
cargo build --release
pids=()
for ((i = 0; i < n; i++)); do
  ./target/release/millage sweep "$sweep" --shard "$i/$n" --out "$out.shard$i" --threads 1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
shards=()
for ((i = 0; i < n; i++)); do shards+=("$out.shard$i"); done
./target/release/millage merge "${shards[@]}" --out "$out"
