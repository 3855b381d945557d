#!/usr/bin/env python3
"""Assemble the hand-written batches in src/*.txt into docs.jsonl, needs.jsonl, qrels.tsv.

Source line formats (one record per line, '#' starts a comment):
  D <key> <s|a|w> <category> | <title> | <tag,tag,...> | <body>
  N <key> <category|-> <style,style> | <title> | <body>
  Q <need_key> | <grade-2 keys> | <grade-1 keys> | <grade-0 keys>
Keys are local names; ids (d0001, n001) are assigned in file order.
"""
import glob, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KIND = {"s": "service", "a": "achievement", "w": "tech_worker"}
docs, needs, qrels = [], [], []
dkeys, nkeys = {}, {}
errors = []
for path in sorted(glob.glob(os.path.join(HERE, "src", "*.txt"))):
    for ln, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{os.path.basename(path)}:{ln}"
        parts = [p.strip() for p in line.split("|")]
        head = parts[0].split()
        try:
            if head[0] == "D":
                _, key, kind, cat = head
                title, tags, body = parts[1], parts[2], parts[3]
                assert len(parts) == 4, "field count"
                if key in dkeys: errors.append(f"{where}: dup doc key {key}")
                tags = [t.strip() for t in tags.replace("，", ",").split(",") if t.strip()]
                dkeys[key] = None
                docs.append(dict(key=key, kind=KIND[kind], title=title, body=body, category=cat, tags=tags))
            elif head[0] == "N":
                _, key, cat, styles = head
                assert len(parts) == 3, "field count"
                if key in nkeys: errors.append(f"{where}: dup need key {key}")
                nkeys[key] = None
                needs.append(dict(key=key, title=parts[1], body=parts[2],
                                  category=None if cat == "-" else cat, style=styles.split(",")))
            elif head[0] == "Q":
                assert len(parts) == 4, "field count"
                qrels.append((where, head[1], [parts[1].split(), parts[2].split(), parts[3].split()]))
            else:
                errors.append(f"{where}: unknown record")
        except Exception as e:
            errors.append(f"{where}: {e!r}: {line[:60]}")

for i, d in enumerate(docs, 1):
    dkeys[d["key"]] = f"d{i:04d}"
for i, n in enumerate(needs, 1):
    nkeys[n["key"]] = f"n{i:03d}"

rows, seen = [], set()
for where, nk, groups in qrels:
    if nk not in nkeys:
        errors.append(f"{where}: unknown need {nk}"); continue
    for grade, keys in zip((2, 1, 0), groups):
        for k in keys:
            if k not in dkeys:
                errors.append(f"{where}: unknown doc {k}"); continue
            pair = (nk, k)
            if pair in seen:
                errors.append(f"{where}: duplicate label {nk} {k}"); continue
            seen.add(pair)
            rows.append((nkeys[nk], dkeys[k], grade))
labelled = {nk for _, nk, _ in qrels}
for n in needs:
    if n["key"] not in labelled:
        errors.append(f"need {n['key']} has no Q line")

if errors:
    print("\n".join(errors)); sys.exit(1)

with open(os.path.join(HERE, "docs.jsonl"), "w", encoding="utf-8") as f:
    for d in docs:
        f.write(json.dumps({"id": dkeys[d["key"]], "kind": d["kind"], "title": d["title"], "body": d["body"],
                            "category": d["category"], "tags": d["tags"]}, ensure_ascii=False) + "\n")
with open(os.path.join(HERE, "needs.jsonl"), "w", encoding="utf-8") as f:
    for n in needs:
        f.write(json.dumps({"id": nkeys[n["key"]], "title": n["title"], "body": n["body"],
                            "category": n["category"], "style": n["style"]}, ensure_ascii=False) + "\n")
with open(os.path.join(HERE, "qrels.tsv"), "w", encoding="utf-8") as f:
    f.write("need_id\tdoc_id\tgrade\n")
    for r in sorted(rows, key=lambda r: (r[0], -r[2], r[1])):
        f.write(f"{r[0]}\t{r[1]}\t{r[2]}\n")
print(f"built {len(docs)} docs, {len(needs)} needs, {len(rows)} labels")
