#!/usr/bin/env python3
"""survey_dcm2json.py [--verbose] DIR|FILE... — compare DCMTK's dcm2json with
pydicom on a corpus (non-binary elements, same rules as compare_dump.py) and
print where the two oracles disagree (after the dcm2json normalisations
DCM2JSON_QUIRKS in oracle_common.py). Informational: always exits 0.
Helps decide which files go in known-differences.txt. Run with .venv-test/bin/python.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import DCM2JSON_QUIRKS, compare_models, dcm2json_model, dcm_files, pydicom_model  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("-v", "--verbose", action="store_true", help="all differences and warnings")
    args = ap.parse_args()
    agree = 0
    files = dcm_files(args.paths)
    for f in files:
        name = os.path.basename(f)
        pm = pydicom_model(f)
        dj = dcm2json_model(f)
        perr = pm.get("error")
        if not dj.ok:
            why = (dj.stderr.splitlines() or [dj.note or f"exit {dj.rc}"])[-1][:160]
            print(f"{name}: dcm2json failed (exit {dj.rc}): {why}" + (f"; pydicom failed too: {perr}" if perr else "; pydicom read it"))
            continue
        if perr:
            print(f"{name}: pydicom failed: {perr}; dcm2json read it")
            continue
        c = compare_models(pm, dj.model, quirks=DCM2JSON_QUIRKS)
        if not c.diffs:
            agree += 1
        n = None if args.verbose else 4
        if c.diffs:
            print(f"{name}: {len(c.diffs)} differences: " + "; ".join(c.diffs[:n]))
        if c.warnings and (args.verbose or not c.diffs):
            print(f"{name}: {len(c.warnings)} warnings: " + "; ".join(c.warnings[:n]))
    print(f"dcm2json and pydicom agree on {agree} of {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
