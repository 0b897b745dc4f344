#!/usr/bin/env python3
"""Bytes on the wire and time per frame for GET /api/v1/instances/{uid}/frames/1 (the MIF1 frame format), gzip vs
identity, for every instance of a study; checks that frames decode back to the stored values of the source files;
and, offline, what other zlib levels and strategies would give on the same MIF1 payloads (the format stays as it is).

    Scripts/frames-wire.py --base URL --token TOKEN --patient-id PID --files DIR [--json OUT]

Standard library only. Times are client-side on loopback over one keep-alive connection (request written to last
byte read), so they are the server's time per frame plus a small constant.
"""
import argparse
import gzip
import http.client
import json
import os
import statistics
import struct
import sys
import time
import urllib.parse
import zlib


def get(conn, path, headers):
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}: {body[:300]!r}")
    return response, body, elapsed


def mif1_values(frame):
    """Decodes a MIF1 frame (FrameWireEncoder's format) into a list of stored values (grey, 1 or 2 bytes)."""
    assert frame[:4] == b"MIF1", "not a MIF1 frame"
    columns, rows = struct.unpack_from("<HH", frame, 4)
    b, s, flags = frame[8], frame[9], frame[10]
    assert s == 1 and b in (1, 2), "benchmark frames are grey, 8 or 16 bit"
    n = columns * rows
    payload = frame[16:]
    assert len(payload) == n * b
    mask = (1 << (8 * b)) - 1
    if not flags & 2:
        return list(struct.unpack_from(f"<{n}{'H' if b == 2 else 'B'}", payload))
    residual = [payload[i] | (payload[n + i] << 8 if b == 2 else 0) for i in range(n)]
    values = [0] * n
    for y in range(rows):
        row = y * columns
        for x in range(columns):
            i = row + x
            p = values[i - 1] if x > 0 else (values[i - columns] if y > 0 else 0)
            values[i] = (residual[i] + p) & mask
    return values


def stored_values(path, count):
    """The last `count` 16-bit samples of a file: the native Pixel Data of Scripts/make-ct-series.py's files."""
    with open(path, "rb") as f:
        f.seek(-2 * count, os.SEEK_END)
        return list(struct.unpack(f"<{count}H", f.read()))


def deflate_size(data, level, strategy, gzip_wrapper=True):
    c = zlib.compressobj(level, zlib.DEFLATED, 31 if gzip_wrapper else -15, 8, strategy)
    return len(c.compress(data) + c.flush())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--patient-id", required=True)
    ap.add_argument("--files", required=True, help="the folder the series was sent from (to check the values)")
    ap.add_argument("--verify", type=int, default=3, help="frames decoded and compared with their files")
    ap.add_argument("--json")
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80)
    auth = {"Authorization": f"Bearer {args.token}"}

    _, body, _ = get(conn, "/api/v1/studies?" + urllib.parse.urlencode({"patientId": args.patient_id}), auth)
    study = json.loads(body)["items"][0]
    _, body, _ = get(conn, f"/api/v1/studies/{study['studyInstanceUID']}/series", auth)
    instances = []
    for series in json.loads(body)["items"]:
        _, body, _ = get(conn, f"/api/v1/series/{series['seriesInstanceUID']}/instances", auth)
        instances += json.loads(body)["items"]
    # Files by SOP Instance UID, to compare values.
    files = {}
    for name in sorted(os.listdir(args.files)):
        with open(os.path.join(args.files, name), "rb") as f:
            head = f.read(400)
        i = head.find(b"\x02\x00\x03\x00UI")
        if i >= 0:
            n = struct.unpack_from("<H", head, i + 6)[0]
            files[head[i + 8:i + 8 + n].rstrip(b"\0 ").decode()] = os.path.join(args.files, name)

    rows = []
    payloads = []
    for k, inst in enumerate(instances):
        path = f"/api/v1/instances/{inst['sopInstanceUID']}/frames/1"
        # Warm the file cache and the connection once, then time each variant.
        if k == 0:
            get(conn, path, dict(auth, **{"Accept-Encoding": "gzip"}))
        response, gz, t_gzip = get(conn, path, dict(auth, **{"Accept-Encoding": "gzip"}))
        assert response.getheader("Content-Encoding") == "gzip", "the server did not gzip"
        response, plain, t_plain = get(conn, path, dict(auth, **{"Accept-Encoding": "identity"}))
        assert response.getheader("Content-Encoding") in (None, "identity")
        assert gzip.decompress(gz) == plain, "gzip and identity answers differ"
        image = inst.get("image") or {}
        raw = image.get("rows", 512) * image.get("columns", 512) * 2
        rows.append({"sop": inst["sopInstanceUID"], "raw": raw, "identity": len(plain), "gzip": len(gz),
                     "t_gzip_ms": t_gzip * 1000, "t_identity_ms": t_plain * 1000})
        payloads.append(plain)
        if k < args.verify:
            values = mif1_values(plain)
            source = files.get(inst["sopInstanceUID"])
            assert source, f"no source file for {inst['sopInstanceUID']}"
            assert values == stored_values(source, len(values)), f"frame of {inst['sopInstanceUID']} differs from its file"

    n = len(rows)
    raw = sum(r["raw"] for r in rows) / n
    gz = sum(r["gzip"] for r in rows) / n
    ident = sum(r["identity"] for r in rows) / n
    tg = sorted(r["t_gzip_ms"] for r in rows)
    ti = sorted(r["t_identity_ms"] for r in rows)
    print(f"{n} frames of 512x512x16 bit CT, GET /api/v1/instances/{{uid}}/frames/1 ({args.verify} checked against their files)")
    print(f"{'':36} {'bytes/frame':>12} {'x raw':>7} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'raw (rows*cols*2)':36} {raw:12.0f} {1:7.3f}")
    print(f"{'MIF1, identity':36} {ident:12.0f} {ident / raw:7.3f} {statistics.median(ti):8.2f} {ti[int(0.99 * (n - 1))]:8.2f}")
    print(f"{'MIF1, Content-Encoding: gzip':36} {gz:12.0f} {gz / raw:7.3f} {statistics.median(tg):8.2f} {tg[int(0.99 * (n - 1))]:8.2f}")
    print(f"goal: gzip <= 0.5x raw: {'ok' if gz / raw <= 0.5 else 'MISSED'}")

    # What zlib could do with the same payloads (levels and strategies; the MIF1 bytes are unchanged).
    sample = payloads[:: max(1, n // 30)]
    print(f"\nzlib on the same MIF1 payloads ({len(sample)} frames; Python's zlib, gzip wrapper):")
    print(f"{'level/strategy':24} {'x raw':>7} {'ms/frame':>9}")
    variants = [("1 default", 1, zlib.Z_DEFAULT_STRATEGY), ("1 filtered", 1, zlib.Z_FILTERED), ("1 rle", 1, zlib.Z_RLE),
                ("1 huffman only", 1, zlib.Z_HUFFMAN_ONLY), ("3 default", 3, zlib.Z_DEFAULT_STRATEGY),
                ("6 default", 6, zlib.Z_DEFAULT_STRATEGY), ("6 filtered", 6, zlib.Z_FILTERED), ("9 default", 9, zlib.Z_DEFAULT_STRATEGY)]
    offline = []
    for name, level, strategy in variants:
        t0 = time.perf_counter()
        size = sum(deflate_size(p, level, strategy) for p in sample) / len(sample)
        ms = (time.perf_counter() - t0) * 1000 / len(sample)
        offline.append({"variant": name, "ratio": size / raw, "ms": ms})
        print(f"{name:24} {size / raw:7.3f} {ms:9.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"frames": rows, "offline": offline}, f, indent=1)
    return 0 if gz / raw <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
