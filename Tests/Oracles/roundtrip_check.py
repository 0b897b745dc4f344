#!/usr/bin/env python3
"""roundtrip_check.py --ours MI_CLI --files DIR|FILE... — transcode every file
our tool can read into each uncompressed transfer syntax and check the result
with independent tools.

For each *.dcm file whose `MI_CLI dump --json IN` exits 0 (others are skipped)
and whose Transfer Syntax is not compressed (1.2.840.10008.1.2.4.* JPEG family,
1.2.840.10008.1.2.5 RLE: skipped), for S in implicit explicit-le explicit-be
deflated it runs `MI_CLI transcode IN OUT --syntax S` (exit 0 required), then:
  (a) `dcmdump OUT` exits 0 and prints no E:/F: line, and no W: line except
      the benign ones: BENIGN_DCMDUMP below, or the same warning already
      printed by `dcmdump IN` (a faithful copy keeps the input's oddities);
  (b) `MI_CLI dump --json OUT` equals `MI_CLI dump --json IN` under the
      semantic comparer of compare_dump.py, binary values included (group
      lengths ignored; OB/OW VR swaps of ambiguous elements are warnings);
  (c) `dciodvfy OUT` reports no "Error" line that `dciodvfy IN` did not
      (file names normalised away; dciodvfy cannot read Deflated files, so
      those, in or out, are first inflated with DCMTK's `dcmconv +te`).
A file passes if all syntaxes pass. Last line "N passed, M failed"; exit 1 on
any failure (also if nothing at all could be checked), 2 on usage errors.
Run with .venv-test/bin/python (pydicom reads the Transfer Syntax UID).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import compare_models, dcm_files, run_json_tool, split_cmd, summary_line  # noqa: E402

SYNTAXES = ["implicit", "explicit-le", "explicit-be", "deflated"]
COMPRESSED_PREFIXES = ("1.2.840.10008.1.2.4", "1.2.840.10008.1.2.5")

# dcmdump warnings that do not indicate a broken output file.
BENIGN_DCMDUMP = [
    # CP-246: a UN element of undefined length is read as an implicit VR sequence.
    # Expected whenever a private/unknown sequence is kept as UN.
    re.compile(r"^W: Found element \([0-9a-f]{4},[0-9a-f]{4}\) with VR UN and undefined length, "
               r"reading a sequence with transfer syntax \w+ \(CP-246\)$", re.I),
]


def transfer_syntax(path: str) -> str | None:
    """Transfer Syntax UID from the File Meta, None if there is none."""
    try:
        import pydicom

        ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
        meta = getattr(ds, "file_meta", None)
        uid = getattr(meta, "TransferSyntaxUID", None) if meta is not None else None
        return str(uid) if uid else None
    except Exception:
        return None


def run(cmd: list[str], timeout: float) -> tuple[int, str]:
    """(exit status, stdout+stderr)"""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {timeout}s"
    except OSError as exc:
        return -1, f"cannot run {cmd[0]}: {exc}"


def normalise(text: str, *paths: str) -> str:
    for p in paths:
        text = text.replace(os.path.abspath(p), "FILE").replace(p, "FILE")
    return text


def dcmdump_problems(path: str, timeout: float) -> tuple[int, list[str]]:
    rc, out = run(["dcmdump", "-M", path], timeout)  # -M: don't load long values, we only parse
    lines = [ln.strip() for ln in normalise(out, path).splitlines()]
    return rc, [ln for ln in lines if re.match(r"^[EWF]: ", ln)]


DEFLATED = "1.2.840.10008.1.2.1.99"


def dciodvfy_errors(path: str, timeout: float) -> set[str]:
    """'Error' lines of dciodvfy. dciodvfy cannot read Deflated Explicit VR
    Little Endian, so such a file is first inflated by DCMTK's dcmconv +te."""
    with tempfile.TemporaryDirectory(prefix="dciodvfy-") as tmp:
        target = path
        if transfer_syntax(path) == DEFLATED:
            target = os.path.join(tmp, "inflated.dcm")
            rc, out = run(["dcmconv", "+te", path, target], timeout)
            if rc != 0:
                return {f"Error - dcmconv could not inflate the file: {last_line(out)}"}
        _rc, out = run(["dciodvfy", target], timeout)
        errors = {ln.strip() for ln in normalise(out, target, path).splitlines() if ln.startswith("Error")}
        if target != path:
            # dcmconv writes new File Meta with invented Media Storage SOP Class/Instance UIDs when the data set
            # has none; dciodvfy then blames the file for the mismatch dcmconv made.
            errors = {e for e in errors if not re.match(r"Error - MediaStorageSOP(Class|Instance)UID but missing SOP(Class|Instance)UID", e)}
        return errors


class Checker:
    def __init__(self, args):
        self.args = args
        self.cli = split_cmd(args.ours)
        self.dump_cmd = self.cli + split_cmd(args.dump_args)

    def check_syntax(self, src: str, src_model: dict, src_dump: list[str], src_errors: set[str],
                     syntax: str, workdir: str) -> list[str]:
        """Problems for one target syntax (empty list: pass)."""
        a = self.args
        out = os.path.join(workdir, f"{os.path.splitext(os.path.basename(src))[0]}.{syntax}.dcm")
        rc, text = run(self.cli + ["transcode", src, out, "--syntax", syntax], a.timeout)
        if rc != 0:
            return [f"transcode exit {rc}: {last_line(text)}"]
        if not os.path.isfile(out):
            return ["transcode exit 0 but wrote no file"]
        problems: list[str] = []

        # (a) dcmdump parses it cleanly
        rc, lines = dcmdump_problems(out, a.timeout)
        if rc != 0:
            problems.append(f"(a) dcmdump exit {rc}")
        bad = [ln for ln in lines
               if not (ln.startswith("W: ") and (ln in src_dump or any(b.match(ln) for b in BENIGN_DCMDUMP)))]
        if bad:
            problems.append(f"(a) dcmdump: {'; '.join(bad[:3])}" + (f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""))

        # (b) our own dump is unchanged
        res = run_json_tool(self.dump_cmd + [out], a.timeout)
        if not res.ok:
            problems.append(f"(b) dump of output failed: exit {res.rc}: {res.note or last_line(res.stderr)}")
        else:
            c = compare_models(src_model, res.model, binary=True, ignore_group_length=True)
            if c.diffs:
                problems.append(f"(b) dump differs: {'; '.join(c.diffs[:a.max_diffs])}"
                                + (f" (+{len(c.diffs) - a.max_diffs} more)" if len(c.diffs) > a.max_diffs else ""))
            if a.verbose:
                for w in c.warnings:
                    print(f"  {syntax} warning {w}")

        # (c) no new dciodvfy errors
        if not a.no_dciodvfy:
            new = sorted(dciodvfy_errors(out, a.timeout) - src_errors)
            if new:
                problems.append(f"(c) new dciodvfy errors: {'; '.join(new[:3])}" + (f" (+{len(new) - 3} more)" if len(new) > 3 else ""))

        if problems and a.keep:
            os.makedirs(a.keep, exist_ok=True)
            shutil.copy(out, a.keep)
        return problems

    def check_file(self, src: str) -> tuple[str, str]:
        """(status, message): status is pass, fail or skip."""
        a = self.args
        ts = transfer_syntax(src)
        if ts and ts.startswith(COMPRESSED_PREFIXES):
            return "skip", f"skipped (compressed transfer syntax {ts})"
        res = run_json_tool(self.dump_cmd + [src], a.timeout)
        if not res.ok:
            return "skip", f"skipped (ours cannot read it: {res.note or last_line(res.stderr) or f'exit {res.rc}'})"
        _rc, src_dump = dcmdump_problems(src, a.timeout)
        src_errors = set() if a.no_dciodvfy else dciodvfy_errors(src, a.timeout)
        failures = []
        with tempfile.TemporaryDirectory(prefix="roundtrip-") as workdir:
            for syntax in a.syntaxes:
                problems = self.check_syntax(src, res.model, src_dump, src_errors, syntax, workdir)
                if problems:
                    failures.append(f"{syntax}: {' | '.join(problems)}")
        if failures:
            return "fail", "FAIL " + " || ".join(failures)
        return "pass", f"ok ({', '.join(a.syntaxes)})"


def last_line(s: str) -> str:
    lines = [ln for ln in s.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--ours", required=True, help="our CLI, e.g. .build/debug/mi-cli")
    ap.add_argument("--files", nargs="+", required=True, help="directories (searched for *.dcm) or files")
    ap.add_argument("--syntaxes", nargs="+", default=SYNTAXES, choices=SYNTAXES)
    ap.add_argument("--dump-args", default="dump --json", help="dump sub-command (default: %(default)s)")
    ap.add_argument("--max-diffs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--keep", metavar="DIR", help="copy failing output files here")
    ap.add_argument("--no-dciodvfy", action="store_true", help="skip check (c)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if not split_cmd(args.ours):
        ap.error("--ours is empty")
    for tool in ["dcmdump"] + ([] if args.no_dciodvfy else ["dciodvfy"]):
        if shutil.which(tool) is None:
            print(f"roundtrip_check: {tool} not found; run Scripts/install-test-deps.sh", file=sys.stderr)
            return 2
    files = dcm_files(args.files)
    checker = Checker(args)
    passed = failed = skipped = 0
    for path in files:
        status, msg = checker.check_file(path)
        print(f"{os.path.relpath(path)}: {msg}", flush=True)
        if status == "pass":
            passed += 1
        elif status == "fail":
            failed += 1
        else:
            skipped += 1
    if passed + failed == 0:
        print(f"roundtrip_check: nothing checked ({skipped} files skipped)", file=sys.stderr)
        failed = max(failed, 1)
    print(f"{skipped} skipped")
    print(summary_line(passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
