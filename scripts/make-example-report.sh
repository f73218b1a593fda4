#!/usr/bin/env bash
# Rebuild reports/example from the committed traces, fits and sweeps of every built-in model (the sweeps carry
# both PSNR protocols, FLOPs and timed pairs; the report reads the paper's 8-bit protocol).
set -euo pipefail
cd "$(dirname "$0")/.."
models=(dit-tiny stdit-tiny latte-tiny osp-tiny)
args=()
for m in "${models[@]}"; do
  args+=(--traces "datasets/traces/$m/calibration" --coefficients "datasets/coefficients/$m.json")
done
for m in "${models[@]}"; do
  args+=(--sweep "datasets/sweeps/$m.jsonl")
done
pnpm -s teacache report "${args[@]}" --references datasets/reference-coefficients --out "${OUT:-reports/example}" --name example
