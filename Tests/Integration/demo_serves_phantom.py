"""The demo starts from an empty folder, seeds itself, and serves the CT whose frames decode to the generator's values.

Starts `mi-server demo` on free ports in a temporary folder, waits for it, logs in as the integration client
(client credentials, from demo-accounts.json), finds the reported CT on the worklist, fetches frames through the
frame API with gzip, decodes the wire format (written out here from its documentation, independently of the
server's code) and compares documented phantom points; then checks a report's PDF and a rendered preview.
Exit status 0 when everything matches.
"""
import gzip, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request, base64

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(ROOT, ".build", "debug", "mi-server")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def main():
    folder = tempfile.mkdtemp(prefix="mi-demo-")
    port, dicom_port = free_port(), free_port()
    log = open(os.path.join(folder, "server.log"), "w")
    proc = subprocess.Popen([SERVER, "demo", "--data", os.path.join(folder, "data"), "--port", str(port), "--dicom-port", str(dicom_port)],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    failures = []
    try:
        deadline = time.time() + 240
        output = []
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                if proc.poll() is not None:
                    raise SystemExit(f"mi-server demo exited with {proc.returncode}: {''.join(output)}")
                continue
            output.append(line)
            if "mi-server demo is running" in line:
                break
        else:
            raise SystemExit("mi-server demo did not start within 240 s")
        base = f"http://127.0.0.1:{port}"
        accounts = json.load(open(os.path.join(folder, "data", "demo-accounts.json")))
        roles = {a["role"] for a in accounts["accounts"]}
        if roles != {"administrator", "doctor", "patient"}:
            failures.append(f"demo-accounts.json roles: {roles}")
        client = next(c for c in accounts["clients"] if c.get("client_secret") and "client_credentials" in c["grant_types"])
        basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
        req = urllib.request.Request(base + "/oauth/token", data=b"grant_type=client_credentials",
                                     headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        token = json.load(urllib.request.urlopen(req))["access_token"]

        def get(path, accept_gzip=False):
            headers = {"Authorization": "Bearer " + token}
            if accept_gzip:
                headers["Accept-Encoding"] = "gzip"
            return urllib.request.urlopen(urllib.request.Request(base + path, headers=headers))

        worklist = json.load(get("/api/v1/studies?limit=100"))
        statuses = {s["status"] for s in worklist["items"]}
        if statuses != {"scheduled", "imaging", "report"}:
            failures.append(f"statuses on the worklist: {statuses}")
        modalities = {s["modality"] for s in worklist["items"]}
        for wanted in ("CT", "MR", "DX", "CR"):
            if wanted not in modalities:
                failures.append(f"no {wanted} exam on the worklist")
        ct = next(s for s in worklist["items"] if s["modality"] == "CT" and s["status"] == "report")
        if ct["patientName"] != "张三":
            failures.append(f"CT patient name {ct['patientName']!r}")
        series = json.load(get(f"/api/v1/studies/{ct['studyInstanceUID']}/series"))["items"]
        ct_series = next(s for s in series if s["modality"] == "CT")
        if ct_series["instanceCount"] < 200:
            failures.append(f"CT series has {ct_series['instanceCount']} slices")
        instances = json.load(get(f"/api/v1/series/{ct_series['seriesInstanceUID']}/instances"))["items"]
        by_number = {i["instanceNumber"]: i for i in instances}
        # Documented phantom points (DemoPhantom.chestCT): (column, row, slice index) -> HU. Slice k is instance k+1.
        points = [((356, 235, 120), -855), ((150, 200, 120), 30), ((5, 5, 120), -1000), ((256, 362, 10), 700), ((256, 256, 0), 40)]
        raw_size = 512 * 512 * 2
        for (column, row, slice_index), hu in points:
            instance = by_number[slice_index + 1]
            meta = instance["image"]
            response = get(f"/api/v1/instances/{instance['sopInstanceUID']}/frames/1", accept_gzip=True)
            body = response.read()
            if response.headers.get("Content-Encoding") != "gzip":
                failures.append("frame not gzip-encoded")
                continue
            if len(body) > raw_size // 2:
                failures.append(f"frame wire size {len(body)} > half of raw")
            data = gzip.decompress(body)
            if data[:4] != b"MIF1":
                failures.append("frame magic")
                continue
            cols, rows = struct.unpack("<HH", data[4:8])
            bps, spp, flags = data[8], data[9], data[10]
            n = cols * rows * spp
            if (cols, rows, bps, spp) != (512, 512, 2, 1) or len(data) != 16 + n * bps:
                failures.append(f"frame header {cols}x{rows} B={bps} S={spp} length {len(data)}")
                continue
            payload = data[16:]
            if flags & 2:
                residual = [payload[i] | payload[n + i] << 8 for i in range(n)]
                values = [0] * n
                for i in range(n):
                    pred = values[i - 1] if i % cols else (values[i - cols] if i >= cols else 0)
                    values[i] = (residual[i] + pred) & 0xFFFF
            else:
                values = list(struct.unpack(f"<{n}H", payload))
            stored = values[row * cols + column]
            if flags & 1 and stored >= 0x8000:
                stored -= 0x10000
            value = stored * meta["rescaleSlope"] + meta["rescaleIntercept"]
            if value != hu:
                failures.append(f"slice {slice_index} ({column},{row}): {value} HU, expected {hu}")
        reports = json.load(get(f"/api/v1/studies/{ct['studyInstanceUID']}/reports"))["items"]
        if not reports:
            failures.append("the CT has no report")
        else:
            pdf = get(f"/api/v1/reports/{reports[0]['id']}/file").read()
            if not pdf.startswith(b"%PDF-"):
                failures.append("report file is not a PDF")
            page = get(f"/api/v1/reports/{reports[0]['id']}/pages/1").read()
            if not page.startswith(b"\x89PNG"):
                failures.append("report page 1 is not a PNG")
        preview = get(f"/api/v1/instances/{by_number[121]['sopInstanceUID']}/rendered?size=128&format=png").read()
        if not preview.startswith(b"\x89PNG") or struct.unpack(">II", preview[16:24]) != (128, 128):
            failures.append("rendered preview is not a 128x128 PNG")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            failures.append("mi-server did not stop within 20 s of SIGTERM")
    if proc.returncode not in (0, -15):
        failures.append(f"mi-server exited with {proc.returncode} after SIGTERM")
    for f in failures:
        print("FAIL:", f)
    print("demo serves the phantom:", "ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
