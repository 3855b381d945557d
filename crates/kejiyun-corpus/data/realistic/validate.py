#!/usr/bin/env python3
"""Validate the hand-written supply–demand matching evaluation set.

Usage: python3 validate.py            (run from anywhere; reads files next to this script)
Exit status 0 when clean, 1 when any error was found. Warnings do not fail the run.
"""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CATEGORIES = {"planting", "fruit", "tea", "livestock", "aquaculture", "herbal", "agri_processing",
              "agri_machinery", "manufacturing", "materials", "chemicals", "electronics", "software",
              "energy", "construction", "medicine", "medical_devices", "legal", "tax", "ip", "testing",
              "finance", "consulting", "ecommerce", "popsci", "other"}
KINDS = {"service", "achievement", "tech_worker"}
STYLES = {"colloquial", "dialect", "typo", "symptom", "vague", "formal", "multi_topic"}
MIN_DOCS, MIN_NEEDS = 620, 160
# Needs that deliberately have no good answer in docs.jsonl (only grade-0 distractors are labelled).
NO_ANSWER = {"n155", "n156", "n157", "n158", "n159"}
PLACEHOLDER = re.compile(r"TODO|TBD|xxx|XXX|lorem|占位|示例文本|待补充|某某")
NUMBERED_TITLE = re.compile(r"^\s*(\d+[.、．)]|[（(]\d+[)）]|第\d+)")

errors, warnings = [], []
def err(msg): errors.append(msg)
def warn(msg): warnings.append(msg)

def load_jsonl(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                err(f"{name}:{ln}: blank line"); continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{name}:{ln}: invalid JSON ({e})"); continue
            if not isinstance(obj, dict):
                err(f"{name}:{ln}: not a JSON object"); continue
            rows.append((ln, obj))
    return rows

# ---- docs -------------------------------------------------------------------------------
docs = {}
for ln, d in load_jsonl("docs.jsonl"):
    where = f"docs.jsonl:{ln}"
    if set(d) != {"id", "kind", "title", "body", "category", "tags"}:
        err(f"{where}: fields {sorted(d)}")
    did = d.get("id")
    if not isinstance(did, str) or not re.fullmatch(r"d\d{4}", did or ""):
        err(f"{where}: bad id {did!r}")
    if did in docs:
        err(f"{where}: duplicate id {did}")
    docs[did] = d
    if d.get("kind") not in KINDS: err(f"{where}: bad kind {d.get('kind')!r}")
    if d.get("category") not in CATEGORIES: err(f"{where}: bad category {d.get('category')!r}")
    title, body, tags = d.get("title", ""), d.get("body", ""), d.get("tags")
    if not isinstance(title, str) or not title.strip(): err(f"{where}: empty title")
    if not isinstance(body, str) or not body.strip(): err(f"{where}: empty body")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t.strip() for t in tags):
        err(f"{where}: tags must be a non-empty list of strings")
    elif len(set(tags)) != len(tags):
        warn(f"{where}: repeated tag")
    if len(title) > 30: err(f"{where}: title longer than 30 chars ({len(title)})")
    if not 60 <= len(body) <= 250: err(f"{where}: body length {len(body)} outside 60–250")
    if PLACEHOLDER.search(title + body): err(f"{where}: placeholder text")
    if NUMBERED_TITLE.search(title): err(f"{where}: numbering in title")
    if d.get("kind") == "tech_worker" and not re.match(r"^[\u4e00-\u9fff]{2,5}\s", title):
        warn(f"{where}: tech_worker title should start with a name: {title}")

# ---- needs ------------------------------------------------------------------------------
needs = {}
for ln, n in load_jsonl("needs.jsonl"):
    where = f"needs.jsonl:{ln}"
    if set(n) != {"id", "title", "body", "category", "style"}:
        err(f"{where}: fields {sorted(n)}")
    nid = n.get("id")
    if not isinstance(nid, str) or not re.fullmatch(r"n\d{3}", nid or ""):
        err(f"{where}: bad id {nid!r}")
    if nid in needs: err(f"{where}: duplicate id {nid}")
    needs[nid] = n
    if n.get("category") is not None and n.get("category") not in CATEGORIES:
        err(f"{where}: bad category {n.get('category')!r}")
    st = n.get("style")
    if not isinstance(st, list) or not st or any(s not in STYLES for s in st):
        err(f"{where}: bad style {st!r}")
    body = n.get("body", "")
    if not isinstance(n.get("title"), str) or not n["title"].strip(): err(f"{where}: empty title")
    if not 10 <= len(body) <= 200: err(f"{where}: body length {len(body)} outside 10–200")
    if PLACEHOLDER.search(n.get("title", "") + body): err(f"{where}: placeholder text")

# ---- qrels ------------------------------------------------------------------------------
labels = collections.defaultdict(dict)
with open(os.path.join(HERE, "qrels.tsv"), encoding="utf-8") as f:
    lines = f.read().splitlines()
if not lines or lines[0] != "need_id\tdoc_id\tgrade":
    err("qrels.tsv: header must be 'need_id\\tdoc_id\\tgrade'")
for ln, line in enumerate(lines[1:], 2):
    parts = line.split("\t")
    if len(parts) != 3:
        err(f"qrels.tsv:{ln}: expected 3 columns"); continue
    nid, did, g = parts
    if nid not in needs: err(f"qrels.tsv:{ln}: unknown need {nid}")
    if did not in docs: err(f"qrels.tsv:{ln}: unknown doc {did}")
    if g not in {"0", "1", "2"}:
        err(f"qrels.tsv:{ln}: grade {g!r}"); continue
    if did in labels[nid]: err(f"qrels.tsv:{ln}: duplicate pair {nid} {did}")
    labels[nid][did] = int(g)

# ---- per-need checks ----------------------------------------------------------------------
pos_hist = collections.Counter()
for nid in needs:
    grades = list(labels[nid].values())
    pos = sum(1 for g in grades if g >= 1)
    zeros = sum(1 for g in grades if g == 0)
    if nid in NO_ANSWER:
        if pos: err(f"{nid}: declared no-answer but has {pos} docs at grade >= 1")
    else:
        pos_hist[pos] += 1
        if pos == 0: err(f"{nid}: no doc at grade 1 or 2")
        elif not any(g == 2 for g in grades): warn(f"{nid}: no grade-2 doc")
        if pos > 8 or pos < 2: warn(f"{nid}: {pos} docs at grade >= 1 (target 2–8)")
    if zeros < 3: err(f"{nid}: only {zeros} grade-0 distractor labels (need >= 3)")
for nid in NO_ANSWER:
    if nid not in needs: err(f"no-answer need {nid} missing")

if len(docs) < MIN_DOCS: err(f"only {len(docs)} docs (< {MIN_DOCS})")
if len(needs) < MIN_NEEDS: err(f"only {len(needs)} needs (< {MIN_NEEDS})")

# ---- summary ----------------------------------------------------------------------------
kind = collections.Counter(d["kind"] for d in docs.values())
cat = collections.Counter(d["category"] for d in docs.values())
style = collections.Counter(s for n in needs.values() for s in n["style"])
ncat = collections.Counter(n["category"] or "null" for n in needs.values())
grades = collections.Counter(g for m in labels.values() for g in m.values())
unused = [d for d in docs if not any(d in m for m in labels.values())]
print("=== realistic supply–demand matching set ===")
print(f"docs: {len(docs)}  (" + ", ".join(f"{k} {kind[k]} ({kind[k]*100//len(docs)}%)" for k in ("service", "achievement", "tech_worker")) + ")")
print("docs per category: " + ", ".join(f"{c} {n}" for c, n in cat.most_common()))
print(f"needs: {len(needs)}  (no-answer: {len(NO_ANSWER)})")
print("needs per style: " + ", ".join(f"{s} {n}" for s, n in style.most_common()))
print("needs per category: " + ", ".join(f"{c} {n}" for c, n in ncat.most_common()))
print(f"labels: {sum(grades.values())}  (grade 2: {grades[2]}, grade 1: {grades[1]}, grade 0: {grades[0]})")
print("docs at grade>=1 per answerable need: " + ", ".join(f"{k}:{pos_hist[k]}" for k in sorted(pos_hist)))
print(f"docs never labelled: {len(unused)}")
for w in warnings: print("WARN ", w)
for e in errors: print("ERROR", e)
print("RESULT:", "OK" if not errors else f"{len(errors)} error(s)", f"/ {len(warnings)} warning(s)")
sys.exit(1 if errors else 0)
