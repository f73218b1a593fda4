#!/usr/bin/env bash
# Execute the TypeScript notebooks of notebooks/ with jupyter nbconvert on the teacache kernel (tslab with the
# workspace packages importable); fails when any cell fails. Needs Debian's jupyter-nbconvert and
# `pnpm install`. Usage: scripts/run-notebooks.sh [--out DIR] [--write] [NOTEBOOK.ipynb ...] | --install-kernel
# (--write replaces the committed notebooks with their executed copies: the refresh of their outputs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/node_modules/.bin/tsx" "$root/packages/notebooks/src/cli.ts" "$@"
