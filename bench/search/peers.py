#!/usr/bin/env python3
"""One peer search engine for `kejiyun bench search`, driven over JSON lines.

    peers.py ENGINE --corpus CORPUS.jsonl --dir WORKDIR [--pg-url URL]

ENGINE is one of lucene, milli, postgres, sqlite. The peer indexes the corpus (the `hidden_*`
label fields are never read), prints one JSON line describing the build, then answers one
request per stdin line until stdin closes:

    {"op": "search", "q": "柑橘黄龙病", "k": 10}
    {"op": "match", "title": "...", "body": "...", "region": "511623", "category": "fruit",
     "k": 10}
    {"op": "rss"}

with {"ids": [posting ids, best first], "us": microseconds}. `us` is measured inside this
process around the engine's own query call only: the Python-side jieba segmentation of the
query and the mapping of engine-internal ids back to posting ids are left out, which favours
the peers. A failure prints {"error": "..."} (at start-up, or per request) and the Rust side
reports it in the table.

Lucene, PostgreSQL and SQLite index jieba-segmented text (segmented once per corpus by the
Rust side, beside the corpus, not counted in indexing time) and segment queries with Python's
jieba; milli segments with its own built-in jieba (charabia). No network is used.
"""

import argparse
import json
import os
import sys
import time

# What a need is matched with (kejiyun_corpus::Kind::matches_needs).
PROVIDER_KINDS = ("service", "achievement", "tech_worker")


def rss_anon_kb(pid="self"):
    """RssAnon of a process in KiB: its own memory, outside the page cache."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def dir_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def read_corpus(path):
    """Yields (id, kind, title, body) of each posting; hidden labels are not read."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield d["id"], d["kind"], d["title"], d["body"]


# ---------------------------------------------------------------- segmentation ----

_jieba = None


def jieba_terms(text):
    """jieba's default (accurate) mode, lower-cased, whitespace and punctuation dropped."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        _jieba = jieba
    return [t for t in (w.strip().lower() for w in _jieba.cut(text)) if t and any(c.isalnum() for c in t)]


def segmented(corpus):
    """`kejiyun bench search` writes the corpus segmented by jieba (jieba-rs: the same
    dictionary and algorithm as Python's jieba, HMM on, no domain words) beside it as
    `id<TAB>kind<TAB>space-separated terms` lines: Python's jieba needs ~30 min of both cores
    for 1M postings. Returns (path, 0.0); the segmentation time is reported by the Rust side."""
    out = corpus + ".seg.tsv"
    if not os.path.exists(out):
        raise RuntimeError(f"{out} is missing (written by `kejiyun bench search`)")
    return out, 0.0


def read_segmented(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            id_, kind, text = line.rstrip("\n").split("\t", 2)
            yield int(id_), kind, text


# ---------------------------------------------------------------------- engines ----


class Lucene:
    """Lucene 9.5 (the jar inside PyPI pyserini 0.22.1) through pyjnius: BM25 over
    whitespace-analyzed, jieba-segmented title + body; the need's kinds as a FILTER clause."""

    def __init__(self, work):
        import jnius_config
        import pyserini

        jars = os.path.join(os.path.dirname(pyserini.__file__), "resources", "jars")
        jar = next(os.path.join(jars, j) for j in os.listdir(jars) if j.endswith("fatjar.jar"))
        jnius_config.add_options("-Xmx1g")
        jnius_config.set_classpath(jar)
        from jnius import autoclass

        self.J = {
            name.rsplit(".", 1)[-1].replace("$", "_"): autoclass(name)
            for name in [
                "java.io.File",
                "org.apache.lucene.store.FSDirectory",
                "org.apache.lucene.analysis.core.WhitespaceAnalyzer",
                "org.apache.lucene.index.IndexWriterConfig",
                "org.apache.lucene.index.IndexWriterConfig$OpenMode",
                "org.apache.lucene.index.IndexWriter",
                "org.apache.lucene.index.DirectoryReader",
                "org.apache.lucene.index.Term",
                "org.apache.lucene.document.Document",
                "org.apache.lucene.document.TextField",
                "org.apache.lucene.document.StringField",
                "org.apache.lucene.document.Field$Store",
                "org.apache.lucene.search.IndexSearcher",
                "org.apache.lucene.search.TermQuery",
                "org.apache.lucene.search.BooleanQuery",
                "org.apache.lucene.search.BooleanQuery$Builder",
                "org.apache.lucene.search.BooleanClause$Occur",
                "org.apache.lucene.search.similarities.BM25Similarity",
            ]
        }
        self.path = os.path.join(work, "lucene")
        self.lucene_version = autoclass("org.apache.lucene.util.Version").LATEST.toString()

    def index(self, corpus):
        J = self.J
        seg, seg_secs = segmented(corpus)
        t = time.perf_counter()
        directory = J["FSDirectory"].open(J["File"](self.path).toPath())
        config = J["IndexWriterConfig"](J["WhitespaceAnalyzer"]())
        config.setOpenMode(J["IndexWriterConfig_OpenMode"].CREATE)
        config.setSimilarity(J["BM25Similarity"]())
        config.setRAMBufferSizeMB(256.0)
        writer = J["IndexWriter"](directory, config)
        yes, no = J["Field_Store"].YES, J["Field_Store"].NO
        n = 0
        for id_, kind, text in read_segmented(seg):
            doc = J["Document"]()
            doc.add(J["StringField"]("id", str(id_), yes))
            doc.add(J["StringField"]("kind", kind, no))
            doc.add(J["TextField"]("text", text, no))
            writer.addDocument(doc)
            n += 1
        writer.commit()
        writer.close()
        secs = time.perf_counter() - t
        self.reader = J["DirectoryReader"].open(directory)
        from jnius import cast

        self.searcher = J["IndexSearcher"](cast("org.apache.lucene.index.IndexReader", self.reader))
        self.searcher.setSimilarity(J["BM25Similarity"]())
        self.stored = self.searcher.storedFields()
        kinds = J["BooleanQuery_Builder"]()
        for k in PROVIDER_KINDS:
            kinds.add(J["TermQuery"](J["Term"]("kind", k)), J["BooleanClause_Occur"].SHOULD)
        self.kinds = kinds.build()
        return n, secs, seg_secs, dir_bytes(self.path), f"Lucene {self.lucene_version}, JVM -Xmx1g"

    def _query(self, text, kinds):
        J = self.J
        terms = jieba_terms(text)
        # BooleanQuery's default limit is 1024 clauses; a need's text stays far below it.
        b = J["BooleanQuery_Builder"]()
        for term in dict.fromkeys(terms):
            b.add(J["TermQuery"](J["Term"]("text", term)), J["BooleanClause_Occur"].SHOULD)
        if kinds:
            b.add(self.kinds, J["BooleanClause_Occur"].FILTER)
        return b.build()

    def _run(self, query, k):
        t = time.perf_counter()
        hits = self.searcher.search(query, k)
        us = (time.perf_counter() - t) * 1e6
        ids = [int(self.stored.document(sd.doc).get("id")) for sd in hits.scoreDocs]
        return ids, us

    def search(self, q, k):
        return self._run(self._query(q, False), k)

    def match(self, title, body, k):
        return self._run(self._query(title + " " + body, True), k)


class Milli:
    """Meilisearch's engine (PyPI milli 1.1.1) with its built-in Chinese segmentation. Its
    Python binding has no filter and no limit: `search` returns the first page (20) of
    internal ids, so a need's kinds are applied to that page afterwards."""

    def __init__(self, work):
        import milli

        self.milli = milli
        self.path = os.path.join(work, "milli")
        os.makedirs(self.path, exist_ok=True)

    def index(self, corpus):
        from array import array

        index = self.milli.Index(self.path, 64 * 2**30)
        t = time.perf_counter()
        batch, n = [], 0
        for id_, kind, title, body in read_corpus(corpus):
            batch.append({"id": id_, "kind": kind, "title": title, "body": body})
            if len(batch) == 50_000:
                index.add_documents(batch)
                n += len(batch)
                batch = []
        if batch:
            index.add_documents(batch)
            n += len(batch)
        secs = time.perf_counter() - t
        self.index_ = index
        # milli answers with internal document ids; map them to posting ids and kinds once,
        # outside any timing (compact arrays, not dicts, to keep this process's RSS honest).
        self.ids = array("q", [0]) * n
        self.kinds = bytearray(n)
        for internal in range(n):
            d = index.get_document(internal)
            self.ids[internal] = d["id"]
            self.kinds[internal] = d["kind"] in PROVIDER_KINDS
        return n, secs, 0.0, dir_bytes(self.path), "milli 1.1.1 (built-in jieba)"

    def _run(self, text, k, kinds):
        t = time.perf_counter()
        hits = self.index_.search(text)
        us = (time.perf_counter() - t) * 1e6
        if kinds:
            hits = [h for h in hits if self.kinds[h]]
        return [self.ids[h] for h in hits[:k]], us

    def search(self, q, k):
        return self._run(q, k, False)

    def match(self, title, body, k):
        return self._run(title + " " + body, k, True)


def or_terms(terms, quote):
    return [quote(t) for t in dict.fromkeys(terms)]


class Postgres:
    """PostgreSQL full-text search: to_tsvector('simple', segmented text) in a GIN index,
    an OR tsquery of the segmented query terms ranked by ts_rank."""

    def __init__(self, work, url):
        import psycopg

        if not url:
            raise RuntimeError("no PostgreSQL URL (scripts/bench-search starts a private server)")
        self.conn = psycopg.connect(url, autocommit=True)

    def index(self, corpus):
        seg, seg_secs = segmented(corpus)
        c = self.conn
        c.execute("DROP TABLE IF EXISTS docs")
        c.execute("DROP TABLE IF EXISTS staging")
        t = time.perf_counter()
        c.execute("CREATE UNLOGGED TABLE staging (id bigint, kind text, body text)")
        with c.cursor().copy("COPY staging (id, kind, body) FROM STDIN") as copy:
            for row in read_segmented(seg):
                copy.write_row(row)
        c.execute("CREATE TABLE docs (id bigint PRIMARY KEY, kind text NOT NULL, tsv tsvector NOT NULL)")
        c.execute("INSERT INTO docs SELECT id, kind, to_tsvector('simple', body) FROM staging")
        c.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        c.execute("DROP TABLE staging")
        c.execute("VACUUM ANALYZE docs")
        secs = time.perf_counter() - t
        n = c.execute("SELECT count(*) FROM docs").fetchone()[0]
        size = c.execute("SELECT pg_total_relation_size('docs')").fetchone()[0]
        self.backend = c.execute("SELECT pg_backend_pid()").fetchone()[0]
        version = c.execute("SHOW server_version").fetchone()[0]
        return n, secs, seg_secs, size, f"PostgreSQL {version}; RSS = its backend"

    def rss_kb(self):
        return rss_anon_kb(self.backend)

    def _run(self, text, k, kinds):
        terms = or_terms(jieba_terms(text), lambda t: "'" + t.replace("\\", "\\\\").replace("'", "''") + "'")
        if not terms:
            return [], 0.0
        sql = "SELECT id FROM docs, to_tsquery('simple', %s) q WHERE tsv @@ q"
        args = [" | ".join(terms)]
        if kinds:
            sql += " AND kind = ANY(%s)"
            args.append(list(PROVIDER_KINDS))
        sql += " ORDER BY ts_rank(tsv, q) DESC, id LIMIT %s"
        args.append(k)
        t = time.perf_counter()
        rows = self.conn.execute(sql, args).fetchall()
        us = (time.perf_counter() - t) * 1e6
        return [r[0] for r in rows], us

    def search(self, q, k):
        return self._run(q, k, False)

    def match(self, title, body, k):
        return self._run(title + " " + body, k, True)


class Sqlite:
    """SQLite FTS5 over jieba-segmented text (unicode61 splits it on the spaces), an OR of the
    terms ranked by bm25(); the need's kinds as a WHERE on an unindexed column."""

    def __init__(self, work):
        import sqlite3

        self.path = os.path.join(work, "fts5.sqlite")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        self.db = sqlite3.connect(self.path)
        self.version = sqlite3.sqlite_version

    def index(self, corpus):
        seg, seg_secs = segmented(corpus)
        db = self.db
        t = time.perf_counter()
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(text, kind UNINDEXED, tokenize = 'unicode61')")
        with db:
            db.executemany(
                "INSERT INTO docs (rowid, kind, text) VALUES (?, ?, ?)",
                read_segmented(seg),
            )
        db.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        db.commit()
        secs = time.perf_counter() - t
        n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        return n, secs, seg_secs, os.path.getsize(self.path), f"SQLite {self.version} FTS5"

    def _run(self, text, k, kinds):
        terms = or_terms(jieba_terms(text), lambda t: '"' + t.replace('"', '""') + '"')
        if not terms:
            return [], 0.0
        sql = "SELECT rowid FROM docs WHERE docs MATCH ?"
        args = [" OR ".join(terms)]
        if kinds:
            sql += " AND kind IN (%s)" % ",".join("?" * len(PROVIDER_KINDS))
            args.extend(PROVIDER_KINDS)
        sql += " ORDER BY bm25(docs) LIMIT ?"
        args.append(k)
        t = time.perf_counter()
        rows = self.db.execute(sql, args).fetchall()
        us = (time.perf_counter() - t) * 1e6
        return [r[0] for r in rows], us

    def search(self, q, k):
        return self._run(q, k, False)

    def match(self, title, body, k):
        return self._run(title + " " + body, k, True)


def reply(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["lucene", "milli", "postgres", "sqlite"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--dir", required=True, help="where the peer keeps its index")
    ap.add_argument("--pg-url", default=os.environ.get("KEJIYUN_BENCH_POSTGRES_URL"))
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    try:
        if a.engine == "lucene":
            engine = Lucene(a.dir)
        elif a.engine == "milli":
            engine = Milli(a.dir)
        elif a.engine == "postgres":
            engine = Postgres(a.dir, a.pg_url)
        else:
            engine = Sqlite(a.dir)
        n, secs, seg_secs, size, version = engine.index(a.corpus)
        rss = engine.rss_kb() if hasattr(engine, "rss_kb") else rss_anon_kb()
    except Exception as e:  # reported in the table, the run goes on without this peer
        reply({"error": f"{type(e).__name__}: {e}"})
        return
    reply(
        {
            "docs": n,
            "index_secs": secs,
            "segment_secs": seg_secs,
            "index_bytes": size,
            "rss_kb": rss,
            "version": version,
        }
    )
    for line in sys.stdin:
        try:
            r = json.loads(line)
            if r["op"] == "rss":
                reply({"rss_kb": engine.rss_kb() if hasattr(engine, "rss_kb") else rss_anon_kb()})
                continue
            if r["op"] == "search":
                ids, us = engine.search(r["q"], r["k"])
            else:
                ids, us = engine.match(r["title"], r["body"], r["k"])
            reply({"ids": ids, "us": us})
        except Exception as e:
            reply({"error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
