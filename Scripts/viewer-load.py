#!/usr/bin/env python3
"""Viewer loading benchmark (prints numbers, asserts nothing about time): our doctor app's viewer on `mi-server demo`
beside Orthanc's web viewer plugin on the same CT series, in headless Chromium with the network emulated through CDP.
Driven by Scripts/bench-viewer-load.sh, which documents the what and the why; run it rather than this file.

    viewer-load.py --server MI_SERVER [--runs 3] [--profiles 30:20,10:60] [--json OUT] [--skip-orthanc] [--skip-fps]

The web client is served from this tree's Sources/mi-server/Resources/web (Tests/Web/demo_server.py's --web-root).

Standard library, Tests/Web/demo_server.py and playwright (the driver only; the browser is Debian's /usr/bin/chromium, never `playwright install`).
Exit status: 0 when everything was measured, 1 when something failed to load (a server did not start, a page did not
show its image in time).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from playwright.sync_api import sync_playwright

# `mi-server demo` on free ports with the web client from the source tree, its PKCE token helper, and the Chromium
# flags: the browser tests' own (Tests/Web/demo_server.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Web"))
import demo_server  # noqa: E402
from demo_server import CHROMIUM, FLAGS, Demo, free_port  # noqa: E402

VIEWPORT = {"width": 1440, "height": 900}
ORTHANC_PLUGIN = "/usr/share/orthanc/plugins/libOrthancWebViewer.so"
LOAD_TIMEOUT_MS = 180_000


class BenchError(Exception):
    """Something did not load: the benchmark has no number to give."""


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def http_json(url, token=None, method="GET", data=None, headers=None, raw=False, timeout=60):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = r.read()
    return body if raw else json.loads(body or b"null")


def stop_process(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ------------------------------------------------------------------------------------------------ our server
class Ours(Demo):
    """`mi-server demo` (Tests/Web/demo_server.py: a temporary folder, free ports, the web client from the source tree)."""

    def __init__(self, tls=False):
        try:
            super().__init__("mi-bench-viewer-demo-", tls=tls)
        except (RuntimeError, FileNotFoundError) as e:
            raise BenchError(str(e))
        self.doctor = self.accounts["doctor"]

    def token(self):
        """An access token by the authorization code flow with PKCE (as the web app gets one), for the API calls."""
        return self.code_flow_token(self.doctor["username"], self.doctor["password"])

    def find_ct(self, token, slices):
        """(study UID, series UID, SOP instance UIDs in instance-number order) of the demo's CT series with `slices` images."""
        studies = http_json(self.base + "/api/v1/studies?limit=100", token)["items"]
        for study in studies:
            if study.get("modality") != "CT" or not study.get("instanceCount"):
                continue
            uid = study["studyInstanceUID"]
            for series in http_json(f"{self.base}/api/v1/studies/{uid}/series", token)["items"]:
                if series.get("modality") == "CT" and series.get("instanceCount") == slices:
                    suid = series["seriesInstanceUID"]
                    items = http_json(f"{self.base}/api/v1/series/{suid}/instances?limit=1000", token)["items"]
                    items.sort(key=lambda i: i.get("instanceNumber") or 0)
                    return uid, suid, [i["sopInstanceUID"] for i in items]
        raise BenchError(f"no {slices}-slice CT series in the demo")


# ------------------------------------------------------------------------------------------------ Orthanc
class Orthanc:
    """Debian's Orthanc as a child process with its own configuration: free ports, a temporary storage folder, the web
    viewer plugin, no authentication."""

    def __init__(self, folder):
        if not os.path.exists(ORTHANC_PLUGIN):
            raise BenchError(f"{ORTHANC_PLUGIN} is missing: apt-get install orthanc-webviewer")
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = {
            "Name": "BENCH", "HttpPort": self.port, "DicomPort": free_port(), "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False, "StorageDirectory": os.path.join(folder, "storage"),
            "IndexDirectory": os.path.join(folder, "storage"), "Plugins": [ORTHANC_PLUGIN], "DefaultEncoding": "Utf8",
            "HttpCompressionEnabled": True, "KeepAlive": True, "TcpNoDelay": True,
            "WebViewer": {"CachePath": os.path.join(folder, "webviewer-cache"), "CacheSize": 500},
        }
        path = os.path.join(folder, "orthanc.json")
        with open(path, "w") as f:
            json.dump(config, f, indent=2)
        self.log = open(os.path.join(folder, "orthanc.log"), "w")
        self.process = subprocess.Popen(["Orthanc", path], stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "TCP_NODELAY": "1"})
        deadline = time.time() + 60
        while True:
            try:
                plugins = http_json(self.base + "/plugins", timeout=5)
                if "web-viewer" not in plugins:
                    raise BenchError(f"Orthanc started without the web viewer plugin ({plugins}); see {folder}/orthanc.log")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.process.poll() is not None or time.time() > deadline:
                    raise BenchError(f"Orthanc did not start; see {folder}/orthanc.log")
                time.sleep(0.2)

    def stop(self):
        stop_process(self.process)
        self.log.close()

    def upload(self, files):
        """POST /instances for each file; the Orthanc ID of their series."""
        series = set()
        for body in files:
            answer = http_json(self.base + "/instances", method="POST", data=body, headers={"Content-Type": "application/dicom"})
            series.add(answer["ParentSeries"])
        if len(series) != 1:
            raise BenchError(f"the uploaded files landed in {len(series)} series")
        return series.pop()


# ------------------------------------------------------------------------------------------------ the browser side
# Our viewer: the marks it sets itself (viewer.js: `mi-viewer:first-image` when a series' first frame has been drawn
# from its pixels, `mi-viewer:series-loaded` when every frame of the series has been fetched and decoded).
OURS_DONE = """() => performance.getEntriesByName('mi-viewer:series-loaded').length > 0"""
OURS_TIMES = """() => ({
    first: performance.getEntriesByName('mi-viewer:first-image')[0]?.startTime ?? null,
    whole: performance.getEntriesByName('mi-viewer:series-loaded')[0]?.startTime ?? null })"""

# Orthanc's viewer loads one image at a time, synchronously, when it is displayed (cornerstone + jQuery's `async: false`
# XHR of ../instances/jpeg95-<id>_0, a JSON with base64 JPEG that its JS decodes); its plugin prefetches on the server,
# not into the browser. "First image": the first rAF after cornerstone.displayImage in which #dicomImage's canvas has
# non-black pixels. "Whole series": then, as a user scrolling as fast as the viewer lets them, a wheel event per slice
# (its own handler: fetch + display), each image's pixels decoded (getPixelData, what a draw does) before the next.
ORTHANC_INIT = r"""
(() => {
  const t = window.__bench = { first: null, whole: null, error: null };
  // cornerstone's exports are getters (no wrapping displayImage): watch the canvas instead, its middle row and column.
  const hasPixels = () => {
    const c = document.querySelector('#dicomImage canvas');
    if (!c || !c.width || !c.height) return false;
    const g = c.getContext('2d', { willReadFrequently: true });
    for (const d of [g.getImageData(0, c.height >> 1, c.width, 1).data, g.getImageData(c.width >> 1, 0, 1, c.height).data]) {
      for (let i = 0; i < d.length; i += 4) if (d[i] || d[i + 1] || d[i + 2]) return true;
    }
    return false;
  };
  const yieldTask = () => new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
  const scrollThrough = async () => {
    try {
      const el = document.querySelector('#dicomImage');
      const n = $('#slider').slider('option', 'max') + 1;
      let shown = cornerstone.getImage(el)?.imageId;
      for (let i = 1; i < n; i++) {
        $(el).trigger($.Event({ type: 'mousewheel', wheelDelta: -120, preventDefault() {}, stopPropagation() {} }));
        await yieldTask();
        const image = cornerstone.getImage(el);
        if (!image || image.imageId === shown) throw new Error('slice ' + i + ' not shown');
        shown = image.imageId;
        if (typeof image.getPixelData !== 'function' || !image.getPixelData()) throw new Error('no pixels for slice ' + i);
      }
      await new Promise((r) => requestAnimationFrame(() => r()));
      t.whole = performance.now();
    } catch (e) { t.error = String(e); }
  };
  const watch = () => {
    if (hasPixels()) { t.first = performance.now(); setTimeout(scrollThrough, 0); return; }
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();
"""


class Wire:
    """Network emulation and bytes on the wire for a page and the workers it starts.

    Network.emulateNetworkConditions on the page's session does not reach its dedicated workers (our frames are
    fetched there), nor does that session report their requests. So the page session auto-attaches to its workers
    (paused until they are set up: waitForDebuggerOnStart), and each worker gets the same Network.enable and
    emulateNetworkConditions through Target.sendMessageToTarget before it runs. Bytes: Network.loadingFinished's
    encodedDataLength, summed over the page and its workers."""

    def __init__(self, cdp, profile):
        mbit, rtt = profile
        self.cdp = cdp
        self.conditions = {"offline": False, "latency": rtt, "downloadThroughput": mbit * 1e6 / 8, "uploadThroughput": -1}
        self.bytes = 0
        self.requests = 0
        self.workers = 0
        self.next_id = 1
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Target.attachedToTarget", self._attached)
        cdp.on("Target.receivedMessageFromTarget", self._message)
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")  # e.g. the app shell the login page cached: every run starts cold
        cdp.send("Network.emulateNetworkConditions", self.conditions)
        cdp.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False})

    def _to_target(self, session, method, params=None):
        self.next_id += 1
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": json.dumps({"id": self.next_id, "method": method, "params": params or {}})})

    def _attached(self, event):
        session = event["sessionId"]
        if event["targetInfo"]["type"] in ("worker", "shared_worker", "service_worker"):
            self.workers += 1
            self._to_target(session, "Network.enable")
            self._to_target(session, "Network.emulateNetworkConditions", self.conditions)
        self._to_target(session, "Runtime.runIfWaitingForDebugger")

    def _message(self, event):
        message = json.loads(event["message"])
        if message.get("method") == "Network.loadingFinished":
            self._finished(message["params"])

    def _finished(self, event):
        self.bytes += event.get("encodedDataLength", 0)
        self.requests += 1


def new_context(browser):
    return browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="zh-CN", timezone_id="Asia/Shanghai", ignore_https_errors=True)


def login(page, ours):
    """The demo doctor through the server's PKCE login page (unthrottled: logging in is not what is measured)."""
    page.goto(ours.base + "/worklist")
    page.wait_for_url(lambda url: "/oauth/authorize" in url, timeout=60_000)
    page.locator("[data-testid=login-username]").fill(ours.doctor["username"])
    page.locator("[data-testid=login-password]").fill(ours.doctor["password"])
    page.locator("[data-testid=login-submit]").click()
    page.wait_for_url(ours.base + "/worklist", timeout=60_000)


def load_signed_in(browser, ours, path, profile, what, prepare=None):
    """Opens `path` of our server as the signed-in demo doctor under `profile` (fresh context and cache; `prepare(page)`
    first, e.g. a route) and waits for the series-loaded mark: (the performance marks' times, the Wire)."""
    context = new_context(browser)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        login(page, ours)
        if prepare:
            prepare(page)
        page.goto("about:blank")
        wire = Wire(context.new_cdp_session(page), profile)
        page.goto(ours.base + path)
        try:
            page.wait_for_function(OURS_DONE, timeout=LOAD_TIMEOUT_MS, polling=50)
        except Exception as e:
            raise BenchError(f"{what} did not load the series: {e}; page errors {errors}")
        times = page.evaluate(OURS_TIMES)
        page.wait_for_timeout(200)  # the last loadingFinished events
        return times, wire
    finally:
        context.close()


def run_ours(browser, ours, study_uid, profile):
    times, wire = load_signed_in(browser, ours, f"/studies/{study_uid}", profile, "our viewer")
    if not wire.workers:
        raise BenchError("our viewer started no decode worker: its frames were neither throttled nor counted")
    return {"first": times["first"], "whole": times["whole"], "bytes": wire.bytes, "requests": wire.requests}


# The floor of "whole series" for this transport and this emulation: a bare page at our origin (answered by the
# driver, not the server, so it costs no round trip) that does nothing but what the viewer does for the series after
# its first image: the instance list, then all its frames in 12 batches dealt round-robin, streamed through 2 of our
# decode workers (viewer/worker.js). No app, no modules, no first image to wait for: no page that loads the series
# this way can do it sooner.
FLOOR_PATH = "/__bench-floor"
FLOOR_HTML = """<!doctype html><meta charset="utf-8"><title>floor</title><script type="module">
const tokens = JSON.parse(localStorage.getItem('mi.session.v1'));
const auth = { Authorization: `Bearer ${tokens.accessToken}` };
const series = new URLSearchParams(location.search).get('series');
const workers = [0, 1].map((i) => new Worker('/viewer/worker.js', { type: 'module', name: `floor-${i}` }));
const list = await (await fetch(`/api/v1/series/${series}/instances?limit=1000`, { headers: { Accept: 'application/json', ...auth } })).json();
const refs = list.items.filter((i) => i.image).sort((a, b) => (a.instanceNumber ?? 0) - (b.instanceNumber ?? 0)).map((i) => `${i.sopInstanceUID}/1`);
let got = 0;
for (const w of workers) w.onmessage = (e) => {
  if (e.data.type === 'part' && ++got === refs.length) performance.mark('mi-viewer:series-loaded');
  if (e.data.type === 'error') throw new Error(`batch ${e.data.id}: ${JSON.stringify(e.data.error)}`);
};
for (let k = 0; k < 12; k++) {
  const frames = refs.filter((_, i) => i % 12 === k).join(',');
  workers[k % 2].postMessage({ type: 'fetchBatch', id: k, url: `/api/v1/series/${series}/frames?frames=${frames}`, headers: auth, stream: true });
}
</script>"""


def run_floor(browser, ours, series_uid, profile):
    route = lambda page: page.route(ours.base + FLOOR_PATH + "*",
                                    lambda r: r.fulfill(status=200, content_type="text/html; charset=utf-8", body=FLOOR_HTML))
    times, wire = load_signed_in(browser, ours, f"{FLOOR_PATH}?series={series_uid}", profile, "the floor page", prepare=route)
    return {"whole": times["whole"], "bytes": wire.bytes, "requests": wire.requests}


def run_orthanc(browser, orthanc, series_id, profile):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.add_init_script(ORTHANC_INIT)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append("alert: " + d.message), d.dismiss()))
        page.goto("about:blank")
        wire = Wire(context.new_cdp_session(page), profile)
        page.goto(f"{orthanc.base}/web-viewer/app/viewer.html?series={series_id}")
        try:
            page.wait_for_function("() => window.__bench && (window.__bench.whole !== null || window.__bench.error !== null)",
                                   timeout=LOAD_TIMEOUT_MS, polling=100)
        except Exception as e:
            raise BenchError(f"Orthanc's viewer did not load the series: {e}; page errors {errors}")
        t = page.evaluate("() => window.__bench")
        if t["error"]:
            raise BenchError(f"Orthanc's viewer: {t['error']}; page errors {errors}")
        page.wait_for_timeout(200)
        return {"first": t["first"], "whole": t["whole"], "bytes": wire.bytes, "requests": wire.requests}
    finally:
        context.close()


# A W/L drag driven from inside the page: a pointermove on the viewer every animation frame (a real mouse's moves
# reach a page coalesced per frame), so that every frame has a new window to draw. The number: frames the viewer
# drew (the canvas' data-frames-drawn, counted by viewer.js per draw) per second.
WL_DRAG = """seconds => new Promise((resolve) => {
  const host = document.querySelector('[data-testid=viewer]'), canvas = document.querySelector('[data-testid=viewer-canvas]');
  const b = host.getBoundingClientRect(), x0 = b.left + b.width / 2, y0 = b.top + b.height / 2;
  const send = (type, x, y) => host.dispatchEvent(new PointerEvent(type, { bubbles: true, pointerId: 1, pointerType: 'mouse', isPrimary: true,
    button: 0, buttons: type === 'pointerup' ? 0 : 1, clientX: x, clientY: y }));
  send('pointerdown', x0, y0);
  const before = Number(canvas.dataset.framesDrawn), t0 = performance.now();
  let n = 0;
  const step = (now) => {
    n++;
    send('pointermove', x0 + 150 * ((n % 200) / 100 - 1), y0 + 80 * ((n % 160) / 80 - 1));  // never the same window twice in a row
    if (now - t0 < seconds * 1000) { requestAnimationFrame(step); return; }
    send('pointerup', x0, y0);
    const elapsed = (performance.now() - t0) / 1000;
    resolve({ fps: (Number(canvas.dataset.framesDrawn) - before) / elapsed, frames: Number(canvas.dataset.framesDrawn) - before, seconds: elapsed });
  };
  requestAnimationFrame(step);
})"""


def wl_fps(browser, ours, study_uid, seconds=3.0):
    """W/L drag frames per second at 1440x900 on the loaded series (unthrottled network): the in-page drag above, then
    the same drag through playwright's mouse (CDP Input.dispatchMouseEvent, which waits for each move's ack: it
    measures the driver's round trip as much as the viewer, so it is shown but is not the number)."""
    context = new_context(browser)
    try:
        page = context.new_page()
        login(page, ours)
        page.goto(f"{ours.base}/studies/{study_uid}")
        page.wait_for_function(OURS_DONE, timeout=LOAD_TIMEOUT_MS, polling=100)
        page.locator("[data-testid=tool-wwwl]").click()
        result = page.evaluate(WL_DRAG, seconds)
        box = page.locator("[data-testid=viewer]").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        drawn = lambda: int(page.locator("[data-testid=viewer-canvas]").get_attribute("data-frames-drawn") or 0)
        page.mouse.move(cx, cy)
        page.mouse.down()
        before, started, i = drawn(), time.perf_counter(), 0
        while time.perf_counter() - started < seconds:
            i += 1
            page.mouse.move(cx + 150 * ((i % 200) / 100 - 1), cy + 80 * ((i % 160) / 80 - 1))
        elapsed = time.perf_counter() - started
        page.mouse.up()
        result["cdp_fps"] = (drawn() - before) / elapsed
        result["cdp_moves"] = i
        return result
    finally:
        context.close()


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profiles", default="30:20,10:60", help="Mbit/s:RTT ms, comma separated")
    parser.add_argument("--slices", type=int, default=240)
    parser.add_argument("--skip-orthanc", action="store_true")
    parser.add_argument("--tls", action="store_true", help="ours over HTTPS (HTTP/2), as deployed; Orthanc stays on HTTP/1.1")
    parser.add_argument("--skip-fps", action="store_true")
    parser.add_argument("--floor", action="store_true", help="also time a bare page that only loads the series (the floor of 'whole')")
    parser.add_argument("--json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    profiles = [tuple(int(x) for x in p.split(":")) for p in args.profiles.split(",")]

    folder = tempfile.mkdtemp(prefix="mi-bench-viewer-")
    ours = orthanc = None
    results = {"runs": args.runs, "profiles": {}, "load_before": os.getloadavg(), "tls": args.tls}
    try:
        log(f"starting mi-server demo and Orthanc in {folder}")
        demo_server.SERVER = args.server  # read by Demo (its default: $MI_SERVER, else .build/debug)
        ours = Ours(tls=args.tls)
        token = ours.token()
        study_uid, series_uid, sops = ours.find_ct(token, args.slices)
        if not args.skip_orthanc:
            orthanc = Orthanc(folder)
            files = [http_json(f"{ours.base}/api/v1/instances/{sop}/file", token, raw=True, headers={"Accept": "application/dicom"}) for sop in sops]
            orthanc_series = orthanc.upload(files)
            results["dicom_bytes"] = sum(len(f) for f in files)
            log(f"{len(files)} instances ({results['dicom_bytes'] / 1e6:.1f} MB) uploaded to Orthanc, series {orthanc_series}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                # One unmeasured run of each first: Orthanc's plugin caches its JPEGs on the server, the OS caches
                # our files; both are then warm, which is the favourable case for Orthanc.
                log("warm-up runs")
                run_ours(browser, ours, study_uid, (1000, 0))
                if orthanc:
                    run_orthanc(browser, orthanc, orthanc_series, (1000, 0))
                for profile in profiles:
                    key = f"{profile[0]}M/{profile[1]}ms"
                    entry = results["profiles"][key] = {"ours": [], "orthanc": [], "floor": []}
                    for r in range(args.runs):
                        o = run_ours(browser, ours, study_uid, profile)
                        entry["ours"].append(o)
                        log(f"{key} run {r + 1} ours: first {o['first']:.0f} ms, whole {o['whole']:.0f} ms, {o['bytes'] / 1e6:.2f} MB in {o['requests']} requests")
                        if orthanc:
                            t = run_orthanc(browser, orthanc, orthanc_series, profile)
                            entry["orthanc"].append(t)
                            log(f"{key} run {r + 1} Orthanc: first {t['first']:.0f} ms, whole {t['whole']:.0f} ms, {t['bytes'] / 1e6:.2f} MB in {t['requests']} requests")
                        if args.floor:
                            f = run_floor(browser, ours, series_uid, profile)
                            entry["floor"].append(f)
                            log(f"{key} run {r + 1} floor: whole {f['whole']:.0f} ms, {f['bytes'] / 1e6:.2f} MB in {f['requests']} requests")
                if not args.skip_fps:
                    # Orthanc's web viewer plugin keeps decoding and caching on its server after the runs: stopped
                    # first, so that the drag measures our viewer and not a busy neighbour.
                    if orthanc:
                        orthanc.stop()
                        orthanc = None
                    results["wl"] = [wl_fps(browser, ours, study_uid) for _ in range(args.runs)]
                    for w in results["wl"]:
                        log(f"W/L drag: {w['frames']} frames in {w['seconds']:.2f} s: {w['fps']:.1f} fps (through CDP's mouse: {w['cdp_fps']:.1f} fps, {w['cdp_moves']} moves)")
            finally:
                browser.close()
        results["load_after"] = os.getloadavg()
        print_table(results, profiles)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=2)
        return 0
    except BenchError as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        if ours:
            ours.stop(keep=args.keep)
        if orthanc:
            orthanc.stop()
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def print_table(results, profiles):
    print()
    print(f"Viewer loading, 240-slice CT, median of {results['runs']} runs (fresh context and cache each); "
          f"load average {results['load_before'][0]:.2f} before, {results['load_after'][0]:.2f} after")
    print()
    header = ("network", "ours 1st ms", "Orthanc 1st ms", "ratio (<=0.6)", "ours whole ms", "ours MB", "ideal ms", "whole/ideal (<=1.3)",
              "Orthanc whole ms", "Orthanc MB")
    rows = []
    for mbit, rtt in profiles:
        key = f"{mbit}M/{rtt}ms"
        e = results["profiles"][key]
        of, ow, ob = median([r["first"] for r in e["ours"]]), median([r["whole"] for r in e["ours"]]), median([r["bytes"] for r in e["ours"]])
        ideal = ob * 8 / (mbit * 1e6) * 1000
        tf = median([r["first"] for r in e["orthanc"]]) if e["orthanc"] else float("nan")
        tw = median([r["whole"] for r in e["orthanc"]]) if e["orthanc"] else float("nan")
        tb = median([r["bytes"] for r in e["orthanc"]]) if e["orthanc"] else float("nan")
        rows.append((key, f"{of:.0f}", f"{tf:.0f}", f"{of / tf:.2f}", f"{ow:.0f}", f"{ob / 1e6:.2f}", f"{ideal:.0f}", f"{ow / ideal:.2f}",
                     f"{tw:.0f}", f"{tb / 1e6:.2f}"))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.rjust(w) for c, w in zip(r, widths)))
    floors = [(f"{mbit}M/{rtt}ms", mbit, results["profiles"][f"{mbit}M/{rtt}ms"]["floor"]) for mbit, rtt in profiles]
    if any(f for _, _, f in floors):
        print()
        print("Floor (a bare page that only loads the series through our workers, as the viewer does after its first image):")
        for key, mbit, f in floors:
            if not f:
                continue
            fw, fb = median([r["whole"] for r in f]), median([r["bytes"] for r in f])
            print(f"  {key}: whole {fw:.0f} ms, {fb / 1e6:.2f} MB, ideal {fb * 8 / (mbit * 1e6) * 1000:.0f} ms, whole/ideal {fw / (fb * 8 / (mbit * 1e6) * 1000):.2f}")
    if results.get("wl"):
        fps = median([w["fps"] for w in results["wl"]])
        print()
        print(f"W/L drag at {VIEWPORT['width']}x{VIEWPORT['height']}, SwiftShader WebGL2: {fps:.1f} frames/s median (goal >= 50); runs: "
              + ", ".join(f"{w['fps']:.1f}" for w in results["wl"])
              + f"; driven through CDP's mouse (waits for each move's ack): {median([w['cdp_fps'] for w in results['wl']]):.1f}")
    print()
    print("ours: lossless original pixels (MIF1 over gzip), " + ("over HTTPS (HTTP/2)" if results.get("tls") else "over HTTP/1.1")
          + "; Orthanc web viewer: its default jpeg95 (lossy), over HTTP/1.1. Ideal = bytes on the wire / bandwidth.")


if __name__ == "__main__":
    sys.exit(main())
