#!/usr/bin/env bash
# install-test-deps.sh — install what the oracle tests need, only when missing.
#
#   * Debian packages: dcmtk (dcmdump, dcm2json), libgdcm-tools (gdcmdump),
#     dicom3tools (dciodvfy), libopenjp2-tools (OpenJPEG, the JPEG 2000 and HTJ2K oracle),
#     openjph-tools (ojph_compress: HTJ2K streams for HTJ2KCodecTests), zlib1g-dev,
#     libsqlite3-dev, libssl-dev, python3-venv;
#     postgresql (the store tests run on both engines);
#     poppler-utils + poppler-data (pdftotext, pdftoppm and the CMaps for Chinese PDF
#     text) and fonts-wqy-zenhei (a Chinese font for poppler to render the reports with);
#     zbar-tools (zbarimg: the independent decoder our QR codes are read back with).
#     `apt-get update` runs only if at least one of them is missing.
#   * A Python environment in .venv-test/ (git-ignored, inside the checkout) with
#     pydicom==3.0.2 and numpy. `.venv-test/bin/python` is always the interpreter
#     to use: a real venv when `python3 -m venv` works, otherwise a small wrapper
#     around python3 with the packages installed by `pip install --target`.
#
# Idempotent and offline-safe: when everything is present it touches nothing and
# needs no network. Prints one line per step. Exit status non-zero on failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-test"
PYDICOM_VERSION="3.0.2"

say() { printf 'install-test-deps: %s\n' "$*"; }

# ---------------------------------------------------------------- apt packages
# package -> a file or command whose presence shows it is installed
declare -A CHECK=(
    [dcmtk]="cmd:dcmdump cmd:dcm2json"
    [libgdcm-tools]="cmd:gdcmdump"
    [dicom3tools]="cmd:dciodvfy"
    [libopenjp2-tools]="cmd:opj_decompress cmd:opj_compress"
    [openjph-tools]="cmd:ojph_compress cmd:ojph_expand"
    [zlib1g-dev]="file:/usr/include/zlib.h"
    [libsqlite3-dev]="file:/usr/include/sqlite3.h"
    [libssl-dev]="file:/usr/include/openssl/ssl.h"
    [python3-venv]="venv"
    [postgresql]="file:/usr/lib/postgresql/15/bin/initdb"
    [chromium]="cmd:chromium"
    [orthanc]="file:/usr/sbin/Orthanc"
    [openssl]="cmd:openssl"
    [node-typescript]="cmd:tsc"
    [poppler-utils]="cmd:pdftotext cmd:pdftoppm"
    [poppler-data]="file:/usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H"
    [fonts-wqy-zenhei]="file:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    [zbar-tools]="cmd:zbarimg"
)
ORDER=(dcmtk libgdcm-tools dicom3tools libopenjp2-tools openjph-tools zlib1g-dev libsqlite3-dev libssl-dev python3-venv postgresql orthanc openssl chromium node-typescript poppler-utils poppler-data fonts-wqy-zenhei zbar-tools)

present() {
    local spec
    for spec in ${CHECK[$1]}; do
        case "$spec" in
            cmd:*)  command -v "${spec#cmd:}" >/dev/null 2>&1 || return 1 ;;
            file:*) [ -e "${spec#file:}" ] || return 1 ;;
            venv)   # Debian's python3 needs python3-venv for ensurepip
                    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || return 1 ;;
        esac
    done
}

missing=()
for pkg in "${ORDER[@]}"; do
    if present "$pkg"; then
        say "apt: $pkg present"
    else
        say "apt: $pkg missing"
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
    else
        SUDO=
    fi
    say "apt: updating package lists"
    $SUDO apt-get update -qq
    say "apt: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    for pkg in "${missing[@]}"; do
        present "$pkg" || { say "apt: $pkg still missing after install"; exit 1; }
    done
    say "apt: installed ${missing[*]}"
fi

# ------------------------------------------------------------ python test venv
venv_ok() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$PYDICOM_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
import pydicom, numpy, playwright
sys.exit(0 if pydicom.__version__ == sys.argv[1] else 1)
EOF
}

# .venv-test ignores itself, whatever the checkout's .gitignore says.
ignore_self() { [ -d "$VENV" ] && [ ! -e "$VENV/.gitignore" ] && printf '*\n' >"$VENV/.gitignore" || true; }

if venv_ok; then
    ignore_self
    say "venv: $VENV has pydicom==$PYDICOM_VERSION, numpy and playwright"
    exit 0
fi

# No pip cache outside the checkout.
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

make_venv() {
    # A real venv: try the python3 on PATH first (pyenv here), then Debian's.
    local py
    for py in "$(command -v python3 || true)" /usr/bin/python3; do
        [ -n "$py" ] && [ -x "$py" ] || continue
        rm -rf "$VENV"
        if "$py" -m venv "$VENV" >/dev/null 2>&1 && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
            say "venv: created $VENV with $py ($("$VENV/bin/python" -V 2>&1))"
            return 0
        fi
        say "venv: '$py -m venv' did not work"
    done
    return 1
}

make_target() {
    # Fallback: pip install --target, and a wrapper that puts it on sys.path.
    local py
    py="$(python3 -c 'import sys; print(sys.executable)')"
    rm -rf "$VENV"
    mkdir -p "$VENV/bin" "$VENV/site"
    cat >"$VENV/bin/python" <<EOF
#!/bin/sh
# Wrapper made by Scripts/install-test-deps.sh (pip --target fallback).
PYTHONPATH="$VENV/site\${PYTHONPATH:+:\$PYTHONPATH}" exec "$py" "\$@"
EOF
    chmod +x "$VENV/bin/python"
    say "venv: using pip --target $VENV/site with $py"
}

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1 \
        && [ ! -d "$VENV/site" ]; then
    say "venv: $VENV exists, packages missing or wrong version"
else
    make_venv || make_target
fi

if [ -d "$VENV/site" ]; then
    python3 -m pip install -q --target "$VENV/site" --upgrade "pydicom==$PYDICOM_VERSION" numpy playwright
else
    "$VENV/bin/python" -m pip install -q "pydicom==$PYDICOM_VERSION" numpy playwright
fi

ignore_self
if venv_ok; then
    say "venv: installed pydicom==$PYDICOM_VERSION and numpy ($("$VENV/bin/python" -c 'import numpy; print(numpy.__version__)'))"
else
    say "venv: pydicom/numpy still not importable from $VENV/bin/python"
    exit 1
fi
