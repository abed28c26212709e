#!/usr/bin/env bash
# Load measure of the triage inbox on SQLite: a consultation with a 300-clause draft and
# 100,000 opinions (texts in the seed drafts' vocabulary, one in five a copy of one of 200
# campaign letters, each linked to a clause), then the inbox page as a signed-in staff member
# sees it, with wrk at a few connections. Prints the first view's time (taken while the
# server's duplicates worker compares the 100,000 new opinions), how long the worker took to
# compare them all, then p50/p99 of the inbox page, its JSON twin, a Chinese text search and a
# clause filter.
#
#   benches/triage_load.sh                    # 100,000 opinions, 4 connections, 15 s each
#   OPINIONS=20000 CONNS=1 benches/triage_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

OPINIONS=${OPINIONS:-100000}
CONNS=${CONNS:-4}
DURATION=${DURATION:-15s}
PORT=${PORT:-18091}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet
BIN=$PWD/target/release/yijian
WORK=$(mktemp -d)
export YIJIAN_DATA_DIR=$WORK/data YIJIAN_BIND=127.0.0.1:$PORT YIJIAN_LOG=warn \
  YIJIAN_BASE_URL=http://127.0.0.1:$PORT
unset YIJIAN_DATABASE_URL
"$BIN" migrate >/dev/null
"$BIN" serve 2>"$WORK/server.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

echo 'a long load password' | "$BIN" user create --email triage@example.org --name 经办人 --role staff --password-stdin >/dev/null
TOKEN=$("$BIN" token create --email triage@example.org)
API=http://127.0.0.1:$PORT/api/v1
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

python3 - >"$WORK/draft.txt" <<'PY'
cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
out = ["武汉市人工智能发展实施方案（征求意见稿）", ""]
for i in range(12):
    out.append(f"{cn[i]}、第{i+1}部分任务")
    for j in range(4):
        out.append(f"({cn[j]})第{j+1}项重点工作。推进人工智能与实体经济深度融合，形成一批示范应用。")
        for k in range(5):
            out.append(f"{k+1}.具体措施{k+1}。加强统筹协调，完善政策体系，落实工作责任。(牵头单位:市科技局;责任单位:市经济和信息化局)")
print("\n".join(out))
PY
CID=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":"意见处理负载测量","draft_title":"实施方案(征求意见稿)","opens_at":"2020-01-01","closes_at":"2099-01-01","slug":"triage-load"}' \
  "$API/consultations" | json '["id"]')
curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/plain' --data-binary @"$WORK/draft.txt" \
  "$API/consultations/$CID/drafts" >/dev/null
curl -fs -X POST -H "Authorization: Bearer $TOKEN" "$API/consultations/$CID/open" >/dev/null

# The opinions, written straight into the database (what intake writes: a submission, its
# opinion and its clause link), in one transaction.
python3 - "$YIJIAN_DATA_DIR/yijian.db" "$CID" "$OPINIONS" <<'PY'
import random, sqlite3, sys, uuid, datetime
db, cid, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(7)
text = open("tests/fixtures/seed_000.txt").read() + open("tests/fixtures/seed_003.txt").read() + open("tests/fixtures/seed_004.txt").read()
chars = "".join(text.split())
# Distinct opinions: 12-30 random eight-character stretches of the drafts (their vocabulary,
# not copies of each other); campaigns: 200 letters, each copied with small changes.
def piece(k):
    out = []
    for _ in range(k):
        at = random.randrange(len(chars) - 8)
        out.append(chars[at:at + 8])
    return "".join(out)
campaigns = [piece(20) for _ in range(200)]
con = sqlite3.connect(db)
clauses = [r[0] for r in con.execute("select c.id from clauses c join draft_versions v on v.id = c.version_id where v.consultation_id = ?", (cid,))]
alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
start = datetime.datetime(2026, 11, 1)
subs, ops, links = [], [], []
for i in range(n):
    if i % 5 == 0:
        body = random.choice(campaigns) + random.choice(["", "谢谢！", "。"])
    else:
        body = piece(random.randint(12, 30))
    at = (start + datetime.timedelta(seconds=i * 20)).strftime("%Y-%m-%d %H:%M:%S")
    sid, oid = str(uuid.uuid4()), str(uuid.uuid4())
    code = "YJ-" + "".join(random.choice(alphabet) for _ in range(4)) + "-" + "".join(random.choice(alphabet) for _ in range(4)) + f"{i:x}"
    channel = "public_web" if i % 10 else "letter"
    subs.append((sid, cid, code, channel, "received", f"提交人{i % 997}", body, "zh-CN", at))
    ops.append((oid, cid, sid, 0, body, body, "new", at, at))
    links.append((oid, random.choice(clauses), at))
con.execute("begin")
con.executemany("insert into submissions (id, consultation_id, tracking_code, channel, state, name, body, locale, received_at, publish_name) values (?,?,?,?,?,?,?,?,?,0)", subs)
con.executemany("insert into opinions (id, consultation_id, submission_id, position, received_text, summary, state, created_at, updated_at) values (?,?,?,?,?,?,?,?,?)", ops)
con.executemany("insert into opinion_clauses (opinion_id, clause_id, linked_at) values (?,?,?)", links)
con.commit()
print(f"{n} opinions on {len(clauses)} clauses")
PY
INSERTED=$(date +%s.%N)

# Sign in as a browser does.
LOGIN=$(curl -fs -c "$WORK/jar" "http://127.0.0.1:$PORT/login")
CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$LOGIN" | sed 's/.*value="//;s/"$//')
curl -fs -b "$WORK/jar" -c "$WORK/jar" -o /dev/null \
  --data-urlencode "csrf_token=$CSRF" --data-urlencode "email=triage@example.org" \
  --data-urlencode "password=a long load password" --data-urlencode "next=/staff" "http://127.0.0.1:$PORT/login"
COOKIE="yijian_session=$(awk '$6=="yijian_session"{print $7}' "$WORK/jar")"
INBOX=http://127.0.0.1:$PORT/staff/consultations/$CID/opinions

FIRST=$(curl -fs -o /dev/null -w '%{time_total}' -H "Cookie: $COOKIE" "$INBOX")
q() { python3 -c "import sqlite3;c=sqlite3.connect('$YIJIAN_DATA_DIR/yijian.db');print(*c.execute(\"$1\").fetchone())"; }
WAITING=$(q "select count(*) from opinions where needs_signature")
echo "first view: ${FIRST}s, with $WAITING of $OPINIONS opinions still waiting for the duplicates worker"
while [ "$(q "select count(*) from opinions where needs_signature")" -gt 0 ]; do sleep 0.5; done
CAUGHT_UP=$(python3 -c "import time; print(f'{time.time() - $INSERTED:.1f}')")
read -r NCLUSTERS NMEMBERS NBANDS <<<"$(q "select (select count(*) from opinion_clusters), (select count(*) from opinions where cluster_id is not null), (select count(*) from opinion_bands)")"
CLAUSE=$(q "select id from clauses where parent_id is null order by position limit 1")
echo "the worker compared all $OPINIONS opinions ${CAUGHT_UP}s after they were written: $NCLUSTERS clusters holding $NMEMBERS opinions; $NBANDS band rows"

measure() {
  local name=$1 url=$2
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H "Cookie: $COOKIE" -H "Authorization: Bearer $TOKEN" "$url" >"$WORK/m.txt"
  printf '%-44s %10s %10s %10s %8s\n' "$name" "$(awk '$1=="50%"{print $2}' "$WORK/m.txt")" \
    "$(awk '$1=="99%"{print $2}' "$WORK/m.txt")" "$(awk '/^Requests\/sec/{print $2}' "$WORK/m.txt")" \
    "$(awk '/Non-2xx or 3xx/{n=$5} /Socket errors/{gsub(",","");e=$4+$6+$8+$10} END{print (e+0)+(n+0)}' "$WORK/m.txt")"
}
printf '\n%-44s %10s %10s %10s %8s\n' "measure ($CONNS connections, $DURATION)" "p50" "p99" "req/s" "errors"
measure "GET inbox page (newest 50)" "$INBOX"
measure "GET /api/v1/…/opinions (JSON twin)" "$API/consultations/$CID/opinions"
measure "GET inbox page 100" "$INBOX?page=100"
measure "GET inbox, clause filter (a part, 25 clauses)" "$INBOX?clause=$CLAUSE"
measure "GET inbox, search q=人工智能" "$INBOX?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD"
echo "server peak RSS: $(awk '/VmHWM/{print $2/1024}' /proc/$PID/status) MB"
