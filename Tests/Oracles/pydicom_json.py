#!/usr/bin/env python3
"""pydicom_json.py FILE... — print pydicom's DICOM JSON Model of each file.

Output: one JSON object {path: model}, where model is the data set without
File Meta as pydicom 3 produces it (pydicom.dcmread(path, force=True), then
DataElement.to_json_dict per element, binary values as InlineBinary), or
{"error": "ExceptionType: message"} if reading raised. An element pydicom reads
but cannot convert is {"vr": VR, "pydicomError": "..."} (like
suppress_invalid_tags, but the tag stays visible). Run with .venv-test/bin/python.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import pydicom_model  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    args = ap.parse_args()
    out = {path: pydicom_model(path) for path in args.files}
    json.dump(out, sys.stdout, indent=args.indent, ensure_ascii=False, allow_nan=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
