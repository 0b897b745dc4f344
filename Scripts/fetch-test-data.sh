#!/usr/bin/env bash
# fetch-test-data.sh — put pydicom's DICOM test corpus in TestData/ (git-ignored).
#
# If TestData/pydicom/test_files is missing, downloads the pydicom==3.0.2 wheel
# with `pip download --no-deps` into a temporary directory and extracts only
#   pydicom/data/test_files/*.dcm    -> TestData/pydicom/test_files/
#   pydicom/data/charset_files/*.dcm -> TestData/pydicom/charset_files/
# (no other files: e.g. zipMR.gz, which is not a .dcm, is skipped).
# If PyPI cannot be reached but .venv-test already holds pydicom 3.0.2, the same
# files are copied from there. A no-op (no network) once the data is present.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/TestData/pydicom"
PYDICOM_VERSION="3.0.2"

say() { printf 'fetch-test-data: %s\n' "$*"; }

if [ -d "$DEST/test_files" ] && [ -d "$DEST/charset_files" ]; then
    say "$DEST already present ($(find "$DEST" -name '*.dcm' | wc -l) .dcm files)"
    exit 0
fi

if [ -x "$ROOT/.venv-test/bin/python" ]; then PY="$ROOT/.venv-test/bin/python"; else PY="$(command -v python3)"; fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
STAGE="$TMP/stage"
mkdir -p "$STAGE"

say "downloading pydicom==$PYDICOM_VERSION wheel"
if PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
        "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$TMP/dl" "pydicom==$PYDICOM_VERSION" \
   && WHEEL="$(ls "$TMP"/dl/pydicom-*.whl 2>/dev/null | head -1)" && [ -n "$WHEEL" ]; then
    say "extracting .dcm files from $(basename "$WHEEL")"
    "$PY" - "$WHEEL" "$STAGE" <<'EOF'
import sys, zipfile, os, posixpath
wheel, stage = sys.argv[1], sys.argv[2]
n = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        d, base = posixpath.split(name)
        if d in ("pydicom/data/test_files", "pydicom/data/charset_files") and base.endswith(".dcm"):
            out = os.path.join(stage, posixpath.basename(d), base)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(name) as src, open(out, "wb") as dst:
                dst.write(src.read())
            n += 1
print(f"fetch-test-data: extracted {n} files")
EOF
else
    say "download failed; trying the pydicom installed in .venv-test"
    "$PY" - "$STAGE" "$PYDICOM_VERSION" <<'EOF'
import sys, os, shutil, glob
stage, version = sys.argv[1], sys.argv[2]
import pydicom
if pydicom.__version__ != version:
    sys.exit(f"fetch-test-data: installed pydicom is {pydicom.__version__}, need {version}")
data = os.path.join(os.path.dirname(pydicom.__file__), "data")
n = 0
for sub in ("test_files", "charset_files"):
    os.makedirs(os.path.join(stage, sub), exist_ok=True)
    for f in glob.glob(os.path.join(data, sub, "*.dcm")):
        shutil.copy2(f, os.path.join(stage, sub)); n += 1
print(f"fetch-test-data: copied {n} files")
EOF
fi

for sub in test_files charset_files; do
    if [ -z "$(ls "$STAGE/$sub" 2>/dev/null)" ]; then
        say "no files found for $sub"; exit 1
    fi
done
mkdir -p "$DEST"
rm -rf "$DEST/test_files" "$DEST/charset_files"
mv "$STAGE/test_files" "$STAGE/charset_files" "$DEST/"
say "TestData/pydicom ready: $(ls "$DEST/test_files" | wc -l) test_files, $(ls "$DEST/charset_files" | wc -l) charset_files"
