#!/usr/bin/env bash
# On a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9: fetch ONNX Runtime's CUDA and TensorRT execution providers
# (NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux, the version matching onnxruntime-node) into the installed
# onnxruntime-node, then say which providers load. Needs the network to reach NuGet; setup.sh never runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(cd packages/models/node_modules/onnxruntime-node && pwd -P)"
echo "onnx-cuda: installing the CUDA provider into $dir"
(cd "$dir" && ONNXRUNTIME_NODE_INSTALL=cuda12 node ./script/install)
pnpm teacache backend --engine onnx
