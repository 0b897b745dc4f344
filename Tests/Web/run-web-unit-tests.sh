#!/usr/bin/env bash
# run-web-unit-tests.sh — type-check the browser client and run its unit tests.
#
#   1. every .js file under Sources/mi-server/Resources/web starts with `// @ts-check`;
#   2. tsc (Debian's node-typescript 4.8) over all of it and the unit tests, with lib.dom; the decode worker
#      separately with lib.webworker (lib.dom and lib.webworker conflict when loaded together in tsc 4.8);
#   3. `node --test` over Tests/Web/unit (frame format, math against ImagingKit's vectors, loader, view).
#
# With --browser, also the Playwright tests of the viewer core in headless Chromium (Tests/Web/test_viewer_core.py),
# with $PY (default .venv-test/bin/python) which needs `pip install playwright`, and /usr/bin/chromium.
#
# Installs node-typescript when tsc is missing (apt). Needs Node 20 for `node --test`. Exit status non-zero on
# any failure; every step runs so that one run shows everything.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WEB=Sources/mi-server/Resources/web
say() { printf 'web-tests: %s\n' "$*"; }
failed=0

if ! command -v tsc >/dev/null 2>&1; then
    say "installing node-typescript"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q node-typescript >/dev/null 2>&1 \
        || { $SUDO apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q node-typescript >/dev/null; } \
        || { say "cannot install node-typescript"; exit 1; }
fi
command -v node >/dev/null 2>&1 || { say "node missing (Node 20 is needed for node --test)"; exit 1; }

mapfile -t all_js < <(find "$WEB" -name '*.js' | sort)
mapfile -t test_js < <(find Tests/Web/unit -name '*.js' | sort)

missing=()
for f in "${all_js[@]}" "${test_js[@]}"; do
    head -n 1 "$f" | grep -qx '// @ts-check' || missing+=("$f")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "files without // @ts-check on their first line: ${missing[*]}"
    failed=1
else
    say "// @ts-check: ${#all_js[@]} web files, ${#test_js[@]} test files"
fi

TSC_FLAGS=(--checkJs --allowJs --noEmit --strict --target es2022 --module es2022)
page_js=()
worker_js=()
for f in "${all_js[@]}"; do
    case "$f" in
        */worker.js) worker_js+=("$f") ;;
        *) page_js+=("$f") ;;
    esac
done
if tsc "${TSC_FLAGS[@]}" --lib es2022,dom,dom.iterable "${page_js[@]}" "${test_js[@]}" Tests/Web/types/node-shim.d.ts; then
    say "tsc (dom): ok"
else
    say "tsc (dom): FAILED"; failed=1
fi
if [ "${#worker_js[@]}" -gt 0 ]; then
    if tsc "${TSC_FLAGS[@]}" --lib es2022,webworker "${worker_js[@]}"; then
        say "tsc (webworker): ok"
    else
        say "tsc (webworker): FAILED"; failed=1
    fi
fi

if node --test Tests/Web/unit/; then
    say "node --test: ok"
else
    say "node --test: FAILED"; failed=1
fi

if [ "${1:-}" = "--browser" ]; then
    PY="${PY:-$ROOT/.venv-test/bin/python}"
    if "$PY" Tests/Web/test_viewer_core.py; then
        say "browser tests: ok"
    else
        say "browser tests: FAILED"; failed=1
    fi
fi

[ "$failed" -eq 0 ] && say "all passed"
exit "$failed"
