#!/usr/bin/env python3
"""Writes the deterministic source images of the HTJ2K fixtures (see README.md): no dependencies beyond Python 3."""
import math, struct, sys

def ct(w, h, maxval, seed=1):
    """A CT-like slice: air, a body ellipse of soft tissue, bone ring, two organs, and pseudo-random noise."""
    x = seed
    out = []
    for j in range(h):
        for i in range(w):
            x = (1103515245 * x + 12345) & 0x7FFFFFFF
            noise = (x >> 16) % 41 - 20
            u, v = (i - w / 2) / (w * 0.42), (j - h / 2) / (h * 0.36)
            r = u * u + v * v
            val = 24  # air
            if r < 1: val = 1040 + int(30 * math.sin(i / 7.0) * math.cos(j / 9.0))
            if 0.82 < r < 0.9: val = 2200 + (i * j) % 300  # bone
            if (u + 0.4) ** 2 + v * v < 0.05: val = 980
            if (u - 0.35) ** 2 + (v + 0.1) ** 2 < 0.04: val = 1210
            out.append(max(0, min(maxval, val + noise)))
    return out

def gradient8(w, h, channels=1):
    out = []
    for j in range(h):
        for i in range(w):
            for c in range(channels):
                out.append((i * 3 + j * 2 + c * 60 + ((i * 7 + j * 13 + c * 5) % 23) + (40 if (i // 8 + j // 8) % 2 else 0)) % 256)
    return out

def checker(w, h):
    """A 3x3-pixel black and white checkerboard: coefficients near the top of their range in every code-block."""
    return [255 if (i // 3 + j // 3) % 2 else 0 for j in range(h) for i in range(w)]

def pnm(path, w, h, maxval, samples, channels=1):
    with open(path, "wb") as f:
        f.write(b"P%d\n%d %d\n%d\n" % (5 if channels == 1 else 6, w, h, maxval))
        if maxval < 256: f.write(bytes(samples))
        else: f.write(b"".join(struct.pack(">H", s) for s in samples))

def raw_signed16(path, samples):
    with open(path, "wb") as f:
        f.write(b"".join(struct.pack("<h", s) for s in samples))

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    w, h = (int(v) for v in (sys.argv[2:4] if len(sys.argv) > 3 else (96, 80)))
    pnm(f"{out}/ct12.pgm", w, h, 4095, ct(w, h, 4095))
    pnm(f"{out}/ct16.pgm", w, h, 65535, [v * 13 for v in ct(w, h, 4095)])
    pnm(f"{out}/gray8.pgm", w - 29, h - 37, 255, gradient8(w - 29, h - 37))
    pnm(f"{out}/checker8.pgm", w, h, 255, checker(w, h))
    pnm(f"{out}/rgb8.ppm", w // 2, h // 2, 255, gradient8(w // 2, h // 2, 3), channels=3)
    # ojph_compress 0.9 reads raw samples as unsigned and clamps them to the signed range, so the signed fixture
    # holds positive values only.
    raw_signed16(f"{out}/signed16.raw", [v + 16384 for v in ct(w, h, 4095, seed=7)])
