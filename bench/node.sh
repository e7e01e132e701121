#!/usr/bin/env bash
# The Node.js package against phantom-engine in Rust, in one run: predict (plain and with its
# default TreeSHAP attribution) and predict_batch on the same 100-tree random forest and rows,
# calls/s and p50/p99, with the microseconds Node adds per call. Both sides are built with the
# `node` profile (release with thin LTO), the profile of `npm run build`.
#
#   bench/node.sh        (a few minutes the first time: it builds the addon and the binary)
#
# Prints a markdown table (also written to bench/results/node.md).
set -euo pipefail
cd "$(dirname "$0")/.."

(cd bindings/node && { [ -d node_modules ] || npm install --no-audit --no-fund --silent; } && npm run --silent build >/dev/null)
cargo build --profile node --quiet -p phantom-bench --bin phantom-node-bench
mkdir -p bench/results
{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Node $(node --version), $(date -u +%Y-%m-%d)"
  echo
  node bench/node-bench.js
} | tee bench/results/node.md
