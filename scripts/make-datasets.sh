#!/usr/bin/env bash
# Regenerate the committed artifacts of one built-in model from its committed weights, with the CLI only:
# samples + loss curve, calibration and evaluation traces, fitted coefficients, the evaluation sweep and
# its replay check. Usage: bash scripts/make-datasets.sh stdit-tiny [more models...]
# WORKERS=N sets the sweep's worker processes (default one per core). The sweep reads the prompts of
# datasets/sweeps/<model>.prompts.txt when it exists (the committed sweeps: two held-out prompts each), else every
# evaluation prompt; it resumes an existing sweep file, so delete that file to re-measure.
set -euo pipefail
cd "$(dirname "$0")/.."
tc() { pnpm -s teacache "$@"; }
mkdir -p datasets/coefficients datasets/sweeps
for model in "$@"; do
  kind=video
  [ "$model" = "dit-tiny" ] && kind=image
  echo "=== $model"
  tc samples --model "$model" --repeats 3 --out "reports/models/$model"
  tc trace --model "$model" --prompts "builtin:calibration-$kind" --seeds 0-1 --out "datasets/traces/$model/calibration"
  tc trace --model "$model" --prompts "builtin:evaluation-$kind" --seeds 0 --out "datasets/traces/$model/evaluation"
  tc fit --traces "datasets/traces/$model/calibration" --out "datasets/coefficients/$model.json" --export py,csv \
    | tee "datasets/coefficients/$model.fit.txt"
  prompts="builtin:evaluation-$kind"
  [ -f "datasets/sweeps/$model.prompts.txt" ] && prompts="datasets/sweeps/$model.prompts.txt"
  tc sweep --model "$model" --coefficients "datasets/coefficients/$model.json" --traces "datasets/traces/$model/calibration" \
    --prompts "$prompts" --seeds 0 --refine-psnr 30 --out "datasets/sweeps/$model.jsonl" ${WORKERS:+--workers "$WORKERS"}
  tc replay --traces "datasets/traces/$model/evaluation" --policies teacache,interval,magcache \
    --coefficients "datasets/coefficients/$model.json" --mag-traces "datasets/traces/$model/calibration" --sweep "datasets/sweeps/$model.jsonl" \
    | tee "datasets/sweeps/$model.replay.txt"
done
