#!/usr/bin/env bash
# Runs every benchmark beside its hand-written baseline, interleaved, and
# prints the comparison with benchstat.
#
#   scripts/bench.sh [runs] [benchtime] [pattern]
#
# Each run executes the baseline and the SDK sub-benchmarks back to back, so
# both see the same machine state; repeating the run interleaves them. Read
# the ratios, not the absolute times: machines here are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"
benchtime="${2:-1s}"
pattern="${3:-.}"
out="${BENCH_OUT:-bench-$(date +%Y%m%d-%H%M%S).txt}"

go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
benchstat="$(go env GOPATH)/bin/benchstat"

go test -c -o bench.test . >/dev/null
trap 'rm -f bench.test' EXIT
: >"$out"
for i in $(seq "$runs"); do
  echo "run $i/$runs" >&2
  ./bench.test -test.run='^$' -test.bench="$pattern" -test.benchmem -test.count=1 -test.benchtime="$benchtime" >>"$out"
done

echo "raw results: $out" >&2
"$benchstat" -col /impl "$out"
