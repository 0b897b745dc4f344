#!/usr/bin/env bash
# Header-only read of a CT series, ours against DCMTK, each reading the whole folder in one process.
#
#   Scripts/bench-header-read.sh [COUNT]      (default 300 files)
#
# (a) ours: the release HeaderReadTiming executable (Benchmarks/Tools/HeaderReadTiming) reads every file with
#     ParseOptions.headerOnly and takes Patient's Name, Study Instance UID, SOP Instance UID and Instance Number.
# (b) DCMTK: dcmdump with +sb 7fe0,0010 (--stop-before-elem: stop parsing before Pixel Data) and +P for the same four
#     tags, all files on one command line.
# Each side runs RUNS times (default 5) after a warm-up that loads the page cache; the best wall time counts.
# Prints files/s for both and the ratio ours/DCMTK (above 1: we are faster).
set -euo pipefail

count="${1:-300}"
runs="${RUNS:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

dir="${MI_BENCH_CT_DIR:-$root/.build/bench-ct-$count}"
if [ ! -f "$dir/$(printf 'CT%06d.dcm' "$count")" ]; then
    python3 Scripts/make-ct-series.py "$dir" "$count" >&2
fi
files=("$dir"/CT*.dcm)
files=("${files[@]:0:$count}")

# The benchmarks live in their own package when Benchmarks/Package.swift exists, else in the root package.
pkg="$root"
[ -f Benchmarks/Package.swift ] && pkg="$root/Benchmarks"
scratch="${BENCH_SCRATCH_PATH:-$pkg/.build-perf}"
(cd "$pkg" && swift build --scratch-path "$scratch" -c release --product HeaderReadTiming >&2)
timing="$(cd "$pkg" && swift build --scratch-path "$scratch" -c release --show-bin-path)/HeaderReadTiming"

if ! command -v dcmdump > /dev/null; then
    echo "bench: dcmdump not found (apt-get install dcmtk)" >&2
    exit 1
fi
dcmdump_cmd=(dcmdump -q +sb 7fe0,0010 +P 0010,0010 +P 0020,000D +P 0008,0018 +P 0020,0013)

now() { date +%s.%N; }
best() {   # best wall time in seconds of RUNS runs of "$@"
    local best_t="" t0 t1 t
    for _ in $(seq "$runs"); do
        t0=$(now); "$@" > /dev/null; t1=$(now)
        t=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best_t" ] || [ "$(echo "$t < $best_t" | bc -l)" = 1 ]; then best_t=$t; fi
    done
    echo "$best_t"
}

# Sanity: both sides see the same four values in the first file.
"$timing" "$dir" --print 2>/dev/null | head -1 >&2 || true
"${dcmdump_cmd[@]}" "${files[0]}" >&2

# Warm the page cache, then time. HeaderReadTiming reads the folder; give it only these files when COUNT is smaller.
cat "${files[@]}" > /dev/null
ours=$(best "$timing" "$dir")
ours_inside=$("$timing" "$dir" | awk '{print $6}')
theirs=$(best "${dcmdump_cmd[@]}" "${files[@]}")

n=${#files[@]}
ours_rate=$(echo "$n / $ours" | bc -l)
theirs_rate=$(echo "$n / $theirs" | bc -l)
printf 'files: %d in %s\n' "$n" "$dir"
printf '(a) ours (HeaderReadTiming, headerOnly): %8.0f files/s  (%.3f s wall for the process, %.3f s inside it)\n' "$ours_rate" "$ours" "$ours_inside"
printf '(b) DCMTK dcmdump +sb 7fe0,0010 +P x4:  %8.0f files/s  (%.3f s wall)\n' "$theirs_rate" "$theirs"
printf 'ratio ours/DCMTK: %.2f\n' "$(echo "$ours_rate / $theirs_rate" | bc -l)"
