#!/usr/bin/env bash
# examples/postgres beside the database's own limit, in one interleaved run.
#
#   scripts/postgres-perf.sh [SECONDS] [ROUNDS]     # default 10 seconds, 1 round
#
# The floor is pgbench running the least work a callback needs, in one
# transaction, from 8 clients, prepared statements: lock or create one state
# row among 10,000 keys (INSERT … ON CONFLICT DO NOTHING, SELECT … FOR
# UPDATE), update it with a JSON document the size of the example's state,
# and append one change row (key, version, a JSON document the size of the
# example's summary) to a table with a primary key. The example is driven by
# examples/postgres/loadgen: 8 keep-alive clients posting distinct video
# callbacks, each a change, for the same time, to 1 replica, then to 2
# (callbacks alternate between them). Each round runs
#
#   floor, 1 replica, floor, 2 replicas, floor
#
# and prints each example run as a ratio to the mean of the floors on either
# side of it. PostgreSQL is a throwaway one (scripts/postgres.sh) in a
# directory of its own, $GURULIZE_PG_DIR, by default
# ${TMPDIR:-/tmp}/gurulize-postgres-perf, removed at the end. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-1}
CLIENTS=8
KEYS=10000
export GURULIZE_PG_DIR=${GURULIZE_PG_DIR:-${TMPDIR:-/tmp}/gurulize-postgres-perf}
WORK=$(mktemp -d)
TOKEN=perf-token-0123456789abcdef
PIDS=()

say() { printf 'postgres-perf.sh: %s\n' "$*" >&2; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/postgres.sh stop || true
  rm -rf "$WORK"
}
trap cleanup EXIT

pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbench" ] && [ -x "$psql" ] || { say "pgbench and psql are needed (Debian: apt-get install postgresql-client)"; exit 1; }

URL=$(scripts/postgres.sh start)
"$psql" -q -X "$URL" -c 'CREATE DATABASE floor' -c 'CREATE DATABASE example'
FLOOR_URL=${URL/\/postgres\?/\/floor?}
EXAMPLE_URL=${URL/\/postgres\?/\/example?}

say "building the example and its load generator"
(cd examples/postgres && go build -o "$WORK/example" . && go build -o "$WORK/loadgen" ./loadgen)
read -r STATE_BYTES SUMMARY_BYTES < <("$WORK/loadgen" -sizes)

# JSON documents of those sizes: {"pad":"xxx…"}.
doc() { printf '{"pad":"%s"}' "$(head -c $(($1 - 10)) /dev/zero | tr '\0' x)"; }
"$psql" -q -X "$FLOOR_URL" <<'SQL'
CREATE TABLE floor_state (k int PRIMARY KEY, state jsonb, version bigint NOT NULL DEFAULT 0);
CREATE TABLE floor_changes (k int NOT NULL, version bigint NOT NULL, payload jsonb NOT NULL, PRIMARY KEY (k, version));
SQL
cat >"$WORK/floor.sql" <<SQL
\set k random(1, $KEYS)
BEGIN;
INSERT INTO floor_state (k) VALUES (:k) ON CONFLICT (k) DO NOTHING;
SELECT state, version FROM floor_state WHERE k = :k FOR UPDATE \gset
\set v :version + 1
UPDATE floor_state SET state = :doc, version = :v WHERE k = :k;
INSERT INTO floor_changes (k, version, payload) VALUES (:k, :v, :summary);
COMMIT;
SQL

# CPU time, in clock ticks, used so far by the PIDs given (user + system,
# with the children they have reaped: PostgreSQL's backends, once they end,
# are counted in the postmaster's).
ticks() {
  local pid sum=0
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    sum=$((sum + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$sum"
}
postgres_ticks() { ticks "$PGPID" $(ps -o pid= --ppid "$PGPID"); }
HZ=$(getconf CLK_TCK)
# per_op TICKS COUNT: microseconds of CPU per operation.
per_op() { awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }'; }

# floor: pgbench for SECONDS_PER_RUN; prints "TPS PG-µs/tx PGBENCH-µs/tx".
floor() {
  local pg0 pg1 out n
  pg0=$(postgres_ticks)
  out=$(bash -c '"$@" 2>&1; times' _ "$pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$WORK/floor.sql" \
    -D doc="$(doc "$STATE_BYTES")" -D summary="$(doc "$SUMMARY_BYTES")" "$FLOOR_URL")
  sleep 0.5
  pg1=$(postgres_ticks)
  n=$(awk '/^number of transactions actually processed: / { print $NF }' <<<"$out")
  awk -v n="$n" -v pg="$(per_op $((pg1 - pg0)) "$n")" -v hz="$HZ" '
    /^tps = / { tps = $3 }
    /^[0-9]+m[0-9.]+s [0-9]+m[0-9.]+s$/ { cpu = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); cpu += a[1] * 60 + a[2] } }
    END { printf "%.0f %s %.0f\n", tps, pg, cpu * 1e6 / n }' <<<"$out"
}

# example N: start N replicas, drive them, stop them; prints "CALLBACKS/s
# PG-µs SERVERS-µs LOADGEN-µs" (CPU per callback).
example() {
  local n=$1 i port urls="" out pg0 pg1 srv
  PIDS=()
  for ((i = 0; i < n; i++)); do
    port=$((28080 + i))
    DATABASE_URL=$EXAMPLE_URL GURULIZE_CALLBACK_TOKEN=$TOKEN "$WORK/example" -addr "127.0.0.1:$port" 2>>"$WORK/example.log" &
    PIDS+=($!)
    urls="${urls:+$urls,}http://127.0.0.1:$port"
  done
  for ((i = 0; i < n; i++)); do
    port=$((28080 + i))
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  done
  pg0=$(postgres_ticks)
  srv=$(ticks "${PIDS[@]}")
  out=$("$WORK/loadgen" -urls "$urls" -token "$TOKEN" -clients "$CLIENTS" -duration "${SECONDS_PER_RUN}s")
  srv=$(($(ticks "${PIDS[@]}") - srv))
  kill "${PIDS[@]}"
  wait "${PIDS[@]}" 2>/dev/null || true
  PIDS=()
  sleep 0.5
  pg1=$(postgres_ticks)
  # "N callbacks in Ss: R callbacks/s, C µs of CPU per callback"
  awk -v pg=$((pg1 - pg0)) -v srv="$srv" -v hz="$HZ" '{
    printf "%.0f %.0f %.0f %.0f\n", $5, pg / hz * 1e6 / $1, srv / hz * 1e6 / $1, $7 }' <<<"$out"
}

ratio() { awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", x / ((a + b) / 2) }'; }
PGPID=$(head -n 1 "$GURULIZE_PG_DIR/data/postmaster.pid")

say "state $STATE_BYTES bytes, summary $SUMMARY_BYTES bytes; $CLIENTS clients, ${SECONDS_PER_RUN}s per run, $ROUNDS round(s); $(nproc) CPUs"
say "each line: per second; then CPU µs per transaction or callback: PostgreSQL, and pgbench or the replicas and load generator"
for ((r = 1; r <= ROUNDS; r++)); do
  read -r f1 f1pg f1c < <(floor)
  echo "round $r floor       $f1 tx/s         (cpu: postgres $f1pg, pgbench $f1c)"
  read -r e1 e1pg e1s e1l < <(example 1)
  read -r f2 f2pg f2c < <(floor)
  echo "round $r 1 replica   $e1 callbacks/s  (cpu: postgres $e1pg, replica $e1s, load $e1l)  $(ratio "$e1" "$f1" "$f2")× the floors around it"
  echo "round $r floor       $f2 tx/s         (cpu: postgres $f2pg, pgbench $f2c)"
  read -r e2 e2pg e2s e2l < <(example 2)
  read -r f3 f3pg f3c < <(floor)
  echo "round $r 2 replicas  $e2 callbacks/s  (cpu: postgres $e2pg, replicas $e2s, load $e2l)  $(ratio "$e2" "$f2" "$f3")× the floors around it"
  echo "round $r floor       $f3 tx/s         (cpu: postgres $f3pg, pgbench $f3c)"
done
