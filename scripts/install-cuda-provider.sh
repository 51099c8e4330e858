#!/usr/bin/env bash
# Installs onnxruntime's CUDA execution provider next to onnxruntime-node, so that `--device auto` (and the app) run
# Longread on an NVIDIA GPU. Opt-in: the libraries are a large download (NuGet) that `npm ci` skips on purpose
# (.npmrc), and `npm ci` removes them again — run this script after each fresh install.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
scripts/install-cuda-provider.sh [--check]
  Downloads onnxruntime's CUDA 12 provider libraries (needs internet) with onnxruntime-node's own install script and
  checks that the CUDA libraries they load are on this machine.
  --check   only reports whether the provider is installed and can find its CUDA libraries; downloads nothing.
  Linux x64 only, with an NVIDIA driver, the CUDA 12 runtime and cuDNN 9. (Windows uses DirectML and macOS CoreML,
  both built into onnxruntime-node; WebGPU works on every OS without this.)
USAGE
}

check_only=0
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-cuda-provider.sh: unknown option \"$arg\"" >&2; usage >&2; exit 2 ;;
  esac
done

if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "onnxruntime publishes its CUDA provider for Node on Linux x64 only (this is $(uname -s) $(uname -m))." >&2
  echo "Longread uses WebGPU here, and DirectML (Windows) or CoreML (macOS) when WebGPU cannot run." >&2
  exit 2
fi

ort_dir=node_modules/onnxruntime-node
bin_dir="$ort_dir/bin/napi-v6/linux/x64"
provider_lib="$bin_dir/libonnxruntime_providers_cuda.so"
if [ ! -f "$ort_dir/script/install.js" ]; then
  echo "onnxruntime-node is not installed in $(pwd)/node_modules: run npm ci first." >&2
  exit 2
fi

if [ "$check_only" = 0 ]; then
  echo "Downloading onnxruntime's CUDA 12 provider for onnxruntime-node $(node -p "require('./$ort_dir/package.json').version")…"
  # The variable overrides the project's .npmrc (onnxruntime-node-install=skip) for this one install.
  ONNXRUNTIME_NODE_INSTALL=cuda12 node "$ort_dir/script/install.js"
fi

if [ ! -f "$provider_lib" ]; then
  echo "The CUDA provider is not installed ($provider_lib is missing); run scripts/install-cuda-provider.sh on a machine with internet." >&2
  exit 1
fi

# The provider loads the CUDA runtime, cuBLAS and cuDNN from the system; without them onnxruntime cannot create a CUDA
# session, and Longread falls back to WebGPU or the CPU with a message saying so.
missing=$(ldd "$provider_lib" 2>/dev/null | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
  echo "The CUDA provider is installed, but these libraries it needs are not found: $missing" >&2
  echo "Install the CUDA 12 runtime and cuDNN 9 (e.g. NVIDIA's cuda-runtime-12 and libcudnn9-cuda-12 packages) or add their folder to LD_LIBRARY_PATH." >&2
  exit 1
fi
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "The CUDA provider and its libraries are installed, but nvidia-smi finds no NVIDIA GPU: Longread will use WebGPU or the CPU." >&2
  exit 1
fi
echo "The CUDA provider is ready: --device auto now picks cuda (check with: longread bench --model synthetic:Qwen--Qwen2.5-0.5B-Instruct --context 512 --json)."
