#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback, for examples/postgres and its tests.
#
#   export DATABASE_URL=$(scripts/postgres.sh start)   # initdb + start; prints the URL
#   scripts/postgres.sh url                            # the running server's URL
#   scripts/postgres.sh restart [SECONDS]              # stop (fast), stay down SECONDS (default 0), start; data kept
#   scripts/postgres.sh stop                           # stop and delete everything
#
# The server listens on 127.0.0.1 only, on a free port from 25432 up (below
# Linux's ephemeral range, 32768 and up by default, so that an outgoing
# connection cannot take the port while the server is down for a restart),
# with a random password (scram-sha-256), its data in a directory of its own:
# $GURULIZE_PG_DIR, by default ${TMPDIR:-/tmp}/gurulize-postgres. Only the URL
# goes to standard output; progress goes to standard error. Starting when a
# server is already running there prints its URL again.
#
# PostgreSQL refuses to run as root: as root, the script runs it as the
# "postgres" user (created by Debian's package). When initdb cannot be found
# (Debian keeps it in /usr/lib/postgresql/VERSION/bin, off PATH), the script
# installs the "postgresql" package with apt-get. PG_BINDIR names another
# directory holding initdb and pg_ctl.
set -euo pipefail

DIR="${GURULIZE_PG_DIR:-${TMPDIR:-/tmp}/gurulize-postgres}"
DATA="$DIR/data"
LOG="$DIR/postgres.log"
URL_FILE="$DIR/url"
PORT_FILE="$DIR/port"

say() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# bindir prints the directory of initdb and pg_ctl, or fails.
bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    [ -x "$PG_BINDIR/initdb" ] || return 1
    printf '%s\n' "$PG_BINDIR"; return 0
  fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then
    printf '%s\n' "$found"; return 0
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

install_postgres() {
  [ "$(id -u)" = 0 ] || die "initdb not found: install PostgreSQL (Debian: apt-get install postgresql) or set PG_BINDIR"
  command -v apt-get >/dev/null 2>&1 || die "initdb not found and no apt-get: install PostgreSQL or set PG_BINDIR"
  say "initdb not found: installing PostgreSQL with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; }
}

# as_owner runs a command as the user that owns the data directory: the
# current user, or "postgres" when running as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a free port in 25432-25531 below the first port of the
# ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), which the kernel
# hands to outgoing connections: a port there could be taken by one while
# the server is stopped, and the restart would fail to bind.
free_port() {
  local p low=32768
  if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  fi
  for p in $(seq 25432 25531); do
    [ "$p" -lt "$low" ] || break
    if ! port_in_use "$p"; then printf '%s\n' "$p"; return 0; fi
  done
  die "no free port in 25432-25531 below the ephemeral range (from $low)"
}

running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

# launch starts the server on the recorded port and waits until it accepts
# connections.
launch() {
  local port
  port=$(cat "$PORT_FILE")
  port_in_use "$port" && die "port $port is taken by another program"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR" start >&2 ||
    { tail -n 20 "$LOG" >&2 || true; die "PostgreSQL did not start"; }
}

start() {
  if [ -f "$URL_FILE" ] && running; then
    say "already running in $DIR"
    cat "$URL_FILE"; return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin postgres
    chown postgres: "$DIR"
  fi
  local password port pwfile
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  pwfile="$DIR/pwfile"
  printf '%s\n' "$password" >"$pwfile"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$pwfile"; fi
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  port=$(free_port)
  printf '%s\n' "$port" >"$PORT_FILE"
  launch
  printf 'postgres://postgres:%s@127.0.0.1:%s/postgres?sslmode=disable\n' "$password" "$port" >"$URL_FILE"
  chmod 600 "$URL_FILE"
  say "started in $DIR on 127.0.0.1:$port (stop: scripts/postgres.sh stop)"
  cat "$URL_FILE"
}

stop() {
  if [ -d "$DATA" ] && running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
  fi
  rm -rf "$DIR"
  say "stopped; $DIR removed"
}

restart() {
  local down=${1:-0}
  [ -f "$URL_FILE" ] || die "no server started by this script in $DIR"
  if running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
  fi
  sleep "$down"
  launch
}

cmd=${1:-}
case "$cmd" in
  start | restart | stop | url) ;;
  *) die "usage: scripts/postgres.sh start | url | restart [SECONDS] | stop" ;;
esac

if [ "$cmd" = url ]; then
  [ -f "$URL_FILE" ] || die "no server started by this script in $DIR"
  cat "$URL_FILE"; exit 0
fi

BIN=$(bindir) || { [ "$cmd" = start ] && install_postgres && BIN=$(bindir); } ||
  die "initdb not found after installing PostgreSQL"

case "$cmd" in
  start) start ;;
  restart) restart "${2:-0}" ;;
  stop) stop ;;
esac
