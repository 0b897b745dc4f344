#!/usr/bin/env python3
"""Latency of worklist queries (GET /api/v1/studies) under light load: for each filter combination, N requests over
C keep-alive connections (closed loop), after a warm-up; prints p50/p99/max in milliseconds per combination.

    Scripts/worklist-load.py --base http://127.0.0.1:8080 --token TOKEN [--requests 200] [--concurrency 2]
                             [--label sqlite] [--json OUT.json] [--only NAME,...]

Standard library only (asyncio streams, HTTP/1.1 keep-alive), so it runs anywhere Python 3.8+ does. Latency is
measured from the request's first byte written to the response's last byte read, on the client.
"""
import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.parse

# The worklist filters of the spec, alone and in the combinations the web client sends. Values hit the generated
# data (Scripts/bench-worklist.sh fills it with `mi-cli synthetic-worklist`): common and rare names, one patient,
# one accession number.
COMBINATIONS = [
    ("default (newest first)", {}),
    ("modality=CT", {"modality": "CT"}),
    ("date range (1 month)", {"dateFrom": "2026-11-01", "dateTo": "2026-11-30"}),
    ("date range (1 day)", {"dateFrom": "2026-12-30", "dateTo": "2026-12-30"}),
    ("modality=MR + date range (1 year)", {"modality": "MR", "dateFrom": "2025-01-01", "dateTo": "2025-12-31"}),
    ("fuzzy name (common: zhang)", {"name": "zhang"}),
    ("fuzzy name (rare: xiaoting)", {"name": "xiaoting"}),
    ("fuzzy name (汉字: 王伟)", {"name": "王伟"}),
    ("fuzzy name (no match)", {"name": "nosuchname"}),
    ("exact name (Zhang Wei)", {"nameExact": "Zhang^Wei=张^伟"}),
    ("patientId", {"patientId": "SYN0001234"}),
    ("accessionNumber", {"accessionNumber": "SYNA00054321"}),
    ("status=imaging", {"status": "imaging"}),
    ("status=scheduled", {"status": "scheduled"}),
    ("visitType=emergency", {"visitType": "emergency"}),
    ("status=report + visitType=inpatient + CT", {"status": "report", "visitType": "inpatient", "modality": "CT"}),
    ("fuzzy name + modality + date range", {"name": "li", "modality": "CT", "dateFrom": "2026-01-01", "dateTo": "2026-12-31"}),
    ("sort=date asc", {"sort": "date", "order": "asc"}),
    ("sort=name", {"sort": "name"}),
    ("sort=name desc", {"sort": "name", "order": "desc"}),
    ("sort=name desc + status=report", {"sort": "name", "order": "desc", "status": "report"}),
    ("sort=modality", {"sort": "modality"}),
    ("sort=modality desc + status=imaging", {"sort": "modality", "order": "desc", "status": "imaging"}),
    ("sort=status", {"sort": "status"}),
    ("sort=status desc + modality=CT", {"sort": "status", "order": "desc", "modality": "CT"}),
    ("page 2 (limit 50)", {"page": "2"}),
    ("page 20 (limit 50)", {"page": "20"}),
    ("deep page 1000 (offset 49,950)", {"page": "1000"}),
    ("limit 200", {"limit": "200"}),
]


class Connection:
    def __init__(self, host, port, headers):
        self.host, self.port, self.headers = host, port, headers
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path):
        if self.writer is None:
            await self.open()
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.headers}\r\n".encode()
        started = time.perf_counter()
        self.writer.write(request)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readline()
        else:
            body = await self.reader.readexactly(length or 0)
        elapsed = time.perf_counter() - started
        if close:
            self.writer.close()
            self.writer = None
        return status, body, elapsed


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def measure(host, port, headers, path, requests, concurrency, warmup):
    connections = [Connection(host, port, headers) for _ in range(concurrency)]
    for c in connections:
        await c.open()
    total = None
    for i in range(warmup):
        status, body, _ = await connections[i % concurrency].get(path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}: {body[:300]!r}")
        total = json.loads(body).get("total")
    latencies = []
    remaining = [requests]

    async def worker(c):
        while remaining[0] > 0:
            remaining[0] -= 1
            status, body, elapsed = await c.get(path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}: {body[:300]!r}")
            latencies.append(elapsed * 1000)

    await asyncio.gather(*(worker(c) for c in connections))
    for c in connections:
        if c.writer:
            c.writer.close()
    return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "max": max(latencies),
            "mean": statistics.mean(latencies), "total": total, "n": len(latencies)}


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--label", default="")
    ap.add_argument("--json")
    ap.add_argument("--only", help="comma-separated substrings of combination names")
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.base)
    headers = f"Authorization: Bearer {args.token}\r\nAccept: application/json\r\n"
    results = []
    combos = COMBINATIONS
    if args.only:
        wanted = args.only.split(",")
        combos = [c for c in combos if any(w in c[0] for w in wanted)]
    print(f"{'combination':44} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'matches':>8}  {args.label}", flush=True)
    for name, params in combos:
        path = "/api/v1/studies" + ("?" + urllib.parse.urlencode(params) if params else "")
        r = await measure(url.hostname, url.port or 80, headers, path, args.requests, args.concurrency, args.warmup)
        r.update(name=name, path=path)
        results.append(r)
        flag = "" if r["p99"] < 50 else "  > 50 ms"
        print(f"{name:44} {r['p50']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} {r['total']:>8}{flag}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"label": args.label, "concurrency": args.concurrency, "requests": args.requests, "results": results}, f, indent=1)


if __name__ == "__main__":
    asyncio.run(main())
