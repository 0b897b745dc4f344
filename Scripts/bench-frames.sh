#!/usr/bin/env bash
# Frame wire benchmark (prints numbers, asserts nothing about time): the CT series of Scripts/make-ct-series.py sent
# into `mi-server demo` with DCMTK's storescu, then for every instance GET /api/v1/instances/{uid}/frames/1 with
# `Accept-Encoding: gzip` and without: bytes per 512x512 frame against raw (rows*cols*2), time per frame, a few frames
# decoded and compared with their files, and what other zlib levels/strategies would give on the same MIF1 payloads
# (Scripts/frames-wire.py). Goal: gzip <= 0.5x raw.
#
# Usage: Scripts/bench-frames.sh [COUNT]      (default 300 slices)
# Environment: MI_SERVER (a release mi-server; built when unset), SCRATCH, KEEP=1 keeps the temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-300}
command -v storescu >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y dcmtk >/dev/null
if [ -z "${MI_SERVER:-}" ]; then
    scratch=(); [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build "${scratch[@]}" -c release --product mi-server >/dev/null
    MI_SERVER="$(swift build "${scratch[@]}" -c release --show-bin-path)/mi-server"
fi
work=$(mktemp -d /tmp/mi-bench-frames.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 did not open" >&2; return 1; }

python3 Scripts/make-ct-series.py "$work/ct" "$count" >/dev/null
http=$(free_port); dicom=$(free_port)
"$MI_SERVER" demo --data "$work/data" --host 127.0.0.1 --port "$http" --dicom-port "$dicom" >"$work/server.log" 2>&1 &
pid=$!
wait_port "$dicom"; wait_port "$http"
TCP_NODELAY=1 storescu -aet STORESCU -aec MI_DEMO +sd 127.0.0.1 "$dicom" "$work/ct"
secret=$(python3 -c "import json,sys; print(next(c['client_secret'] for c in json.load(open(sys.argv[1]))['clients'] if c['client_id']=='mi-integration'))" "$work/data/demo-accounts.json")
token=$(curl -fs -u "mi-integration:$secret" -d grant_type=client_credentials "http://127.0.0.1:$http/oauth/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
python3 Scripts/frames-wire.py --base "http://127.0.0.1:$http" --token "$token" --patient-id PID0001234 --files "$work/ct" --json "$work/frames.json"
