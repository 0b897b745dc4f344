#!/usr/bin/env bash
# Ingest benchmark (prints numbers, asserts nothing about time): the 300-slice CT of Scripts/make-ct-series.py sent
# by DCMTK's storescu (TCP_NODELAY=1, one association) into (a) `mi-server demo`'s Storage SCP, which stores and
# indexes each instance before answering, and (b) Debian's Orthanc (SQLite index, TCP_NODELAY=1). Same files, same
# sender; each run starts from an empty store; best of RUNS. Then checks that our worklist finds the study with every
# instance and that Orthanc's REST API has it. Goal: ours >= 1.5x Orthanc's throughput.
#
# Usage: Scripts/bench-ingest.sh [COUNT] [RUNS]      (default 300 slices, best of 3)
# Environment: MI_SERVER (a release mi-server; built when unset), SCRATCH (SwiftPM scratch path),
#              PROFILE=1 records `perf` for our last run (perf.data in the kept folder), KEEP=1 keeps the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-300}; runs=${2:-3}
command -v storescu >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y dcmtk >/dev/null
command -v Orthanc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y orthanc >/dev/null
if [ -z "${MI_SERVER:-}" ]; then
    scratch=(); [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build "${scratch[@]}" -c release --product mi-server >/dev/null
    MI_SERVER="$(swift build "${scratch[@]}" -c release --show-bin-path)/mi-server"
fi
work=$(mktemp -d /tmp/mi-bench-ingest.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 did not open" >&2; return 1; }
now() { date +%s.%N; }

python3 Scripts/make-ct-series.py "$work/ct" "$count" >/dev/null
bytes=$(du -cb "$work"/ct/*.dcm | tail -1 | cut -f1)
patient_id=PID0001234

# One timed storescu run into a receiver; writes the seconds to $work/seconds. storescu's failure fails the run.
send() { # port called-ae
    local t0 t1
    t0=$(now)
    TCP_NODELAY=1 storescu -aet STORESCU -aec "$2" +sd 127.0.0.1 "$1" "$work/ct" >"$work/storescu.log" 2>&1 \
        || { cat "$work/storescu.log" >&2; return 1; }
    t1=$(now)
    python3 -c "print($t1 - $t0)" >"$work/seconds"
}

ours_run() { # run number; the server stays up (ours_pid, ours_http, ours_data)
    local dicom perf=""
    ours_data="$work/ours-$1"; ours_http=$(free_port); dicom=$(free_port)
    "$MI_SERVER" demo --data "$ours_data" --host 127.0.0.1 --port "$ours_http" --dicom-port "$dicom" >"$work/ours-$1.log" 2>&1 &
    ours_pid=$!; pids+=("$ours_pid")
    wait_port "$dicom"; wait_port "$ours_http"
    if [ "${PROFILE:-0}" = 1 ] && [ "$1" = "$runs" ] && command -v perf >/dev/null; then
        perf record -F 999 -g -o "$work/perf.data" -p "$ours_pid" >/dev/null 2>&1 & perf=$!
        sleep 0.5
    fi
    send "$dicom" MI_DEMO
    if [ -n "$perf" ]; then kill -INT "$perf"; wait "$perf" 2>/dev/null || true; fi
}

orthanc_run() { # run number; Orthanc stays up (orthanc_pid, orthanc_http)
    local dir="$work/orthanc-$1" dicom
    orthanc_http=$(free_port); dicom=$(free_port)
    mkdir -p "$dir"
    cat >"$dir/orthanc.json" <<JSON
{ "Name": "mi-bench", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "HttpPort": $orthanc_http, "DicomPort": $dicom, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DefaultEncoding": "Utf8", "DicomCheckCalledAet": false, "Plugins": [],
  "DicomModalities": { "storescu": ["STORESCU", "127.0.0.1", 104] } }
JSON
    TCP_NODELAY=1 Orthanc "$dir/orthanc.json" >"$dir/orthanc.log" 2>&1 &
    orthanc_pid=$!; pids+=("$orthanc_pid")
    wait_port "$dicom"
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$orthanc_http/system" >/dev/null && break; sleep 0.1; done
    send "$dicom" ORTHANC
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

ours=(); theirs=()
for run in $(seq 1 "$runs"); do
    # Alternate the receivers so that a busy neighbour on the shared machine hurts both alike.
    ours_run "$run"; ours+=("$(cat "$work/seconds")"); echo "run $run: mi-server demo  ${ours[-1]} s" >&2
    [ "$run" -lt "$runs" ] && stop "$ours_pid"
    orthanc_run "$run"; theirs+=("$(cat "$work/seconds")"); echo "run $run: Orthanc         ${theirs[-1]} s" >&2
    [ "$run" -lt "$runs" ] && stop "$orthanc_pid"
done

# Both must really have it all: our worklist (integration token) and Orthanc's REST API.
secret=$(python3 -c "import json,sys; print(next(c['client_secret'] for c in json.load(open(sys.argv[1]))['clients'] if c['client_id']=='mi-integration'))" "$ours_data/demo-accounts.json")
token=$(curl -fs -u "mi-integration:$secret" -d grant_type=client_credentials "http://127.0.0.1:$ours_http/oauth/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$ours_http/api/v1/studies?patientId=$patient_id" >"$work/ours.json"
curl -fs "http://127.0.0.1:$orthanc_http/studies" >"$work/orthanc-studies.json"
curl -fs "http://127.0.0.1:$orthanc_http/statistics" >"$work/orthanc-stats.json"

python3 - "$work" "$count" "$bytes" "${ours[*]}" "${theirs[*]}" <<'PY'
import json, sys
work, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ours, theirs = [float(x) for x in sys.argv[4].split()], [float(x) for x in sys.argv[5].split()]
page = json.load(open(f"{work}/ours.json"))
items = page["items"]
ok_ours = page["total"] == 1 and items[0]["instanceCount"] == count
studies, stats = json.load(open(f"{work}/orthanc-studies.json")), json.load(open(f"{work}/orthanc-stats.json"))
ok_theirs = len(studies) == 1 and stats["CountInstances"] == count
a, b = min(ours), min(theirs)
print()
print(f"{count} CT slices, {size / 1e6:.1f} MB, DCMTK storescu (TCP_NODELAY=1), one association, best of {len(ours)}")
print(f"{'receiver':34} {'best s':>8} {'runs s':>24} {'inst/s':>8} {'MB/s':>7}")
for name, runs in (("mi-server demo (index + storage)", ours), ("Orthanc 1.10 (SQLite index)", theirs)):
    print(f"{name:34} {min(runs):8.2f} {' '.join(f'{r:.2f}' for r in runs):>24} {count / min(runs):8.1f} {size / 1e6 / min(runs):7.1f}")
print(f"throughput ratio (ours / Orthanc): {b / a:.2f}x   (goal >= 1.5x)")
print(f"worklist finds the study with {items[0]['instanceCount'] if items else 0} of {count} instances: {'ok' if ok_ours else 'FAILED'}")
print(f"Orthanc /studies has {len(studies)} study, {stats['CountInstances']} instances: {'ok' if ok_theirs else 'FAILED'}")
sys.exit(0 if ok_ours and ok_theirs else 1)
PY
if [ "${PROFILE:-0}" = 1 ] && [ -f "$work/perf.data" ]; then
    perf report -i "$work/perf.data" --no-children --percent-limit 1.5 --stdio 2>/dev/null | grep -v '^$' | head -60
fi
