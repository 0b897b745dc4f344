#!/usr/bin/env bash
# The network stage of the test command: our DICOM stack against real peers on free loopback ports.
#   DCMTK echoscu/storescu -> our store-scp; DCMTK findscu/movescu/getscu -> our qr-scp (moving to DCMTK storescp);
#   our echo/store -> DCMTK storescp; our echo/store/find/move/get <-> Orthanc; Orthanc echo/find/move -> our qr-scp;
#   hostile bytes against our store-scp. Starts and stops every peer itself; prints "N passed, M failed" last.
# Environment: SCRATCH (SwiftPM scratch path), MI_CLI (a built mi-cli to use instead of building one).
set -u
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1; }; }
need storescp dcmtk
need Orthanc orthanc
need curl curl

if [ -z "${MI_CLI:-}" ]; then
    scratch=(); [ -n "${SCRATCH:-}" ] && scratch=(--scratch-path "$SCRATCH")
    swift build "${scratch[@]}" --product mi-cli >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
    MI_CLI="$(swift build "${scratch[@]}" --show-bin-path)/mi-cli"
fi
MI="$MI_CLI"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

passed=0; failed=0
check() {
    local name="$1"; shift
    if "$@" >"$work/last.log" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
    else failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/last.log" | tail -15; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
count_dcm() { find "$1" -name '*.dcm' -type f | wc -l; }

python3 Scripts/make-ct-series.py "$work/ct" 20 >/dev/null
N=20

# --- DCMTK SCUs -> our store-scp --------------------------------------------------------------------------------
scp_port=$(free_port)
"$MI" store-scp --aet MI-SCP --port "$scp_port" --dir "$work/in" --host 127.0.0.1 2>"$work/scp.log" & pids+=($!)
wait_port "$scp_port"
check "echoscu -> our store-scp" echoscu -aet DCMTK -aec MI-SCP 127.0.0.1 "$scp_port"
check "storescu (20 CT slices) -> our store-scp" storescu -aet DCMTK -aec MI-SCP +sd 127.0.0.1 "$scp_port" "$work/ct"
check "store-scp wrote 20 Part 10 files" test "$(count_dcm "$work/in")" -eq $N
check "files written by store-scp are read by dcmdump" bash -c "for f in '$work'/in/*.dcm; do dcmdump -q \"\$f\" >/dev/null || exit 1; done"
check "file meta of received files names the calling AE" bash -c "dcmdump -q +P 0002,0016 '$work'/in/*.dcm | grep -c DCMTK | grep -qx $N"
# DCMTK's storescu re-encodes (explicit sequence lengths); ours sends the file's data set bytes, so ours -> ours is byte-identical.
check "mi-cli store -> our store-scp: data sets arrive byte-identical" bash -c "'$MI' store 127.0.0.1 $scp_port '$work/ct' --aec MI-SCP --aet MI && python3 - '$work/ct' '$work/in' <<'PY'
import os, sys, struct
def body(path):
    b = open(path, 'rb').read()
    assert b[128:132] == b'DICM', path
    glen = struct.unpack('<I', b[140:144])[0]
    return b[144 + glen:]
received = {body(os.path.join(sys.argv[2], n)) for n in os.listdir(sys.argv[2])}
for n in os.listdir(sys.argv[1]):
    assert body(os.path.join(sys.argv[1], n)) in received, n
PY"
check "storescu of a compressed (JPEG-LS) file is kept as sent" bash -c "dcmcjpls '$work/ct/CT000001.dcm' '$work/jls.dcm' && storescu -aec MI-SCP -xt 127.0.0.1 $scp_port '$work/jls.dcm' && dcmdump -q '$work/in/'\$(dcmdump -q +P 0008,0018 '$work/jls.dcm' | sed 's/.*\[\(.*\)\].*/\1/').dcm | grep -q JPEGLS"

# Hostile peers: garbage, a short PDU, a silent connection; the listener keeps serving.
check "garbage and a truncated PDU do not stop the listener" python3 - "$scp_port" <<'PY'
import socket, sys, subprocess
port = int(sys.argv[1])
g = socket.create_connection(("127.0.0.1", port)); g.sendall(b"GET / HTTP/1.1\r\n\r\n" * 10)
g.settimeout(5); assert len(g.recv(100)) <= 10  # A-ABORT or plain close
s = socket.create_connection(("127.0.0.1", port)); s.sendall(bytes([1, 0, 0, 0, 1, 0, 0, 1]))  # claims 256 bytes, sends 2
idle = socket.create_connection(("127.0.0.1", port))
subprocess.run(["echoscu", "-aec", "MI-SCP", "127.0.0.1", str(port)], check=True, timeout=10)
big = socket.create_connection(("127.0.0.1", port)); big.sendall(bytes([4, 0, 0x7f, 0xff, 0xff, 0xff]))
big.settimeout(5); assert len(big.recv(100)) <= 10
subprocess.run(["echoscu", "-aec", "MI-SCP", "127.0.0.1", str(port)], check=True, timeout=10)
PY
check "store-scp logged the hostile connections" grep -q "unknownPDUType\|oversizedPDU" "$work/scp.log"

# --- our SCU -> DCMTK storescp ----------------------------------------------------------------------------------
dcm_port=$(free_port)
mkdir -p "$work/dcmtk-in"
TCP_NODELAY=1 storescp -aet DCMTK-SCP -od "$work/dcmtk-in" "$dcm_port" & pids+=($!)
wait_port "$dcm_port"
check "mi-cli echo -> storescp" "$MI" echo 127.0.0.1 "$dcm_port" --aec DCMTK-SCP --aet MI
check "mi-cli store --parallel 2 -> storescp" "$MI" store 127.0.0.1 "$dcm_port" "$work/ct" --aec DCMTK-SCP --aet MI --parallel 2
check "storescp received 20 instances" test "$(find "$work/dcmtk-in" -type f | wc -l)" -eq $N
check "mi-cli echo to a closed port exits 2" bash -c "'$MI' echo 127.0.0.1 1 --aec X; test \$? -eq 2"

# --- our worklist C-FIND -> DCMTK wlmscpfs ------------------------------------------------------------------------
wl_port=$(free_port)
mkdir -p "$work/wl/MIWL"; touch "$work/wl/MIWL/lockfile"
cat > "$work/wl.dump" <<'DUMP'
(0008,0005) CS [ISO_IR 192]
(0008,0050) SH [ACC0001]
(0008,0090) PN [Wang^Fang]
(0010,0010) PN [李^雷]
(0010,0020) LO [P0001]
(0010,0030) DA [19800101]
(0010,0040) CS [M]
(0020,000d) UI [1.2.826.0.1.3680043.2.1125.1]
(0032,1032) PN [Wang^Fang]
(0032,1060) LO [CT CHEST]
(0040,1001) SH [RP0001]
(0040,1003) SH [ROUTINE]
(0040,0100) SQ (Sequence with undefined length)
(fffe,e000) na (Item with undefined length)
(0008,0060) CS [CT]
(0040,0001) AE [MI-CT]
(0040,0002) DA [20261130]
(0040,0003) TM [0930]
(0040,0006) PN [Zhao^Min]
(0040,0007) LO [CT CHEST]
(0040,0009) SH [SPS0001]
(0040,0010) SH [CT1]
(0040,0011) SH [ROOM1]
(fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
DUMP
dump2dcm "$work/wl.dump" "$work/wl/MIWL/item1.wl" 2>/dev/null
wlmscpfs -dfp "$work/wl" "$wl_port" 2>/dev/null & pids+=($!)
wait_port "$wl_port"
check "mi-cli find --worklist -> wlmscpfs (scheduled CT for MI-CT)" bash -c "
    '$MI' find 127.0.0.1 $wl_port --aec MIWL --aet MI --worklist -k PatientName= -k PatientID= -k AccessionNumber= \
        -k ScheduledProcedureStepSequence.Modality=CT -k ScheduledProcedureStepSequence.ScheduledStationAETitle=MI-CT \
        -k ScheduledProcedureStepSequence.ScheduledProcedureStepStartDate= > '$work/wl.json' &&
    python3 -c '
import json
m = json.load(open(\"$work/wl.json\"))
assert len(m) == 1, m
assert m[0][\"00080050\"][\"Value\"] == [\"ACC0001\"], m
assert m[0][\"00100010\"][\"Value\"][0][\"Alphabetic\"] == \"李^雷\", m
'"
check "mi-cli find --worklist for another modality finds nothing" bash -c "'$MI' find 127.0.0.1 $wl_port --aec MIWL --aet MI --worklist -k PatientName= -k ScheduledProcedureStepSequence.Modality=MR | grep -qx '\[\]'"

# --- DCMTK findscu/movescu/getscu -> our qr-scp -------------------------------------------------------------------
# The archive: the 20 CT slices plus one MR instance of another patient, study date 2020.
mkdir -p "$work/qr" "$work/qr-moved" "$work/qr-got" "$work/qr-got2" "$work/rsp"
cp "$work"/ct/*.dcm "$work/qr/"
cp "$work/ct/CT000001.dcm" "$work/qr/other.dcm"
dcmodify -nb -m "(0010,0020)=P-OTHER" -m "(0010,0010)=Other^Patient" -m "(0008,0020)=20200101" -m "(0008,0060)=MR" \
    -m "(0020,000d)=1.2.826.0.1.3680043.2.1125.9" -m "(0020,000e)=1.2.826.0.1.3680043.2.1125.9.1" \
    -m "(0008,0018)=1.2.826.0.1.3680043.2.1125.9.1.1" "$work/qr/other.dcm"
ct_study=$(dcmdump -q +P 0020,000d "$work/ct/CT000001.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
ct_series=$(dcmdump -q +P 0020,000e "$work/ct/CT000001.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
sop1=$(dcmdump -q +P 0008,0018 "$work/ct/CT000001.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
sop2=$(dcmdump -q +P 0008,0018 "$work/ct/CT000002.dcm" | sed 's/.*\[\(.*\)\].*/\1/')
qr_port=$(free_port); dest_port=$(free_port)
TCP_NODELAY=1 storescp -aet MOVE-DEST -od "$work/qr-moved" "$dest_port" & pids+=($!)
"$MI" qr-scp --aet MI-QR --port "$qr_port" --dir "$work/qr" --host 127.0.0.1 --peer "MOVE-DEST=127.0.0.1:$dest_port" 2>"$work/qr.log" & pids+=($!)
wait_port "$qr_port"; wait_port "$dest_port"
# find_count N ARGS...: findscu with ARGS extracts exactly N responses (kept in $work/rsp for later greps).
find_count() {
    local want=$1; shift
    rm -f "$work"/rsp/*
    TCP_NODELAY=1 findscu -aet DCMTK -aec MI-QR 127.0.0.1 "$qr_port" -X -od "$work/rsp" "$@" || return 1
    local got; got=$(find "$work/rsp" -name 'rsp*.dcm' | wc -l)
    [ "$got" -eq "$want" ] || { echo "expected $want responses, got $got"; return 1; }
}
rsp_has() { for f in "$work"/rsp/rsp*.dcm; do dcmdump -q "$f"; done | grep -q "$1"; }
# find_has N PATTERN ARGS...: as find_count, and a response's dump shows PATTERN.
find_has() { local want=$1 pattern=$2; shift 2; find_count "$want" "$@" && rsp_has "$pattern"; }
check "echoscu -> our qr-scp" echoscu -aet DCMTK -aec MI-QR 127.0.0.1 "$qr_port"
check "findscu -S STUDY (universal): 2 studies" find_count 2 -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID -k PatientName -k ModalitiesInStudy
check "findscu -S STUDY date range -20201231: the 2020 study only" find_has 1 "1.2.826.0.1.3680043.2.1125.9" -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID -k StudyDate=-20201231
check "findscu -S STUDY ModalitiesInStudy=CT and NumberOfStudyRelatedInstances=20" find_has 1 "IS \[20\]" -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID -k ModalitiesInStudy=CT -k NumberOfStudyRelatedInstances
check "findscu -P PATIENT wildcard PatientName=oth*: P-OTHER" find_has 1 "P-OTHER" -P -k QueryRetrieveLevel=PATIENT -k PatientID -k 'PatientName=oth*'
check "findscu -P PATIENT PatientID=PID000123?: one patient, UTF-8 name" find_has 1 "ISO_IR 192" -P -k QueryRetrieveLevel=PATIENT -k 'PatientID=PID000123?' -k PatientName -k SpecificCharacterSet
check "findscu -P STUDY under a patient" find_count 1 -P -k QueryRetrieveLevel=STUDY -k PatientID=PID0001234 -k StudyInstanceUID -k StudyDate
check "findscu -S SERIES in the CT study" find_count 1 -S -k QueryRetrieveLevel=SERIES -k StudyInstanceUID="$ct_study" -k SeriesInstanceUID -k Modality=CT
check "findscu -S IMAGE in the CT series: 20" find_count 20 -S -k QueryRetrieveLevel=IMAGE -k StudyInstanceUID="$ct_study" -k SeriesInstanceUID="$ct_series" -k SOPInstanceUID -k InstanceNumber
check "findscu -P IMAGE with a list of two SOP Instance UIDs" find_count 2 -P -k QueryRetrieveLevel=IMAGE -k PatientID=PID0001234 -k StudyInstanceUID="$ct_study" -k SeriesInstanceUID="$ct_series" -k "SOPInstanceUID=$sop1\\$sop2"
check "findscu -S PATIENT is refused (no PATIENT level in Study Root)" bash -c "TCP_NODELAY=1 findscu -aet DCMTK -aec MI-QR 127.0.0.1 $qr_port -S -k QueryRetrieveLevel=PATIENT -k PatientID -v 2>&1 | grep -q 'Final Find Response (Error: DataSetDoesNotMatchSOPClass)'"
check "findscu --cancel 1: the SCP answers and keeps serving" bash -c "TCP_NODELAY=1 findscu -aet DCMTK -aec MI-QR 127.0.0.1 $qr_port --cancel 1 -S -k QueryRetrieveLevel=IMAGE -k SOPInstanceUID && echoscu -aec MI-QR 127.0.0.1 $qr_port"
check "movescu -S STUDY -> MOVE-DEST (DCMTK storescp): 20 instances" bash -c "TCP_NODELAY=1 movescu -aet DCMTK -aec MI-QR -aem MOVE-DEST -S 127.0.0.1 $qr_port -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=$ct_study && test \$(find '$work/qr-moved' -type f | wc -l) -eq $N"
check "movescu -P PATIENT P-OTHER -> MOVE-DEST: 1 more" bash -c "TCP_NODELAY=1 movescu -aet DCMTK -aec MI-QR -aem MOVE-DEST -P 127.0.0.1 $qr_port -k QueryRetrieveLevel=PATIENT -k PatientID=P-OTHER && test \$(find '$work/qr-moved' -type f | wc -l) -eq $((N + 1))"
check "movescu to an unknown destination is refused (A801)" bash -c "TCP_NODELAY=1 movescu -v -aet DCMTK -aec MI-QR -aem NOBODY -S 127.0.0.1 $qr_port -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=$ct_study 2>&1 | grep -q 'Final Move Response (Refused: MoveDestinationUnknown)'"
check "getscu -S STUDY: 20 instances back on the association" bash -c "TCP_NODELAY=1 getscu -aet DCMTK -aec MI-QR -S -od '$work/qr-got' 127.0.0.1 $qr_port -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=$ct_study && test \$(find '$work/qr-got' -type f | wc -l) -eq $N"
check "getscu -P SERIES of P-OTHER: 1 instance, readable" bash -c "TCP_NODELAY=1 getscu -aet DCMTK -aec MI-QR -P -od '$work/qr-got2' 127.0.0.1 $qr_port -k QueryRetrieveLevel=SERIES -k PatientID=P-OTHER -k StudyInstanceUID=1.2.826.0.1.3680043.2.1125.9 -k SeriesInstanceUID=1.2.826.0.1.3680043.2.1125.9.1 && test \$(find '$work/qr-got2' -type f | wc -l) -eq 1 && dcmdump -q '$work'/qr-got2/* | grep -q P-OTHER"
check "mi-cli find -> our qr-scp (STUDY, UTF-8 JSON)" bash -c "'$MI' find 127.0.0.1 $qr_port --aec MI-QR --aet MI -k StudyInstanceUID= -k PatientName= | python3 -c 'import json,sys; m=json.load(sys.stdin); assert len(m) == 2, m'"

# --- Orthanc as the PACS ----------------------------------------------------------------------------------------
o_http=$(free_port); o_dicom=$(free_port)
mkdir -p "$work/orthanc-db" "$work/moved" "$work/got"
cat > "$work/orthanc.json" <<JSON
{ "Name": "mi-test", "StorageDirectory": "$work/orthanc-db", "IndexDirectory": "$work/orthanc-db",
  "HttpPort": $o_http, "DicomPort": $o_dicom, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DefaultEncoding": "Utf8", "DicomCheckCalledAet": false, "Plugins": [],
  "DicomModalities": { "mi": ["MI-SCP", "127.0.0.1", $scp_port], "micli": ["MI", "127.0.0.1", $scp_port] } }
JSON
TCP_NODELAY=1 Orthanc "$work/orthanc.json" >"$work/orthanc.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$o_http/system" >/dev/null && break; sleep 0.2; done
check "mi-cli echo -> Orthanc" "$MI" echo 127.0.0.1 "$o_dicom" --aec ORTHANC --aet MI
check "mi-cli store -> Orthanc" "$MI" store 127.0.0.1 "$o_dicom" "$work/ct" --aec ORTHANC --aet MI
check "Orthanc holds 20 instances" bash -c "curl -sf http://127.0.0.1:$o_http/statistics | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"CountInstances\"] == $N'"
for level in PATIENT STUDY SERIES IMAGE; do
    check "mi-cli find at $level level (Study Root) returns the UTF-8 name 张伟" bash -c "
        '$MI' find 127.0.0.1 $o_dicom --aec ORTHANC --aet MI -k QueryRetrieveLevel=$level -k PatientName= -k PatientID= -k StudyInstanceUID= -k SeriesInstanceUID= -k SOPInstanceUID= > '$work/find.json' &&
        python3 -c '
import json,sys
m = json.load(open(\"$work/find.json\"))
want = {\"PATIENT\": 1, \"STUDY\": 1, \"SERIES\": 1, \"IMAGE\": $N}[\"$level\"]
assert len(m) == want, (len(m), want)
assert m[0][\"00100010\"][\"Value\"][0][\"Alphabetic\"] == \"张伟\", m[0][\"00100010\"]
'"
done
check "mi-cli find --patient-root" bash -c "'$MI' find 127.0.0.1 $o_dicom --aec ORTHANC --aet MI --patient-root -k PatientID= | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 1'"
found=$(curl -sf "http://127.0.0.1:$o_http/tools/find" -d '{"Level":"Study","Query":{},"Expand":true}')
study=$(echo "$found" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["MainDicomTags"]["StudyInstanceUID"])')
orthanc_study=$(echo "$found" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ID"])')
rm -rf "$work/in"; mkdir -p "$work/in"
check "mi-cli move: Orthanc C-MOVEs the study to our store-scp" "$MI" move 127.0.0.1 "$o_dicom" --aec ORTHANC --aet MI --move MI-SCP -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study"
check "our store-scp received the moved 20 instances" test "$(count_dcm "$work/in")" -eq $N
check "mi-cli get: C-GET of the study from Orthanc" "$MI" get 127.0.0.1 "$o_dicom" --aec ORTHANC --aet MI --dir "$work/got" -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study"
check "C-GET wrote 20 files" test "$(count_dcm "$work/got")" -eq $N
check "mi-cli move to an unknown destination fails with exit 1" bash -c "'$MI' move 127.0.0.1 $o_dicom --aec ORTHANC --aet MI --move NOBODY -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=$study; test \$? -eq 1"
check "Orthanc C-STOREs to our store-scp (REST-triggered)" bash -c "rm -f '$work'/in/*.dcm; curl -sf http://127.0.0.1:$o_http/modalities/mi/store -d '$orthanc_study' >/dev/null && test \$(find '$work/in' -name '*.dcm' | wc -l) -eq $N"

# --- Orthanc as the SCU against our qr-scp: C-ECHO, C-FIND (UTF-8 names), C-MOVE to Orthanc itself -----------------
# (Debian's Orthanc 1.10 has no C-GET SCU; DCMTK's getscu covers our C-GET SCP above.)
qr2_port=$(free_port)
"$MI" qr-scp --aet MI-QR2 --port "$qr2_port" --dir "$work/qr" --host 127.0.0.1 --peer "ORTHANC=127.0.0.1:$o_dicom" 2>"$work/qr2.log" & pids+=($!)
wait_port "$qr2_port"
o_api="http://127.0.0.1:$o_http"
check "Orthanc learns our qr-scp as a modality" curl -sf -X PUT "$o_api/modalities/miqr" -d "{\"AET\": \"MI-QR2\", \"Host\": \"127.0.0.1\", \"Port\": $qr2_port}"
check "Orthanc C-ECHOes our qr-scp" curl -sf -X POST "$o_api/modalities/miqr/echo" -d '{}'
check "Orthanc C-FINDs studies on our qr-scp: 2, one named 张伟 (UTF-8)" bash -c "
    q=\$(curl -sf -X POST '$o_api/modalities/miqr/query' -d '{\"Level\": \"Study\", \"Query\": {\"PatientName\": \"\", \"PatientID\": \"\", \"StudyInstanceUID\": \"\"}}') &&
    id=\$(echo \"\$q\" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"ID\"])') &&
    curl -sf '$o_api/queries/'\$id'/answers?expand&simplify' | python3 -c '
import json, sys
answers = json.load(sys.stdin)
assert len(answers) == 2, answers
names = sorted(a.get(\"PatientName\", \"\") for a in answers)
assert \"张伟\" in names, names
'"
check "Orthanc C-FINDs the CT series' images on our qr-scp: $N" bash -c "
    q=\$(curl -sf -X POST '$o_api/modalities/miqr/query' -d '{\"Level\": \"Instance\", \"Query\": {\"StudyInstanceUID\": \"$ct_study\", \"SeriesInstanceUID\": \"$ct_series\", \"SOPInstanceUID\": \"\"}}') &&
    id=\$(echo \"\$q\" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"ID\"])') &&
    test \$(curl -sf '$o_api/queries/'\$id'/answers' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') -eq $N"
check "Orthanc C-MOVEs P-OTHER's study from our qr-scp to itself: it then holds that instance" bash -c "
    curl -sf -X POST '$o_api/modalities/miqr/move' -d '{\"Level\": \"Study\", \"Resources\": [{\"StudyInstanceUID\": \"1.2.826.0.1.3680043.2.1125.9\"}], \"TargetAet\": \"ORTHANC\", \"Synchronous\": true}' >/dev/null &&
    curl -sf '$o_api/tools/find' -d '{\"Level\": \"Instance\", \"Query\": {\"PatientID\": \"P-OTHER\"}, \"Expand\": true}' | python3 -c '
import json, sys
found = json.load(sys.stdin)
assert len(found) == 1 and found[0][\"MainDicomTags\"][\"SOPInstanceUID\"] == \"1.2.826.0.1.3680043.2.1125.9.1.1\", found
'"
check "Orthanc's C-MOVE to an AE our qr-scp does not know fails" bash -c "! curl -sf -X POST '$o_api/modalities/miqr/move' -d '{\"Level\": \"Study\", \"Resources\": [{\"StudyInstanceUID\": \"$ct_study\"}], \"TargetAet\": \"NOBODY\", \"Synchronous\": true}' >/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
