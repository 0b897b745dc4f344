#!/usr/bin/env python3
"""codec_matrix.py — our pixel decoders and encoders against DCMTK and GDCM.

Sections (all by default; pick with --sections):

  corpus   every compressed file of TestData/pydicom (JPEG .4.50/.51/.57/.70,
           JPEG-LS .4.80/.81, RLE .5), every frame: `mi-cli decode` against
           DCMTK (dcmdjpeg / dcmdjpls / dcmdrle) and GDCM (gdcmconv --raw).
           JPEG 2000 (.4.90/.91/.201-.203) is listed as skipped: JPEG2000CodecTests check it against OpenJPEG.
  cross    uncompressed corpus files compressed by dcmcjpeg, dcmcjpls, dcmcrle
           and gdcmconv, then checked as above.
  htj2k    uncompressed corpus files (unsigned) compressed by OpenJPH's
           ojph_compress (reversible and irreversible, several settings) and
           wrapped as HTJ2K (.201/.202/.203): `mi-cli decode` against OpenJPEG's
           opj_decompress of the same codestream (exact when reversible, within 1
           otherwise) and, when reversible, against the source pixels. Then
           `mi-cli transcode --syntax htj2k-lossless / htj2k-lossless-rpcl`
           (our HTJ2K encoder, signed sources too): opj_decompress of the
           codestream and `mi-cli decode` must both give the source pixels.
  encode   `mi-cli transcode IN OUT --syntax S` for rle, jpeg-lossless,
           jpeg-baseline, jpeg-ls, jpeg-ls-near=2, j2k-ratio=10 (GDCM the oracle,
           within one); the result checked as above,
           and the oracles' decoding compared with the source pixels (exact for
           lossless, within NEAR for near-lossless). Syntaxes mi-cli rejects as
           unsupported are listed as skipped.

A frame passes when our samples equal the oracles' (exact for lossless
syntaxes, within 1 for lossy JPEG, within NEAR from the JPEG-LS SOS for .81).
DCMTK is the primary oracle and GDCM the second opinion: when both decode and
agree, ours must match both; when they disagree, ours must match DCMTK and the
disagreement is printed; when one fails, the other decides; when neither
decodes, the frame fails.

Decoded layout compared: samples little endian, each Bits Allocated wide,
colour-by-pixel (oracle output with Planar Configuration 1 is interleaved);
oracle YBR_FULL output is converted to RGB when ours is RGB. When they differ,
only the Bits Stored low bits count (sign-extended for Pixel Representation 1):
we sign-extend signed samples in every codec, DCMTK never does after JPEG or
JPEG-LS, GDCM does after JPEG only.

Only the standard library is needed. Prints a verdict per file and frame,
the command lines of failures, and `N passed, M failed` alone on the last
line; exits 1 on any failure, 2 when a required tool is missing.

  python3 Tests/Oracles/codec_matrix.py [--mi-cli PATH] [--corpus DIR]
          [--sections corpus,cross,htj2k,encode] [--keep] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from oracle_common import dcm_files, summary_line  # noqa: E402

# ------------------------------------------------------------------ syntaxes
NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}
JPEG_LOSSY = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}
# Irreversible JPEG 2000 (9/7): decoders may round the floating-point wavelet differently, by one.
J2K_LOSSY = "1.2.840.10008.1.2.4.91"
JPEG_LOSSLESS = {"1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"}
JPEGLS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEGLS_NEAR = "1.2.840.10008.1.2.4.81"
RLE = "1.2.840.10008.1.2.5"
JPEG2000 = {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201",
            "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"}
OURS = JPEG_LOSSY | JPEG_LOSSLESS | {JPEGLS_LOSSLESS, JPEGLS_NEAR, RLE}
NAMES = {
    "1.2.840.10008.1.2.4.50": "JPEG baseline", "1.2.840.10008.1.2.4.51": "JPEG extended",
    "1.2.840.10008.1.2.4.57": "JPEG lossless", "1.2.840.10008.1.2.4.70": "JPEG lossless SV1",
    JPEGLS_LOSSLESS: "JPEG-LS lossless", JPEGLS_NEAR: "JPEG-LS near-lossless", RLE: "RLE lossless",
}


def dcmtk_decoder(ts: str) -> str:
    if ts in JPEG_LOSSY or ts in JPEG_LOSSLESS:
        return "dcmdjpeg"
    if ts in (JPEGLS_LOSSLESS, JPEGLS_NEAR):
        return "dcmdjpls"
    return "dcmdrle"


# ------------------------------------------------------ minimal Part 10 reader
class DicomReadError(Exception):
    pass


@dataclass
class Image:
    """What the matrix needs from a file: its syntax, pixel attributes and pixel data."""
    path: str
    ts: str = ""
    attrs: dict = field(default_factory=dict)
    native: bytes | None = None          # native Pixel Data value
    fragments: list = field(default_factory=list)   # encapsulated fragments (after the offset table)

    def int(self, key: str, default: int = 0) -> int:
        v = self.attrs.get(key)
        return default if v is None else v

    @property
    def rows(self): return self.int("rows")
    @property
    def columns(self): return self.int("columns")
    @property
    def samples(self): return self.int("samples", 1)
    @property
    def bits_allocated(self): return self.int("bits_allocated")
    @property
    def bytes_per_sample(self): return (self.bits_allocated + 7) // 8

    @property
    def bits_stored(self): return self.int("bits_stored", self.bits_allocated)
    @property
    def signed(self): return self.int("pixel_representation") == 1
    @property
    def planar(self): return self.int("planar", 0)
    @property
    def frames(self): return max(1, self.int("frames", 1))
    @property
    def photometric(self): return self.attrs.get("photometric", "")
    @property
    def frame_length(self): return self.rows * self.columns * self.samples * self.bytes_per_sample

    def native_frame(self, index: int) -> bytes:
        """Frame `index` (0-based) of native Pixel Data, interleaved colour-by-pixel."""
        if self.native is None:
            raise DicomReadError(f"{self.path}: no native Pixel Data")
        if self.bits_allocated == 1:
            raise DicomReadError(f"{self.path}: 1-bit native data is not compared")
        n = self.frame_length
        data = self.native[index * n:(index + 1) * n]
        if len(data) != n:
            raise DicomReadError(f"{self.path}: Pixel Data holds {len(self.native)} bytes, frame {index + 1} needs {(index + 1) * n}")
        if self.samples > 1 and self.planar == 1:
            data = interleave(data, self.samples, self.bytes_per_sample)
        return data


US_TAGS = {0x00280002: "samples", 0x00280010: "rows", 0x00280011: "columns", 0x00280100: "bits_allocated",
           0x00280101: "bits_stored", 0x00280103: "pixel_representation", 0x00280006: "planar"}
LONG_VRS = {b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"SQ", b"UT", b"UN", b"UC", b"UR", b"SV", b"UV"}
ITEM, ITEM_END, SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
UNDEFINED = 0xFFFFFFFF


def read_image(path: str) -> Image:
    """Walks a Part 10 file (explicit or implicit VR little endian after the meta) to (7FE0,0010)."""
    with open(path, "rb") as f:
        b = f.read()
    img = Image(path)
    if len(b) < 132 or b[128:132] != b"DICM":
        raise DicomReadError(f"{path}: no DICM prefix")
    pos = 132
    # File Meta: explicit VR little endian, group 0002.
    while pos + 8 <= len(b):
        group = struct.unpack_from("<H", b, pos)[0]
        if group != 0x0002:
            break
        tag, vr, length, pos = _element_header(b, pos, explicit=True)
        if tag == 0x00020010:
            img.ts = b[pos:pos + length].rstrip(b"\0 ").decode("ascii")
        pos += length
    if img.ts in ("1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"):
        raise DicomReadError(f"{path}: {img.ts} is not read by this script")
    explicit = img.ts != "1.2.840.10008.1.2"
    _walk(b, pos, len(b), explicit, img, top=True)
    return img


def _element_header(b: bytes, pos: int, explicit: bool):
    if pos + 8 > len(b):
        raise DicomReadError("truncated element header")
    group, elem = struct.unpack_from("<HH", b, pos)
    tag = group << 16 | elem
    if tag in (ITEM, ITEM_END, SEQ_END):
        return tag, None, struct.unpack_from("<I", b, pos + 4)[0], pos + 8
    if explicit:
        vr = b[pos + 4:pos + 6]
        if vr in LONG_VRS:
            return tag, vr, struct.unpack_from("<I", b, pos + 8)[0], pos + 12
        return tag, vr, struct.unpack_from("<H", b, pos + 6)[0], pos + 8
    return tag, None, struct.unpack_from("<I", b, pos + 4)[0], pos + 8


def _walk(b: bytes, pos: int, end: int, explicit: bool, img: Image | None, top: bool) -> int:
    """Reads elements from pos to end (or to an item delimiter); returns the position after them."""
    while pos < end:
        tag, vr, length, pos = _element_header(b, pos, explicit)
        if tag == ITEM_END:
            return pos
        if tag == 0x7FE00010 and top and img is not None:
            if length == UNDEFINED:
                img.fragments = _fragments(b, pos)
            else:
                img.native = b[pos:pos + length]
            return len(b)
        if length == UNDEFINED:
            pos = _skip_sequence(b, pos, explicit)
            continue
        if pos + length > len(b):
            raise DicomReadError(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) runs past the end")
        if top and img is not None:
            value = b[pos:pos + length]
            if tag in US_TAGS and length >= 2:
                img.attrs[US_TAGS[tag]] = struct.unpack_from("<H", value)[0]
            elif tag == 0x00280008:
                img.attrs["frames"] = int(value.rstrip(b"\0 ").decode("ascii").strip() or 1)
            elif tag == 0x00280004:
                img.attrs["photometric"] = value.rstrip(b"\0 ").decode("ascii").strip()
        pos += length
    return pos


def _skip_sequence(b: bytes, pos: int, explicit: bool) -> int:
    while pos < len(b):
        tag, _vr, length, pos = _element_header(b, pos, explicit)
        if tag == SEQ_END:
            return pos
        if tag != ITEM:
            raise DicomReadError(f"unexpected ({tag >> 16:04X},{tag & 0xFFFF:04X}) in a sequence")
        if length == UNDEFINED:
            pos = _walk(b, pos, len(b), explicit, None, top=False)
        else:
            pos += length
    raise DicomReadError("sequence without delimiter")


def _fragments(b: bytes, pos: int) -> list:
    items = []
    while pos + 8 <= len(b):
        tag, _vr, length, pos = _element_header(b, pos, True)
        if tag == SEQ_END:
            break
        if tag != ITEM:
            raise DicomReadError("encapsulated Pixel Data holds something other than items")
        items.append(b[pos:pos + length])
        pos += length
    return items[1:]  # the first item is the Basic Offset Table


def interleave(data: bytes, samples: int, width: int) -> bytes:
    plane = len(data) // samples
    out = bytearray(len(data))
    for s in range(samples):
        src = data[s * plane:(s + 1) * plane]
        for k in range(width):
            out[s * width + k::samples * width] = src[k::width]
    return bytes(out)


def jpegls_near(img: Image) -> int:
    """The largest NEAR of the JPEG-LS scans (SOS: FFDA Ls Ns {Ci Tmi} NEAR ILV PtAl). FF DA cannot occur in
    JPEG-LS entropy-coded data, whose FF bytes are followed by a byte below 0x80."""
    near = 0
    for frag in img.fragments:
        for m in re.finditer(rb"\xff\xda", frag):
            p = m.start() + 4
            if p < len(frag):
                ns = frag[p]
                q = p + 1 + 2 * ns
                if q < len(frag):
                    near = max(near, frag[q])
    return near


# ---------------------------------------------------------------- comparison
FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


def samples_of(data: bytes, width: int, signed: bool, bits_stored: int | None = None):
    """The samples as integers; with `bits_stored`, only those low bits, sign-extended when signed (PS3.5 §8.1.1:
    the bits above the High Bit are not part of the sample; DCMTK leaves there what the codestream had, we
    sign-extend, GDCM does either depending on the codec)."""
    fmt = FORMATS[width]
    if bits_stored is None or bits_stored >= 8 * width:
        return memoryview(data).cast(fmt.lower() if signed else fmt)
    mask, sign = (1 << bits_stored) - 1, 1 << (bits_stored - 1)
    values = memoryview(data).cast(fmt)
    if signed:
        return [((v & mask) ^ sign) - sign for v in values]
    return [v & mask for v in values]


def ybr_full_to_rgb(data: bytes) -> bytes:
    """PS3.3 §C.7.6.3.1.2 YBR_FULL to RGB, 8 bits, rounded and clamped."""
    out = bytearray(len(data))
    for i in range(0, len(data) - 2, 3):
        y, cb, cr = data[i], data[i + 1] - 128, data[i + 2] - 128
        for k, v in enumerate((y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb)):
            out[i + k] = 0 if v < 0 else 255 if v > 255 else int(v + 0.5)
    return bytes(out)


@dataclass
class Diff:
    ok: bool
    text: str
    max_diff: int = 0


def compare(ours: bytes, theirs: bytes, width: int, signed: bool, tolerance: int, bits_stored: int | None = None) -> Diff:
    if len(ours) != len(theirs):
        return Diff(False, f"{len(ours)} bytes against {len(theirs)}")
    if ours == theirs:
        return Diff(True, "exact")
    a, b = samples_of(ours, width, signed, bits_stored), samples_of(theirs, width, signed, bits_stored)
    max_diff, count, first = 0, 0, -1
    for i, (x, y) in enumerate(zip(a, b)):
        d = abs(x - y)
        if d:
            count += 1
            if first < 0:
                first = i
            if d > max_diff:
                max_diff = d
    text = f"{count} of {len(a)} samples differ, max |d| = {max_diff}, first at sample {first} ({a[first]} against {b[first]})"
    return Diff(max_diff <= tolerance, text, max_diff)


def tolerance_for(img: Image) -> int:
    if img.ts in JPEG_LOSSY or img.ts == J2K_LOSSY:
        return 1
    if img.ts == JPEGLS_NEAR:
        return jpegls_near(img)
    return 0


# ------------------------------------------------------------------- running
@dataclass
class Run:
    cmd: list
    rc: int
    out: str
    err: str

    @property
    def line(self) -> str:
        return shlex.join(self.cmd)


def run(cmd: list, timeout: float = 300) -> Run:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return Run(cmd, p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired:
        return Run(cmd, -1, "", f"timed out after {timeout} s")
    except OSError as e:
        return Run(cmd, -1, "", str(e))


class Matrix:
    def __init__(self, mi_cli: str, work: str, verbose: bool):
        self.mi_cli = mi_cli
        self.work = work
        self.verbose = verbose
        self.passed = 0
        self.failed = 0
        self.skipped: list[str] = []
        self.failures: list[str] = []
        self.counter = 0

    def tmp(self, name: str) -> str:
        self.counter += 1
        return os.path.join(self.work, f"{self.counter:04d}-{name}")

    def pass_(self, label: str, text: str) -> None:
        self.passed += 1
        print(f"PASS  {label}: {text}")

    def fail(self, label: str, text: str, commands: list) -> None:
        self.failed += 1
        print(f"FAIL  {label}: {text}")
        for c in commands:
            print(f"      $ {c}")
        self.failures.append(label)

    def skip(self, label: str, reason: str) -> None:
        self.skipped.append(f"{label}: {reason}")
        print(f"SKIP  {label}: {reason}")

    # An oracle's decoding of a whole file.
    def oracle(self, name: str, cmd_prefix: list, path: str) -> tuple[Image | None, str, str]:
        out = self.tmp(os.path.basename(path).replace(".dcm", f".{name}.dcm"))
        r = run(cmd_prefix + [path, out])
        if r.rc != 0 or not os.path.exists(out):
            return None, f"{name} failed (exit {r.rc}): {(r.err or r.out).strip()[:200]}", r.line
        try:
            img = read_image(out)
        except (DicomReadError, struct.error, ValueError) as e:
            return None, f"{name} output unreadable: {e}", r.line
        if img.ts not in NATIVE or img.native is None:
            return None, f"{name} output is still {img.ts}", r.line
        return img, "", r.line

    def ours(self, path: str, frame: int) -> tuple[bytes | None, str, str]:
        out = self.tmp(f"ours-f{frame}.raw")
        r = run([self.mi_cli, "decode", path, "--frame", str(frame), "--raw", out])
        if r.rc != 0 or not os.path.exists(out):
            return None, f"mi-cli decode failed (exit {r.rc}): {(r.err or r.out).strip()[:300]}", r.line
        m = re.search(r"(\S+), \d+ bytes\s*$", r.out.strip())
        with open(out, "rb") as f:
            data = f.read()
        os.remove(out)
        return data, (m.group(1) if m else ""), r.line

    def check_file(self, path: str, label: str, source: Image | None = None) -> None:
        """Every frame of a compressed file: ours against DCMTK and GDCM (and, with `source`, the oracles against it)."""
        try:
            img = read_image(path)
        except (DicomReadError, struct.error, ValueError) as e:
            self.fail(label, f"cannot read: {e}", [])
            return
        tol = tolerance_for(img)
        kind = NAMES.get(img.ts, img.ts)
        dcmtk, dcmtk_why, dcmtk_cmd = self.oracle("dcmtk", [dcmtk_decoder(img.ts)], path)
        gdcm, gdcm_why, gdcm_cmd = self.oracle("gdcm", ["gdcmconv", "--raw"], path)
        for frame in range(1, img.frames + 1):
            flabel = f"{label} frame {frame}/{img.frames} [{kind}{', tolerance %d' % tol if tol else ''}]"
            ours, photometric, ours_cmd = self.ours(path, frame)
            commands = [ours_cmd, dcmtk_cmd, gdcm_cmd]
            if ours is None and dcmtk is None:
                # DCMTK, the primary oracle, refuses the stream too (a non-conformant encoding such as GDCM's 16-bit
                # SOF1, or a broken one): a clean refusal is the right answer; GDCM's view is printed.
                self.skip(flabel, f"refused by ours and by DCMTK: ours: {photometric}; DCMTK: {dcmtk_why}; GDCM: {'decoded it' if gdcm else gdcm_why}")
                continue
            if ours is None:
                self.fail(flabel, photometric, commands)
                continue
            verdicts = {}
            for name, oracle, why in (("DCMTK", dcmtk, dcmtk_why), ("GDCM", gdcm, gdcm_why)):
                if oracle is None:
                    verdicts[name] = (None, why)
                    continue
                try:
                    theirs = oracle.native_frame(frame - 1)
                except DicomReadError as e:
                    verdicts[name] = (None, str(e))
                    continue
                if oracle.photometric == "YBR_FULL" and photometric == "RGB" and oracle.bits_allocated == 8:
                    theirs = ybr_full_to_rgb(theirs)
                elif oracle.photometric != photometric and photometric:
                    note = f" (photometric: ours {photometric}, {name} {oracle.photometric})"
                    verdicts[name] = (Diff(False, "photometric differs" + note), theirs)
                    continue
                verdicts[name] = (compare(ours, theirs, oracle.bytes_per_sample, oracle.signed, tol, img.bits_stored), theirs)
            d, g = verdicts["DCMTK"], verdicts["GDCM"]
            decided = [(n, v[0]) for n, v in verdicts.items() if v[0] is not None]
            if not decided:
                self.fail(flabel, f"no oracle decoded it: DCMTK: {d[1]}; GDCM: {g[1]}", commands)
                continue
            notes = []
            if d[0] is not None and g[0] is not None:
                between = compare(d[1], g[1], dcmtk.bytes_per_sample, dcmtk.signed, tol, img.bits_stored)
                if between.ok:
                    judges = decided
                else:
                    judges = [("DCMTK", d[0])]
                    notes.append(f"oracles disagree, GDCM against DCMTK: {between.text}")
            else:
                judges = decided
                for n, v in verdicts.items():
                    if v[0] is None:
                        notes.append(f"{n}: {v[1]}")
            bad = [f"differs from {n}: {v.text}" for n, v in judges if not v.ok]
            if source is not None and frame <= source.frames and not bad:
                # Encoder section: the oracles' decoding of our encoding must give back the source pixels.
                reference = source.native_frame(frame - 1)
                stol = 0 if img.ts not in JPEG_LOSSY and img.ts != J2K_LOSSY else None
                if img.ts == JPEGLS_NEAR:
                    stol = tol
                for n, v in verdicts.items():
                    if v[0] is None or stol is None:
                        continue
                    back = compare(v[1], reference, source.bytes_per_sample, source.signed, stol, source.bits_stored)
                    if not back.ok:
                        bad.append(f"{n} does not give back the source: {back.text}")
            summary = ", ".join(f"{n} {v.text}" for n, v in judges)
            if notes:
                summary += "; " + "; ".join(notes)
            if bad:
                self.fail(flabel, "; ".join(bad) + (f" [{'; '.join(notes)}]" if notes else ""), commands)
            else:
                self.pass_(flabel, summary)


# ------------------------------------------------------------------ sections
CROSS_SOURCES = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm", "examples_rgb_color.dcm", "rtdose_1frame.dcm"]
CROSS_ENCODERS = [
    ("dcmcjpeg +e1", ["dcmcjpeg", "+e1"]),
    ("dcmcjpeg +el", ["dcmcjpeg", "+el"]),           # lossless, selection value 6 by default
    ("dcmcjpeg +el +sv 1", ["dcmcjpeg", "+el", "+sv", "1"]),
    ("dcmcjpeg +eb", ["dcmcjpeg", "+eb"]),
    ("dcmcjpeg +ee", ["dcmcjpeg", "+ee"]),
    ("dcmcjpls", ["dcmcjpls"]),
    ("dcmcjpls +en +md 2", ["dcmcjpls", "+en", "+md", "2"]),
    ("dcmcrle", ["dcmcrle"]),
    ("gdcmconv --jpeg", ["gdcmconv", "--jpeg"]),
    ("gdcmconv --jpeg --lossy", ["gdcmconv", "--jpeg", "--lossy", "-q", "90"]),
    ("gdcmconv --jpegls", ["gdcmconv", "--jpegls"]),
    ("gdcmconv --jpegls --lossy -e 2", ["gdcmconv", "--jpegls", "--lossy", "-e", "2"]),
    ("gdcmconv --rle", ["gdcmconv", "--rle"]),
]
ENCODE_SOURCES = ["CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm", "examples_rgb_color.dcm", "rtdose.dcm"]
# A syntax, then any further mi-cli transcode options (ILV 1 and the fixed Huffman table are options, not defaults).
ENCODE_SYNTAXES = ["rle", "jpeg-lossless", "jpeg-lossless --huffman standard", "jpeg-baseline", "jpeg-ls",
                   "jpeg-ls --jpeg-ls-interleave line", "jpeg-ls-near=2 --jpeg-ls-interleave line", "jpeg-ls-near=2",
                   "j2k-ratio=10"]


def representable(syntax: str, image: "Image") -> bool:
    """Whether `syntax` can hold the image's samples (T.81 baseline: 8-bit unsigned; T.81 lossless, T.87 and our JPEG 2000
    encoder: up to 16 bits)."""
    if syntax == "jpeg-baseline":
        return image.bits_allocated == 8 and not image.signed
    if syntax.startswith("jpeg-lossless") or syntax.startswith("jpeg-ls") or syntax.startswith("j2k"):
        return image.bits_allocated <= 16
    return True


def corpus_section(m: Matrix, corpus: str, only: str | None) -> None:
    print("== corpus: compressed files of", corpus)
    for path in dcm_files([corpus]):
        name = os.path.relpath(path, corpus)
        if only and only not in name:
            continue
        try:
            img = read_image(path)
        except (DicomReadError, struct.error, ValueError, UnicodeDecodeError):
            continue   # not a Part 10 file we can read, so not one of the compressed ones
        if img.ts in JPEG2000:
            m.skip(name, "skipped (JPEG 2000: checked against OpenJPEG by JPEG2000CodecTests)")
        elif img.ts in OURS:
            m.check_file(path, name)
        elif img.ts not in NATIVE and img.ts:
            m.skip(name, f"skipped ({img.ts}: no decoder of ours planned)")


def cross_section(m: Matrix, corpus: str, only: str | None) -> None:
    print("== cross: corpus files compressed by DCMTK and GDCM")
    for src_name in CROSS_SOURCES:
        src = os.path.join(corpus, "test_files", src_name)
        for label, prefix in CROSS_ENCODERS:
            full = f"{src_name} via {label}"
            if only and only not in full:
                continue
            out = m.tmp(src_name.replace(".dcm", "") + "-" + re.sub(r"[^a-z0-9]+", "_", label) + ".dcm")
            r = run(prefix + [src, out])
            if r.rc != 0 or not os.path.exists(out):
                last = ((r.err or r.out).strip().splitlines() or [""])[-1][:200]
                m.skip(full, f"encoder refused (exit {r.rc}): {last} $ {r.line}")
                continue
            m.check_file(out, full)


HTJ2K_SOURCES = ["examples_overlay.dcm", "examples_palette.dcm", "SC_rgb_small_odd.dcm", "examples_rgb_color.dcm",
                 "SC_rgb_jpeg_dcmd.dcm", "MR_small.dcm"]
# A label, the transfer syntax the codestream is wrapped in, ojph_compress options, and the tolerance against OpenJPEG.
HTJ2K_SETTINGS = [
    ("reversible RPCL", "1.2.840.10008.1.2.4.202", ["-reversible", "true"], 0),
    ("reversible LRCP 32x32 blocks 1 level", "1.2.840.10008.1.2.4.201",
     ["-reversible", "true", "-prog_order", "LRCP", "-block_size", "{32,32}", "-num_decomps", "1"], 0),
    ("reversible tiles", "1.2.840.10008.1.2.4.201", ["-reversible", "true", "-tile_size", "{64,48}", "-num_decomps", "3"], 0),
    ("irreversible qstep 0.002", "1.2.840.10008.1.2.4.203", ["-qstep", "0.002"], 1),
    ("irreversible qstep 0.05 16x16 blocks", "1.2.840.10008.1.2.4.203", ["-qstep", "0.05", "-block_size", "{16,16}"], 1),
]


def _element(group: int, elem: int, vr: str, value: bytes) -> bytes:
    if vr in ("OB", "OW", "SQ", "UN", "UT"):
        return struct.pack("<HH2sHI", group, elem, vr.encode(), 0, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr.encode(), len(value)) + value


def _text(v: str, pad: bytes) -> bytes:
    b = v.encode()
    return b + pad if len(b) % 2 else b


def write_encapsulated(path: str, img: "Image", ts: str, codestream: bytes) -> None:
    """A minimal Part 10 file (explicit VR little endian) holding `codestream` as the one fragment of frame 1."""
    sop_class, sop_instance = "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.10.1.%d" % (os.getpid() * 1000 + len(codestream))
    meta = (_element(2, 1, "OB", b"\x00\x01") + _element(2, 2, "UI", _text(sop_class, b"\0"))
            + _element(2, 3, "UI", _text(sop_instance, b"\0")) + _element(2, 0x10, "UI", _text(ts, b"\0"))
            + _element(2, 0x12, "UI", _text("1.2.826.0.1.3680043.10.1", b"\0")))
    us = lambda v: struct.pack("<H", v)
    ds = (_element(8, 0x16, "UI", _text(sop_class, b"\0")) + _element(8, 0x18, "UI", _text(sop_instance, b"\0"))
          + _element(0x28, 2, "US", us(img.samples))
          + _element(0x28, 4, "CS", _text("RGB" if img.samples == 3 else "MONOCHROME2", b" ")))
    if img.samples == 3:
        ds += _element(0x28, 6, "US", us(0))
    ds += (_element(0x28, 0x10, "US", us(img.rows)) + _element(0x28, 0x11, "US", us(img.columns))
           + _element(0x28, 0x100, "US", us(img.bits_allocated)) + _element(0x28, 0x101, "US", us(img.bits_stored))
           + _element(0x28, 0x102, "US", us(img.bits_stored - 1)) + _element(0x28, 0x103, "US", us(0)))
    fragment = codestream + (b"\0" if len(codestream) % 2 else b"")
    pixels = (struct.pack("<HH2sHI", 0x7FE0, 0x10, b"OB", 0, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0)
              + struct.pack("<HHI", 0xFFFE, 0xE000, len(fragment)) + fragment + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    with open(path, "wb") as f:
        f.write(b"\0" * 128 + b"DICM" + _element(2, 0, "UL", struct.pack("<I", len(meta))) + meta + ds + pixels)


def opj_interleaved(raw_path: str, samples: int) -> bytes:
    """opj_decompress's .rawl output (one component after the other) interleaved colour-by-pixel."""
    with open(raw_path, "rb") as f:
        theirs = f.read()
    if samples == 3:
        plane = len(theirs) // 3
        theirs = bytes(theirs[c * plane + i] for i in range(plane) for c in range(3))
    return theirs


def htj2k_encode_checks(m: Matrix, src_name: str, native: str, img: "Image", frame: bytes, only: str | None) -> None:
    """Our HTJ2K encoder (mi-cli transcode), decoded by opj_decompress and by mi-cli, against the source pixels."""
    for syntax in ("htj2k-lossless", "htj2k-lossless-rpcl"):
        full = f"{src_name} as {syntax}"
        if only and only not in full:
            continue
        out = m.tmp(src_name.replace(".dcm", "") + "-" + syntax + ".dcm")
        t = run([m.mi_cli, "transcode", native, out, "--syntax", syntax])
        if t.rc != 0:
            m.fail(full, f"mi-cli transcode failed (exit {t.rc}): {(t.err or t.out).strip()[:300]}", [t.line])
            continue
        encoded = read_image(out)
        if len(encoded.fragments) != 1:
            m.fail(full, f"{len(encoded.fragments)} fragments, 1 expected", [t.line])
            continue
        j2c, raw = m.tmp("ours.j2c"), m.tmp("ours-opj.rawl")
        with open(j2c, "wb") as f:
            f.write(encoded.fragments[0])
        o = run(["opj_decompress", "-i", j2c, "-o", raw, "-quiet"])
        if o.rc != 0 or not os.path.exists(raw):
            m.fail(full, f"opj_decompress failed: {(o.err or o.out).strip()[:200]}", [t.line, o.line])
            continue
        theirs = opj_interleaved(raw, img.samples)
        d = compare(theirs, frame, img.bytes_per_sample, img.signed, 0, img.bits_stored)
        if not d.ok:
            m.fail(full, "opj_decompress against the source: " + d.text, [t.line, o.line])
            continue
        ours, why, ours_cmd = m.ours(out, 1)
        if ours is None:
            m.fail(full, why, [t.line, ours_cmd])
            continue
        s = compare(ours, frame, img.bytes_per_sample, img.signed, 0, img.bits_stored)
        if not s.ok:
            m.fail(full, "mi-cli decode against the source: " + s.text, [t.line, ours_cmd])
            continue
        m.pass_(full, d.text)


def htj2k_section(m: Matrix, corpus: str, only: str | None) -> None:
    print("== htj2k: corpus files compressed by ojph_compress, decoded by mi-cli and opj_decompress")
    missing = [t for t in ("ojph_compress", "opj_decompress") if not shutil.which(t)]
    if missing:
        m.fail("htj2k", "missing " + ", ".join(missing) + " (Scripts/install-test-deps.sh installs openjph-tools and libopenjp2-tools)", [])
        return
    for src_name in HTJ2K_SOURCES:
        src = os.path.join(corpus, "test_files", src_name)
        native = m.tmp(src_name.replace(".dcm", ".le.dcm"))
        r = run(["dcmconv", "+te", src, native])
        if r.rc != 0:
            m.fail(src_name, f"dcmconv +te failed: {r.err.strip()[:200]}", [r.line])
            continue
        img = read_image(native)
        if img.samples not in (1, 3) or img.bits_allocated not in (8, 16):
            m.skip(src_name, "skipped (8- and 16-bit grey or RGB only)")
            continue
        frame = img.native_frame(0)
        if img.samples == 3 and img.planar:
            frame = interleave(frame, 3, img.columns)
        htj2k_encode_checks(m, src_name, native, img, frame, only)
        if img.signed:
            m.skip(src_name + " via ojph_compress", "skipped (ojph_compress 0.9 reads unsigned 8- and 16-bit PNM only)")
            continue
        wide = img.bits_allocated == 16
        maxval = (1 << img.bits_stored) - 1
        pnm = m.tmp(src_name.replace(".dcm", ".ppm" if img.samples == 3 else ".pgm"))
        with open(pnm, "wb") as f:
            f.write(b"P%d\n%d %d\n%d\n" % (6 if img.samples == 3 else 5, img.columns, img.rows, maxval))
            if wide:
                words = struct.unpack("<%dH" % (len(frame) // 2), frame)
                f.write(struct.pack(">%dH" % len(words), *(w & maxval for w in words)))
            else:
                f.write(frame)
        for label, ts, options, tolerance in HTJ2K_SETTINGS:
            full = f"{src_name} via ojph_compress {label}"
            if only and only not in full:
                continue
            j2c = m.tmp("ht.j2c")
            r = run(["ojph_compress", "-i", pnm, "-o", j2c] + options)
            if r.rc != 0 or not os.path.exists(j2c):
                m.fail(full, f"ojph_compress failed: {(r.err or r.out).strip()[:200]}", [r.line])
                continue
            raw = m.tmp("opj.rawl")
            o = run(["opj_decompress", "-i", j2c, "-o", raw, "-quiet"])
            if o.rc != 0 or not os.path.exists(raw):
                m.fail(full, f"opj_decompress failed: {(o.err or o.out).strip()[:200]}", [r.line, o.line])
                continue
            theirs = opj_interleaved(raw, img.samples)
            dcm = m.tmp("ht.dcm")
            with open(j2c, "rb") as f:
                write_encapsulated(dcm, img, ts, f.read())
            ours, why, ours_cmd = m.ours(dcm, 1)
            if ours is None:
                m.fail(full, why, [r.line, ours_cmd])
                continue
            d = compare(ours, theirs, img.bytes_per_sample, False, tolerance, img.bits_stored)
            if not d.ok:
                m.fail(full, "against opj_decompress: " + d.text, [r.line, o.line, ours_cmd])
                continue
            if tolerance == 0:
                s = compare(ours, frame, img.bytes_per_sample, False, 0, img.bits_stored)
                if not s.ok:
                    m.fail(full, "against the source: " + s.text, [r.line, ours_cmd])
                    continue
            m.pass_(full, d.text)


def encode_section(m: Matrix, corpus: str, only: str | None) -> None:
    print("== encode: mi-cli transcode, decoded by DCMTK and GDCM")
    for src_name in ENCODE_SOURCES:
        src = os.path.join(corpus, "test_files", src_name)
        # The source pixels, made explicit VR little endian for our reader.
        native = m.tmp(src_name.replace(".dcm", ".le.dcm"))
        r = run(["dcmconv", "+te", src, native])
        try:
            source = read_image(native) if r.rc == 0 else None
        except DicomReadError:
            source = None
        for syntax in ENCODE_SYNTAXES:
            full = f"{src_name} as {syntax}"
            if only and only not in full:
                continue
            out = m.tmp(src_name.replace(".dcm", "") + "-" + re.sub(r"[^a-z0-9]+", "_", syntax) + ".dcm")
            name, *extra = syntax.split()
            t = run([m.mi_cli, "transcode", src, out, "--syntax", name] + extra)
            holds = source is None or representable(name, source)
            if not holds:
                # The syntax cannot hold this image (JPEG baseline is 8-bit unsigned; lossless JPEG and JPEG-LS at most
                # 16 bits): the encoder must refuse with an error, not write something.
                if t.rc == 1 and "invalidPixelData" in (t.err or t.out):
                    m.pass_(full, f"refused, as {syntax} cannot hold {source.bits_allocated}-bit {'signed' if source.signed else 'unsigned'} samples")
                else:
                    m.fail(full, f"expected a refusal (invalidPixelData, exit 1), got exit {t.rc}: {(t.err or t.out).strip()[:200]}", [t.line])
                continue
            if t.rc != 0:
                message = (t.err or t.out).strip()
                if re.search(r"unsupported|no encoder|not supported", message, re.I):
                    m.skip(full, f"mi-cli rejects it: {message.splitlines()[-1] if message else ''}")
                else:
                    m.fail(full, f"mi-cli transcode failed (exit {t.rc}): {message[:300]}", [t.line])
                continue
            m.check_file(out, full, source=source)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mi-cli", default=os.environ.get("MI_CLI"), help="mi-cli executable (default: .build/debug/mi-cli, then PATH)")
    ap.add_argument("--corpus", default=os.path.join(REPO, "TestData", "pydicom"))
    ap.add_argument("--sections", default="corpus,cross,htj2k,encode")
    ap.add_argument("--only", help="only files / cases whose label contains this")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    mi_cli = args.mi_cli
    if not mi_cli:
        for candidate in (os.path.join(REPO, ".build", "debug", "mi-cli"), os.path.join(REPO, ".build", "release", "mi-cli")):
            if os.access(candidate, os.X_OK):
                mi_cli = candidate
                break
        else:
            mi_cli = shutil.which("mi-cli")
    missing = [t for t in ("dcmdjpeg", "dcmdjpls", "dcmdrle", "dcmcjpeg", "dcmcjpls", "dcmcrle", "dcmconv", "gdcmconv") if not shutil.which(t)]
    if not mi_cli or not os.access(mi_cli, os.X_OK):
        missing.append("mi-cli (swift build --product mi-cli, or --mi-cli PATH)")
    if missing:
        print("missing tools: " + ", ".join(missing) + " (Scripts/install-test-deps.sh installs DCMTK and GDCM)", file=sys.stderr)
        print(summary_line(0, 1))
        return 2
    if not os.path.isdir(args.corpus):
        print(f"corpus {args.corpus} missing: run Scripts/fetch-test-data.sh", file=sys.stderr)
        print(summary_line(0, 1))
        return 2

    work = tempfile.mkdtemp(prefix="codec-matrix-")
    m = Matrix(mi_cli, work, args.verbose)
    sections = {s.strip() for s in args.sections.split(",")}
    try:
        if "corpus" in sections:
            corpus_section(m, args.corpus, args.only)
        if "cross" in sections:
            cross_section(m, args.corpus, args.only)
        if "htj2k" in sections:
            htj2k_section(m, args.corpus, args.only)
        if "encode" in sections:
            encode_section(m, args.corpus, args.only)
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"-- {len(m.skipped)} skipped")
    if m.failures:
        print("-- failed: " + "; ".join(m.failures))
    print(summary_line(m.passed, m.failed))
    return 1 if m.failed else 0


if __name__ == "__main__":
    sys.exit(main())
