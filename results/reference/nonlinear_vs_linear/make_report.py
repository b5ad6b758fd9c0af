#!/usr/bin/env python3
"""Side-by-side table of two `millage run` results of aging_record_300c_{linear,nonlinear}.toml.

Usage (from the repository root):
  cargo run --release -- run results/reference/nonlinear_vs_linear/aging_record_300c_linear.toml \
      --materials sims/materials --out /tmp/ref_linear
  cargo run --release -- run results/reference/nonlinear_vs_linear/aging_record_300c_nonlinear.toml \
      --materials sims/materials --out /tmp/ref_nonlinear
  python3 results/reference/nonlinear_vs_linear/make_report.py /tmp/ref_linear /tmp/ref_nonlinear
Writes compare.csv next to this script (no physics here: it only joins the two aging.csv).
"""
import csv, os, sys

here = os.path.dirname(os.path.abspath(__file__))
lin, non = sys.argv[1], sys.argv[2]
def rows(d):
    with open(os.path.join(d, "aging.csv")) as f:
        return {float(r["time_yr"]): r for r in csv.DictReader(f)}
a, b = rows(lin), rows(non)
cols = ["pit_depth_nm", "rxing_decoded", "rqrr_decoded", "max_block_error_ratio", "module_errors"]
with open(os.path.join(here, "compare.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["time_yr"] + [f"{c}_{s}" for s in ("linear", "nonlinear") for c in cols]
               + ["pit_depth_rel_diff"])
    for t in sorted(set(a) & set(b)):
        da, db = float(a[t]["pit_depth_nm"]), float(b[t]["pit_depth_nm"])
        w.writerow([t] + [a[t][c] for c in cols] + [b[t][c] for c in cols]
                   + [f"{(db - da) / db:.4f}"])
print(open(os.path.join(here, "compare.csv")).read())
