#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need when missing, then runs every stage.
# Each stage runs even if an earlier one failed, so one run shows everything; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

passed=0
failed=0
failed_names=()
stage() {
    local name=$1
    shift
    echo
    echo "=== $name"
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        echo "=== $name: ok ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        echo "=== $name: FAILED ($((SECONDS - start)) s)"
    fi
}

# Setup failures stop the run: nothing after them can mean anything.
Scripts/install-test-deps.sh || { echo "install-test-deps failed"; exit 1; }
Scripts/fetch-test-data.sh || { echo "fetch-test-data failed"; exit 1; }
PY="$root/.venv-test/bin/python"

swift build --build-tests || { echo "build failed"; exit 1; }
MI_CLI="$root/.build/debug/mi-cli"

# A throw-away PostgreSQL for the store tests (they run on SQLite and PostgreSQL), stopped on exit.
PGROOT=$(mktemp -d /tmp/mi-test-pg.XXXXXX)
chmod 755 "$PGROOT"
export MI_TEST_POSTGRES_URL
MI_TEST_POSTGRES_URL=$(Scripts/start-test-postgres.sh "$PGROOT/pg") || { echo "PostgreSQL did not start"; exit 1; }
trap 'Scripts/start-test-postgres.sh --stop "$PGROOT/pg"; rm -rf "$PGROOT"' EXIT

# The DICOM network suites run in a process of their own: their timers (ARTIM, idle) are real time, and in one
# process with the codec suites (CPU-bound, waiting on oracle tools) both cooperative threads of a 2-core machine
# can stay busy for longer than a timer.
stage "swift test (all but the DICOM network suites)" swift test --skip-build --skip DicomNetworkTests
stage "swift test (DICOM network suites)" swift test --skip-build --filter DicomNetworkTests
stage "oracle comparison rules" "$PY" -m unittest Tests/Oracles/test_oracle_common.py
stage "dump --json agrees with pydicom (and dcm2json where pydicom is lenient)" \
    "$PY" Tests/Oracles/compare_dump.py --ours "$MI_CLI dump --json" --files TestData/pydicom
stage "round trips through every uncompressed syntax, checked by dcmdump and dciodvfy" \
    "$PY" Tests/Oracles/roundtrip_check.py --ours "$MI_CLI" --files TestData/pydicom
stage "pixel codecs against DCMTK and GDCM (corpus, cross-encoded, our encodings)" \
    "$PY" Tests/Oracles/codec_matrix.py --mi-cli "$MI_CLI" --corpus TestData/pydicom
stage "imaging renders against DCMTK within ±1, PNG/JPEG by independent decoders, probe/measure" \
    env MI_CLI="$MI_CLI" Scripts/test-imaging.sh
stage "DICOM network against DCMTK and Orthanc (loopback peers)" env MI_CLI="$MI_CLI" Scripts/test-network.sh
stage "mi-server demo seeds an empty folder and serves the phantom's exact values" "$PY" Tests/Integration/demo_serves_phantom.py
stage "patient access against the demo: QR links read back by zbarimg, second factor, retrieval, shares expiring to 410" "$PY" Tests/Integration/demo_patient_access.py
stage "ingest: DCMTK storescu into the demo's Storage SCP, then mi-cli import (resumable, a corrupt file reported)" \
    env MI_SERVER="$root/.build/debug/mi-server" MI_CLI="$MI_CLI" Tests/Integration/storescu_ingest.sh
stage "HTTP API against openapi.json: schemathesis fuzzing of a demo server (bounded)" \
    env MI_SERVER="$root/.build/debug/mi-server" Tests/API/run-schemathesis.sh
stage "mi-server serve: YAML config, HTTPS, bootstrap admin, a study fetched from Orthanc on demand" "$PY" Tests/Integration/serve_tls_pacs.py
stage "doctor web app end to end in Chromium against mi-server demo (390x844, 1440x900)" "$PY" Tests/Web/test_doctor_app.py
stage "viewer over HTTPS/HTTP/2: series switching, a multi-frame object frame by frame, a deep link's first frame, in Chromium (390x844, 1440x900)" "$PY" Tests/Web/test_viewer_series.py
stage "administration web app end to end in Chromium: reviews, accounts, audit CSV, PACS C-ECHO, settings (390x844, 1440x900)" "$PY" Tests/Web/test_admin_app.py
stage "patient web app end to end in Chromium: QR by zbarimg, second factor, home, images, report, shares expiring to 410, consult (390x844, 1440x900)" "$PY" Tests/Web/test_patient_app.py
stage "web client: @ts-check, tsc, node --test, viewer core in Chromium (390x844, 1440x900)" env PY="$PY" Tests/Web/run-web-unit-tests.sh --browser
stage "fuzz the parser (bounded)" Scripts/fuzz.sh "${MI_FUZZ_SECONDS:-60}"
stage "fuzz the PDU parser and association state machine (bounded)" Scripts/fuzz.sh "${MI_FUZZ_PDU_SECONDS:-30}" pdu
for codec in 1.2.840.10008.1.2.5 1.2.840.10008.1.2.4.50 1.2.840.10008.1.2.4.70 1.2.840.10008.1.2.4.80 1.2.840.10008.1.2.4.90; do
    stage "fuzz the $codec decoder (bounded)" Scripts/fuzz.sh "${MI_FUZZ_CODEC_SECONDS:-30}" "$codec"
done

echo
if [ "$failed" -gt 0 ]; then
    printf 'failed stages:\n'
    printf '  %s\n' "${failed_names[@]}"
fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
