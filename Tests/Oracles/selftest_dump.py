#!/usr/bin/env python3
"""selftest_dump.py [--mutate|--mutate-nested] FILE — a stand-in for
`mi-cli dump --json` used to self-test compare_dump.py before our tool exists.

Prints pydicom's own JSON model of FILE (so compare_dump.py must say `ok`), or
with --mutate the same model with one top-level non-binary value changed, or
with --mutate-nested one value inside a sequence item changed (the comparer
must then report a mismatch). Exit 1 with a one-line error on stderr if pydicom
cannot read the file, like our tool's contract. Run with .venv-test/bin/python.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import BULK_VRS, PIXEL_TAGS, pydicom_model  # noqa: E402

SKIP_TAGS = {"00080005"}  # Specific Character Set is ignored against dcm2json


def mutate_value(vr, v):
    if vr == "PN":
        v = dict(v or {})
        v["Alphabetic"] = (v.get("Alphabetic") or "") + "X"
        return v
    if vr == "AT":
        return "FFFFFFFF" if str(v).upper() != "FFFFFFFF" else "00000000"
    if isinstance(v, bool) or v is None:
        return "X"
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        return v * 1.5 + 1
    return str(v) + "X"


def mutate(ds, nested, path=""):
    """Change the first eligible value; return its JSON path or None."""
    for tag, e in ds.items():
        vr = e.get("vr")
        if vr == "SQ":
            if nested:
                for i, item in enumerate(e.get("Value") or []):
                    p = mutate(item, False, f"{path}/{tag}/Value/{i}")
                    if p:
                        return p
            continue
        if nested or tag in PIXEL_TAGS or tag in SKIP_TAGS or vr in BULK_VRS or "InlineBinary" in e \
                or "BulkDataURI" in e or "pydicomError" in e or int(tag[:4], 16) % 2:
            continue
        values = e.get("Value")
        if values:
            values[0] = mutate_value(vr, values[0])
            return f"{path}/{tag}/Value/0"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--mutate", action="store_true")
    g.add_argument("--mutate-nested", action="store_true")
    ap.add_argument("--log", help="append 'FILE<TAB>mutated JSON path' lines here")
    args = ap.parse_args()
    model = pydicom_model(args.file)
    if "error" in model:
        print(f"error: {model['error']}", file=sys.stderr)
        return 1
    if args.mutate or args.mutate_nested:
        p = mutate(model, args.mutate_nested)
        if args.log and p:
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(f"{args.file}\t{p}\n")
    json.dump(model, sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
