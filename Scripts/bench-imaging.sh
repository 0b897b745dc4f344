#!/usr/bin/env bash
# bench-imaging.sh — ImagingKit timings (a benchmark, not a timed test): window/level + 8-bit output of a 512x512
# 16-bit frame against memcpy of the same frame, palette, a 3000x3000 frame, sharpen, PNG and JPEG encode, and
# libjpeg-turbo's cjpeg on the same pixels at the same quality (installs libjpeg-turbo-progs when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build-img}"
command -v cjpeg >/dev/null 2>&1 || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo; $SUDO apt-get install -y -q libjpeg-turbo-progs >/dev/null || true; }
out="$(MI_BENCH=1 swift test -c release --scratch-path "$SCRATCH" --filter ImagingKitTests.BenchmarkTests 2>&1)"
echo "$out" | grep 'imaging-bench:' | grep -v 'pgm '
pgm="$(echo "$out" | sed -n 's/.*imaging-bench: pgm //p')"
if command -v cjpeg >/dev/null 2>&1 && [ -n "$pgm" ]; then
    python3 - "$pgm" <<'PY'
import subprocess, sys, time
times = []
for _ in range(21):
    t = time.perf_counter(); subprocess.run(["cjpeg", "-quality", "90", "-outfile", "/dev/null", sys.argv[1]], check=True)
    times.append(time.perf_counter() - t)
t = time.perf_counter(); subprocess.run(["true"]); spawn = time.perf_counter() - t
print(f"imaging-bench: cjpeg 512x512 gray q90 {sorted(times)[10] * 1e6:.0f} us per run including process start (~{spawn * 1e6:.0f} us)")
PY
fi
