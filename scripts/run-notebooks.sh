#!/usr/bin/env bash
# Execute the TypeScript notebooks of notebooks/ with jupyter nbconvert on the teacache kernel (tslab with the
# workspace packages importable); fails when any cell fails. Needs Debian's jupyter-nbconvert and
# `pnpm install`. Usage: scripts/run-notebooks.sh [--out DIR] [NOTEBOOK.ipynb ...] | --install-kernel
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/node_modules/.bin/tsx" "$root/packages/notebooks/src/cli.ts" "$@"
