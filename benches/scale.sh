#!/usr/bin/env bash
# Durable comment intake, one node against several: SQLite with one node, PostgreSQL with one
# node and with NODES nodes (default 2) sharing one database and one secret, all on this machine,
# one release build, in one run. Each case starts from an empty database, opens a consultation
# on seed 003's draft and posts the public comment form (varied texts, benches/submit.lua) at
# CONNS connections (split evenly over the nodes) for DURATION. Prints a table of comments per
# second, p50/p99 (the worst node's), errors, and checks that every acknowledged comment is
# stored.
#
#   benches/scale.sh                          # 512 connections, 15 s per case
#   CONNS=256 DURATION=10s NODES=3 benches/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-512}
DURATION=${DURATION:-15s}
NODES=${NODES:-2}
PORT=${PORT:-18200}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
ulimit -n 65536 2>/dev/null || true
cargo build --release --quiet
BIN=$PWD/target/release/yijian
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap cleanup EXIT

# case NAME DB NODES
run_case() {
  local name=$1 db=$2 nodes=$3 work
  work=$(mktemp -d)
  export YIJIAN_DATA_DIR=$work/data YIJIAN_COMMENT_RATE_PER_HOUR=0 YIJIAN_LOG=warn \
    YIJIAN_SECRET_KEY="one secret shared by every node of the site, long enough" \
    YIJIAN_BASE_URL=http://127.0.0.1:$PORT
  if [ "$db" = postgres ]; then
    psql -q "$PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS yijian_scale' -c 'CREATE DATABASE yijian_scale' 2>/dev/null
    export YIJIAN_DATABASE_URL=${PG_ADMIN_URL%/*}/yijian_scale
    count() { psql -At "$YIJIAN_DATABASE_URL" -c 'select count(*) from submissions'; }
  else
    mkdir -p "$work/data"
    export YIJIAN_DATABASE_URL=sqlite://$work/data/yijian.db
    count() { python3 -c "import sqlite3;print(sqlite3.connect('$work/data/yijian.db').execute('select count(*) from submissions').fetchone()[0])"; }
  fi
  "$BIN" migrate >/dev/null
  for i in $(seq 0 $((nodes - 1))); do
    YIJIAN_BIND=127.0.0.1:$((PORT + i)) YIJIAN_DATA_DIR=$work/node$i "$BIN" serve 2>>"$work/server.log" &
    PIDS+=($!)
  done
  for i in $(seq 0 $((nodes - 1))); do
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$((PORT + i))/healthz" >/dev/null && break; sleep 0.1; done
  done
  echo 'a long load password' | "$BIN" user create --email scale@example.org --name Scale --role staff --password-stdin >/dev/null
  local token api cid clause
  token=$("$BIN" token create --email scale@example.org)
  api=http://127.0.0.1:$PORT/api/v1
  cid=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"title":"扩展测量","draft_title":"工作方案(征求意见稿)","opens_at":"2020-01-01","closes_at":"2099-01-01","slug":"scale"}' \
    "$api/consultations" | json '["id"]')
  curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: text/plain' --data-binary @tests/fixtures/seed_003.txt \
    "$api/consultations/$cid/drafts" >/dev/null
  curl -fs -X POST -H "Authorization: Bearer $token" "$api/consultations/$cid/open" >/dev/null
  clause=$(curl -fs "$api/consultations/$cid/drafts/current" | json '["clauses"][0]["id"]')
  # One form session; sessions live in the database, so it is good on every node.
  local form
  form=$(curl -fs -c "$work/jar" "http://127.0.0.1:$PORT/c/scale/comment")
  export CSRF COOKIE CLAUSE=$clause FORM_PATH=/c/scale/comment
  CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$form" | sed 's/.*value="//;s/"$//')
  COOKIE="yijian_session=$(awk '$6=="yijian_session"{print $7}' "$work/jar")"
  local before after loaders=()
  before=$(count)
  for i in $(seq 0 $((nodes - 1))); do
    LOADER=$i wrk -t1 -c$((CONNS / nodes)) -d"$DURATION" --timeout 10s --latency -s benches/submit.lua \
      "http://127.0.0.1:$((PORT + i))$FORM_PATH" >"$work/wrk$i.txt" &
    loaders+=($!)
  done
  wait "${loaders[@]}"
  after=$(count)
  python3 - "$name" "$work" "$((after - before))" <<'PY'
import glob, re, sys
name, work, stored = sys.argv[1], sys.argv[2], int(sys.argv[3])
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s|m)$", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
rate = reqs = errs = 0; p50 = p99 = 0.0
for f in glob.glob(work + "/wrk*.txt"):
    t = open(f).read()
    reqs += int(re.search(r"(\d+) requests in", t).group(1))
    rate += float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t); errs += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errs += sum(map(int, m.groups())) if m else 0
    p50 = max(p50, ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)))
print(f"| {name:28} | {rate:9.0f} | {p50:8.1f} | {p99:8.1f} | {errs:6} | {reqs - errs:8} | {stored:8} |")
if stored < reqs - errs:
    sys.exit(f"LOST COMMENTS: {reqs - errs} acknowledged, {stored} stored")
PY
  cleanup
  rm -rf "$work"
}

echo "$CONNS connections, $DURATION per case, $(nproc) cores"
echo "| case                         | comments/s | p50 ms   | p99 ms   | errors | acked    | stored   |"
echo "|------------------------------|-----------:|---------:|---------:|-------:|---------:|---------:|"
run_case "SQLite, 1 node" sqlite 1
run_case "PostgreSQL, 1 node" postgres 1
run_case "PostgreSQL, $NODES nodes" postgres "$NODES"
