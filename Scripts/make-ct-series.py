#!/usr/bin/env python3
"""Writes a synthetic but realistic CT series for benchmarks: OUT_DIR/CT000001.dcm ... (COUNT files, default 300).

    Scripts/make-ct-series.py OUT_DIR [COUNT] [SEED]

SEED (optional) gives another study: different UIDs, Patient ID PID-SEED and accession ACC-SEED. Without it the
UIDs and Patient ID PID0001234 are those of every earlier run.

Each file is a Part 10 file (PS3.10 §7) in Explicit VR Little Endian with correct File Meta Information: CT Image
Storage, 512x512 16-bit MONOCHROME2 pixels, about 60 header elements including a sequence nested in a sequence,
Specific Character Set GB18030 with the patient name 张伟, one study and series, distinct SOP Instance UIDs,
and Image Position (Patient) and Slice Location stepping by the slice thickness. Plain `struct`, no pydicom, so it
runs without a virtual environment. The output is deterministic: the same COUNT gives the same bytes.
"""
import hashlib
import math
import os
import struct
import sys

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
IMPLEMENTATION_CLASS_UID = "2.25.219946614720474138513049458209153326757"
ROWS = COLUMNS = 512
SLICE_THICKNESS = 1.25
UNDEFINED = 0xFFFFFFFF

# VRs with a 4-byte length after two reserved bytes in explicit VR (PS3.5 §7.1.2).
LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"}


SEED = ""


def uid(name):
    """A deterministic UID under the UUID-derived root 2.25 (PS3.5 §B.2)."""
    name = SEED + name if SEED else name
    return "2.25." + str(int.from_bytes(hashlib.sha1(name.encode()).digest()[:16], "big") >> 2)


def element(group, elem, vr, value):
    """One explicit VR little endian element; strings are padded to even length (NUL for UI, space otherwise)."""
    if isinstance(value, str):
        value = value.encode("ascii")
    if len(value) % 2:
        value += b"\0" if vr in ("UI", "OB") else b" "
    if vr in LONG_VRS:
        return struct.pack("<HH2sHI", group, elem, vr.encode(), 0, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr.encode(), len(value)) + value


def us(v):
    return struct.pack("<H", v)


def ds(*values):
    return "\\".join(("%.6f" % v).rstrip("0").rstrip(".") if isinstance(v, float) else str(v) for v in values)


def item(elements):
    body = b"".join(elements)
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body


def sequence(group, elem, items, undefined_length=False):
    if undefined_length:
        body = b"".join(struct.pack("<HHI", 0xFFFE, 0xE000, UNDEFINED) + b"".join(i) + struct.pack("<HHI", 0xFFFE, 0xE00D, 0) for i in items)
        return struct.pack("<HH2sHI", group, elem, b"SQ", 0, UNDEFINED) + body + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    return element(group, elem, "SQ", b"".join(item(i) for i in items))


def phantom():
    """A round water phantom with a denser insert, in stored values (rescale intercept -1024): 12 bits used."""
    rows = []
    c = (ROWS - 1) / 2
    for y in range(ROWS):
        dy = y - c
        row = []
        for x in range(COLUMNS):
            dx = x - c
            r = math.hypot(dx, dy)
            if r > 240:
                v = 0                      # air, -1024 HU
            elif math.hypot(dx - 60, dy + 40) < 30:
                v = 1024 + 700             # bone-like insert
            else:
                v = 1024 + int(20 * math.sin(x / 9.0) * math.cos(y / 11.0))  # water with texture
            row.append(v)
        rows.append(struct.pack("<%dH" % COLUMNS, *row))
    return rows


def ct_file(index, count, rows):
    n = index + 1
    study = uid("mi-bench-study")
    series = uid("mi-bench-series")
    sop = uid("mi-bench-instance-%d" % n)
    z = -100.0 - index * SLICE_THICKNESS
    # Each slice shifts the phantom by a row so that no two files have the same pixels.
    shift = index % ROWS
    pixels = b"".join(rows[shift:] + rows[:shift])

    data = [
        element(0x0008, 0x0005, "CS", "GB18030"),
        element(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\AXIAL"),
        element(0x0008, 0x0012, "DA", "20260115"),
        element(0x0008, 0x0013, "TM", "093012.000000"),
        element(0x0008, 0x0016, "UI", CT_IMAGE_STORAGE),
        element(0x0008, 0x0018, "UI", sop),
        element(0x0008, 0x0020, "DA", "20260115"),
        element(0x0008, 0x0021, "DA", "20260115"),
        element(0x0008, 0x0022, "DA", "20260115"),
        element(0x0008, 0x0023, "DA", "20260115"),
        element(0x0008, 0x0030, "TM", "092512"),
        element(0x0008, 0x0031, "TM", "092801"),
        element(0x0008, 0x0032, "TM", "092815.%06d" % (index * 1000)),
        element(0x0008, 0x0033, "TM", "092815.%06d" % (index * 1000)),
        element(0x0008, 0x0050, "SH", "ACC-" + SEED if SEED else "ACC20260115001"),
        element(0x0008, 0x0060, "CS", "CT"),
        element(0x0008, 0x0070, "LO", "MI Synthetic Scanners"),
        element(0x0008, 0x0080, "LO", "Benchmark General Hospital"),
        element(0x0008, 0x0090, "PN", "Li^Na"),
        element(0x0008, 0x1010, "SH", "CTSTATION01"),
        element(0x0008, 0x1030, "LO", "CT CHEST WITHOUT CONTRAST"),
        element(0x0008, 0x103E, "LO", "AXIAL 1.25mm STANDARD"),
        element(0x0008, 0x1090, "LO", "Synthetic CT 64"),
        sequence(0x0008, 0x1140, [[
            element(0x0008, 0x1150, "UI", CT_IMAGE_STORAGE),
            element(0x0008, 0x1155, "UI", uid("mi-bench-scout")),
        ]]),
        element(0x0010, 0x0010, "PN", "张伟".encode("gb18030")),
        element(0x0010, 0x0020, "LO", "PID-" + SEED if SEED else "PID0001234"),
        element(0x0010, 0x0030, "DA", "19700312"),
        element(0x0010, 0x0040, "CS", "M"),
        element(0x0010, 0x1010, "AS", "055Y"),
        element(0x0018, 0x0015, "CS", "CHEST"),
        element(0x0018, 0x0050, "DS", ds(SLICE_THICKNESS)),
        element(0x0018, 0x0060, "DS", "120"),
        element(0x0018, 0x0088, "DS", ds(SLICE_THICKNESS)),
        element(0x0018, 0x0090, "DS", "500"),
        element(0x0018, 0x1020, "LO", "SYN_CT_1.0"),
        element(0x0018, 0x1030, "LO", "CHEST ROUTINE"),
        element(0x0018, 0x1100, "DS", "350"),
        element(0x0018, 0x1120, "DS", "0"),
        element(0x0018, 0x1130, "DS", "160"),
        element(0x0018, 0x1140, "CS", "CW"),
        element(0x0018, 0x1150, "IS", "570"),
        element(0x0018, 0x1151, "IS", "250"),
        element(0x0018, 0x1152, "IS", "142"),
        element(0x0018, 0x1160, "SH", "BODY FILTER"),
        element(0x0018, 0x1210, "SH", "STANDARD"),
        element(0x0018, 0x5100, "CS", "HFS"),
        element(0x0020, 0x000D, "UI", study),
        element(0x0020, 0x000E, "UI", series),
        element(0x0020, 0x0010, "SH", "4711"),
        element(0x0020, 0x0011, "IS", "3"),
        element(0x0020, 0x0012, "IS", "1"),
        element(0x0020, 0x0013, "IS", str(n)),
        element(0x0020, 0x0032, "DS", ds(-175.0, -175.0, z)),
        element(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
        element(0x0020, 0x0052, "UI", uid("mi-bench-frame-of-reference")),
        element(0x0020, 0x1040, "LO", ""),
        element(0x0020, 0x1041, "DS", ds(z)),
        element(0x0028, 0x0002, "US", us(1)),
        element(0x0028, 0x0004, "CS", "MONOCHROME2"),
        element(0x0028, 0x0010, "US", us(ROWS)),
        element(0x0028, 0x0011, "US", us(COLUMNS)),
        element(0x0028, 0x0030, "DS", "0.683594\\0.683594"),
        element(0x0028, 0x0100, "US", us(16)),
        element(0x0028, 0x0101, "US", us(12)),
        element(0x0028, 0x0102, "US", us(11)),
        element(0x0028, 0x0103, "US", us(0)),
        element(0x0028, 0x1050, "DS", "40\\-600"),
        element(0x0028, 0x1051, "DS", "400\\1500"),
        element(0x0028, 0x1052, "DS", "-1024"),
        element(0x0028, 0x1053, "DS", "1"),
        element(0x0028, 0x1054, "LO", "HU"),
        # Request Attributes Sequence with a Scheduled Protocol Code Sequence inside: a sequence in a sequence,
        # written with undefined lengths as many modalities do.
        sequence(0x0040, 0x0275, [[
            element(0x0040, 0x0007, "LO", "CT CHEST"),
            sequence(0x0040, 0x0008, [[
                element(0x0008, 0x0100, "SH", "RPID16"),
                element(0x0008, 0x0102, "SH", "RADLEX"),
                element(0x0008, 0x0104, "LO", "CT CHEST WO IV CONTRAST"),
            ]], undefined_length=True),
            element(0x0040, 0x0009, "SH", "SPS%04d" % 1),
            element(0x0040, 0x1001, "SH", "RP0001"),
        ]], undefined_length=True),
        element(0x7FE0, 0x0010, "OW", pixels),
    ]

    meta_body = b"".join([
        element(0x0002, 0x0001, "OB", b"\x00\x01"),
        element(0x0002, 0x0002, "UI", CT_IMAGE_STORAGE),
        element(0x0002, 0x0003, "UI", sop),
        element(0x0002, 0x0010, "UI", EXPLICIT_VR_LITTLE_ENDIAN),
        element(0x0002, 0x0012, "UI", IMPLEMENTATION_CLASS_UID),
        element(0x0002, 0x0013, "SH", "MI_BENCH_1"),
    ])
    meta = element(0x0002, 0x0000, "UL", struct.pack("<I", len(meta_body))) + meta_body
    return b"\0" * 128 + b"DICM" + meta + b"".join(data)


def main():
    global SEED
    if len(sys.argv) not in (2, 3, 4):
        sys.stderr.write("usage: make-ct-series.py OUT_DIR [COUNT] [SEED]\n")
        sys.exit(2)
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) >= 3 else 300
    SEED = sys.argv[3] if len(sys.argv) == 4 else ""
    os.makedirs(out, exist_ok=True)
    rows = phantom()
    for index in range(count):
        path = os.path.join(out, "CT%06d.dcm" % (index + 1))
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(ct_file(index, count, rows))
        os.replace(tmp, path)
    print("wrote %d CT files to %s" % (count, out))


if __name__ == "__main__":
    main()
