#!/usr/bin/env bash
# bench-imaging.sh — ImagingKit timings (a benchmark, not a timed test): window/level + 8-bit output of a 512x512
# 16-bit frame against memcpy of the same frame, palette, a 3000x3000 frame, sharpen, PNG and JPEG encode, and
# libjpeg-turbo's cjpeg on the same pixels at the same quality (installs libjpeg-turbo-progs when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# The timing tool lives in the Benchmarks package (Benchmarks/Tools/ImagingTiming): a release build of DicomCore and
# ImagingKit only. SCRATCH is its scratch path inside Benchmarks/ (default .build-perf, shared with the other tools).
SCRATCH="${SCRATCH:-.build-perf}"
command -v cjpeg >/dev/null 2>&1 || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo; $SUDO apt-get install -y -q libjpeg-turbo-progs >/dev/null || true; }
(cd Benchmarks && swift build --scratch-path "$SCRATCH" -c release --product ImagingTiming >&2)
timing="$(cd Benchmarks && swift build --scratch-path "$SCRATCH" -c release --show-bin-path)/ImagingTiming"
out="$("$timing" --pgm "$(mktemp -d)/imagingkit-bench.pgm")"
echo "$out" | grep 'imaging-bench:' | grep -v 'pgm '
pgm="$(echo "$out" | sed -n 's/.*imaging-bench: pgm //p')"
jpeg_us="$(echo "$out" | sed -n 's/.*imaging-bench: JPEG encode 512x512 gray q90 \([0-9.]*\) us.*/\1/p')"
echo "$out" | sed -n 's/.*imaging-bench: window+8-bit 512x512 .*(\([0-9.]*\)x memcpy.*/imaging-bench: RATIO window+8-bit \/ memcpy = \1x (goal <= 3x)/p'
if command -v cjpeg >/dev/null 2>&1 && [ -n "$pgm" ]; then
    python3 - "$pgm" "${jpeg_us:-0}" <<'PY'
import subprocess, sys, time
times, spawns = [], []
for _ in range(21):
    t = time.perf_counter(); subprocess.run(["cjpeg", "-quality", "90", "-outfile", "/dev/null", sys.argv[1]], check=True)
    times.append(time.perf_counter() - t)
    t = time.perf_counter(); subprocess.run(["true"]); spawns.append(time.perf_counter() - t)
cj, spawn, ours = sorted(times)[10] * 1e6, sorted(spawns)[10] * 1e6, float(sys.argv[2])
print(f"imaging-bench: cjpeg 512x512 gray q90 {cj:.0f} us per run including process start (~{spawn:.0f} us)")
if ours > 0:
    print(f"imaging-bench: RATIO JPEG encode / cjpeg = {ours / cj:.2f}x including cjpeg's process start, "
          f"{ours / max(cj - spawn, 1):.2f}x against cjpeg minus an empty process (goal <= 2x)")
PY
fi
