#!/usr/bin/env python3
"""compare_dump.py --ours CMD --files DIR|FILE... — compare our DICOM JSON dump
with pydicom's (the oracle) on every non-binary element at every nesting level.

For every *.dcm file, runs `CMD FILE` (e.g. CMD=".build/debug/mi-cli dump --json";
contract: the JSON model on stdout and exit 0, or on a broken file what it could
read, a one-line error on stderr and exit 1) and compares it with pydicom's
model (oracle_common.pydicom_model). Rules (oracle_common.compare_models):
  * same set of tags, except elements whose reference value is binary
    (InlineBinary/BulkDataURI: OB/OW/OD/OF/OL/OV/UN) and pixel data; group
    0002 is never compared; group lengths only on one side are warnings;
  * same vr; a VR difference on a private tag or involving UN (pydicom's guess
    or its UN->known-VR replacement) is a warning and the value is skipped;
  * same values: a missing "Value" equals []; strings exactly after stripping
    trailing spaces/NULs; IS/US/SS/UL/SL/SV/UV exactly as integers; DS/FD with
    relative tolerance 1e-12 (FL: equal as float32); PN per component group;
    AT as hex; SQ items recursively.
Files listed in known-differences.txt (filename<TAB>reason) are compared with
DCMTK's dcm2json instead (normalised for its quirks, see DCM2JSON_QUIRKS) and
pass only if that comparison passes.

Verdicts: ok | mismatch: ... | both-failed (pass: neither could read it) |
ours-failed | pydicom-failed (dcm2json-failed for listed files).
Last line: "N passed, M failed". Exit status 1 if any file failed, 2 on usage
errors. Run with .venv-test/bin/python.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import (  # noqa: E402
    DCM2JSON_QUIRKS,
    HERE,
    compare_models,
    dcm2json_model,
    dcm_files,
    load_known_differences,
    pydicom_model,
    run_json_tool,
    split_cmd,
    summary_line,
)


def first_line(s: str) -> str:
    lines = [ln for ln in s.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def check_file(path: str, ours_cmd: list[str], known: dict[str, str], args) -> tuple[bool, str, list[str]]:
    """(passed, verdict, detail lines)"""
    name = os.path.basename(path)
    reason = known.get(name, known.get(path))
    ours = run_json_tool(ours_cmd + [path], args.timeout)
    ours_ok = ours.ok
    ours_why = ours.note or first_line(ours.stderr) or f"exit {ours.rc}"
    if ours.rc == 0 and ours.model is None:
        ours_why = ours.note or "exit 0 but no JSON on stdout"

    if reason is not None:
        oracle = "dcm2json"
        dj = dcm2json_model(path, args.timeout)
        ref = dj.model if dj.ok else None
        ref_why = first_line(dj.stderr) or dj.note or f"exit {dj.rc}"
        quirks = DCM2JSON_QUIRKS
    else:
        oracle = "pydicom"
        pm = pydicom_model(path)
        ref = None if "error" in pm else pm
        ref_why = pm.get("error", "")
        quirks = frozenset()
    suffix = f" [vs dcm2json: {reason}]" if reason is not None else ""

    if ref is None and not ours_ok:
        return True, f"both-failed ({oracle}: {ref_why}; ours: {ours_why}){suffix}", []
    if not ours_ok:
        return False, f"ours-failed: {ours_why}{suffix}", []
    if ref is None:
        return False, f"{oracle}-failed: {ref_why}{suffix}", []

    c = compare_models(ref, ours.model, quirks=quirks)
    details = [f"  warning {w}" for w in c.warnings] if args.verbose else []
    if c.diffs:
        shown = c.diffs[: args.max_diffs]
        more = f" (+{len(c.diffs) - len(shown)} more)" if len(c.diffs) > len(shown) else ""
        if args.verbose:
            details = [f"  diff {d}" for d in c.diffs] + details
        return False, f"mismatch: {'; '.join(shown)}{more}{suffix}", details
    warn = f" ({len(c.warnings)} warnings)" if c.warnings else ""
    return True, f"ok{warn}{suffix}", details


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--ours", required=True, help="command printing our JSON model; the file is appended")
    ap.add_argument("--files", nargs="+", required=True, help="directories (searched for *.dcm) or files")
    ap.add_argument("--known", default=os.path.join(HERE, "known-differences.txt"),
                    help="allow-list of files compared with dcm2json instead (default: %(default)s)")
    ap.add_argument("--max-diffs", type=int, default=3, help="differences shown per file")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per tool run")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every difference and warning")
    args = ap.parse_args()

    ours_cmd = split_cmd(args.ours)
    if not ours_cmd:
        ap.error("--ours is empty")
    known = load_known_differences(args.known)
    files = dcm_files(args.files)
    if not files:
        print(f"no .dcm files under {' '.join(args.files)}", file=sys.stderr)
        print(summary_line(0, 1))
        return 1

    passed = failed = 0
    for path in files:
        ok, verdict, details = check_file(path, ours_cmd, known, args)
        print(f"{os.path.relpath(path)}: {verdict}", flush=True)
        for d in details:
            print(d)
        if ok:
            passed += 1
        else:
            failed += 1
    print(summary_line(passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
