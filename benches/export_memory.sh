#!/usr/bin/env bash
# Memory of report downloads: a consultation with 100,000 opinions of varied text and length
# (stretches of the seed drafts, a few words to several paragraphs, one in five a copy of one
# of 200 campaign letters), then four DOCX downloads of its report at once with curl, while
# the server's VmRSS is sampled every 100 ms from /proc. Prints the peak RSS (sampled and
# VmHWM), the RSS a few seconds after, and each download's time and size.
#
#   benches/export_memory.sh                               # SQLite, 100,000 opinions
#   benches/export_memory.sh postgres://postgres@127.0.0.1:5432/postgres   # also PostgreSQL
#   OPINIONS=20000 EXPORTS=8 benches/export_memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${1:-}
OPINIONS=${OPINIONS:-100000}
EXPORTS=${EXPORTS:-4}
PORT=${PORT:-18093}

cargo build --release --quiet
BIN=$PWD/target/release/yijian
WORK=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# The opinions as tab-separated rows (submissions, opinions), varied in text and length.
python3 - "$OPINIONS" "$WORK" <<'PY'
import random, sys, uuid, datetime, statistics
n, work = int(sys.argv[1]), sys.argv[2]
random.seed(11)
text = "".join(open(f"tests/fixtures/seed_00{i}.txt").read() for i in (0, 3, 4))
chars = "".join(text.split())
def piece(k):
    return "".join(chars[a:a + random.randint(4, 16)] for a in (random.randrange(len(chars) - 16) for _ in range(k)))
def opinion():
    shape = random.random()
    if shape < 0.25:
        body = piece(random.randint(1, 4))                        # a line
    elif shape < 0.8:
        body = piece(random.randint(5, 30))                       # a paragraph
    else:
        body = "\n".join(piece(random.randint(10, 40)) for _ in range(random.randint(2, 5)))
    if random.random() < 0.3:
        body = f"建议将第{random.randint(1, 60)}条“{piece(1)}”修改为“{piece(1)}”。理由：" + body
    if random.random() < 0.1:
        body += random.choice(["<附件>", "A&B", "\"引号\"", "5% ~ 10%"])
    return body
campaigns = [opinion() for _ in range(200)]
alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
start = datetime.datetime(2026, 11, 1)
bodies = []
with open(f"{work}/subs.tsv", "w") as s, open(f"{work}/ops.tsv", "w") as o:
    for i in range(n):
        body = random.choice(campaigns) if i % 5 == 0 else opinion()
        bodies.append(body)
        flat = body.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n")
        at = (start + datetime.timedelta(seconds=i * 20)).strftime("%Y-%m-%d %H:%M:%S")
        sid, oid = str(uuid.uuid4()), str(uuid.uuid4())
        code = "YJ-" + "".join(random.choice(alphabet) for _ in range(4)) + "-" + "".join(random.choice(alphabet) for _ in range(4)) + f"{i:x}"
        channel = "public_web" if i % 10 else "letter"
        org = f"单位{i % 331}" if i % 7 == 0 else ""
        s.write("\t".join([sid, code, channel, f"提交人{i % 997}", org, flat, at]) + "\n")
        o.write("\t".join([oid, sid, flat, at]) + "\n")
lens = [len(b) for b in bodies]
distinct = len(set(bodies))
print(f"{n} opinions: {distinct} distinct texts, length min {min(lens)} / median {int(statistics.median(lens))} / max {max(lens)} characters")
# The variety the measure needs: not one text repeated, not one length.
assert distinct > n * 0.7, "texts vary"
assert max(lens) > 8 * statistics.median(lens) > 8 * min(lens), "lengths vary"
PY

run() {
  local backend=$1
  export YIJIAN_DATA_DIR=$WORK/data-$backend YIJIAN_BIND=127.0.0.1:$PORT YIJIAN_LOG=warn \
    YIJIAN_BASE_URL=http://127.0.0.1:$PORT
  if [ "$backend" = postgres ]; then
    local db="yijian_export_bench_$$"
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    export YIJIAN_DATABASE_URL="${PG_URL%/*}/$db"
  else
    unset YIJIAN_DATABASE_URL
  fi
  "$BIN" migrate >/dev/null
  "$BIN" serve 2>"$WORK/server-$backend.log" &
  PID=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  echo 'a long bench password' | "$BIN" user create --email bench@example.org --name 经办人 --role staff --password-stdin >/dev/null
  local token api cid
  token=$("$BIN" token create --email bench@example.org)
  api=http://127.0.0.1:$PORT/api/v1
  cid=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"title":"导出内存测量","draft_title":"实施方案(征求意见稿)","opens_at":"2020-01-01","closes_at":"2099-01-01","slug":"export-memory"}' \
    "$api/consultations" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
  printf '第一条 总则。\n第二条 适用范围。\n' | curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: text/plain' \
    --data-binary @- "$api/consultations/$cid/drafts" >/dev/null
  curl -fs -X POST -H "Authorization: Bearer $token" "$api/consultations/$cid/open" >/dev/null
  # Written straight into the database, as intake writes them (a submission and its opinion).
  if [ "$backend" = postgres ]; then
    psql -q "$YIJIAN_DATABASE_URL" <<SQL
CREATE TEMP TABLE s (id text, code text, channel text, name text, org text, body text, at timestamp);
CREATE TEMP TABLE o (id text, sid text, body text, at timestamp);
\copy s FROM '$WORK/subs.tsv'
\copy o FROM '$WORK/ops.tsv'
INSERT INTO submissions (id, consultation_id, tracking_code, channel, state, name, organization, body, locale, received_at, publish_name)
  SELECT id, '$cid', code, channel, 'received', name, NULLIF(org, ''), body, 'zh-CN', at, false FROM s;
INSERT INTO opinions (id, consultation_id, submission_id, position, received_text, summary, state, created_at, updated_at, needs_signature)
  SELECT id, '$cid', sid, 0, body, body, 'new', at, at, false FROM o;
SQL
  else
    python3 - "$YIJIAN_DATA_DIR/yijian.db" "$cid" "$WORK" <<'PY'
import sqlite3, sys
db, cid, work = sys.argv[1:]
un = lambda t: t.replace("\\n", "\n").replace("\\\\", "\\")
con = sqlite3.connect(db)
con.execute("begin")
con.executemany("insert into submissions (id, consultation_id, tracking_code, channel, state, name, organization, body, locale, received_at, publish_name) values (?,?,?,?,'received',?,?,?,'zh-CN',?,0)",
    ((r[0], cid, r[1], r[2], r[3], r[4] or None, un(r[5]), r[6]) for r in (l.rstrip("\n").split("\t") for l in open(f"{work}/subs.tsv"))))
con.executemany("insert into opinions (id, consultation_id, submission_id, position, received_text, summary, state, created_at, updated_at, needs_signature) values (?,?,?,0,?,?,'new',?,?,0)",
    ((r[0], cid, r[1], un(r[2]), un(r[2]), r[3], r[3]) for r in (l.rstrip("\n").split("\t") for l in open(f"{work}/ops.tsv"))))
con.commit()
PY
  fi
  # (Written as already compared, so the duplicates worker stays out of the measure.)
  sleep 2
  local base
  base=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
  : >"$WORK/rss"
  ( while kill -0 "$PID" 2>/dev/null; do awk '/VmRSS/{print $2}' /proc/$PID/status >>"$WORK/rss" 2>/dev/null; sleep 0.1; done ) &
  local sampler=$!
  local pids=()
  for i in $(seq "$EXPORTS"); do
    curl -fs -o "$WORK/out-$i.docx" -w "export $i: %{time_total}s, %{size_download} bytes\n" \
      -H "Authorization: Bearer $token" "$api/consultations/$cid/report?format=docx" >"$WORK/t-$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  sleep 5
  local after peak hwm
  after=$(awk '/VmRSS/{print $2}' /proc/$PID/status)
  hwm=$(awk '/VmHWM/{print $2}' /proc/$PID/status)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  peak=$(sort -n "$WORK/rss" | tail -1)
  echo "== $backend: $OPINIONS opinions, $EXPORTS concurrent DOCX downloads"
  cat "$WORK"/t-*
  cmp -s "$WORK/out-1.docx" "$WORK/out-$EXPORTS.docx" && echo "downloads identical"
  echo "RSS before: $((base / 1024)) MB; peak sampled: $((peak / 1024)) MB; VmHWM: $((hwm / 1024)) MB; 5 s after: $((after / 1024)) MB"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  if [ "$backend" = postgres ]; then
    unset YIJIAN_DATABASE_URL
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS yijian_export_bench_$$"
  fi
}

run sqlite
[ -n "$PG_URL" ] && run postgres
exit 0
