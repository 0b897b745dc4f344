#!/usr/bin/env python3
"""Query plans of the worklist's two statements (the count and the page) for each combination of
Scripts/worklist-load.py, as `PlatformStore.worklist` writes them (kept in step by hand: Index/PlatformStore+Index.swift).

    Scripts/worklist-explain.py --database sqlite:PATH | postgres://user@host:port/db [--only NAME,...] [--analyze]

SQLite plans come from the `sqlite3` shell (EXPLAIN QUERY PLAN; set SQLITE3 to a shell built from the server's SQLite
when the system one is older: plans differ between versions), PostgreSQL plans from `psql` (EXPLAIN, or EXPLAIN
ANALYZE with --analyze).
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import unicodedata

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("load", os.path.join(here, "worklist-load.py"))
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)

COLUMNS = ("study_uid, accession_number, patient_name, patient_id, patient_sex, patient_birth_date, study_date, study_time, "
           "modality, modalities, description, body_part, referring_physician, status, visit_type, hospital_id, institution, "
           "department, series_count, instance_count, scheduled_at, imaged_at, reported_at")


def normalize(text):
    """SearchText.normalize: NFKC, lower case, no spaces or name separators."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in folded if not (c.isspace() or c in "^=,·"))


def quote(value):
    return "'" + str(value).replace("'", "''") + "'"


def statements(p):
    sort = p.get("sort", "date")

    def conditions(seekable):
        def few(column, value):
            return f"{column} = {quote(value)}" if seekable else f"{column} || '' = {quote(value)}"
        c = ["1 = 1"]
        if "modality" in p: c.append(few("modality", p["modality"].upper()))
        if "dateFrom" in p: c.append(f"study_date >= {quote(p['dateFrom'])}")
        if "dateTo" in p: c.append(f"study_date <= {quote(p['dateTo'])}")
        if p.get("name") and normalize(p["name"]):
            escaped = normalize(p["name"]).replace("!", "!!").replace("%", "!%").replace("_", "!_")
            c.append(f"name_search LIKE {quote('%' + escaped + '%')} ESCAPE '!'")
        if "nameExact" in p: c.append(f"name_search = {quote(normalize(p['nameExact']))}")
        if "patientId" in p: c.append(f"patient_id = {quote(p['patientId'])}")
        if "accessionNumber" in p: c.append(f"accession_number = {quote(p['accessionNumber'])}")
        if "status" in p: c.append(few("status", p["status"]))
        if "visitType" in p: c.append(few("visit_type", p["visitType"]))
        return c

    asc = p.get("order", "desc" if sort == "date" else "asc") == "asc"
    fwd, bwd = ("ASC", "DESC") if asc else ("DESC", "ASC")
    column = {"date": "study_date", "name": "patient_name", "modality": "modality", "status": "status"}[sort]
    order = (f"study_date {fwd}, study_time {fwd}, study_uid {fwd}" if sort == "date"
             else f"{column} {fwd}, study_date {bwd}, study_time {bwd}, study_uid {bwd}")
    page_conditions = conditions(sort == "date")
    if sort == "modality" and "modality" in p: page_conditions.append(f"modality = {quote(p['modality'].upper())}")
    if sort == "status" and "status" in p: page_conditions.append(f"status = {quote(p['status'])}")
    limit = int(p.get("limit", 50))
    offset = (int(p["page"]) - 1) * limit if "page" in p else 0
    count = f"SELECT COUNT(*) AS n FROM studies WHERE {' AND '.join(conditions(True))}"
    if not any(k in p for k in ("dateFrom", "dateTo", "nameExact", "patientId", "accessionNumber")) \
            and not (p.get("name") and normalize(p["name"])):
        # Only status, modality and visit type: the sum of migration 010's per-group counts.
        count = f"SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM studies_counts WHERE {' AND '.join(conditions(True))}"
    where = " AND ".join(page_conditions)
    keys = f"SELECT study_uid FROM studies WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    if p.get("name") and normalize(p["name"]):
        # With few matches (the count decides), the server collects them from the name index and sorts them.
        sort_columns = "" if sort == "date" else f", {column}"
        keys = (f"SELECT study_uid FROM (SELECT study_uid, study_date, study_time{sort_columns} FROM studies WHERE {where} "
                f"LIMIT 2000) AS matches ORDER BY {order} LIMIT {limit} OFFSET {offset}")
    page = f"SELECT {COLUMNS} FROM studies WHERE study_uid IN ({keys}) ORDER BY {order}"
    return count, page


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", required=True)
    ap.add_argument("--only")
    ap.add_argument("--analyze", action="store_true")
    args = ap.parse_args()
    combos = load.COMBINATIONS
    if args.only:
        combos = [c for c in combos if any(w in c[0] for w in args.only.split(","))]
    for name, params in combos:
        print(f"### {name}")
        for label, sql in zip(("count", "page"), statements(params)):
            if args.database.startswith("sqlite:"):
                out = subprocess.run([os.environ.get("SQLITE3", "sqlite3"), args.database[len("sqlite:"):], "EXPLAIN QUERY PLAN " + sql],
                                     capture_output=True, text=True).stdout
            else:
                verb = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if args.analyze else "EXPLAIN (COSTS OFF) "
                out = subprocess.run(["psql", "-qXAt", args.database, "-c", verb + sql], capture_output=True, text=True).stdout
            print(f"  {label}:")
            for line in out.strip().splitlines():
                if line.strip() != "QUERY PLAN":
                    print("    " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
