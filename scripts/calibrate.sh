#!/usr/bin/env bash
# Quick start, main job: set up a fresh machine, then calibrate TeaCache on the default built-in model
# (trace, fit, sweep, report). Extra arguments go to `teacache calibrate`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm -s teacache calibrate "$@"
