#!/usr/bin/env python3
"""selftest_cli.py — a stand-in for mi-cli to self-test roundtrip_check.py.

  selftest_cli.py dump --json FILE                  pydicom's JSON model (exit 1 if unreadable)
  selftest_cli.py transcode IN OUT --syntax S       DCMTK dcmconv into S
  selftest_cli.py --broken transcode ...            also corrupts one value (must be caught)
S: implicit | explicit-le | explicit-be | deflated. Run with .venv-test/bin/python.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_common import pydicom_model  # noqa: E402

DCMCONV = {"implicit": "+ti", "explicit-le": "+te", "explicit-be": "+tb", "deflated": "+td"}


def main(argv):
    broken = argv[:1] == ["--broken"]
    argv = argv[1:] if broken else argv
    if argv[:2] == ["dump", "--json"] and len(argv) == 3:
        m = pydicom_model(argv[2])
        if "error" in m:
            print(m["error"], file=sys.stderr)
            return 1
        json.dump(m, sys.stdout)
        return 0
    if len(argv) == 5 and argv[0] == "transcode" and argv[3] == "--syntax" and argv[4] in DCMCONV:
        src, out = argv[1], argv[2]
        p = subprocess.run(["dcmconv", "-q", DCMCONV[argv[4]], src, out])
        if p.returncode != 0:
            return p.returncode
        if broken:
            subprocess.run(["dcmodify", "-q", "-nb", "-m", "(0020,0013)=99999", out])
            subprocess.run(["dcmodify", "-q", "-nb", "-i", "(0020,0013)=99999", out])
        return 0
    print(f"usage: {__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
