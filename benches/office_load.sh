#!/usr/bin/env bash
# Office work while comments pour in, on SQLite (default) or PostgreSQL (DB=postgres).
#
# One release build serves both sides at once:
# - the intake: wrk posts the public comment form at full speed for the whole run;
# - an office client (benches/office_client.py) meanwhile creates consultations, imports a
#   draft into each, opens them, edits them, imports a units CSV of 5,000 units, decides and
#   approves the new comments in bulk a page at a time, and publishes the report of a closed
#   consultation with 50,000 opinions (written into the database before the run, texts made of
#   the seed drafts' sentences, one in five a campaign copy with its own edits).
# Prints the intake's rate, p50/p99 and errors, alone and with the office working; how long the
# intake's batches waited for the write lock and which office writes held it over 20 ms (from
# the server's debug log); every office call's status and time; and fails
# if any call on either side failed or an acknowledged comment is missing.
#
#   benches/office_load.sh                       # SQLite, 256 connections
#   DB=postgres benches/office_load.sh           # a fresh database on the local PostgreSQL
#   CONNS=64 OPINIONS=20000 benches/office_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${DB:-sqlite}
CONNS=${CONNS:-256}
THREADS=${THREADS:-2}
OPINIONS=${OPINIONS:-50000}
PORT=${PORT:-18093}
DURATION=${DURATION:-60s}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
ulimit -n 65536 2>/dev/null || true
cargo build --release --quiet
BIN=$PWD/target/release/yijian
WORK=$(mktemp -d)
# The intake writer logs each batch's wait for the write lock at debug level.
export YIJIAN_DATA_DIR=$WORK/data YIJIAN_BIND=127.0.0.1:$PORT YIJIAN_COMMENT_RATE_PER_HOUR=0 \
  YIJIAN_LOG=warn,yijian::app::intake=debug,yijian::db::tx=debug YIJIAN_BASE_URL=http://127.0.0.1:$PORT
if [ "$DB" = postgres ]; then
  psql -q "$PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS yijian_office_load' -c 'CREATE DATABASE yijian_office_load'
  export YIJIAN_DATABASE_URL=${PG_ADMIN_URL%/*}/yijian_office_load
  sql() { psql -q -v ON_ERROR_STOP=1 "$YIJIAN_DATABASE_URL" -f "$1"; }
  q() { psql -At "$YIJIAN_DATABASE_URL" -c "$1"; }
else
  unset YIJIAN_DATABASE_URL
  sql() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()" "$YIJIAN_DATA_DIR/yijian.db" "$1"; }
  q() { python3 -c "import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" "$YIJIAN_DATA_DIR/yijian.db" "$1"; }
fi
"$BIN" migrate >/dev/null
"$BIN" serve 2>"$WORK/server.log" &
PID=$!
# KEEP=dir keeps the wrk outputs, the office client's and the server's log.
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; [ -n "${KEEP:-}" ] && cp "$WORK"/*.txt "$WORK"/server.log "$KEEP"/ 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

echo 'a long load password' | "$BIN" user create --email office@example.org --name 办公室 --role admin --password-stdin >/dev/null
export TOKEN=$("$BIN" token create --email office@example.org)
export API=http://127.0.0.1:$PORT/api/v1
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
auth=(-H "Authorization: Bearer $TOKEN")

# The consultation that takes comments, and the closed one whose report is published.
new_consultation() {
  curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"title\":\"$1\",\"draft_title\":\"实施方案(征求意见稿)\",\"opens_at\":\"2020-01-01\",\"closes_at\":\"2099-01-01\",\"slug\":\"$2\"}" \
    "$API/consultations" | json '["id"]'
}
INTAKE=$(new_consultation 负载测量 load-test)
BIG=$(new_consultation 五万条意见的报告 big-report)
for c in "$INTAKE" "$BIG"; do
  curl -fs "${auth[@]}" -H 'Content-Type: text/plain' --data-binary @tests/fixtures/seed_003.txt "$API/consultations/$c/drafts" >/dev/null
  curl -fs -X POST "${auth[@]}" "$API/consultations/$c/open" >/dev/null
done
CLAUSE=$(curl -fs "$API/consultations/$INTAKE/drafts/current" | json '["clauses"][0]["id"]')

python3 benches/office_seed.py "$BIG" "$OPINIONS" >"$WORK/seed.sql"
sql "$WORK/seed.sql"
curl -fs "${auth[@]}" -H 'Content-Type: application/json' -d '{"reason":"负载测量"}' "$API/consultations/$BIG/close" >/dev/null
echo "report to publish: $(q "select count(*) from opinions where consultation_id = '$BIG'") opinions, $(q "select count(*) from decisions d join opinions o on o.id = d.opinion_id where o.consultation_id = '$BIG' and d.state = 'approved'") approved decisions"

FORM=$(curl -fs -c "$WORK/jar" "http://127.0.0.1:$PORT/c/load-test/comment")
export CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$FORM" | sed 's/.*value="//;s/"$//')
export COOKIE="yijian_session=$(awk '$6=="yijian_session"{print $7}' "$WORK/jar")"
export CLAUSE FORM_PATH=/c/load-test/comment

BEFORE=$(q "select count(*) from submissions where consultation_id = '$INTAKE'")
# First the intake alone, for comparison.
wrk -t"$THREADS" -c"$CONNS" -d10s --timeout 10s --latency -s benches/submit.lua \
  "http://127.0.0.1:$PORT$FORM_PATH" >"$WORK/alone.txt"
: >"$WORK/server.log"
# Then the intake for DURATION (default 60 s) in one wrk run, the office client starting 3 s in;
# the client must be done before the intake stops.
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s benches/submit.lua \
  "http://127.0.0.1:$PORT$FORM_PATH" >"$WORK/intake.txt" &
LOADER=$!
sleep 3
INTAKE_ID=$INTAKE BIG_ID=$BIG python3 benches/office_client.py >"$WORK/office.txt" || OFFICE_FAILED=1
kill -0 $LOADER 2>/dev/null || { echo "the office client outlasted the intake load: raise DURATION" >&2; OFFICE_FAILED=1; }
wait $LOADER
AFTER=$(q "select count(*) from submissions where consultation_id = '$INTAKE'")

cat "$WORK/office.txt"
python3 - "$WORK" <<'PY'
import re, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    if not m:
        sys.exit(f"unreadable latency {v!r}")
    n, u = m.groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
def read(f):
    t = open(f).read()
    reqs = int(re.search(r"(\d+) requests in", t).group(1))
    m = re.search(r"requests in ([\d.]+)(s|m),", t)
    secs = float(m.group(1)) * (60 if m.group(2) == "m" else 1)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t); errs = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errs += sum(map(int, m.groups())) if m else 0
    return reqs, secs, errs, ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)), ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
a = read(sys.argv[1] + "/alone.txt")
print(f"intake alone (10 s): {a[0]/a[1]:.0f}/s, p50 {a[3]:.1f} ms, p99 {a[4]:.1f} ms, {a[2]} errors")
reqs, secs, errs, p50, p99 = read(sys.argv[1] + "/intake.txt")
print(f"intake with the office working: {reqs} comments in {secs:.0f} s ({reqs/secs:.0f}/s), {errs} errors; "
      f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")
waits = sorted(int(w) for w in re.findall(r"lock_wait_us=(\d+)", open(sys.argv[1] + "/server.log").read()))
if waits:
    print(f"intake batches meanwhile: {len(waits)}; their wait for the write lock: median {waits[len(waits)//2]/1000:.1f} ms, "
          f"p99 {waits[len(waits)*99//100]/1000:.1f} ms, longest {waits[-1]/1000:.1f} ms")
held = {}
for ms_, at in re.findall(r"held_ms=(\d+) at=(\S+)", open(sys.argv[1] + "/server.log").read()):
    held.setdefault(at, []).append(int(ms_))
for at, v in sorted(held.items(), key=lambda kv: -max(kv[1])):
    print(f"  held the lock over 20 ms: {at}: {len(v)} times, longest {max(v)} ms")
open(sys.argv[1] + "/intake.sum", "w").write(f"{reqs + a[0]} {errs + a[2]}\n")
PY
read -r ACKED_ALL IERR <"$WORK/intake.sum"
echo "acknowledged comments: $((ACKED_ALL - IERR)); rows added: $((AFTER - BEFORE)); database: $DB"
[ "$((AFTER - BEFORE))" -ge "$((ACKED_ALL - IERR))" ] || { echo "LOST COMMENTS" >&2; exit 1; }
[ "$IERR" = 0 ] || { echo "INTAKE ERRORS: $IERR" >&2; exit 1; }
[ -z "${OFFICE_FAILED:-}" ] || { echo "OFFICE ERRORS (see above)" >&2; exit 1; }
