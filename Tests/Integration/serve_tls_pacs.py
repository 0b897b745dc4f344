"""`mi-server serve` from a YAML config, over HTTPS, fetching a study from a real PACS (Orthanc) on demand.

1. Orthanc (Debian's) starts on free ports with a CT study uploaded through its REST API.
2. mi-server serve starts with TLS (a self-signed certificate made here), SQLite, its Storage SCP and Orthanc as a
   PACS peer; on an empty database it bootstraps an administrator with a one-time password.
3. Over HTTPS: the administrator logs in (code + PKCE), is made to change the password, creates an integration
   client; the client asks for the study, gets 202 while mi-server C-FINDs and C-MOVEs it from Orthanc, then 200
   with every instance indexed; a frame of it decodes; the same frame and a web module over HTTP/2 (curl, ALPN h2).
4. SIGTERM stops the server cleanly.
"""
import base64, hashlib, json, os, re, secrets, socket, ssl, subprocess, sys, tempfile, time, urllib.parse, urllib.request, http.client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(ROOT, ".build", "debug", "mi-server")
CORPUS = os.path.join(ROOT, "TestData", "pydicom", "test_files")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    work = tempfile.mkdtemp(prefix="mi-serve-")
    o_http, o_dicom, mi_http, mi_dicom = free_port(), free_port(), free_port(), free_port()
    procs, failures = [], []
    try:
        # --- Orthanc with one study
        os.makedirs(f"{work}/orthanc-db")
        json.dump({"Name": "mi-serve-test", "StorageDirectory": f"{work}/orthanc-db", "IndexDirectory": f"{work}/orthanc-db",
                   "HttpPort": o_http, "DicomPort": o_dicom, "DicomAet": "ORTHANC", "RemoteAccessAllowed": False,
                   "AuthenticationEnabled": False, "DefaultEncoding": "Utf8",
                   "DicomModalities": {"mi": ["MI_SERVE", "127.0.0.1", mi_dicom]}}, open(f"{work}/orthanc.json", "w"))
        procs.append(subprocess.Popen(["Orthanc", f"{work}/orthanc.json"], stdout=open(f"{work}/orthanc.log", "w"), stderr=subprocess.STDOUT,
                                      env=dict(os.environ, TCP_NODELAY="1")))
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{o_http}/system"); break
            except Exception:
                time.sleep(0.2)
        files = [f for f in ("CT_small.dcm", "MR_small.dcm") if os.path.exists(os.path.join(CORPUS, f))]
        assert files, "test corpus missing (Scripts/fetch-test-data.sh)"
        uploaded = json.load(urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{o_http}/instances",
                                                                          data=open(os.path.join(CORPUS, files[0]), "rb").read())))
        study_uid = json.load(urllib.request.urlopen(f"http://127.0.0.1:{o_http}/studies/{uploaded['ParentStudy']}"))["MainDicomTags"]["StudyInstanceUID"]

        # --- mi-server serve with TLS
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", f"{work}/key.pem", "-out", f"{work}/cert.pem"], check=True, capture_output=True)
        base = f"https://127.0.0.1:{mi_http}"
        open(f"{work}/mi.yaml", "w").write(f"""
listen: {{ host: 127.0.0.1, port: {mi_http} }}
tls: {{ certificate: {work}/cert.pem, key: {work}/key.pem }}
publicURL: {base}
database: sqlite:{work}/mi/index.sqlite
storage: {work}/mi/storage
dicom: {{ aeTitle: MI_SERVE, port: {mi_dicom}, host: 127.0.0.1 }}
pacs:
  - {{ name: Orthanc, aeTitle: ORTHANC, host: 127.0.0.1, port: {o_dicom} }}
""")
        server = subprocess.Popen([SERVER, "serve", "--config", f"{work}/mi.yaml"], stdout=subprocess.PIPE, stderr=open(f"{work}/mi.log", "w"), text=True)
        procs.append(server)
        password = None
        deadline = time.time() + 120
        while time.time() < deadline:
            line = server.stdout.readline()
            if not line:
                if server.poll() is not None:
                    raise SystemExit("mi-server serve exited: " + open(f"{work}/mi.log").read()[-2000:])
                continue
            match = re.search(r"one-time password (\S+)", line)
            if match:
                password = match.group(1)
            if "listening on" in line:
                break
        assert password, "no bootstrap password printed"

        context = ssl.create_default_context(cafile=f"{work}/cert.pem")
        https = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)

        def call(method, path, token=None, form=None, body=None, headers=None):
            h = dict(headers or {})
            data = None
            if token: h["Authorization"] = "Bearer " + token
            if form is not None:
                data = urllib.parse.urlencode(form).encode(); h["Content-Type"] = "application/x-www-form-urlencoded"
            if body is not None:
                data = json.dumps(body).encode(); h["Content-Type"] = "application/json"
            request = urllib.request.Request(base + path, data=data, headers=h, method=method)
            try:
                response = https.open(request)
                return response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.headers, error.read()

        # --- the administrator logs in over HTTPS with code + PKCE
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        status, headers, _ = call("POST", "/oauth/authorize", form={
            "response_type": "code", "client_id": "mi-web", "redirect_uri": base + "/app/callback", "scope": "openid api",
            "state": "x", "code_challenge": challenge, "code_challenge_method": "S256", "username": "admin", "password": password})
        if status != 302:
            raise SystemExit(f"admin login: HTTP {status}")
        code = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)["code"][0]
        status, _, body = call("POST", "/oauth/token", form={"grant_type": "authorization_code", "code": code, "client_id": "mi-web",
                                                             "redirect_uri": base + "/app/callback", "code_verifier": verifier})
        admin = json.loads(body)["access_token"]
        status, _, body = call("POST", "/api/v1/clients", admin, body={"clientId": "ris", "name": "RIS", "grantTypes": ["client_credentials"], "roles": ["integration"]})
        if status != 403 or json.loads(body).get("error") != "password_change_required":
            failures.append(f"one-time password not enforced: {status} {body[:200]}")
        status, _, _ = call("POST", "/api/v1/me/password", admin, body={"currentPassword": password, "newPassword": "Chosen#Pass2026"})
        if status != 204:
            failures.append(f"password change: {status}")
        status, _, body = call("POST", "/api/v1/clients", admin, body={"clientId": "ris", "name": "RIS", "grantTypes": ["client_credentials"], "roles": ["integration"]})
        if status != 201:
            raise SystemExit(f"create client: {status} {body[:300]}")
        secret = json.loads(body)["clientSecret"]
        basic = base64.b64encode(f"ris:{secret}".encode()).decode()
        status, _, body = call("POST", "/oauth/token", form={"grant_type": "client_credentials"}, headers={"Authorization": "Basic " + basic})
        token = json.loads(body)["access_token"]

        # --- the study is not local: 202 while it comes from Orthanc, then 200
        status, headers, body = call("GET", f"/api/v1/studies/{study_uid}", token)
        if status != 202:
            failures.append(f"first request for a PACS study: HTTP {status} {body[:200]}")
        deadline = time.time() + 60
        while time.time() < deadline:
            status, _, body = call("GET", f"/api/v1/studies/{study_uid}", token)
            if status == 200 and json.loads(body)["instanceCount"] >= 1:
                break
            time.sleep(0.5)
        else:
            failures.append(f"study never arrived: HTTP {status} {body[:200]}")
        if status == 200:
            series = json.loads(call("GET", f"/api/v1/studies/{study_uid}/series", token)[2])["items"]
            instances = json.loads(call("GET", f"/api/v1/series/{series[0]['seriesInstanceUID']}/instances", token)[2])["items"]
            status, headers, frame = call("GET", f"/api/v1/instances/{instances[0]['sopInstanceUID']}/frames/1", token)
            if status != 200 or not frame.startswith(b"MIF1"):
                failures.append(f"frame over HTTPS: {status}")
            # Browsers offer h2 in ALPN and get HTTP/2 (urllib above offers only HTTP/1.1 and gets that): the same
            # frame, gzip-encoded, and a web client module, both over one HTTP/2 connection of curl's (libcurl + nghttp2).
            out = f"{work}/h2-frame"
            curl = subprocess.run(["curl", "-s", "--http2", "--cacert", f"{work}/cert.pem", "--compressed", "-H", "Authorization: Bearer " + token,
                                   "-w", "%{http_version} %{http_code}\\n", "-o", out,
                                   f"{base}/api/v1/instances/{instances[0]['sopInstanceUID']}/frames/1",
                                   "-o", "/dev/null", f"{base}/app/main.js"], capture_output=True, text=True, timeout=60)
            if curl.stdout.split() != ["2", "200", "2", "200"] or open(out, "rb").read() != frame:
                failures.append(f"HTTP/2: curl says {curl.stdout!r} {curl.stderr[-300:]!r}, frame equal: {os.path.exists(out) and open(out, 'rb').read() == frame}")
        status, _, _ = call("GET", "/api/v1/studies/1.2.3.4.5.6.7.8.9", token)
        if status != 404:
            failures.append(f"a study no PACS has: HTTP {status}")
        # Plain HTTP to the TLS port does not get an answer.
        try:
            conn = http.client.HTTPConnection("127.0.0.1", mi_http, timeout=5); conn.request("GET", "/healthz"); r = conn.getresponse()
            failures.append(f"plain HTTP answered {r.status} on the TLS port")
        except Exception:
            pass
        server.terminate()
        try:
            code = server.wait(timeout=20)
            if code not in (0, -15):
                failures.append(f"mi-server exited {code} after SIGTERM")
        except subprocess.TimeoutExpired:
            failures.append("mi-server did not stop within 20 s of SIGTERM")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for f in failures:
        print("FAIL:", f)
    print("serve over TLS with PACS on demand:", "ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
