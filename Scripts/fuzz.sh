#!/usr/bin/env bash
# Fuzzes the DICOM reader with libFuzzer for SECONDS (default 60).
#
#   Scripts/fuzz.sh [SECONDS] [CODEC_UID]
#
# With CODEC_UID (a transfer syntax UID such as 1.2.840.10008.1.2.5), the target runs in codec mode: inputs are an
# 8-byte image description and one frame's codestream, decoded by that syntax's codec; seeds are frame 1 of every
# corpus file in that syntax.
#
# Builds the DicomFuzz target with the fuzzer and address sanitizers, seeds a corpus from
# TestData/pydicom/test_files/*.dcm (when present) plus a few tiny hand-made inputs, and runs libFuzzer on it.
# The working corpus and any crash files live in a temporary folder (FUZZ_WORK_DIR to choose it); it is kept when
# libFuzzer finds something. Exits non-zero, printing the crashing input's path, when libFuzzer reports a crash,
# a timeout or an out-of-memory. Inputs are capped at FUZZ_MAX_LEN bytes (default 64 KiB): longer seeds are cut, which
# still exercises every header path and keeps the run fast. FUZZ_FLAGS adds libFuzzer flags (-use_value_profile=1, -jobs=N).
set -euo pipefail

seconds="${1:-60}"
codec="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scratch="${FUZZ_SCRATCH_PATH:-.build-fuzz}"
# -D FUZZING drops the replay @main, so libFuzzer's main is the entry point.
swift build --scratch-path "$scratch" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING \
    --product DicomFuzz
binary="$(swift build --scratch-path "$scratch" -c release --show-bin-path \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING)/DicomFuzz"

work="${FUZZ_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dicom-fuzz.XXXXXX")}"
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"

# Seeds: real files when the test data has been fetched, plus tiny inputs that reach each reader path quickly.
if compgen -G "TestData/pydicom/test_files/*.dcm" > /dev/null; then
    for f in TestData/pydicom/test_files/*.dcm; do
        # libFuzzer's default -max_len follows the seeds; keep the big ones out so mutations stay fast.
        if [ "$(stat -c %s "$f")" -le 262144 ]; then cp "$f" "$work/seeds/"; fi
    done
fi
if [ -n "$codec" ]; then
    export MI_FUZZ_CODEC="$codec"
    swift build --product DicomFuzz >&2
    replay="$(swift build --show-bin-path)/DicomFuzz"
    rm -f "$work"/seeds/*
    for f in TestData/pydicom/test_files/*.dcm; do
        if python3 -c "import sys; d=open(sys.argv[1],'rb').read(4096); sys.exit(0 if sys.argv[2].encode() + b'\0' in d or (sys.argv[2].encode() in d and d[d.find(sys.argv[2].encode())+len(sys.argv[2])] in b' \0') else 1)" "$f" "$codec" 2>/dev/null; then
            "$replay" --codec-seed "$f" "$work/seeds/$(basename "$f").seed" 2>/dev/null || true
        fi
    done
fi
[ -n "$codec" ] || python3 - "$work/seeds" <<'PY'
import struct, sys, zlib
out = sys.argv[1]

def el(g, e, vr, value, explicit=True, big=False):
    o = ">" if big else "<"
    if isinstance(value, str):
        value = value.encode()
    if len(value) % 2:
        value += b"\0" if vr == "UI" else b" "
    if not explicit:
        return struct.pack(o + "HHI", g, e, len(value)) + value
    if vr in ("OB", "OW", "SQ", "UN", "UT", "UC", "UR", "OF", "OD", "OL", "OV"):
        return struct.pack(o + "HH", g, e) + vr.encode() + b"\0\0" + struct.pack(o + "I", len(value)) + value
    return struct.pack(o + "HH", g, e) + vr.encode() + struct.pack(o + "H", len(value)) + value

def part10(syntax, body):
    meta = el(2, 1, "OB", b"\0\1") + el(2, 0x10, "UI", syntax)
    meta = el(2, 0, "UL", struct.pack("<I", len(meta))) + meta
    return b"\0" * 128 + b"DICM" + meta + body

header = el(8, 5, "CS", "GB18030") + el(8, 0x18, "UI", "1.2.3.4") + el(0x10, 0x10, "PN", "\u5f20\u4f1f".encode("gb18030"))
undef = 0xFFFFFFFF
item = struct.pack("<HHI", 0xFFFE, 0xE000, undef) + el(8, 0x100, "SH", "T-1") + struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
seq = struct.pack("<HH", 8, 0x1140) + b"SQ\0\0" + struct.pack("<I", undef) + item + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
pixels = el(0x28, 0x10, "US", struct.pack("<H", 2)) + el(0x28, 0x11, "US", struct.pack("<H", 2)) + el(0x28, 0x100, "US", struct.pack("<H", 16)) + el(0x7FE0, 0x10, "OW", b"\1\0\2\0\3\0\4\0")
encap = struct.pack("<HH", 0x7FE0, 0x10) + b"OB\0\0" + struct.pack("<I", undef) + struct.pack("<HHI", 0xFFFE, 0xE000, 0) + struct.pack("<HHI", 0xFFFE, 0xE000, 4) + b"\xff\xd8\xff\xd9" + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
seeds = {
    "explicit-le.dcm": part10("1.2.840.10008.1.2.1", header + seq + pixels),
    "implicit-le.dcm": part10("1.2.840.10008.1.2", el(8, 0x18, "UI", "1.2.3", explicit=False) + el(0x10, 0x10, "PN", "A^B", explicit=False)),
    "big-endian.dcm": part10("1.2.840.10008.1.2.2", el(8, 0x18, "UI", "1.2.3", big=True) + el(0x28, 0x10, "US", struct.pack(">H", 2), big=True)),
    "deflated.dcm": part10("1.2.840.10008.1.2.1.99", zlib.compress(header + seq, 9)[2:-4]),
    "encapsulated.dcm": part10("1.2.840.10008.1.2.4.50", header + encap),
    "bare-implicit.bin": el(8, 0x60, "CS", "CT", explicit=False) + el(0x10, 0x20, "LO", "ID1", explicit=False),
    "bare-explicit.bin": header + seq,
}
for name, data in seeds.items():
    with open(f"{out}/{name}", "wb") as f:
        f.write(data)
PY
echo "fuzz: ${codec:+codec $codec, }$(ls "$work/seeds" | wc -l) seeds, working corpus $work/corpus, ${seconds}s" >&2

set +e
"$binary" "$work/corpus" "$work/seeds" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="${FUZZ_MAX_LEN:-65536}" \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 ${FUZZ_FLAGS:-} 2>&1 | tee "$work/fuzz.log" | grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)'
status=${PIPESTATUS[0]}
set -e

shopt -s nullglob
found=("$work"/artifacts/crash-* "$work"/artifacts/timeout-* "$work"/artifacts/oom-* "$work"/artifacts/leak-*)
if [ "$status" -ne 0 ] || [ "${#found[@]}" -gt 0 ]; then
    echo "fuzz: libFuzzer exited with $status; log in $work/fuzz.log" >&2
    for f in "${found[@]}"; do echo "fuzz: crashing input: $f" >&2; done
    exit "$((status == 0 ? 1 : status))"
fi
echo "fuzz: no crash in ${seconds}s ($(ls "$work/corpus" | wc -l) inputs in the corpus)" >&2
[ -n "${FUZZ_WORK_DIR:-}" ] || rm -rf "$work"
