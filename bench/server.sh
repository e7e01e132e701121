#!/usr/bin/env bash
# Load benchmark of the release `phantom serve`, driven by wrk from another process on loopback:
# single-row predict of a 100-tree random forest (NSL-KDD, 122 features), batch predict of 1,000
# rows (JSON, and raw f32 rows), and /healthz, at increasing concurrency; batches of a
# gradient-boosted model and a logistic regression beside the forest, with the engine's own
# rate for each model; requests/s, p50/p99/p99.9 latency and the
# server's resident memory. Then 5 minutes of single-row predictions with memory sampled every
# 15 s, to show whether memory stays flat.
#
#   bench/server.sh                         (about 12 minutes after the build)
#   bench/server.sh --quick                 (3 s per point, 30 s memory run)
#
# Installs wrk (Debian package) if missing, writes the datasets like bench/run.sh, and prints a
# markdown report (also written to bench/results/server.md).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10s soak=300 concurrency="1 8 32 128"
if [ "${1:-}" = "--quick" ]; then duration=3s soak=30; fi

if ! command -v wrk >/dev/null; then
  apt-get install -y -q wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
fi
venv=bench/.venv
if [ ! -f bench/data/nslkdd_test.csv ]; then
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet scikit-learn==1.9.1 lightgbm==4.7.0
  fi
  "$venv/bin/python" bench/prepare_data.py
fi
cargo build --release --quiet -p phantom-cli

work=$(mktemp -d)
port=18080
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
# Prediction logging off: this measures serving; bench/engine.sh measures what logging costs.
PHANTOM_INFERENCE_LOG=false target/release/phantom serve --addr 127.0.0.1:$port --data-dir "$work/data" \
  2> "$work/server.log" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
key=$(cat "$work/data/admin.key")
api() { curl -sf -H "Authorization: Bearer $key" "$@"; }

# The forest of the issue's targets, and two models that predict faster per row, so the batch
# figures show what the server adds beside what the model costs.
train() { # name algorithm hyperparameters
  api -X POST "http://127.0.0.1:$port/v1/models" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"algorithm\":\"$2\",\"validation_split\":0,\"hyperparameters\":$3}" >/dev/null
  local job
  job=$(api -X POST "http://127.0.0.1:$port/v1/models/$1/train?label=label" -H 'Content-Type: text/csv' \
    --data-binary @bench/data/nslkdd_train.csv | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
  until api "http://127.0.0.1:$port/v1/jobs/$job" | grep -q '"state":"succeeded"'; do sleep 0.5; done
}
train forest random_forest '{"n_trees":100,"seed":0}'
train boosted gradient_boosting '{"n_trees":100,"seed":0}'
train logistic logistic_regression '{}'

python3 - "$work" <<'PY'
import csv, json, struct, sys
work = sys.argv[1]
with open("bench/data/nslkdd_test.csv") as f:
    reader = csv.reader(f)
    header = next(reader)
    label = header.index("label")
    rows = [[float(v) for i, v in enumerate(r) if i != label] for _, r in zip(range(1000), reader)]
json.dump({"features": rows[0]}, open(f"{work}/single.json", "w"))
json.dump({"rows": rows}, open(f"{work}/batch.json", "w"))
with open(f"{work}/batch.f32", "wb") as out:
    for row in rows:
        out.write(struct.pack(f"<{len(row)}f", *row))
open(f"{work}/columns", "w").write(str(len(rows[0])))
open(f"{work}/empty.json", "w").close()
PY
columns=$(cat "$work/columns")
f32=application/octet-stream

# The engine's own rate for each model: the throughput it reports for one batch of 1,000 rows
# (the median of 20), with no HTTP around it.
engine_rates="$work/engine.jsonl"
for model in forest boosted logistic; do
  for _ in $(seq 20); do
    api -X POST "http://127.0.0.1:$port/v1/models/$model/predict/batch?columns=$columns" \
      -H "Content-Type: $f32" --data-binary @"$work/batch.f32"
    echo
  done | python3 -c '
import json, statistics, sys
rates = [json.loads(l)["throughput_per_second"] for l in sys.stdin if l.strip()]
print(json.dumps({"model": sys.argv[1], "rows_per_s": statistics.median(rates)}))' "$model" >> "$engine_rates"
done

rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$server/status"; }
results="$work/results.jsonl"
run() { # name path body method concurrency seconds [content type]
  local out
  out=$(PHANTOM_KEY=$key PHANTOM_BODY_FILE="$3" PHANTOM_METHOD="$4" PHANTOM_CONTENT_TYPE="${7:-application/json}" \
    wrk -t"$(( $5 < 2 ? 1 : 2 ))" -c"$5" -d"$6" -s bench/load/predict.lua "http://127.0.0.1:$port$2" | tail -1)
  echo "{\"scenario\":\"$1\",\"concurrency\":$5,\"rss_bytes\":$(rss),${out#\{}" >> "$results"
}
for c in $concurrency; do
  run "predict, 1 row" /v1/models/forest/predict "$work/single.json" POST "$c" "$duration"
  run "predict, batch of 1,000, JSON" /v1/models/forest/predict/batch "$work/batch.json" POST "$c" "$duration"
  run "predict, batch of 1,000, f32" "/v1/models/forest/predict/batch?columns=$columns" "$work/batch.f32" POST "$c" "$duration" $f32
  run "healthz" /healthz "$work/empty.json" GET "$c" "$duration"
done
for model in boosted logistic; do
  run "$model: predict, batch of 1,000, JSON" "/v1/models/$model/predict/batch" "$work/batch.json" POST 8 "$duration"
  run "$model: predict, batch of 1,000, f32" "/v1/models/$model/predict/batch?columns=$columns" "$work/batch.f32" POST 8 "$duration" $f32
done

memory="$work/memory.txt"
( for _ in $(seq $((soak / 15))); do sleep 15; rss >> "$memory"; done ) &
sampler=$!
run "predict, 1 row, ${soak} s" /v1/models/forest/predict "$work/single.json" POST 32 "${soak}s"
wait $sampler

mkdir -p bench/results
{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
  echo
  python3 - "$results" "$memory" "$engine_rates" <<'PY'
import json, sys
print("The engine's own rate, rows/s (median over 20 batches of 1,000, no HTTP): " + ", ".join(
    f'{r["model"]} {r["rows_per_s"]:,.0f}' for r in map(json.loads, open(sys.argv[3]))))
print()
print("| scenario | concurrency | requests/s | rows/s | p50 ms | p99 ms | p99.9 ms | non-2xx | server RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows = r["requests_per_s"] * (1000 if "batch" in r["scenario"] else 1)
    print(f'| {r["scenario"]} | {r["concurrency"]} | {r["requests_per_s"]:.0f} | '
          f'{rows:.0f} | {r["p50_us"]/1e3:.2f} | {r["p99_us"]/1e3:.2f} | {r["p999_us"]/1e3:.2f} | '
          f'{r["non_2xx"] + r["socket_errors"]} | {r["rss_bytes"]/2**20:.1f} |')
samples = [int(v) / 2**20 for v in open(sys.argv[2]).read().split()]
print()
print("Server RSS every 15 s during the long run (MiB): " + ", ".join(f"{v:.1f}" for v in samples))
if samples:
    print(f"First {samples[0]:.1f}, last {samples[-1]:.1f}, max {max(samples):.1f}.")
PY
} | tee bench/results/server.md
