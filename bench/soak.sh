#!/usr/bin/env bash
# Soak test: 10 minutes of mixed traffic (create, train, activate, predict, list) against two
# release `phantom serve` replicas sharing the PostgreSQL at $PHANTOM_SOAK_POSTGRES_URL (default:
# the local test database), the second killed with SIGKILL and restarted half-way. Passes when no
# acknowledged write is lost and no 5xx is answered outside the restart window.
#
#   bench/soak.sh                   (10 minutes)
#   SOAK_SECONDS=60 bench/soak.sh   (a short run)
set -euo pipefail
cd "$(dirname "$0")/.."
url=${PHANTOM_SOAK_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
cargo build --release --quiet -p phantom-cli
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # replica number
  target/release/phantom serve --addr "127.0.0.1:1809$1" --data-dir "$work/data$1" --database-url "$url" \
    2>> "$work/replica$1.log" &
  echo $! > "$work/replica$1.pid"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:1809$1/readyz" >/dev/null && return; sleep 0.1; done
  echo "replica $1 did not start: $(tail -5 "$work/replica$1.log")" >&2; exit 1
}
start 1
start 2
tenant="soak-$(date +%s)"
target/release/phantom admin --database-url "$url" tenants create "$tenant" >/dev/null
key=$(target/release/phantom admin --database-url "$url" --json keys create soak --role developer --tenant "$tenant" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

export PHANTOM_KEY=$key SOAK_LAST_PID=$(cat "$work/replica2.pid")
export SOAK_RESTART_CMD="target/release/phantom serve --addr 127.0.0.1:18092 --data-dir $work/data2 --database-url $url > /dev/null 2>> $work/replica2.log & echo \$! > $work/replica2.pid"
mkdir -p bench/results
python3 bench/soak.py 127.0.0.1:18091,127.0.0.1:18092 | tee bench/results/soak.json
