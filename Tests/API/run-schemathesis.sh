#!/usr/bin/env bash
# Property-based fuzzing of the HTTP API with schemathesis, against a throwaway `mi-server demo` on loopback.
#
#   Tests/API/run-schemathesis.sh     # fuzzing bounded by MI_API_FUZZ_SECONDS (default 120, a third per token)
#
# MI_SERVER=path uses that binary instead of building mi-server; MI_API_FUZZ_SEED=n repeats a run's generation;
# MI_API_KEEP=1 keeps the work folder (server log, JUnit and HAR reports) even when everything passed;
# MI_API_FUZZ_CHECKS=list replaces the checks (schemathesis names, or all).
#
# Installs schemathesis and openapi-spec-validator into .venv-api/ (git-ignored) when missing, checks the OpenAPI
# document, builds mi-server unless MI_SERVER is given, and starts the demo on a free loopback port in a temporary
# folder. Tokens (Tests/API/demo_client.py): mi-integration by client credentials; doctor and admin by the
# authorization code flow with PKCE through the login form. It seeds an exam (generated DICOM), an order, reports
# and a registration, and writes a schemathesis.toml that uses their identifiers for path parameters half of the
# time. Then it fuzzes every operation of the document as the server serves it, once per token (admin last).
# Checks: no 5xx; status codes, content types, headers and bodies as documented; the server alive at the end.
# Exit status non-zero on any failure; the work folder (server log, JUnit and HAR reports) is kept then.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-api"
BUDGET="${MI_API_FUZZ_SECONDS:-120}"
SEED="${MI_API_FUZZ_SEED:-$RANDOM}"
CHECKS="${MI_API_FUZZ_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance}"

say() { printf 'run-schemathesis: %s\n' "$*"; }

# ---------------------------------------------------------------- tools
# Python 3.13 or later when there is one: on 3.11 and 3.12, hypothesis' lambda descriptions inside deep recursion
# trip CPython's "AST constructor recursion depth mismatch" (python/cpython#106905), a tool error, not a finding.
find_python() {
    local candidate version
    for candidate in python3.14 python3.13; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' 2>/dev/null; then echo "$candidate"; return; fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        version="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[3-9])(\.[0-9]+)*$' | sort -V | tail -n 1)"
        if [ -n "$version" ] && [ -x "$(pyenv root)/versions/$version/bin/python3" ]; then echo "$(pyenv root)/versions/$version/bin/python3"; return; fi
    fi
    echo python3
}
BASE_PYTHON="$(find_python)"
WANTED="$("$BASE_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if ! "$VENV/bin/python" -c "import sys, schemathesis, openapi_spec_validator, requests; sys.exit('%d.%d' % sys.version_info[:2] != '$WANTED')" 2>/dev/null; then
    say "installing schemathesis into .venv-api ($("$BASE_PYTHON" --version))"
    rm -rf "$VENV"
    "$BASE_PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5" "openapi-spec-validator==0.9.0" "requests>=2.32,<3"
fi
PY="$VENV/bin/python"
if ! command -v pdftoppm >/dev/null 2>&1; then
    # Report pages are rendered with poppler; without it /reports/{id}/pages/{n} is a 500 by design.
    say "installing poppler-utils (report page images)"
    apt-get install -y -qq poppler-utils >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq poppler-utils >/dev/null; }
fi

say "validating Sources/mi-server/Resources/openapi.json"
"$VENV/bin/openapi-spec-validator" Sources/mi-server/Resources/openapi.json

if [ -z "${MI_SERVER:-}" ]; then
    swift build --product mi-server >/dev/null
    MI_SERVER="$(swift build --show-bin-path)/mi-server"
fi

# ---------------------------------------------------------------- the demo server
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mi-schemathesis.XXXXXX")"
SERVER_PID=""
keep="${MI_API_KEEP:-0}"
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$keep" -eq 0 ]; then rm -rf "$WORK"; else say "reports and server log kept in $WORK"; fi
}
trap cleanup EXIT

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$MI_SERVER" demo --data "$WORK/data" --host 127.0.0.1 --port "$PORT" --dicom-port 0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then keep=1; cat "$WORK/server.log"; say "mi-server exited before it was ready"; exit 1; fi
    if "$PY" -c "import urllib.request, sys; urllib.request.urlopen('$BASE/healthz', timeout=1)" 2>/dev/null && [ -f "$WORK/data/demo-accounts.json" ]; then
        break
    fi
    sleep 0.5
done
say "mi-server demo on $BASE (pid $SERVER_PID)"

TOKENS="$("$PY" Tests/API/demo_client.py tokens --base "$BASE" --accounts "$WORK/data/demo-accounts.json")"
INTEGRATION_TOKEN="$(printf '%s' "$TOKENS" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["integration"])')"
DOCTOR_TOKEN="$(printf '%s' "$TOKENS" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["doctor"])')"
ADMIN_TOKEN="$(printf '%s' "$TOKENS" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["administrator"])')"
STUDY="$("$PY" Tests/API/demo_client.py seed --base "$BASE" --token "$INTEGRATION_TOKEN" --admin-token "$ADMIN_TOKEN" --config "$WORK/schemathesis.toml")"
say "tokens for mi-integration, doctor and admin; seeded study $STUDY; seed $SEED"

# ---------------------------------------------------------------- fuzzing
status=0
run() {
    local who=$1 token=$2 seconds=$3
    say "fuzzing as $who for at most ${seconds}s"
    # From the work folder: schemathesis keeps a cache folder in the current directory.
    if ! (cd "$WORK" && SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$ROOT/Tests/API" "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$BASE/api/v1/openapi.json" --url "$BASE" \
        --header "Authorization: Bearer $token" --generation-with-security-parameters false \
        --checks "$CHECKS" --max-time "$seconds" --workers 2 --request-timeout 20 --seed "$SEED" \
        --generation-database none --suppress-health-check all --no-color --output-truncate true \
        --report junit,har --report-junit-path "$WORK/junit-$who.xml" --report-har-path "$WORK/requests-$who.har"); then
        status=1
    fi
}
run integration "$INTEGRATION_TOKEN" $((BUDGET / 3))
run doctor "$DOCTOR_TOKEN" $((BUDGET / 3))
# Last: an administrator's fuzzing deactivates, closes and resets the other accounts.
run administrator "$ADMIN_TOKEN" $((BUDGET - 2 * (BUDGET / 3)))

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    code=0
    wait "$SERVER_PID" || code=$?
    SERVER_PID=""
    say "mi-server died during the run (exit status $code)"
    status=1
elif ! "$PY" -c "import urllib.request; urllib.request.urlopen('$BASE/healthz', timeout=5)" 2>/dev/null; then
    say "mi-server stopped answering"
    status=1
fi
if grep -q "Fatal error\|fatal error" "$WORK/server.log"; then say "the server log has a fatal error"; status=1; fi
if [ "$status" -ne 0 ]; then
    keep=1
    tail -n 40 "$WORK/server.log"
fi
exit "$status"
