#!/usr/bin/env python3
"""Browser tests of the viewer core (Sources/mi-server/Resources/web/viewer) in headless Chromium.

The harness page (viewer/dev/harness.html) builds a synthetic CT series, encodes it as MIF1, decodes it in the
viewer's workers and renders it with WebGL2. These tests check, at 390x844 (touch, device pixel ratio 3) and
1440x900 (mouse), that the canvas shows what the JS math (viewer/math) predicts within +-1 grey level, through
windows, invert, flips, rotation, zoom, palettes and sharpening; that the probe, length and angle tools read the
phantom's known values; that gestures (mouse drag, wheel, touch drag, pinch) do what they should; and that a
state taken from one viewer reproduces the view in another.

    PYTHON -m pip install playwright   # the driver only; the browser is Debian's chromium
    PYTHON Tests/Web/test_viewer_core.py [-v]

Environment: CHROMIUM (default /usr/bin/chromium), VIEWER_SCREENSHOTS (a folder to keep screenshots in; default
a temporary folder whose path is printed), VIEWER_PERF=1 to print frame-time measurements.
Never run `playwright install`: it downloads a browser, which this machine cannot do.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_server import drag_gesture  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEB = os.path.join(ROOT, "Sources", "mi-server", "Resources", "web")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --use-gl=angle --use-angle=swiftshader --enable-unsafe-swiftshader").split()
SHOTS = os.environ.get("VIEWER_SCREENSHOTS") or tempfile.mkdtemp(prefix="viewer-core-shots-")
os.makedirs(SHOTS, exist_ok=True)

# Image points of the phantom (viewer/dev/phantom.js): pixel centres well inside each region.
DISC = (256, 256)          # -855 HU
TISSUE = (150, 300)        # 40 HU
AIR = (10, 10)             # -1000 HU
BONE = (380, 200)          # 1000 HU
RAMP = [(x, 420) for x in (60, 150, 190, 200, 210, 230, 260, 300, 400)]  # HU = (x - 56) * 5 - 1000

server = None
port = None
playwright = None
browser = None


def setUpModule():
    global server, port, playwright, browser
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=WEB,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    print(f"screenshots: {SHOTS}", file=sys.stderr)


def tearDownModule():
    if browser:
        browser.close()
    if playwright:
        playwright.stop()
    if server:
        server.terminate()
        server.wait(timeout=10)


class ViewerCore:
    """The checks, run once per device (subclasses set the viewport)."""
    name = ""
    viewport = {"width": 0, "height": 0}
    scale = 1
    touch = False

    def setUp(self):
        self.context = browser.new_context(viewport=self.viewport, device_scale_factor=self.scale,
                                           has_touch=self.touch, is_mobile=self.touch)
        self.page = self.context.new_page()
        self.console_errors = []
        self.page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: m.type == "error" and "404" not in m.text and self.console_errors.append(m.text))
        self.page.goto(f"http://127.0.0.1:{port}/viewer/dev/harness.html?slices=12")
        self.page.wait_for_selector("body[data-ready=true]", timeout=30000)

    def tearDown(self):
        errors = self.console_errors + self.page.evaluate("harness.errors")
        self.context.close()
        self.assertEqual(errors, [], "errors in the page")

    # ------------------------------------------------------------ helpers
    def js(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def shot(self, label):
        path = os.path.join(SHOTS, f"{self.name}-{label}.png")
        self.js("harness.viewer.renderNow()")
        self.page.screenshot(path=path)
        return path

    def screen(self, image_point):
        """CSS point of the viewer where an image point is shown."""
        return self.js("p => harness.imageToScreen(p)", list(image_point))

    def page_point(self, image_point):
        ox, oy = self.js("harness.origin()")
        x, y = self.screen(image_point)
        return ox + x, oy + y

    def assert_matches_math(self, image_points, what):
        """The canvas at the screen positions of image points equals the math's prediction within +-1."""
        screen = [self.screen(p) for p in image_points]
        screen = [q for q in screen if 0 <= q[0] < self.viewport["width"] and 0 <= q[1] < self.js("harness.viewer.viewport.height")]
        self.assertTrue(screen, f"{what}: no point on screen")
        actual = self.js("points => harness.actualAt(points)", screen)
        expected = self.js("points => points.map(([x, y]) => harness.expectedAt(x, y))", screen)
        for q, a, e in zip(screen, actual, expected):
            self.assertTrue(all(abs(x - y) <= 1 for x, y in zip(a, e)), f"{what}: at {q} canvas {a}, math {e}")
        return actual

    def canvas_digest(self):
        return self.js("""() => { const { data } = harness.viewer.readPixels(); let h = 0;
            for (let i = 0; i < data.length; i += 7) h = (h * 31 + data[i]) | 0; return h; }""")

    def label_texts(self):
        return self.page.locator("[data-testid=measurement-value]").all_inner_texts()

    def drag(self, start, end, steps=8):
        """A one-pointer drag between image points: a finger on touch devices, the left button otherwise."""
        (x0, y0), (x1, y1) = self.page_point(start), self.page_point(end)
        self.drag_page((x0, y0), (x1, y1), steps)

    def drag_page(self, a, b, steps=8):
        drag_gesture(self.page, self.context, self.touch, a, b, steps)
        self.js("harness.viewer.renderNow()")

    def tap(self, image_point):
        x, y = self.page_point(image_point)
        if self.touch:
            self.page.touchscreen.tap(x, y)
        else:
            self.page.mouse.click(x, y)
        self.js("harness.viewer.renderNow()")

    def one_to_one_view(self):
        """A view of exactly one CSS pixel per image pixel, with image pixel centres on whole CSS pixels."""
        self.js("""() => { const v = harness.viewer, vp = v.viewport;
            const fit = Math.min(vp.width / 512, vp.height / 512);
            return v.setState({ zoom: 1 / fit, rotation: 0, flipH: false, flipV: false,
                                center: [256 + vp.width / 2 - Math.round(vp.width / 2), 256 + vp.height / 2 - Math.round(vp.height / 2)] }); }""")
        self.js("harness.viewer.renderNow()")

    # ------------------------------------------------------------ tests
    def test_canvas_shows_the_phantom_as_the_math_predicts(self):
        self.assertEqual(self.js("document.querySelector('[data-testid=viewer-canvas]').tagName"), "CANVAS")
        stats = self.js("""() => { const { data } = harness.viewer.readPixels(); const seen = new Set(); let lit = 0;
            for (let i = 0; i < data.length; i += 4) { seen.add(data[i]); if (data[i] > 0) lit++; }
            return { distinct: seen.size, lit: lit / (data.length / 4) }; }""")
        self.assertGreater(stats["distinct"], 20, "a ramp and several tissues give many grey levels")
        self.assertGreater(stats["lit"], 0.2)
        actual = self.assert_matches_math([DISC, TISSUE, AIR, BONE] + RAMP, "default window")
        # The default window is the data's first (C 40 W 400): disc and air black, tissue mid-grey, bone white.
        self.assertEqual(actual[0][:3], [0, 0, 0])
        self.assertTrue(abs(actual[1][0] - 128) <= 1, actual[1])
        self.assertEqual(actual[3][:3], [255, 255, 255])
        corners = {c: self.page.get_by_test_id(f"overlay-corner-{c}").inner_text() for c in ("tl", "tr", "bl", "br")}
        self.assertIn("Doe Jane", corners["tl"])
        self.assertIn("Im: 1/12", corners["tr"])
        self.assertIn("ST 5 mm", corners["bl"])
        self.assertIn("WW 400 WL 40", corners["br"])
        self.assertEqual(self.page.get_by_test_id("orientation-left").inner_text(), "R")
        self.assertEqual(self.page.get_by_test_id("orientation-top").inner_text(), "A")
        self.shot("default")

    def test_window_changes_change_pixels_as_the_math_predicts(self):
        before = self.assert_matches_math(RAMP, "C 40 W 400")
        for center, width in [(-600, 1500), (-200, 900), (0, 2), (100.5, 37.5)]:
            self.js("([c, w]) => harness.viewer.setWindow(c, w)", [center, width])
            after = self.assert_matches_math([DISC, TISSUE, AIR] + RAMP, f"C {center} W {width}")
            self.assertNotEqual(after, before, f"C {center} W {width} changes the ramp")
        # Lung window by preset, through the harness's preset list: the disc becomes mid-grey (-855 HU).
        self.page.select_option("[data-testid=preset-select]", "lung")
        disc = self.assert_matches_math([DISC], "lung preset")[0]
        self.assertTrue(abs(disc[0] - 84) <= 1, disc)  # ((-855 + 600.5) / 1499 + 0.5) * 255 = 84.2
        self.assertIn("WW 1500 WL -600", self.page.get_by_test_id("overlay-corner-br").inner_text())
        self.js("harness.viewer.setInterpolation('nearest')")
        self.assert_matches_math(RAMP + [DISC, BONE], "nearest")
        self.shot("lung")

    def test_invert_flip_rotate_palette_and_sharpen_change_the_canvas_as_predicted(self):
        points = [DISC, TISSUE, BONE, (120, 420), (420, 420)] + RAMP
        digests = {self.canvas_digest()}
        steps = [
            ("invert", "harness.viewer.invert()"),
            ("flip-h", "harness.viewer.flipH()"),
            ("flip-v", "harness.viewer.flipV()"),
            ("rotate", "harness.viewer.rotate()"),
            ("hot-iron", "harness.viewer.setPalette('hot-iron')"),
            ("zoom", "harness.viewer.setState({ zoom: 2.5, center: [200, 380] })"),
            ("sharpen", "harness.viewer.setSharpen(1.5)"),
            ("nearest", "harness.viewer.setInterpolation('nearest')"),
        ]
        for label, action in steps:
            self.js(action)
            self.assert_matches_math(points, label)
            digest = self.canvas_digest()
            self.assertNotIn(digest, digests, f"{label} changes the canvas")
            digests.add(digest)
            self.shot(label)
        # With an odd number of flips plus a rotation, markers follow what the screen shows.
        markers = [self.page.get_by_test_id(f"orientation-{s}").inner_text() for s in ("left", "right", "top", "bottom")]
        self.assertEqual(sorted(markers), ["A", "L", "P", "R"])
        # The palette is colour: the tissue is not grey any more.
        r, g, b, _ = self.js("p => harness.actualAt([p])[0]", self.screen(TISSUE))
        self.assertFalse(r == g == b, "hot-iron colours the tissue")
        # Reset: fit, centred, the data's window, grey.
        self.js("harness.viewer.reset()")
        state = self.js("harness.viewer.getState()")
        self.assertEqual((state["zoom"], state["center"], state["rotation"], state["flipH"], state["invert"], state["palette"]),
                         (1, None, 0, False, False, "gray"))
        self.assert_matches_math(points, "after reset")

    def test_every_texture_kind_renders_as_the_math_predicts(self):
        worst = self.js("harness.checkTextureKinds()")
        self.assertEqual(set(worst), {"R16I", "R16UI", "R8I", "R8UI", "RGB8", "RGB16"})
        for kind, difference in worst.items():
            self.assertLessEqual(difference, 1, f"{kind}: {difference} levels from the math")

    def test_the_first_image_preview_has_the_pixels_webgl_draws(self):
        """viewer/preview.js (the first image on a 2D canvas) against the WebGL canvas, one CSS pixel per image pixel
        and nearest sampling, through windows, invert and a palette: both are the same math."""
        self.one_to_one_view()
        self.js("harness.viewer.setInterpolation('nearest')")
        points = [DISC, TISSUE, AIR, BONE] + RAMP
        for setup in ["harness.viewer.setWindow(40, 400)", "harness.viewer.setWindow(-600, 1500)", "harness.viewer.invert()",
                      "harness.viewer.setPalette('hot-iron')"]:
            self.js(setup)
            self.js("harness.viewer.renderNow()")
            on_screen = [p for p in points if 0 <= self.screen(p)[0] < self.viewport["width"] and 0 <= self.screen(p)[1] < self.js("harness.viewer.viewport.height")]
            self.assertGreaterEqual(len(on_screen), 8, "the phantom's points on the canvas")
            webgl = self.js("points => harness.actualAt(points)", [self.screen(p) for p in on_screen])
            # The preview's pixel at the image point the shader samples for the device pixel harness.actualAt reads.
            preview = self.js("""async (points) => {
                const { previewPixels } = await import('/viewer/preview.js');
                const v = harness.viewer, p = v.renderer.lastParams, c = v.canvas;
                const sx = c.width / v.viewport.width, sy = c.height / v.viewport.height;
                const { width, data } = previewPixels(v.loader.get(v.state.seriesUID, v.state.frame), p);
                return points.map(([qx, qy]) => {
                    const [ix, iy] = v.screenToImage([(Math.floor(qx * sx) + 0.5) / sx, (Math.floor(qy * sy) + 0.5) / sy]);
                    const i = 4 * (Math.floor(iy + 0.5) * width + Math.floor(ix + 0.5));
                    return Array.from(data.subarray(i, i + 4));
                });
            }""", [self.screen(p) for p in on_screen])
            for p, a, b in zip(on_screen, webgl, preview):
                self.assertTrue(all(abs(x - y) <= 1 for x, y in zip(a[:3], b[:3])), f"{setup} at {p}: WebGL {a}, preview {b}")

    def test_probe_at_the_disc_centre_reads_its_hounsfield_units(self):
        self.page.select_option("[data-testid=tool-select]", "probe")
        self.tap(DISC)
        self.assertEqual(self.label_texts(), ["-855 HU"])
        self.tap(TISSUE)
        self.assertEqual(self.label_texts(), ["-855 HU", "40 HU"])
        self.shot("probe")

    def test_length_of_a_hundred_pixels_reads_seventy_millimetres(self):
        self.one_to_one_view()
        self.js("harness.viewer.setTool('length')")
        self.drag((150, 300), (250, 300))
        self.assertEqual(self.label_texts(), ["70.0 mm"])  # 100 px x 0.7 mm
        m = self.js("harness.viewer.getState().measurements[0]")
        self.assertEqual(m["kind"], "length")
        self.assertEqual([[round(v, 6) for v in p] for p in m["points"]], [[150, 300], [250, 300]])
        # A diagonal 60 x 80 px: 100 px, 70.0 mm again.
        self.drag((150, 100), (210, 180))
        self.assertEqual(self.label_texts(), ["70.0 mm", "70.0 mm"])
        self.shot("length")
        # Measurements stay with their image under zoom and rotation.
        self.js("harness.viewer.rotate(); harness.viewer.setState({ zoom: 1.7 })")
        self.assertEqual(self.label_texts(), ["70.0 mm", "70.0 mm"])
        self.js("harness.viewer.setFrame(3)")
        self.js("harness.whenShown(3)")
        self.assertEqual(self.label_texts(), [], "a slice without measurements shows none")

    def test_angle_and_regions_read_their_values(self):
        self.one_to_one_view()
        self.js("harness.viewer.setTool('angle')")
        self.drag((100, 200), (200, 200))   # first ray: from its end to the vertex
        x, y = self.page_point((150, 150))  # the second ray's end: 45 degrees from the first ray
        if self.touch:
            self.page.touchscreen.tap(x, y)
        else:
            self.page.mouse.click(x, y)
        self.js("harness.viewer.renderNow()")
        self.assertEqual(self.label_texts(), ["45.0°"])
        self.js("harness.viewer.setTool('ellipse')")
        self.drag((236, 236), (276, 276))   # inside the disc
        self.js("harness.viewer.setTool('rectangle')")
        self.drag((120, 280), (139, 299))   # 20 x 20 pixel centres of tissue
        texts = self.label_texts()
        self.assertEqual(texts[1].split("\n")[:2], ["mean -855.0 HU", "SD 0.0 HU"])
        self.assertEqual(texts[2].split("\n"), ["mean 40.0 HU", "SD 0.0 HU", "area 196.0 mm²"])  # 400 px x 0.49 mm²
        self.shot("angle-regions")

    def test_drag_changes_the_window_and_wheel_or_swipe_scrolls_the_stack(self):
        before = self.js("harness.viewer.effectiveWindow()")
        self.drag(TISSUE, (TISSUE[0] + 60, TISSUE[1] + 30))
        after = self.js("harness.viewer.effectiveWindow()")
        self.assertGreater(after["width"], before["width"], "dragging right widens the window")
        self.assertGreater(after["center"], before["center"], "dragging down raises the centre")
        self.assert_matches_math([TISSUE] + RAMP, "after a W/L drag")
        self.assertEqual(self.js("harness.viewer.getState().frame"), 0)
        if self.touch:
            self.js("harness.viewer.setTool('stack')")
            self.drag((256, 100), (256, 160))
        else:
            ox, oy = self.js("harness.origin()")
            self.page.mouse.move(ox + 100, oy + 100)
            for _ in range(3):
                self.page.mouse.wheel(0, 100)
        self.page.wait_for_function("harness.viewer.getState().frame >= 3")
        frame = self.js("harness.viewer.getState().frame")
        self.js(f"harness.whenShown({frame})")
        self.assertIn(f"Im: {frame + 1}/12", self.page.get_by_test_id("overlay-corner-tr").inner_text())
        self.assert_matches_math([DISC, TISSUE] + RAMP, f"slice {frame}")
        self.shot("scrolled")

    def test_pinch_or_wheel_zooms_about_the_pointer(self):
        anchor = (300, 250)
        x, y = self.page_point(anchor)
        zoom0 = self.js("harness.viewer.getState().zoom")
        if self.touch:
            cdp = self.context.new_cdp_session(self.page)
            def touches(d):
                return [{"x": x - d, "y": y, "id": 1}, {"x": x + d, "y": y, "id": 2}]
            cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": touches(40)})
            for d in range(50, 130, 10):
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": touches(d)})
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            cdp.detach()
        else:
            self.page.mouse.move(x, y)
            self.page.keyboard.down("Control")
            for _ in range(4):
                self.page.mouse.wheel(0, -50)
            self.page.keyboard.up("Control")
        self.js("harness.viewer.renderNow()")
        zoom1 = self.js("harness.viewer.getState().zoom")
        self.assertGreater(zoom1, zoom0 * 1.5)
        ox, oy = self.js("harness.origin()")
        p = self.js("q => harness.screenToImage(q)", [x - ox, y - oy])
        self.assertLess(abs(p[0] - anchor[0]) + abs(p[1] - anchor[1]), 2.5, f"the point under the fingers stays: {p}")
        self.assertEqual(self.js("harness.viewer.getState().window"), None, "a pinch is not a window drag")
        self.assert_matches_math([anchor, TISSUE] + RAMP, "zoomed")
        self.shot("zoomed")

    def test_a_state_reproduces_the_view_in_another_viewer(self):
        self.js("""() => { const v = harness.viewer; v.setWindow(-300, 1200); v.rotate(); v.flipH(); v.setPalette('bone');
                  v.setState({ zoom: 1.8, center: [300, 320], frame: 5 }); v.setTool('probe'); }""")
        self.tap(DISC)
        state = self.js("harness.viewer.getState()")
        self.assertEqual(state["frame"], 5)
        other = self.context.new_page()
        other.set_viewport_size({"width": 700, "height": 500})
        other.goto(f"http://127.0.0.1:{port}/viewer/dev/harness.html?slices=12")
        other.wait_for_selector("body[data-ready=true]", timeout=30000)
        other.evaluate("s => harness.viewer.setState(s)", state)
        other.evaluate("harness.whenShown(5)")
        self.assertEqual(other.evaluate("harness.viewer.getState()"), state)
        self.assertEqual(other.locator("[data-testid=measurement-value]").all_inner_texts(), ["-855 HU"])
        # The same image point is at the centre of both viewers.
        for page in (self.page, other):
            vp = page.evaluate("harness.viewer.viewport")
            c = page.evaluate("q => harness.screenToImage(q)", [vp["width"] / 2, vp["height"] / 2])
            self.assertLess(abs(c[0] - 300) + abs(c[1] - 320), 1e-6)
        other.screenshot(path=os.path.join(SHOTS, f"{self.name}-state-copy.png"))
        other.close()
        # Garbage in a state is ignored, not obeyed.
        self.js("harness.viewer.setState({ zoom: 'x', rotation: 45, palette: 'nope', window: { center: 1, width: -5 }, measurements: [{ kind: 'probe' }] })")
        s = self.js("harness.viewer.getState()")
        self.assertEqual((s["zoom"], s["rotation"], s["palette"], s["window"], s["measurements"]),
                         (1.8, state["rotation"], "bone", {"center": -300, "width": 1200}, []))

    def test_a_frame_that_cannot_be_loaded_says_so(self):
        self.page.goto(f"http://127.0.0.1:{port}/viewer/dev/harness.html?slices=12&broken=4")
        self.page.wait_for_selector("body[data-ready=true]", timeout=30000)
        self.js("harness.viewer.setFrame(4)")
        self.page.wait_for_function("document.querySelector('[data-testid=viewer-status]').textContent === 'Image could not be loaded'", timeout=20000)
        self.assertEqual(self.label_texts(), [])
        self.assertIn("Im: 5/12", self.page.get_by_test_id("overlay-corner-tr").inner_text())
        shown = self.js("points => harness.actualAt(points)", [self.screen(DISC), self.screen(TISSUE)])
        self.assertEqual(shown, [[0, 0, 0, 255]] * 2, "no other slice is left under its number")
        self.shot("broken-frame")
        # The other slices are unaffected.
        self.js("harness.viewer.setFrame(5)")
        self.js("harness.whenShown(5)")
        self.assertEqual(self.page.get_by_test_id("viewer-status").inner_text(), "")
        self.assert_matches_math([DISC, TISSUE] + RAMP, "slice after the broken one")

    def test_cine_plays_the_stack_and_stops(self):
        self.page.wait_for_function("harness.viewer.loader.progress(harness.viewer.getState().seriesUID).loaded === 12", timeout=30000)
        self.page.get_by_test_id("cine").click()
        self.page.wait_for_function("harness.viewer.getState().frame >= 4", timeout=20000)
        self.page.get_by_test_id("cine").click()
        frame = self.js("harness.viewer.getState().frame")
        time.sleep(0.4)
        self.assertEqual(self.js("harness.viewer.getState().frame"), frame, "cine stopped")
        self.js(f"harness.whenShown({frame})")
        self.assert_matches_math([DISC, TISSUE] + RAMP, f"cine stopped at slice {frame}")

    def test_frame_times(self):
        drag_ms = self.js("harness.measureWindowDrag(60)")
        scroll_ms = self.js("harness.measureScroll(36)")
        if os.environ.get("VIEWER_PERF"):
            print(f"\n{self.name}: W/L drag frame {drag_ms:.1f} ms ({1000 / drag_ms:.0f} fps), "
                  f"slice change {scroll_ms:.1f} ms ({1000 / scroll_ms:.0f} fps)", file=sys.stderr)
        self.assertLess(drag_ms, 1000, "software-rendered frames stay under a second")


class Phone(ViewerCore, unittest.TestCase):
    name = "phone-390x844"
    viewport = {"width": 390, "height": 844}
    scale = 3
    touch = True


class Desktop(ViewerCore, unittest.TestCase):
    name = "desktop-1440x900"
    viewport = {"width": 1440, "height": 900}
    scale = 1
    touch = False


class WithoutWebGL2(unittest.TestCase):
    """A browser that refuses WebGL2 (a GPU it does not trust with software rendering off, an old one): the viewer
    makes its WebGL context at its first WebGL draw, after the first image. That image, on a 2D canvas, stays on
    screen, and the status line says why nothing more is drawn."""

    def test_the_first_image_stays_on_screen_and_the_status_says_why(self):
        context = browser.new_context(viewport={"width": 800, "height": 700})
        try:
            context.add_init_script("""(() => {
                const getContext = HTMLCanvasElement.prototype.getContext;
                HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
                    return kind === 'webgl2' ? null : getContext.call(this, kind, ...rest);
                };
            })()""")
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/viewer/dev/harness.html?slices=12")
            status = page.locator("[data-testid=viewer-status]")
            page.wait_for_function("() => (document.querySelector('[data-testid=viewer-status]')?.textContent ?? '').includes('WebGL2')",
                                   timeout=30000)
            self.assertIn("cannot create a WebGL2 context", status.inner_text())
            # The preview canvas holds the phantom: more than one grey level, and it is shown.
            levels = page.evaluate("""() => {
                const c = document.querySelector('[data-testid=viewer-preview]');
                if (!c || getComputedStyle(c).display === 'none') return 0;
                const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
                const seen = new Set();
                for (let i = 0; i < data.length; i += 4) seen.add(data[i]);
                return seen.size;
            }""")
            self.assertGreater(levels, 5)
            page.screenshot(path=os.path.join(SHOTS, "no-webgl2.png"))
            self.assertEqual(errors, [])
        finally:
            context.close()


if __name__ == "__main__":
    unittest.main()
