#!/usr/bin/env bash
# End-to-end ingest: `mi-server demo` in a temporary folder; a generated CT series sent by DCMTK's storescu into its
# Storage SCP; an integration token (client credentials of the demo's mi-integration client); the worklist must find
# the study by Patient ID with every instance. Then `mi-cli import --server` of a second series with a corrupt file
# in it: stored, the corrupt file reported failed (exit 1), the rerun skips everything through the journal.
# Exits non-zero on the first failed check.
#
# Usage: Tests/Integration/storescu_ingest.sh       Environment: MI_SERVER, MI_CLI (default: .build/debug/...)
set -euo pipefail
cd "$(dirname "$0")/../.."
MI_SERVER=${MI_SERVER:-.build/debug/mi-server}
MI_CLI=${MI_CLI:-.build/debug/mi-cli}
count=24
command -v storescu >/dev/null || { echo "storescu (dcmtk) is missing" >&2; exit 1; }
work=$(mktemp -d /tmp/mi-storescu-ingest.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
fail() { echo "FAILED: $*" >&2; [ -f "$work/server.log" ] && tail -20 "$work/server.log" >&2; exit 1; }
ok() { echo "ok: $*"; }

python3 Scripts/make-ct-series.py "$work/ct" "$count" >/dev/null
http=$(free_port); dicom=$(free_port)
"$MI_SERVER" demo --data "$work/data" --host 127.0.0.1 --port "$http" --dicom-port "$dicom" >"$work/server.log" 2>&1 &
pid=$!
wait_port "$dicom" && wait_port "$http" || fail "mi-server demo did not open its ports"
base="http://127.0.0.1:$http"

TCP_NODELAY=1 storescu -aet STORESCU -aec MI_DEMO +sd 127.0.0.1 "$dicom" "$work/ct" >"$work/storescu.log" 2>&1 \
    || { cat "$work/storescu.log" >&2; fail "storescu reported a failure"; }
ok "storescu sent $count instances to the Storage SCP"

secret=$(python3 -c "import json,sys; print(next(c['client_secret'] for c in json.load(open(sys.argv[1]))['clients'] if c['client_id']=='mi-integration'))" "$work/data/demo-accounts.json") \
    || fail "demo-accounts.json has no mi-integration client"
token=$(curl -fsS -u "mi-integration:$secret" -d grant_type=client_credentials "$base/oauth/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || fail "no token for mi-integration"
ok "client-credentials token"

# expect_study PATIENT_ID INSTANCES: exactly one study for the patient, with that many instances.
expect_study() {
    curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/studies?patientId=$1" >"$work/page.json" || fail "GET /api/v1/studies?patientId=$1"
    python3 - "$work/page.json" "$2" <<'PY' || fail "worklist for patientId $1: $(cat "$work/page.json" | head -c 600)"
import json, sys
page, expected = json.load(open(sys.argv[1])), int(sys.argv[2])
assert page["total"] == 1, f"total {page['total']}"
study = page["items"][0]
assert study["instanceCount"] == expected, f"instanceCount {study['instanceCount']}, expected {expected}"
assert study["seriesCount"] == 1 and study["modality"] == "CT", study
PY
    ok "worklist: patientId=$1 finds 1 study with $2 instances"
}
expect_study PID0001234 "$count"

# Server-mode import: a second study, plus one corrupt file that must be reported and must not stop the rest.
python3 Scripts/make-ct-series.py "$work/import" 10 import >/dev/null
printf "this is not a DICOM file\n" >"$work/import/corrupt.dcm"
set +e
"$MI_CLI" import "$work/import" --server "$base" --client-id mi-integration --client-secret="$secret" --jobs 3 >"$work/import1.txt" 2>&1
status=$?
set -e
cat "$work/import1.txt"
[ "$status" -eq 1 ] || fail "mi-cli import with a corrupt file should exit 1, got $status"
grep -q "10 stored, 0 duplicates, 1 failed" "$work/import1.txt" || fail "first import summary"
grep -q "corrupt.dcm" "$work/import1.txt" || fail "the corrupt file is not named"
expect_study PID-import 10
set +e
"$MI_CLI" import "$work/import" --server "$base" --client-id mi-integration --client-secret="$secret" >"$work/import2.txt" 2>&1
set -e
grep -q "0 stored, 0 duplicates, 1 failed, 10 skipped" "$work/import2.txt" || { cat "$work/import2.txt"; fail "rerun should skip the 10 journaled files"; }
ok "mi-cli import --server: rerun skips finished files through the journal"
"$MI_CLI" import "$work/ct" --server "$base" --client-id mi-integration --client-secret="$secret" >"$work/import3.txt" 2>&1 \
    || { cat "$work/import3.txt"; fail "re-importing the storescu series"; }
grep -q "0 stored, $count duplicates, 0 failed" "$work/import3.txt" || { cat "$work/import3.txt"; fail "storescu's instances should come back as duplicates"; }
expect_study PID0001234 "$count"
echo "storescu_ingest: all checks passed"
