"""SQL for benches/office_load.sh: a closed consultation's N opinions, each in its own
submission, decided and approved, ready for its report to be published.

Texts are built from the sentences of the seed drafts (tests/fixtures), 20 to 600 characters;
one in five is a copy of one of 200 campaign letters with its own edits (words dropped,
swapped or added), so that no two copies are the same. One commenter in three left an email
address, so publishing queues that many notices. The variety is checked and printed (stderr).

    python3 benches/office_seed.py CONSULTATION_ID N > seed.sql
"""
import random
import re
import sys
import uuid

cid, n = sys.argv[1], int(sys.argv[2])
random.seed(11)
text = "".join(open(f"tests/fixtures/seed_00{i}.txt", encoding="utf-8").read() for i in (0, 3, 4))
sentences = [s.strip() for s in re.split(r"(?<=[。；！？])", text.replace("\n", "")) if 6 <= len(s.strip()) <= 160]
assert len(sentences) > 200, len(sentences)
lead = ["建议", "我认为", "希望", "能否", "请考虑", "提议", ""]


def opinion(lo, hi):
    want = random.randint(lo, hi)
    out = random.choice(lead)
    while len(out) < want:
        out += random.choice(sentences)
    return out[:want].rstrip("，、") + "。"


def edited(letter):
    words = re.findall(r".{1,4}", letter)
    for _ in range(random.randint(2, 5)):
        op, i = random.random(), random.randrange(len(words))
        if op < 0.4:
            words.pop(i)
        elif op < 0.7:
            j = random.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        else:
            words.insert(i, random.choice(["特别是", "尽快", "切实", "进一步", "同时"]))
    return "".join(words)


campaigns = [opinion(60, 300) for _ in range(200)]
statuses = [("adopted", None), ("partially_adopted", "部分内容已在修改稿中体现。"),
            ("not_adopted", "与上位法规定不一致，暂不采纳。"), ("already_reflected", "征求意见稿第三部分已有相关内容。")]
alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
texts, copies, same_as_source = [], 0, 0
subs, ops, decs = [], [], []
q = lambda s: "NULL" if s is None else "'" + s.replace("'", "''") + "'"
for i in range(n):
    if i % 5 == 0:
        src = random.choice(campaigns)
        body = edited(src)
        while body == src:  # edits that cancel out (a word swapped with its twin)
            body = edited(src)
        copies += 1
        same_as_source += body == src
    else:
        body = opinion(20, 600)
    texts.append(body)
    at = f"2026-11-{1 + i * 25 // n:02d} {i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
    sid, oid = str(uuid.uuid4()), str(uuid.uuid4())
    code = "YJ-" + "".join(random.choice(alphabet) for _ in range(4)) + "-" + f"{i:06X}"
    email = q(f"c{i}@example.org") if i % 3 == 0 else "NULL"
    subs.append(f"({q(sid)},{q(cid)},{q(code)},'public_web','received',{q(f'提交人{i % 997}')},{email},{q(body)},'zh-CN','{at}',FALSE)")
    ops.append(f"({q(oid)},{q(cid)},{q(sid)},0,{q(body)},{q(body)},'approved','{at}','{at}')")
    status, why = statuses[i % len(statuses)]
    decs.append(f"({q(str(uuid.uuid4()))},{q(oid)},'{status}',{q(why)},'approved','{at}','{at}','{at}')")

assert same_as_source == 0, f"{same_as_source} campaign copies equal their letter"
lengths = sorted(len(t) for t in texts)
print(f"{n} opinions: {len(set(texts))} distinct texts; {copies} campaign copies, none equal to its letter; "
      f"length p10/p50/p90 {lengths[n // 10]}/{lengths[n // 2]}/{lengths[n * 9 // 10]} characters", file=sys.stderr)
assert len(set(texts)) > n * 0.99

print("BEGIN;")
for table, cols, rows in [
    ("submissions", "id, consultation_id, tracking_code, channel, state, name, email, body, locale, received_at, publish_name", subs),
    ("opinions", "id, consultation_id, submission_id, position, received_text, summary, state, created_at, updated_at", ops),
    ("decisions", "id, opinion_id, status, rationale, state, decided_at, approved_at, updated_at", decs),
]:
    for k in range(0, len(rows), 500):
        print(f"INSERT INTO {table} ({cols}) VALUES\n" + ",\n".join(rows[k:k + 500]) + ";")
print("COMMIT;")
