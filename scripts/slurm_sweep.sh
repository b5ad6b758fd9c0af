#!/usr/bin/env bash
# Submit a sweep to SLURM: a job array of N shards, then a merge job that waits for all of them.
#   usage: scripts/slurm_sweep.sh SWEEP.toml N OUT_DIR [extra sbatch options...]
# Requirements: the repository on a shared file system and `cargo build --release` done once.
# Each array task runs `millage sweep --shard $SLURM_ARRAY_TASK_ID/N` (resumable: resubmitting
# recomputes only missing points); the merge job writes OUT_DIR/points.csv.
set -euo pipefail
sweep=${1:?sweep file}; n=${2:?number of shards}; out=${3:?output directory}; shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/millage"
array=$(sbatch --parsable --array=0-$((n - 1)) --cpus-per-task=2 "$@" \
  --wrap "$bin sweep $sweep --shard \$SLURM_ARRAY_TASK_ID/$n --out $out.shard\$SLURM_ARRAY_TASK_ID --threads 2")
shards=$(for ((i = 0; i < n; i++)); do printf '%s ' "$out.shard$i"; done)
sbatch --dependency=afterok:"$array" "$@" --wrap "$bin merge $shards --out $out"
echo "submitted array job $array ($n shards) and its merge job"
