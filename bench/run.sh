#!/usr/bin/env bash
# Phantom vs. scikit-learn / LightGBM, side by side in one run, on this machine.
#
#   bench/run.sh                      all workloads, 3 repetitions (about 25 minutes on 2 cores)
#   bench/run.sh --only random_forest,gradient_boosting --repeats 1
#
# Creates bench/.venv with scikit-learn and LightGBM, writes the datasets to bench/data
# (make_classification 200k x 40 and NSL-KDD from ../shared/datasets), builds the release
# harness, runs both sides on the same files and prints one markdown report (also written to
# bench/results/report.md).
set -euo pipefail
cd "$(dirname "$0")/.."

only="" repeats=3
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--only w1,w2] [--repeats N]" >&2; exit 2 ;;
  esac
done

venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet scikit-learn==1.9.1 lightgbm==4.7.0
fi
if [ ! -f bench/data/nslkdd_test.csv ] || [ ! -f bench/data/synthetic_train.csv ]; then
  "$venv/bin/python" bench/prepare_data.py
fi
cargo build --release --quiet -p phantom-bench
mkdir -p bench/results
only_args=()
[ -n "$only" ] && only_args=(--only "$only")

echo "Phantom ..." >&2
RAYON_NUM_THREADS=2 target/release/phantom-bench --data bench/data --repeats "$repeats" "${only_args[@]}" \
  | tee bench/results/phantom.jsonl >&2
echo "peers ..." >&2
"$venv/bin/python" bench/peers.py --data bench/data --repeats "$repeats" "${only_args[@]}" \
  | tee bench/results/peers.jsonl >&2

{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
  echo
  "$venv/bin/python" bench/report.py bench/results/phantom.jsonl bench/results/peers.jsonl
} | tee bench/results/report.md
