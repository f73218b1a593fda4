#!/usr/bin/env bash
# Set up a fresh machine for the toolkit: Debian packages the tests use, pnpm through corepack
# (version from package.json's packageManager field), and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-numpy python3-skimage python3-torch python3-pytest chromium fonts-dejavu-core jupyter-nbconvert jupyter-client redis-server)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
# Older corepack releases carry npm signing keys that no longer verify current pnpm releases.
if ! corepack pnpm --version >/dev/null 2>&1; then
  echo "setup: updating corepack"
  npm install -g corepack@latest >/dev/null 2>&1
fi
corepack enable
echo "setup: pnpm $(pnpm --version)"
# onnxruntime-node runs on the CPU binaries inside its npm package. Its install script would fetch the CUDA
# provider from outside the npm registry (failing without that network); the workspace never runs that script
# (package.json pnpm.ignoredBuiltDependencies) and skip says the same to any client that would. A GPU machine
# adds the CUDA provider afterwards with scripts/onnx-cuda.sh.
export ONNXRUNTIME_NODE_INSTALL=skip
# tfjs-node(-gpu) are optional: their install scripts download libtensorflow, which fails without that
# network; pnpm reports the failure and goes on, and the toolkit then runs on the wasm backend.
set +o pipefail
pnpm install --frozen-lockfile 2>&1 | grep -vE "tfjs-node(-gpu)? install:"
status=${PIPESTATUS[0]}
set -o pipefail
[ "$status" -eq 0 ] || { echo "setup: pnpm install failed ($status)" >&2; exit 1; }
# The command's bundled front (packages/cli/bin/front.js): built now, so the first `teacache --help` is quick too.
node packages/cli/bin/front.js || echo "setup: the bundled front was not built; teacache --help runs from the sources instead" >&2
echo "setup: done"
