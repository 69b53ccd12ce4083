#!/usr/bin/env bash
# Create .venv and install pocketmind with its tests' extras, offline-safe:
# - torch is installed first, pinned, so pip takes the CPU wheel instead of a
#   multi-GB CUDA build;
# - llama-cpp-python is compiled without native CPU tuning, because the
#   default build crashes (SIGSEGV in the AMX kernels) on CPUs that advertise
#   AMX without being able to use it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -d .venv ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet "torch==2.13.0"
if ! python -c "import llama_cpp" 2>/dev/null; then
  echo "building llama-cpp-python (about 4 minutes on 2 cores)..."
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
    python -m pip install --quiet --no-cache-dir "llama-cpp-python==0.3.36"
fi
python -m pip install --quiet -e ".[onnx,test,mcp]"
# The default embedder: the bundled MiniLM exported to int8 ONNX once, into the per-user
# cache every pocketmind home shares (torch is used here only; run time never imports it).
python -m pocketmind.embeddings.onnx
echo "ready: . .venv/bin/activate"
