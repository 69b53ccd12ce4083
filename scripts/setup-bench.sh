#!/usr/bin/env bash
# Benchmark environment for bench/peers.py: pocketmind plus the peers it is
# compared with (chromadb, txtai + sqlite-vec), in a venv of its own so the
# peers never become project dependencies.
#   BENCHENV=/work/benchenv scripts/setup-bench.sh   (default: .benchenv in the repo)
# torch is installed first, pinned: otherwise pip resolves a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
BENCHENV="${BENCHENV:-.benchenv}"
[ -d "$BENCHENV" ] || "$PYTHON" -m venv "$BENCHENV"
PIP=("$BENCHENV/bin/python" -m pip)
"${PIP[@]}" install --quiet --upgrade pip
"${PIP[@]}" install --quiet "torch==2.13.0"
if ! "$BENCHENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
  # pocketmind depends on it (bench/peers.py never loads it); the default native
  # build crashes on CPUs advertising unusable AMX, and pip would cache that wheel.
  echo "building llama-cpp-python (about 4 minutes on 2 cores)..."
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
    "${PIP[@]}" install --quiet --no-cache-dir "llama-cpp-python==0.3.36"
fi
"${PIP[@]}" install --quiet -e ".[onnx]"  # onnx: --pocketmind-backend onnx-int8
"${PIP[@]}" install --quiet -r bench/requirements-peers.txt
"$BENCHENV/bin/python" -c "import importlib.metadata as m, torch, chromadb, txtai, sqlite_vec, pysqlite3, pocketmind; print('torch', torch.__version__, '| chromadb', chromadb.__version__, '| txtai', m.version('txtai'))"
echo "ready: $BENCHENV/bin/python bench/peers.py --docs 10000"
