#!/usr/bin/env bash
# Single-thread decode (and lossless encode) speed of our codecs beside the native libraries PyPI's imagecodecs wraps
# (CharLS for JPEG-LS, its lossless-JPEG decoder, its DICOM RLE decoder, OpenJPEG for JPEG 2000, libjpeg-turbo for
# baseline), on the same frames in one run, and the ratio native/ours per case (above 1: we are faster).
#
#   Scripts/bench-codecs.sh            (REPEAT=20 runs a case; best time counts)
#   ROUNDS=3 Scripts/bench-codecs.sh   (ours and native alternate ROUNDS times a case, best of all rounds counts:
#                                       on a loaded machine one side's unlucky burst no longer decides the ratio)
#   CODECS=j2k Scripts/bench-codecs.sh (only the decode cases of the codecs named, space-separated; skips the encode
#                                       and series parts unless ENCODE=1 / SERIES_BENCH=1)
#   PERF_SCRATCH=.build-j2k            (the Benchmarks package's scratch path for its release build; default .build-perf)
#   SCRATCH=.build-j2k                 (the root package's scratch path for the DicomFuzz build and the default work
#                                       folder; default .build)
#
# Frames: a 512x512 16-bit CT slice (Scripts/make-ct-series.py) and a 2500x2048 16-bit radiograph (12 bits stored),
# compressed by DCMTK (dcmcrle, dcmcjpeg +e1, dcmcjpls), by GDCM for lossless JPEG 2000 (gdcmconv --j2k: reversible 5/3,
# five levels, 64x64 code-blocks; OpenJPEG decodes it with one thread), by OpenJPH for HTJ2K lossless (ojph_compress
# -reversible true: the same wavelet, levels and code-block size; OpenJPEG decodes it too) and, for baseline, an 8-bit
# version (dcmcjpeg +eb).
# A benchmark, not a test: numbers vary with the machine and its load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
repeat="${REPEAT:-20}"
rounds="${ROUNDS:-1}"
# The smallest of the numbers given (empty ones, failed runs, skipped); empty when none is left.
smallest() { python3 -c "import sys; v=[float(x) for x in sys.argv[1:] if x]; print(min(v) if v else '')" "$@"; }
codecs="${CODECS:-rle ljpeg jls j2k htj2k}"
all_parts=$([ -z "${CODECS:-}" ] && echo 1 || echo 0)
root_scratch="${SCRATCH:-.build}"
work="${BENCH_CODEC_DIR:-$root/$root_scratch/bench-codecs}"
mkdir -p "$work"

venv="$root/.venv-bench"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import imagecodecs, numpy" 2>/dev/null || "$venv/bin/pip" install -q imagecodecs numpy

if [ ! -f "$work/ct.dcm" ]; then
    python3 Scripts/make-ct-series.py "$work/ct-series" 1 >&2
    cp "$work"/ct-series/*.dcm "$work/ct.dcm"
fi
if [ ! -f "$work/dr.dcm" ]; then
    "$venv/bin/python" - "$work/dr.dcm" <<'PY'
import struct, sys, numpy as np
rows, cols = 2500, 2048
y, x = np.mgrid[0:rows, 0:cols]
img = (1800 + 900 * np.sin(x / 180.0) * np.cos(y / 240.0) + np.random.default_rng(1).normal(0, 25, (rows, cols))).clip(0, 4095).astype("<u2")
def el(g, e, vr, v):
    if isinstance(v, str): v = v.encode()
    if len(v) % 2: v += b"\0" if vr == "UI" else b" "
    if vr in ("OB", "OW", "SQ", "UN", "UT"): return struct.pack("<HH", g, e) + vr.encode() + b"\0\0" + struct.pack("<I", len(v)) + v
    return struct.pack("<HH", g, e) + vr.encode() + struct.pack("<H", len(v)) + v
us = lambda v: struct.pack("<H", v)
meta = el(2, 1, "OB", b"\0\1") + el(2, 2, "UI", "1.2.840.10008.5.1.4.1.1.1.1") + el(2, 3, "UI", "2.25.1") + el(2, 0x10, "UI", "1.2.840.10008.1.2.1")
meta = el(2, 0, "UL", struct.pack("<I", len(meta))) + meta
body = (el(8, 0x16, "UI", "1.2.840.10008.5.1.4.1.1.1.1") + el(8, 0x18, "UI", "2.25.1") + el(8, 0x60, "CS", "DX")
        + el(0x28, 2, "US", us(1)) + el(0x28, 4, "CS", "MONOCHROME2") + el(0x28, 0x10, "US", us(rows)) + el(0x28, 0x11, "US", us(cols))
        + el(0x28, 0x100, "US", us(16)) + el(0x28, 0x101, "US", us(12)) + el(0x28, 0x102, "US", us(11)) + el(0x28, 0x103, "US", us(0))
        + el(0x7FE0, 0x10, "OW", img.tobytes()))
open(sys.argv[1], "wb").write(b"\0" * 128 + b"DICM" + meta + body)
PY
fi
# Only the codecs benchmarked need their files (the encode part reads the lossless-JPEG frame too).
wanted=" $codecs "
if [ "${ENCODE:-$all_parts}" = 1 ]; then wanted+="ljpeg jls rle "; fi
for img in ct dr; do
    [[ "$wanted" != *" rle "* ]] || [ -f "$work/$img-rle.dcm" ] || dcmcrle "$work/$img.dcm" "$work/$img-rle.dcm"
    [[ "$wanted" != *" ljpeg "* ]] || [ -f "$work/$img-ljpeg.dcm" ] || dcmcjpeg +e1 "$work/$img.dcm" "$work/$img-ljpeg.dcm"
    [[ "$wanted" != *" jls "* ]] || [ -f "$work/$img-jls.dcm" ] || dcmcjpls "$work/$img.dcm" "$work/$img-jls.dcm"
    [[ "$wanted" != *" j2k "* ]] || [ -f "$work/$img-j2k.dcm" ] || gdcmconv --j2k "$work/$img.dcm" "$work/$img-j2k.dcm"
    if [[ "$wanted" == *" htj2k "* ]] && [ ! -f "$work/$img-htj2k.dcm" ]; then
        # HTJ2K lossless by OpenJPH (ojph_compress -reversible true: 5/3, five levels, 64x64 code-blocks, RPCL), as a
        # .201 file for us and as a .frame (8-byte header, codestream) for OpenJPEG.
        python3 - "$work/$img.dcm" "$work/$img-htj2k" <<'PY'
import struct, subprocess, sys
src, out = sys.argv[1], sys.argv[2]
b = open(src, "rb").read()
def us(tag):   # an explicit VR US value of the data set
    i = b.index(struct.pack("<HH", 0x28, tag) + b"US")
    return struct.unpack("<H", b[i + 8:i + 10])[0]
rows, cols, stored = us(0x10), us(0x11), us(0x101)
pixels = struct.unpack("<%dH" % (rows * cols), b[-2 * rows * cols:])   # Pixel Data is the last element
open(out + ".pgm", "wb").write(b"P5\n%d %d\n%d\n" % (cols, rows, (1 << stored) - 1) + struct.pack(">%dH" % len(pixels), *pixels))
subprocess.run(["ojph_compress", "-i", out + ".pgm", "-o", out + ".j2c", "-reversible", "true"], check=True, stdout=subprocess.DEVNULL)
code = open(out + ".j2c", "rb").read()
open(out + ".frame", "wb").write(struct.pack("<HHBBBB", rows, cols, 1, 16, stored, 0) + code)
def el(g, e, vr, v):
    if isinstance(v, str): v = v.encode()
    if len(v) % 2: v += b"\0" if vr == "UI" else b" "
    return struct.pack("<HH", g, e) + vr.encode() + struct.pack("<H", len(v)) + v
u = lambda v: struct.pack("<H", v)
meta = (struct.pack("<HH", 2, 1) + b"OB\0\0" + struct.pack("<I", 2) + b"\0\1" + el(2, 2, "UI", "1.2.840.10008.5.1.4.1.1.2")
        + el(2, 3, "UI", "2.25.2") + el(2, 0x10, "UI", "1.2.840.10008.1.2.4.201"))
meta = el(2, 0, "UL", struct.pack("<I", len(meta))) + meta
frag = code + (b"\0" if len(code) % 2 else b"")
body = (el(8, 0x16, "UI", "1.2.840.10008.5.1.4.1.1.2") + el(8, 0x18, "UI", "2.25.2") + el(0x28, 2, "US", u(1))
        + el(0x28, 4, "CS", "MONOCHROME2") + el(0x28, 0x10, "US", u(rows)) + el(0x28, 0x11, "US", u(cols))
        + el(0x28, 0x100, "US", u(16)) + el(0x28, 0x101, "US", u(stored)) + el(0x28, 0x102, "US", u(stored - 1))
        + el(0x28, 0x103, "US", u(0)) + struct.pack("<HH", 0x7FE0, 0x10) + b"OB\0\0" + struct.pack("<I", 0xFFFFFFFF)
        + struct.pack("<HHI", 0xFFFE, 0xE000, 0) + struct.pack("<HHI", 0xFFFE, 0xE000, len(frag)) + frag
        + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
open(out + ".dcm", "wb").write(b"\0" * 128 + b"DICM" + meta + body)
PY
    fi
done

scratch="${PERF_SCRATCH:-.build-perf}"
(cd Benchmarks && swift build --scratch-path "$scratch" -c release --product CodecTiming >&2)
timing="$root/Benchmarks/$scratch/release/CodecTiming"
# The fuzz tool cuts frame 1 out of each file (with an 8-byte header) for the Python side; built only when a frame is missing.
seed=""
for img in ct dr; do for codec in $wanted; do
    if [ ! -f "$work/$img-$codec.frame" ] && [ -z "$seed" ]; then
        swift build --scratch-path "$root_scratch" --product DicomFuzz >&2
        seed="$(swift build --scratch-path "$root_scratch" --show-bin-path)/DicomFuzz"
    fi
    [ -f "$work/$img-$codec.frame" ] || "$seed" --codec-seed "$work/$img-$codec.dcm" "$work/$img-$codec.frame"
done; done

printf '%-22s %-8s %12s %12s %8s\n' case op "ours ms" "native ms" ratio
for img in ct dr; do
    for codec in $codecs; do
        f="$work/$img-$codec.dcm"
        all_ours=(); all_native=()
        for _ in $(seq "$rounds"); do
        all_ours+=("$("$timing" --repeat "$repeat" "$f" 2>/dev/null | awk '{print $4}')") || true
        all_native+=("$("$venv/bin/python" - "$work/$img-$codec.frame" "$codec" "$repeat" <<'PY'
import sys, time, imagecodecs, numpy as np
data = open(sys.argv[1], "rb").read()[8:]
codec, repeat = sys.argv[2], int(sys.argv[3])
fn = {"rle": lambda d: imagecodecs.dicomrle_decode(d, "<u2"), "ljpeg": imagecodecs.ljpeg_decode, "jls": imagecodecs.jpegls_decode,
      "j2k": lambda d: imagecodecs.jpeg2k_decode(d, numthreads=1),
      "htj2k": lambda d: imagecodecs.jpeg2k_decode(d, numthreads=1)}[codec]   # OpenJPEG >= 2.5 decodes HTJ2K
best = 1e9
for _ in range(repeat):
    t = time.perf_counter(); fn(data); best = min(best, time.perf_counter() - t)
print(best * 1e3)
PY
)")
        done
        ours=$(smallest "${all_ours[@]}"); native=$(smallest "${all_native[@]}")
        if [ -n "$ours" ]; then
            ratio=$(python3 -c "print(f'{$native/$ours:.2f}')")
        else
            ours="n/a"; ratio="n/a"
        fi
        printf '%-22s %-8s %12s %12.3f %8s\n' "$img-$codec" decode "$ours" "$native" "$ratio"
    done
done
# Lossless encode of the same decoded pixels, ours beside the native encoder imagecodecs offers:
#   ljpeg: our JPEG lossless SV1 (optimised Huffman table) against imagecodecs.ljpeg_encode (liblj92, fixed table);
#   jls:   our JPEG-LS lossless against imagecodecs.jpegls_encode (CharLS);
#   rle:   our DICOM RLE against imagecodecs.packbits_encode (PackBits, each row apart as PS3.5 §G.3 asks) of the two
#          byte planes, split by numpy (imagecodecs' dicomrle_encode raises NotImplementedError).
if [ "${ENCODE:-$all_parts}" = 1 ]; then
for img in ct dr; do
    for codec in ljpeg jls rle; do
        case $codec in
            ljpeg) uid=1.2.840.10008.1.2.4.70 ;;
            jls) uid=1.2.840.10008.1.2.4.80 ;;
            rle) uid=1.2.840.10008.1.2.5 ;;
        esac
        f="$work/$img-$codec.dcm"
        all_ours=(); all_native=()
        for _ in $(seq "$rounds"); do
        all_ours+=("$("$timing" --repeat "$repeat" --encode "$uid" "$f" 2>/dev/null | awk '{print $4}')") || true
        all_native+=("$("$venv/bin/python" - "$work/$img-ljpeg.frame" "$codec" "$repeat" <<'PY'
import sys, time, imagecodecs, numpy as np
image = imagecodecs.ljpeg_decode(open(sys.argv[1], "rb").read()[8:])
codec, repeat = sys.argv[2], int(sys.argv[3])
def rle(a):
    return [imagecodecs.packbits_encode((a >> 8).astype(np.uint8)), imagecodecs.packbits_encode((a & 0xFF).astype(np.uint8))]
fn = {"ljpeg": imagecodecs.ljpeg_encode, "jls": imagecodecs.jpegls_encode, "rle": rle}[codec]
best = 1e9
for _ in range(repeat):
    t = time.perf_counter(); fn(image); best = min(best, time.perf_counter() - t)
print(best * 1e3)
PY
)")
        done
        ours=$(smallest "${all_ours[@]}"); native=$(smallest "${all_native[@]}")
        if [ -n "$ours" ]; then ratio=$(python3 -c "print(f'{$native/$ours:.2f}')"); else ours="n/a"; ratio="n/a"; fi
        printf '%-22s %-8s %12s %12.3f %8s\n' "$img-$codec" encode "$ours" "$native" "$ratio"
    done
done
fi
# A whole CT series in lossless JPEG 2000 (SERIES slices, default 40): decoded on one thread, then one slice per task
# over every core; the speed-up is serial/parallel time (at most the number of idle cores).
series="${SERIES:-40}"
if [ "${SERIES_BENCH:-$all_parts}" = 1 ]; then
if [ ! -f "$work/j2k-series/$series.done" ]; then
    rm -rf "$work/j2k-series" "$work/ct-series-$series"
    python3 Scripts/make-ct-series.py "$work/ct-series-$series" "$series" >&2
    mkdir -p "$work/j2k-series"
    for f in "$work/ct-series-$series"/*.dcm; do gdcmconv --j2k "$f" "$work/j2k-series/$(basename "$f")"; done
    touch "$work/j2k-series/$series.done"
fi
"$timing" --repeat "$(( (repeat + 3) / 4 ))" --series "$work"/j2k-series/*.dcm
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
