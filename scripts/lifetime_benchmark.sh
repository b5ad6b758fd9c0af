#!/usr/bin/env bash
# Lifetime benchmark (issue 7: record lifetimes at 25/150/300/450 °C with both criteria and
# B50/B5 in ≤ 60 s on 2 cores). Runs sims/record.toml with and without its [lifetime] section
# (the difference is the lifetime stage) and prints wall times and probe counts.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" sims/.bench_no_lifetime.toml' EXIT
# The record without [lifetime] (everything from the [lifetime] header on is cut).
sed '/^\[lifetime\]/,$d' sims/record.toml > sims/.bench_no_lifetime.toml
for threads in 2 1; do
  for i in $(seq "$runs"); do
    /usr/bin/time -f "record with [lifetime], $threads thread(s): %e s wall, %U s user" \
      ./target/release/millage run sims/record.toml --out "$tmp/with" --threads "$threads" > "$tmp/log"
    /usr/bin/time -f "record without [lifetime], $threads thread(s): %e s wall, %U s user" \
      ./target/release/millage run sims/.bench_no_lifetime.toml --out "$tmp/without" --threads "$threads" > /dev/null
  done
done
cat "$tmp/log"
python3 - "$tmp/with/summary.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["lifetime_analysis"]
for s in a["searches"]:
    print(f'{s["criterion"]}: {s["search"]["probes"]} probes, converged {s["search"]["converged"]}')
print(f'unique age+image+decode probes (searches + curve): {a["unique_probes"]}, of them real-time {a["real_time_probes"]}, realizations {a["realizations"]}')
for p in a["paths"]:
    print(f'{p["temperature_k"] - 273.15:.1f} °C: {p["path"]}, active {p["active"]}')
for r in a["real_time_searches"]:
    print(f'real time {r["temperature_k"] - 273.15:.1f} °C {r["criterion"]}: {r["search"]["probes"]} probes, converged {r["search"]["converged"]}')
if a.get("oxidation_search"):
    o = a["oxidation_search"]
    print(f'oxidation alone ({o["material"]}): {o["search"]["probes"]} probes, u_fail {o["u_fail"]}')
if a.get("frontier"):
    print(f'frontier: {a["frontier"]["probes"]} probes over {len(a["frontier"]["searches"])} simulated pitches')
PY
