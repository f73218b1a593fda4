#!/usr/bin/env bash
# Rebuild reports/example from the committed traces and fits of every built-in model, and the committed sweeps
# that carry both PSNR protocols, FLOPs and timed pairs (the report reads the paper's 8-bit protocol).
# The dit-tiny, latte-tiny and osp-tiny sweeps predate those fields: re-run them with scripts/make-datasets.sh,
# then add them to SWEPT.
set -euo pipefail
cd "$(dirname "$0")/.."
models=(dit-tiny stdit-tiny latte-tiny osp-tiny)
SWEPT=(stdit-tiny)
args=()
for m in "${models[@]}"; do
  args+=(--traces "datasets/traces/$m/calibration" --coefficients "datasets/coefficients/$m.json")
done
for m in "${SWEPT[@]}"; do
  args+=(--sweep "datasets/sweeps/$m.jsonl")
done
pnpm -s teacache report "${args[@]}" --references datasets/reference-coefficients --out reports/example --name example
