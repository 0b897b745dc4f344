"""Patient access against the running demo: QR link, second factor, manual retrieval, shares and their end.

Starts `mi-server demo --test-clock` on free ports in a temporary folder and, as the hospital's integration client
(client credentials, from demo-accounts.json), asks for the QR code of 张三's reported CT; reads the PNG back with
`zbarimg` (an independent decoder) and follows the link as a phone would: the page, the masked exam, a wrong and
then the right birth date, and with the patient session the frames, the report and the history. Then manual
retrieval (right details, and a wrong one with the generic answer), and shares: open without an account, view
counts, revocation and expiry (the server's clock moved forward) each giving 410 on the data and the expired page.
Exit status 0 when everything matches.
"""
import base64, json, os, socket, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(ROOT, ".build", "debug", "mi-server")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def call(method, url, token=None, body=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def zbar(png):
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png); f.flush()
        out = subprocess.run(["zbarimg", "--raw", "-q", f.name], capture_output=True, text=True)
    return out.stdout.rstrip("\n") if out.returncode == 0 else None


def main():
    folder = tempfile.mkdtemp(prefix="mi-patient-")
    port = free_port()
    log = open(os.path.join(folder, "server.log"), "w")
    proc = subprocess.Popen([SERVER, "demo", "--data", os.path.join(folder, "data"), "--port", str(port), "--host", "127.0.0.1",
                             "--dicom-port", "0", "--test-clock"], stdout=subprocess.PIPE, stderr=log, text=True)
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)
        return condition

    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                if proc.poll() is not None:
                    raise SystemExit(f"mi-server demo exited with {proc.returncode}")
                continue
            if "mi-server demo is running" in line:
                break
        else:
            raise SystemExit("mi-server demo did not start within 300 s")
        base = f"http://127.0.0.1:{port}"
        accounts = json.load(open(os.path.join(folder, "data", "demo-accounts.json")))
        client = next(c for c in accounts["clients"] if c["client_id"] == "mi-integration")
        basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
        request = urllib.request.Request(base + "/oauth/token", data=b"grant_type=client_credentials",
                                         headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        integration = json.load(urllib.request.urlopen(request))["access_token"]

        # The hospital's system asks for the QR code of 张三's reported CT.
        exams = call("GET", base + "/api/v1/studies?" + urllib.parse.urlencode({"name": "张三", "limit": 50}), integration).json()["items"]
        ct = next(s for s in exams if s["modality"] == "CT" and s["status"] == "report")
        qr = call("POST", base + "/api/v1/integration/qrcodes", integration, {"accessionNumber": ct["accessionNumber"]})
        check(qr.status == 201, f"QR code: {qr.status} {qr.body[:200]!r}")
        url = qr.json()["url"]
        check(url.startswith(base + "/p/"), f"link {url} is not on {base}")
        check(zbar(base64.b64decode(qr.json()["png"])) == url, "zbarimg does not read the JSON's PNG as the link")
        direct = call("GET", base + "/api/v1/integration/qrcodes?" + urllib.parse.urlencode({"accessionNumber": ct["accessionNumber"], "errorCorrection": "H"}), integration)
        check(direct.headers.get("Content-Type") == "image/png" and zbar(direct.body) == direct.headers.get("X-Patient-Link"),
              "the GET form's PNG does not read back as its link")

        # The phone opens the link: the app's page, the masked exam, the second factor.
        token = url.rsplit("/", 1)[1]
        check(call("GET", url).status == 200, "the link's page is not served")
        opened = call("GET", f"{base}/api/v1/patient-links/{token}").json()
        check(opened["exam"]["patientName"] == "张*", f"masked name {opened['exam']['patientName']!r}")
        check(opened["verification"] == "birthDate", f"verification {opened['verification']}")
        check([s["current"] for s in opened["exam"]["steps"]] == [False, False, True], "the report step is not the current one")
        wrong = call("POST", f"{base}/api/v1/patient-links/{token}/verify", body={"birthDate": "19000101"})
        check(wrong.status == 401, f"a wrong birth date gave {wrong.status}")
        entry = call("POST", f"{base}/api/v1/patient-links/{token}/verify", body={"birthDate": ct["patientBirthDate"].replace("-", "")})
        check(entry.status == 200, f"the right birth date gave {entry.status}")
        session = entry.json()["session"]["accessToken"]
        series = call("GET", f"{base}/api/v1/studies/{ct['studyInstanceUID']}/series", session).json()["items"]
        instance = series[0]["thumbnailInstanceUID"]
        check(call("GET", f"{base}/api/v1/instances/{instance}/frames/1", session).status == 200, "the patient session reads no frame")
        reports = call("GET", f"{base}/api/v1/studies/{ct['studyInstanceUID']}/reports", session).json()["items"]
        check(reports and call("GET", f"{base}/api/v1/reports/{reports[0]['id']}/file", session).body.startswith(b"%PDF-"), "no report PDF")
        history = call("GET", f"{base}/api/v1/studies/{ct['studyInstanceUID']}/history", session).json()
        check(history["total"] >= 1, "no history for the patient")
        other = next((s for s in call("GET", base + "/api/v1/studies?limit=100", integration).json()["items"] if s["patientName"] != "张三"), None)
        check(other is None or call("GET", f"{base}/api/v1/studies/{other['studyInstanceUID']}", session).status == 404,
              "the patient session sees another patient's exam")

        # Manual retrieval: the right details, then a wrong one with the generic answer.
        details = {"name": "张 三", "hospitalId": ct["hospitalId"], "examNumber": ct["accessionNumber"].lower(), "examDate": ct["studyDate"]}
        check(call("POST", base + "/api/v1/patient-access/retrieve", body=details).status == 200, "manual retrieval failed")
        miss = call("POST", base + "/api/v1/patient-access/retrieve", body=dict(details, examDate="2000-01-01"))
        check(miss.status == 404 and "examDate" not in miss.body.decode(), f"a wrong date gave {miss.status} {miss.body!r}")

        # Shares: open without an account, views counted, revocation and expiry end it everywhere.
        def share(seconds):
            created = call("POST", base + "/api/v1/shares", session, {"studyUID": ct["studyInstanceUID"], "expiresIn": seconds})
            check(created.status == 201, f"share: {created.status} {created.body[:200]!r}")
            body = created.json()
            check(zbar(base64.b64decode(body["png"])) == body["url"], "the share's QR code does not read back as its link")
            return body["id"], body["url"], body["url"].rsplit("/", 1)[1]

        def gone_everywhere(link, bearer, what):
            check(call("GET", f"{base}/api/v1/instances/{instance}/frames/1", bearer).status == 410, f"{what}: frames not 410")
            check(call("GET", f"{base}/api/v1/instances/{instance}/rendered", bearer).status == 410, f"{what}: rendered not 410")
            check(call("GET", f"{base}/api/v1/instances/{instance}/file", bearer).status == 410, f"{what}: file not 410")
            check(call("GET", f"{base}/api/v1/reports/{reports[0]['id']}/file", bearer).status == 410, f"{what}: report not 410")
            check(call("GET", f"{base}/api/v1/shares/{link.rsplit('/', 1)[1]}").status == 410, f"{what}: share API not 410")
            page = call("GET", link)
            check(page.status == 410 and b'data-testid="share-expired"' in page.body, f"{what}: no expired page")

        share_id, link, share_token = share(3600)
        check(call("GET", link).status == 200, "the share's page is not served")
        for _ in range(2):
            opened_share = call("GET", f"{base}/api/v1/shares/{share_token}")
        recipient = opened_share.json()["accessToken"]
        check(call("GET", f"{base}/api/v1/instances/{instance}/frames/1", recipient).status == 200, "the recipient reads no frame")
        listed = call("GET", base + "/api/v1/shares", session).json()["items"]
        check([s["viewCount"] for s in listed if s["id"] == share_id] == [2], f"view counts {listed}")
        check(call("DELETE", f"{base}/api/v1/shares/{share_id}", session).status == 204, "revocation failed")
        gone_everywhere(link, recipient, "revoked share")

        _, short_link, short_token = share(120)
        short_recipient = call("GET", f"{base}/api/v1/shares/{short_token}").json()["accessToken"]
        check(call("POST", base + "/api/v1/test/clock", body={"advanceSeconds": 121}).status == 200, "the test clock did not move")
        gone_everywhere(short_link, short_recipient, "expired share")
        check(call("GET", base + "/api/v1/shares", session).status in (200, 401), "share list after expiry")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            failures.append("mi-server did not stop within 20 s of SIGTERM")
    for f in failures:
        print("FAIL:", f)
    print("patient access against the demo:", "ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
