#!/usr/bin/env bash
# Fuzzes the DICOM reader with libFuzzer for SECONDS (default 60).
#
#   Scripts/fuzz.sh [SECONDS] [CODEC_UID | pdu]
#
# With `pdu`, the target runs in PDU mode (MI_FUZZ_PDU=1): inputs are byte streams as a DICOM peer would send them,
# fed to the PDU parser, the association state machine and DIMSE reassembly; seeds are encoded PDUs and PDU sequences.
#
# With CODEC_UID (a transfer syntax UID such as 1.2.840.10008.1.2.5), the target runs in codec mode: inputs are an
# 8-byte image description and one frame's codestream, decoded by that syntax's codec; seeds are frame 1 of every
# corpus file in that syntax (for the HTJ2K syntaxes .201-.203, the ojph_compress fixtures of DicomCoreTests).
#
# Builds the DicomFuzz target with the fuzzer and address sanitizers, seeds a corpus from
# TestData/pydicom/test_files/*.dcm (when present) plus a few tiny hand-made inputs, and runs libFuzzer on it.
# The working corpus and any crash files live in a temporary folder (FUZZ_WORK_DIR to choose it); it is kept when
# libFuzzer finds something. Exits non-zero, printing the crashing input's path, when libFuzzer reports a crash,
# a timeout or an out-of-memory. Inputs are capped at FUZZ_MAX_LEN bytes (default 64 KiB): longer seeds are cut, which
# still exercises every header path and keeps the run fast. FUZZ_FLAGS adds libFuzzer flags (-use_value_profile=1, -jobs=N).
# FUZZ_SCRATCH_PATH (default .build-fuzz) holds the sanitizer build, REPLAY_SCRATCH_PATH (default .build) the plain
# build of the seed maker in codec mode.
set -euo pipefail

seconds="${1:-60}"
codec="${2:-}"
pdu=""
if [ "$codec" = "pdu" ]; then pdu=1; codec=""; export MI_FUZZ_PDU=1; fi
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
if [ -z "$pdu" ] && compgen -G "TestData/pydicom/test_files/*.dcm" > /dev/null; then
    for f in TestData/pydicom/test_files/*.dcm; do
        # libFuzzer's default -max_len follows the seeds; keep the big ones out so mutations stay fast.
        if [ "$(stat -c %s "$f")" -le 262144 ]; then cp "$f" "$work/seeds/"; fi
    done
fi
if [ -n "$codec" ]; then
    export MI_FUZZ_CODEC="$codec"
    swift build --scratch-path "${REPLAY_SCRATCH_PATH:-.build}" --product DicomFuzz >&2
    replay="$(swift build --scratch-path "${REPLAY_SCRATCH_PATH:-.build}" --show-bin-path)/DicomFuzz"
    rm -f "$work"/seeds/*
    for f in TestData/pydicom/test_files/*.dcm; do
        # The seed maker writes a seed only for files in the codec's transfer syntax.
        "$replay" --codec-seed "$f" "$work/seeds/$(basename "$f").seed" 2>/dev/null || true
    done
fi
case "$codec" in
1.2.840.10008.1.2.4.20[123])
    # No corpus file is HTJ2K: seed from the ojph_compress fixtures, with the 8-byte header made from their SIZ.
    python3 - "$work/seeds" Tests/DicomCoreTests/Fixtures/htj2k/*.j2c <<'PY'
import os, struct, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    b = open(path, "rb").read()
    # SOC, then SIZ (ISO/IEC 15444-1 §A.5.1): Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz Ssiz...
    x, y, x0, y0 = struct.unpack(">IIII", b[8:24])
    c, s = struct.unpack(">H", b[40:42])[0], b[42]
    bits = (s & 0x7F) + 1
    header = struct.pack("<HHBBBB", y - y0, x - x0, 3 if c == 3 else 1, 8 if bits <= 8 else 16, bits, 1 if s & 0x80 else 0)
    open(os.path.join(out, os.path.basename(path) + ".seed"), "wb").write(header + b)
PY
    ;;
esac
if [ -n "$pdu" ]; then python3 - "$work/seeds" <<'PY'
# Encoded PDUs (PS3.8 §9.3): each alone, and whole conversations (RQ, P-DATA, release) as one stream.
import struct, sys
out = sys.argv[1]
def pdu(t, body): return struct.pack(">BBI", t, 0, len(body)) + body
def item(t, body): return struct.pack(">BBH", t, 0, len(body)) + body
def ae(s): return s.encode().ljust(16)
ctx = item(0x10, b"1.2.840.10008.3.1.1.1")
def pc(i, abstract, syntaxes, ac=False):
    if ac: return item(0x21, bytes([i, 0, 0, 0]) + item(0x40, syntaxes[0].encode()))
    return item(0x20, bytes([i, 0, 0, 0]) + item(0x30, abstract.encode()) + b"".join(item(0x40, s.encode()) for s in syntaxes))
user = item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.826.0.1.3680043.10.1") + item(0x55, b"MI_0")
    + item(0x54, struct.pack(">H", 27) + b"1.2.840.10008.5.1.4.1.1.2" + b"\0\1")
    + item(0x58, bytes([1, 1]) + struct.pack(">H", 4) + b"user" + struct.pack(">H", 4) + b"pass"))
rq = pdu(1, struct.pack(">HH", 1, 0) + ae("MI-SCP") + ae("DCMTK") + b"\0" * 32 + ctx
         + pc(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2"]) + pc(3, "1.2.840.10008.5.1.4.1.2.2.1", ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]) + user)
ac = pdu(2, struct.pack(">HH", 1, 0) + ae("MI-SCP") + ae("DCMTK") + b"\0" * 32 + ctx + pc(1, "", ["1.2.840.10008.1.2"], ac=True) + user)
def el(g, e, v): return struct.pack("<HHI", g, e, len(v)) + v
def ui(s): b = s.encode(); return b + (b"\0" if len(b) % 2 else b"")
def command(field, mid, cls, dataset=False):
    body = el(0, 2, ui(cls)) + el(0, 0x100, struct.pack("<H", field)) + el(0, 0x110, struct.pack("<H", mid)) + el(0, 0x800, struct.pack("<H", 0 if dataset else 0x101))
    return el(0, 0, struct.pack("<I", len(body))) + body
def pdata(ctx_id, data, is_command, last=True):
    return pdu(4, struct.pack(">IBB", len(data) + 2, ctx_id, (1 if is_command else 0) | (2 if last else 0)) + data)
echo = pdata(1, command(0x30, 1, "1.2.840.10008.1.1"), True)
find_cmd = command(0x20, 2, "1.2.840.10008.5.1.4.1.2.2.1", dataset=True)
ident = el(8, 0x52, b"STUDY ") + el(0x10, 0x10, b"Wang*^Fang ") + el(0x20, 0xD, b"")
find = pdata(3, find_cmd[:20], True, last=False) + pdata(3, find_cmd[20:], True) + pdata(3, ident, False)
cancel = pdata(3, el(0, 0, struct.pack("<I", 28)) + el(0, 0x100, struct.pack("<H", 0xFFF)) + el(0, 0x120, struct.pack("<H", 2)) + el(0, 0x800, struct.pack("<H", 0x101)), True)
rj = pdu(3, bytes([0, 1, 1, 3])); release_rq = pdu(5, b"\0" * 4); release_rp = pdu(6, b"\0" * 4); abort = pdu(7, bytes([0, 0, 2, 6]))
seeds = {"rq.pdu": rq, "ac.pdu": ac, "rj.pdu": rj, "echo.pdu": echo, "abort.pdu": abort, "release-rq.pdu": release_rq,
         "conversation-echo.bin": rq + echo + release_rq, "conversation-find-cancel.bin": rq + find + cancel + release_rq,
         "requestor-side.bin": ac + echo + release_rp, "rejected.bin": rj, "aborted-mid.bin": rq + find[:40] + abort}
for name, data in seeds.items():
    open(f"{out}/{name}", "wb").write(data)
PY
fi
[ -n "$codec$pdu" ] || python3 - "$work/seeds" <<'PY'
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
echo "fuzz: ${codec:+codec $codec, }${pdu:+PDU mode, }$(ls "$work/seeds" | wc -l) seeds, working corpus $work/corpus, ${seconds}s" >&2

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
