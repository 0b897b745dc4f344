"""What the browser tests of the web app share: a throwaway `mi-server demo` on free ports, HTTP helpers for its API
and OAuth endpoints (a token by the authorization code flow with PKCE, as the web app gets one), and Debian's
Chromium launched through Python playwright (never `playwright install`)."""
import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The web client the demo serves: this tree's, or another copy (MI_WEB_ROOT: e.g. an older revision's, to compare
# two clients with Scripts/bench-viewer-load.sh).
WEB = os.environ.get("MI_WEB_ROOT") or os.path.join(ROOT, "Sources", "mi-server", "Resources", "web")
SERVER = os.environ.get("MI_SERVER") or os.path.join(ROOT, ".build", "debug", "mi-server")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --use-gl=angle --use-angle=swiftshader --enable-unsafe-swiftshader").split()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


class Demo:
    """`mi-server demo` in a temporary folder, serving the web client from the source tree (or one already running:
    `base` and `data` given); `extra` arguments go to the demo (e.g. `--test-clock`). With `tls`, the demo serves
    HTTPS (HTTP/2 and HTTP/1.1) with a self-signed certificate made here for 127.0.0.1, which this process's urllib
    then trusts (`self.certificate`); a browser context needs `ignore_https_errors=True`."""

    def __init__(self, prefix, base=None, data=None, extra=(), tls=False):
        self.process = None
        self.log = None
        self.folder = None
        if base:
            self.base = base.rstrip("/")
            accounts_file = os.path.join(data, "demo-accounts.json")
        else:
            if not os.path.exists(SERVER):
                raise FileNotFoundError(f"{SERVER} is missing: swift build --product mi-server")
            self.folder = tempfile.mkdtemp(prefix=prefix)
            port = free_port()
            self.base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
            if tls:
                self.certificate, key = os.path.join(self.folder, "cert.pem"), os.path.join(self.folder, "key.pem")
                subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", self.certificate],
                               check=True, capture_output=True)
                self.ssl_context = ssl.create_default_context(cafile=self.certificate)
                urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.ssl_context)))
                extra = (*extra, "--tls-certificate", self.certificate, "--tls-key", key)
            self.log = open(os.path.join(self.folder, "server.log"), "w")
            self.process = subprocess.Popen([SERVER, "demo", "--data", os.path.join(self.folder, "data"), "--host", "127.0.0.1",
                                             "--port", str(port), "--dicom-port", "0", "--web-root", WEB, *extra],
                                            stdout=subprocess.PIPE, stderr=self.log, text=True)
            deadline = time.time() + 600
            while time.time() < deadline:
                line = self.process.stdout.readline()
                if not line and self.process.poll() is not None:
                    raise RuntimeError(f"mi-server demo exited with {self.process.returncode}; see {self.folder}/server.log")
                if "mi-server demo is running" in line:
                    break
            else:
                raise RuntimeError("mi-server demo did not start within 600 s")
            accounts_file = os.path.join(self.folder, "data", "demo-accounts.json")
        with open(accounts_file) as f:
            demo = json.load(f)
        self.accounts = {a["role"]: a for a in demo["accounts"]}
        self.clients = {c["client_id"]: c for c in demo["clients"]}

    def stop(self, keep=False):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
        if self.log:
            self.log.close()
        if self.folder and not keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    # ---------------------------------------------------------------- HTTP
    def request(self, path, token=None, method="GET", body=None, headers=None):
        """(status, parsed JSON or text) of an API call; HTTP errors are answers, not exceptions."""
        h = {"Accept": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text.decode("utf-8", "replace")

    def api(self, path, token=None, method="GET", body=None):
        """The JSON of a call that must succeed."""
        status, answer = self.request(path, token, method, body)
        if status >= 300:
            raise AssertionError(f"{method} {path}: HTTP {status} {answer}")
        return answer

    def form_post(self, path, fields, headers=None):
        req = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def authorize(self, username, password, client_id="mi-web"):
        """The server's answer to the login form: (status, Location, body text) and the PKCE verifier."""
        verifier = b64url(os.urandom(32))
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        fields = {"response_type": "code", "client_id": client_id, "redirect_uri": self.base + "/app/callback",
                  "scope": "openid profile offline_access", "state": "e2e", "code_challenge": challenge, "code_challenge_method": "S256",
                  "username": username, "password": password}
        host, port = urllib.parse.urlparse(self.base).netloc.split(":")
        if self.base.startswith("https:"):
            conn = http.client.HTTPSConnection(host, int(port), timeout=30, context=getattr(self, "ssl_context", None))
        else:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/oauth/authorize", urllib.parse.urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        location = r.getheader("Location") or ""
        body = r.read().decode("utf-8", "replace")
        conn.close()
        return r.status, location, body, verifier

    def code_flow_token(self, username, password):
        """An access token by the authorization code flow with PKCE, the way the web app gets one (no browser)."""
        status, location, _, verifier = self.authorize(username, password)
        if status != 302:
            raise AssertionError(f"login as {username}: HTTP {status}")
        code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
        status, token = self.form_post("/oauth/token", {"grant_type": "authorization_code", "code": code, "redirect_uri": self.base + "/app/callback",
                                                        "client_id": "mi-web", "code_verifier": verifier})
        if status != 200:
            raise AssertionError(f"token for {username}: HTTP {status} {token}")
        return token["access_token"]

    def client_credentials(self, client_id, secret):
        """(status, token answer) of the client credentials grant with HTTP Basic."""
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        return self.form_post("/oauth/token", {"grant_type": "client_credentials"}, {"Authorization": "Basic " + basic})


def drag_gesture(page, context, touch, a, b, steps=8):
    """One finger (CDP touch events) or the mouse moving from page point `a` to `b` in `steps` moves."""
    (x0, y0), (x1, y1) = a, b
    if touch:
        cdp = context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0, "id": 1}]})
        for i in range(1, steps + 1):
            t = i / steps
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x0 + (x1 - x0) * t, "y": y0 + (y1 - y0) * t, "id": 1}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        cdp.detach()
    else:
        page.mouse.move(x0, y0)
        page.mouse.down()
        for i in range(1, steps + 1):
            t = i / steps
            page.mouse.move(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        page.mouse.up()


class BrowserPage:
    """A browser context and page per test, at one device size, with the app's errors collected (every test ends
    with none), and the helpers the viewer journeys share. A mixin for `unittest.TestCase`; subclasses set the device.
    """
    name = ""
    viewport = {"width": 0, "height": 0}
    scale = 1
    touch = False
    #: for a demo that serves HTTPS with its own self-signed certificate (`Demo(tls=True)`)
    ignore_https_errors = False

    def open_page(self, browser):
        self.context = browser.new_context(viewport=self.viewport, device_scale_factor=self.scale, has_touch=self.touch,
                                           is_mobile=self.touch, locale="zh-CN", timezone_id="Asia/Shanghai",
                                           ignore_https_errors=self.ignore_https_errors)
        self.context.set_default_timeout(30000)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        # Expected failures (the 401 of an expired token, offline fetches) are logged by Chromium as console errors
        # about resources; those are not the app's errors.
        self.page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
                     and "net::ERR_INTERNET_DISCONNECTED" not in m.text and self.errors.append(m.text))

    def close_page(self):
        self.context.close()
        self.assertEqual(self.errors, [], "errors in the page")

    def el(self, testid):
        return self.page.locator(f"[data-testid={testid}]")

    def frames(self, n=2):
        """Waits for `n` animation frames (the viewer draws in them)."""
        self.page.evaluate("n => new Promise(r => { const f = () => (n-- > 0 ? requestAnimationFrame(f) : r()); f(); })", n)

    def wait_image_shown(self):
        """The overlay's status is empty once the slice under the eye is on the canvas."""
        self.page.wait_for_function("""() => { const s = document.querySelector('[data-testid=viewer-status]');
            const p = document.querySelector('[data-testid=viewer-progress]');
            return s && s.textContent === '' && p && Number(p.dataset.loaded || 0) > 0; }""", timeout=60000)
        self.frames()
