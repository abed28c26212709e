#!/usr/bin/env bash
# Load measure on SQLite (synchronous=FULL): /healthz, then durable comment submissions through
# the public form, then the consultation page with at least 100,000 comments in the database
# (plain, and gzip-compressed as browsers take it),
# all against one release build in one run. Prints rates, ratios, p99 and errors, and checks that
# every acknowledged submission is in the database.
#
#   benches/load.sh                 # 512 connections, 15 s per measure
#   CONNS=256 DURATION=10s benches/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-512}
DURATION=${DURATION:-15s}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
TARGET_COMMENTS=${TARGET_COMMENTS:-100000}

if ! command -v wrk >/dev/null; then
  echo "installing wrk"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
fi
ulimit -n 65536 2>/dev/null || true

cargo build --release --quiet
BIN=$PWD/target/release/yijian
WORK=$(mktemp -d)
export YIJIAN_DATA_DIR=$WORK/data YIJIAN_BIND=127.0.0.1:$PORT YIJIAN_COMMENT_RATE_PER_HOUR=0 \
  YIJIAN_LOG=warn YIJIAN_BASE_URL=http://127.0.0.1:$PORT
unset YIJIAN_DATABASE_URL
"$BIN" serve 2>"$WORK/server.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; [ -n "${KEEP:-}" ] && { cp "$WORK"/*.txt "$WORK"/server.log "$KEEP"/ 2>/dev/null; }; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

echo 'a long load password' | "$BIN" user create --email load@example.org --name Load --role staff --password-stdin >/dev/null
TOKEN=$("$BIN" token create --email load@example.org)
API=http://127.0.0.1:$PORT/api/v1
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# A 300-clause draft: 12 sections × 4 subsections × 5 items.
python3 - >"$WORK/draft.txt" <<'PY'
cn = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
out = ["武汉市人工智能发展实施方案（征求意见稿）", ""]
n = 0
for i in range(12):
    out.append(f"{cn[i]}、第{i+1}部分任务"); n += 1
    for j in range(4):
        out.append(f"({cn[j]})第{j+1}项重点工作。推进人工智能与实体经济深度融合，形成一批示范应用。"); n += 1
        for k in range(5):
            out.append(f"{k+1}.具体措施{k+1}。加强统筹协调，完善政策体系，落实工作责任。(牵头单位:市科技局;责任单位:市经济和信息化局)"); n += 1
print("\n".join(out))
PY
CID=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":"负载测量","draft_title":"实施方案(征求意见稿)","opens_at":"2020-01-01","closes_at":"2099-01-01","slug":"load-test"}' \
  "$API/consultations" | json '["id"]')
CLAUSES=$(curl -fs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/plain' --data-binary @"$WORK/draft.txt" \
  "$API/consultations/$CID/drafts" | python3 -c "
import json,sys
t=json.load(sys.stdin)
def walk(cs): return sum(1+walk(c['children']) for c in cs)
print(walk(t['clauses']), t['clauses'][0]['children'][0]['id'])")
read -r NCLAUSES CLAUSE <<<"$CLAUSES"
curl -fs -X POST -H "Authorization: Bearer $TOKEN" "$API/consultations/$CID/open" >/dev/null

# A form as a browser gets it: the session cookie and its CSRF token.
FORM=$(curl -fs -c "$WORK/jar" "http://127.0.0.1:$PORT/c/load-test/comment")
export CSRF=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$FORM" | sed 's/.*value="//;s/"$//')
export COOKIE="yijian_session=$(awk '$6=="yijian_session"{print $7}' "$WORK/jar")"
export CLAUSE FORM_PATH=/c/load-test/comment

run() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency "$@"; }
rate() { awk '/^Requests\/sec/{print $2}' "$1"; }
p99() { awk '$1=="99%"{print $2}' "$1"; }
errors() { awk '/Socket errors/{gsub(",","");e=$4+$6+$8+$10} /Non-2xx or 3xx/{n=$5} END{print (e+0)+(n+0)}' "$1"; }
done_reqs() { awk '/requests in/{print $1}' "$1"; }
count() { python3 -c "import sqlite3;print(sqlite3.connect('$YIJIAN_DATA_DIR/yijian.db').execute('select count(*) from submissions').fetchone()[0])"; }

echo "draft: $NCLAUSES clauses; $CONNS connections, $THREADS wrk threads, $DURATION per measure"
run "http://127.0.0.1:$PORT/healthz" >"$WORK/healthz.txt"
BEFORE=$(count)
run -s benches/submit.lua "http://127.0.0.1:$PORT$FORM_PATH" >"$WORK/submit.txt"
AFTER=$(count)
ACKED=$(( $(done_reqs "$WORK/submit.txt") - $(errors "$WORK/submit.txt") ))

# Top up to the target number of comments, then measure the consultation page.
while [ "$(count)" -lt "$TARGET_COMMENTS" ]; do
  run -s benches/submit.lua "http://127.0.0.1:$PORT$FORM_PATH" >/dev/null
done
TOTAL=$(count)
run "http://127.0.0.1:$PORT/c/load-test" >"$WORK/page.txt"
# The same page as browsers ask for it (they take gzip).
run -H 'Accept-Encoding: gzip, deflate, br' "http://127.0.0.1:$PORT/c/load-test" >"$WORK/page_gz.txt"
RSS=$(awk '/VmHWM/{print $2/1024}' /proc/$PID/status)

H=$(rate "$WORK/healthz.txt"); S=$(rate "$WORK/submit.txt"); P=$(rate "$WORK/page.txt"); Z=$(rate "$WORK/page_gz.txt")
printf '\n%-34s %12s %10s %8s\n' "measure" "requests/s" "p99" "errors"
printf '%-34s %12s %10s %8s\n' "GET /healthz" "$H" "$(p99 "$WORK/healthz.txt")" "$(errors "$WORK/healthz.txt")"
printf '%-34s %12s %10s %8s\n' "POST comment form (durable)" "$S" "$(p99 "$WORK/submit.txt")" "$(errors "$WORK/submit.txt")"
printf '%-34s %12s %10s %8s\n' "GET consultation page ($TOTAL comments)" "$P" "$(p99 "$WORK/page.txt")" "$(errors "$WORK/page.txt")"
printf '%-34s %12s %10s %8s\n' "the same, gzip as browsers take it" "$Z" "$(p99 "$WORK/page_gz.txt")" "$(errors "$WORK/page_gz.txt")"
python3 -c "print(f'submissions / healthz: {float(\"$S\")/float(\"$H\"):.1%}   page / healthz: {float(\"$P\")/float(\"$H\"):.1%} (gzip: {float(\"$Z\")/float(\"$H\"):.1%})')"
echo "acknowledged submissions: $ACKED; rows added: $((AFTER - BEFORE)); server peak RSS: ${RSS} MB"
if [ "$((AFTER - BEFORE))" -lt "$ACKED" ]; then
  echo "LOST SUBMISSIONS: $ACKED acknowledged, $((AFTER - BEFORE)) stored" >&2
  exit 1
fi
