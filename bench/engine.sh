#!/usr/bin/env bash
# Predictions through phantom-engine against phantom-ml called directly, in one run, on
# NSL-KDD with a 100-tree random forest: single-row latency and batch throughput, with and
# without inference logging, and with the Redis prediction cache when Redis is reachable.
#
#   bench/engine.sh                 (about 2 minutes after the build)
#   PHANTOM_BENCH_REDIS_URL=redis://127.0.0.1:6379 bench/engine.sh
#
# Writes the datasets to bench/data like bench/run.sh (creating bench/.venv if needed) and
# prints a markdown table (also written to bench/results/engine.md).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=bench/.venv
if [ ! -f bench/data/nslkdd_test.csv ]; then
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet scikit-learn==1.9.1 lightgbm==4.7.0
  fi
  "$venv/bin/python" bench/prepare_data.py
fi
cargo build --release --quiet -p phantom-bench --bin phantom-engine-bench
mkdir -p bench/results
{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
  echo
  RAYON_NUM_THREADS=2 target/release/phantom-engine-bench "$@"
} | tee bench/results/engine.md
