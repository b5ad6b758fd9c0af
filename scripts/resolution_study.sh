#!/usr/bin/env bash
# Grid-resolution study of the decoder lifetime (issue 17 finding). Two cases, each aged in
# air (surface diffusion + CrN oxidation from the native oxide, the lifetime probes' default
# model) at one temperature with snapshots, at several grid cells and noise seeds; the SEM
# pixel stays at its default (module pitch / 8 = 6.06 nm), the frame's registration is exact
# (readout.registration = "exact", so the pixel grid's phase does not change with the seed), and
# only the specimen grid changes:
# - v1:     sims/regression/lifetime_v1.toml (V1 at the record's 48.485 nm pitch, 15 nm CrN on
#           glass, ideal 20 nm pits) at 400 °C, snapshots 1e-4 … 0.1 yr, cells pitch/8 … /48;
# - record: sims/record_ideal.toml (the record, ideal write: no BCA tables) at 300 °C,
#           snapshots 0.1 … 10 yr, cells pitch/16, /24 (the default), /32;
# - record_bca: sims/record.toml (the record as the Monte Carlo write mills it: the headline
#           case) at 300 °C, same snapshots, cells pitch/24 (the default), /32, /48 (pitch/16
#           is refused by the mill: it does not resolve the 10 nm spot).
# Writes per run the aging.csv of `millage run` (a run whose aging.csv exists is kept:
# rerunning resumes), then per case OUT/<case>/resolution.csv (every snapshot of every run) and
# OUT/<case>/summary.md (state metrics per cell at fixed times for the first seed, and the first
# snapshot at which each decoder fails, per cell and seed).
#   scripts/resolution_study.sh [OUT] [CASES]   (default results/resolution and all three
#        cases; ≈ 25 min on 2 cores for v1 and record, most of it the finest cells, and
#        ≈ 20 min for record_bca)
# Reference output: results/reference/resolution/{v1,record}_summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/resolution}"
cases="${2:-v1 record record_bca}"
cargo build --release --quiet

# study CASE BASE_FILE CELL_KEY_LINE AGING_SECTION "CELLS" "SEEDS"
study() {
  [[ " $cases " == *" $1 "* ]] || return 0
  local case="$1" base="$2" cell_line="$3" aging="$4" cells="$5" seeds="$6"
  local dir="$out/$case"
  mkdir -p "$dir"
  for c in $cells; do
    local scenario="$dir/${case}_${c}.toml"
    python3 - "$base" "$cell_line" "$c" "$case" "$aging" "$scenario" <<'EOF'
import sys
base, cell_line, cell, case, aging, path = sys.argv[1:7]
s = open(base).read()
assert cell_line in s, f"{base}: {cell_line!r} not found"
if "\n[lifetime]" in s:
    s = s[: s.index("\n[lifetime]") + 1]
s = s.replace(cell_line, f"cell_nm = {cell}", 1)
# Exact registration: only the cell changes between runs (the reference was run so).
if "\n[readout]\n" in s:
    s = s.replace("\n[readout]\n", '\n[readout]\nregistration = "exact"\n', 1)
else:
    s += '\n[readout]\nregistration = "exact"\n'
open(path, "w").write(s + "\n" + aging + "\n")
EOF
    for seed in $seeds; do
      [ -f "$dir/run_${c}_s${seed}/aging.csv" ] && continue
      rm -rf "$dir/run_${c}_s${seed}"
      ./target/release/millage run "$scenario" --materials sims/materials --seed "$seed" \
        --out "$dir/run_${c}_s${seed}" --threads 2 > /dev/null
    done
  done
  python3 - "$dir" "$case" "$cells" "$seeds" <<'EOF'
import csv, sys, statistics
out, case, cells, seeds = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
rows = {}
with open(f"{out}/resolution.csv", "w", newline="") as f:
    w = None
    for c in cells:
        for s in seeds:
            try:
                r = list(csv.DictReader(open(f"{out}/run_{c}_s{s}/aging.csv")))
            except FileNotFoundError:
                continue
            rows[(c, s)] = r
            for x in r:
                if w is None:
                    w = csv.DictWriter(f, ["cell_nm", "seed"] + list(x.keys()))
                    w.writeheader()
                w.writerow({"cell_nm": c, "seed": s, **x})
first_run = next(r for r in rows.values())
times = [float(x["time_yr"]) for x in first_run]
md = [f"# Grid resolution of the decoder lifetime: case `{case}` (scripts/resolution_study.sh)", ""]
md.append(f"State at fixed times, seed {seeds[0]}: pit depth [nm] / film consumed [nm] / Michelson contrast (module centres) / module errors of the information criterion (841 or 441: not located):")
md.append("")
md.append("| time [yr] | " + " | ".join(f"cell {c} nm" for c in cells) + " |")
md.append("|---|" + "---|" * len(cells))
for i, t in enumerate(times):
    v = []
    for c in cells:
        r = rows.get((c, seeds[0]))
        if r is None:
            v.append("–")
            continue
        x = r[i]
        v.append(f"{float(x['pit_depth_nm']):.4f} / {float(x['film_consumed_nm']):.4f} / {float(x['michelson_contrast']):.4f} / {x['module_errors']}")
    md.append(f"| {t:.3g} | " + " | ".join(v) + " |")
md.append("")
for dec in ["rxing", "rqrr"]:
    md.append(f"First snapshot at which {dec} fails [yr] per seed (0: fails as written; inf: reads at every snapshot):")
    md.append("")
    md.append("| cell [nm] | " + " | ".join(f"seed {s}" for s in seeds) + " | median |")
    md.append("|---|" + "---|" * (len(seeds) + 1))
    for c in cells:
        firsts = []
        for s in seeds:
            r = rows.get((c, s))
            if r is None:
                firsts.append(None)
                continue
            firsts.append(next((float(x["time_yr"]) for x in r if x[f"{dec}_decoded"] == "0"), float("inf")))
        done = [v for v in firsts if v is not None]
        med = f"{statistics.median(done):.3g}" if done else "–"
        md.append(f"| {c} | " + " | ".join("–" if v is None else f"{v:.3g}" for v in firsts) + f" | {med} |")
    md.append("")
open(f"{out}/summary.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
EOF
}

study v1 sims/regression/lifetime_v1.toml "cell_nm = 4.04" '[aging]
temperature_c = 400.0
horizon_yr = 0.1
snapshots_yr = [0.0, 1e-4, 3e-4, 6e-4, 1e-3, 1.5e-3, 2e-3, 3e-3, 4.5e-3, 7e-3, 1e-2, 2e-2, 3e-2, 5e-2, 0.1]' \
  "6.06 4.04 3.03 2.02 1.515 1.01" "10 1 2 3 4 5"

study record sims/record_ideal.toml "# cell_nm = 2.0" '[aging]
temperature_c = 300.0
horizon_yr = 10.0
snapshots_yr = [0.0, 0.1, 0.3, 0.557, 1.0, 1.5, 2.0, 3.2, 4.1, 5.0, 7.0, 10.0]' \
  "3.03 2.02 1.515" "1 2 3"


study record_bca sims/record.toml "# cell_nm = 2.0" '[aging]
temperature_c = 300.0
horizon_yr = 10.0
snapshots_yr = [0.0, 0.1, 0.3, 0.557, 1.0, 1.5, 2.0, 3.2, 4.1, 5.0, 7.0, 10.0]' \
  "2.02 1.515 1.01" "1 2 3"
