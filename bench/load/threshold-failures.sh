#!/usr/bin/env bash
# One `vigil load run` per threshold kind, each failing on purpose, against a fresh local stack:
# shows the exit code (1) and the report. Hold the stack lock:
#   flock /tmp/vigil-stack.lock bench/load/threshold-failures.sh [out-dir]
set -u
cd "$(dirname "$0")/../.."
out=${1:-/tmp/vigil-threshold-failures}
var=$(mktemp -d /tmp/vigil-thresholds-var-XXXXXX)
vigil() { node packages/cli/src/main.ts "$@" --var-dir "$var"; }
trap 'vigil stop >/dev/null; rm -rf "$var"' EXIT
vigil start --detach >/dev/null || exit 1
run() {
  local name=$1; shift
  node packages/cli/src/main.ts load run "$@" --out "$out/$name" >"$out-$name.log" 2>&1
  echo "$name: exit $? — $(grep -E '^  (pass|FAIL) ' "$out-$name.log" | tr -s ' ' | paste -sd';')"
}
mkdir -p "$out"
run latency checkout --rate 5 --duration 15s --threshold 'p95(order) < 1ms' --threshold 'error_rate < 1%'
run throughput checkout --rate 5 --duration 15s --threshold 'rps > 1000'
# 30 % of order-service's answers become 500s (chaos fault API): errors and failed checks.
vigil fault set order error --status 500 --probability 0.3 --ttl 120 >/dev/null
run errors order --rate 5 --duration 15s --threshold 'error_rate < 1%'
run checks order --rate 5 --duration 15s --threshold 'checks > 99%'
run abort order --rate 5 --duration 60s --threshold 'error_rate < 1%' --abort-on-fail
vigil fault clear --all >/dev/null
