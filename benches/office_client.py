"""The office side of benches/office_load.sh: what staff do through the API while comments
pour in. Every call's status and time are recorded; prints a summary per kind of call and
exits 1 if any call failed.

Environment: API (…/api/v1), TOKEN (an administrator's API token), INTAKE_ID (the consultation
taking comments), BIG_ID (the closed consultation with the large report).
"""
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request

API, TOKEN = os.environ["API"], os.environ["TOKEN"]
INTAKE, BIG = os.environ["INTAKE_ID"], os.environ["BIG_ID"]
calls = []  # (kind, status, ms)


def call(kind, method, path, body=None, content_type="application/json", expect=(200, 201)):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        req.add_header("Content-Type", content_type)
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    ms = (time.perf_counter() - t) * 1000
    calls.append((kind, status, ms))
    if status not in expect:
        print(f"FAILED {kind} {method} {path}: {status} {text[:300]!r}", flush=True)
        return None
    return json.loads(text) if text else {}


draft = open("tests/fixtures/seed_000.txt", "rb").read()


def consultations(round_no, n):
    for k in range(n):
        c = call("create consultation", "POST", "/consultations", {
            "title": f"第{round_no}轮第{k}个征求意见", "draft_title": "条例(征求意见稿)",
            "opens_at": "2020-01-01", "closes_at": "2099-01-01", "slug": f"office-{round_no}-{k}"})
        if not c:
            continue
        cid = c["id"]
        call("import draft", "POST", f"/consultations/{cid}/drafts", draft, "text/plain")
        call("open", "POST", f"/consultations/{cid}/open", {})
        for e in range(3):
            call("edit (PATCH)", "PATCH", f"/consultations/{cid}", {"description": f"第{e}次修改说明。"})


def bulk(rounds):
    for _ in range(rounds):
        inbox = call("inbox page", "GET", f"/consultations/{INTAKE}/opinions?status=new")
        ids = [o["id"] for o in (inbox or {}).get("items", [])]
        if not ids:
            continue
        call("bulk decide (50)", "POST", f"/consultations/{INTAKE}/opinions/bulk/decide",
             {"opinion_ids": ids, "status": "adopted"})
        call("bulk approve (50)", "POST", f"/consultations/{INTAKE}/opinions/bulk/approve",
             {"opinion_ids": ids})


t0 = time.perf_counter()
consultations(1, 10)
units = "名称,类别,别名,邮箱\n" + "".join(
    f"第{i}街道办事处,其他,{i}号街道,street{i}@example.org\n" for i in range(5000))
call("units CSV (5,000 units)", "POST", "/units/import", units.encode(), "text/csv")
bulk(10)
r = call("publish report", "POST", f"/consultations/{BIG}/publications", {})
if r is not None:
    print(f"published edition {r.get('edition_no')} with {r.get('notices')} notices", flush=True)
consultations(2, 5)
bulk(5)
elapsed = time.perf_counter() - t0

print(f"\noffice client: {len(calls)} calls in {elapsed:.1f} s")
print(f"{'call':28} {'n':>4} {'errors':>6} {'median ms':>10} {'max ms':>9}")
for kind in dict.fromkeys(k for k, _, _ in calls):
    mine = [c for c in calls if c[0] == kind]
    errors = sum(1 for c in mine if c[1] >= 300)
    times = [c[2] for c in mine]
    print(f"{kind:28} {len(mine):>4} {errors:>6} {statistics.median(times):>10.1f} {max(times):>9.1f}")
failed = sum(1 for c in calls if c[1] >= 300)
print(f"office errors: {failed}")
sys.exit(1 if failed else 0)
