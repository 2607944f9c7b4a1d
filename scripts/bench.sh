#!/usr/bin/env bash
# Runs every benchmark beside its hand-written baseline, interleaved, and
# prints the comparison with benchstat, then each run's time ratio to the
# baseline of the same run: their median and range.
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

# The ratio of each run, impl by impl against impl=baseline of the same
# run: their median and range, the figures BENCHMARKS.md gives for times.
awk '
  /^Benchmark.*\/impl=/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    bench = name; sub(/\/impl=.*/, "", bench)
    impl = name; sub(/.*\/impl=/, "", impl)
    if (impl == "baseline") { run[bench]++; base[bench] = $3; next }
    if (!(bench in base)) next
    key = bench " " impl
    n[key]++; r[key, n[key]] = $3 / base[bench]
    if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
  }
  END {
    if (keys) print "\nper-run time ratios to impl=baseline (median, range, runs):"
    for (k = 1; k <= keys; k++) {
      key = order[k]; m = n[key]
      for (i = 1; i <= m; i++) v[i] = r[key, i]
      for (i = 2; i <= m; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
      med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
      printf "  %-52s %.3f  [%.3f, %.3f]  n=%d\n", key, med, v[1], v[m], m
    }
  }' "$out"
