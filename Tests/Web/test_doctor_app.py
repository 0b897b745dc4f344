#!/usr/bin/env python3
"""End-to-end tests of the doctor web app (Sources/mi-server/Resources/web) in headless Chromium against `mi-server demo`.

Starts `mi-server demo` on free ports in a temporary folder (serving the web client from the source tree with
--web-root), then, at 390x844 (phone: touch, device pixel ratio 3) and 1440x900 (desktop: mouse):

  sign-up with validation -> "waiting for approval" -> approval by an administrator through the API (an access
  token from the authorization code flow with PKCE, as `admin`) -> login through the server's login page -> the
  worklist filtered by modality and sorted (the rows in the server's order, the filter remembered across a reload)
  -> open the reported CT -> a window drag and a preset change the rendered pixels (the lung grey matches the VOI
  math) -> the HU probe on the phantom's left lung reads -855 HU -> a 100-pixel length at 1:1 reads 70.0 mm ->
  flip, invert, palette change the canvas and reset restores it -> the report shows as page images.

and, at the desktop size, the error states: a scheduled exam says its images are still arriving; an expired
session goes through the login page back to the same place; network loss shows a retry and recovers by itself; a
logout revokes the refresh token; an administrator lands in the administration pages (Tests/Web/test_admin_app.py),
and the exams stay closed to them.

The tender screenshots (worklist and viewer with tools in use, phone and desktop) are written to docs/screenshots/
(or $DOCTOR_APP_SCREENSHOTS); the others to a temporary folder whose path is printed.

    PYTHON -m pip install playwright   # the driver only; the browser is Debian's chromium
    PYTHON Tests/Web/test_doctor_app.py [-v]

Environment: MI_SERVER (default .build/debug/mi-server), CHROMIUM (default /usr/bin/chromium), KEEP_DEMO=1 to keep the
demo's folder; DOCTOR_APP_BASE and DOCTOR_APP_DATA to test a demo that is already running (its URL and data folder).
Never run `playwright install`: it downloads a browser, which this machine cannot do.
"""
import base64
import os
import re
import struct
import sys
import tempfile
import time
import unittest
import zlib

from playwright.sync_api import sync_playwright

from demo_server import BrowserPage, Demo, ROOT, drag_gesture, launch_chromium
DOC_SHOTS = os.environ.get("DOCTOR_APP_SCREENSHOTS") or os.path.join(ROOT, "docs", "screenshots")
SHOTS = tempfile.mkdtemp(prefix="doctor-app-shots-")

# DemoPhantom.chestCT (Sources/PlatformServices/Demo/DemoPhantom+Presets.swift): 512x512, 0.7 mm pixels, Rescale
# Intercept -1024; slice index k is Instance Number k + 1.
SLICE = 120
LEFT_LUNG = (356, 235)          # -855 HU on slice 120 (a documented landmark)
LENGTH = ((150, 400), (250, 400))  # 100 pixels: 70.0 mm
LUNG_WINDOW = (-600, 1500)      # the `lung` preset (viewer/math/presets.js, ImagingKit's value)

demo = None
base = None
playwright = None
browser = None
admin_token = None
accounts = None


def api(path, token=None, method="GET", body=None):
    return demo.api(path, token, method, body)


def form_post(path, fields):
    return demo.form_post(path, fields)


def code_flow_token(username, password):
    return demo.code_flow_token(username, password)


def png_pixels(png):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium's screenshots are): (width, height, rows of (r, g, b))."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def setUpModule():
    global demo, base, playwright, browser, admin_token, accounts
    # DOCTOR_APP_BASE and DOCTOR_APP_DATA: a running demo (e.g. while developing), its URL and its data folder.
    demo = Demo("doctor-app-", os.environ.get("DOCTOR_APP_BASE"), os.environ.get("DOCTOR_APP_DATA"))
    base = demo.base
    accounts = demo.accounts
    admin_token = code_flow_token(accounts["administrator"]["username"], accounts["administrator"]["password"])
    playwright = sync_playwright().start()
    browser = launch_chromium(playwright)
    os.makedirs(DOC_SHOTS, exist_ok=True)
    print(f"screenshots: {DOC_SHOTS} (tender) and {SHOTS}", file=sys.stderr)


def tearDownModule():
    if browser:
        browser.close()
    if playwright:
        playwright.stop()
    if demo:
        demo.stop(keep=bool(os.environ.get("KEEP_DEMO")))


class Device(BrowserPage):
    """The helpers shared by the journeys (subclasses set the device)."""

    def setUp(self):
        self.open_page(browser)

    def tearDown(self):
        self.close_page()

    # ---------------------------------------------------------------- helpers
    def shot(self, label, tender=False):
        path = os.path.join(DOC_SHOTS if tender else SHOTS, f"{label}-{self.name}.png")
        self.page.screenshot(path=path)
        return path

    def login_on_server_page(self, username, password):
        self.page.wait_for_url(re.compile(r".*/oauth/authorize.*"))
        self.el("login-username").fill(username)
        self.el("login-password").fill(password)
        self.el("login-submit").click()

    def open_filters(self):
        if not self.el("filter-modality").is_visible():
            self.el("filter-toggle").click()
        self.el("filter-modality").wait_for(state="visible")

    def wait_rows(self):
        self.page.wait_for_function("""() => { const l = document.querySelector('[data-testid=worklist]');
            return l && l.getAttribute('aria-busy') === 'false'; }""")

    def rows(self, attr):
        return self.page.eval_on_selector_all("[data-testid=worklist-row]", f"els => els.map(e => e.dataset.{attr})")

    def token(self):
        return self.page.evaluate("JSON.parse(localStorage.getItem('mi.session.v1')).accessToken")

    def host_box(self):
        return self.el("viewer").bounding_box()

    def image_to_page(self, p, zoom=None):
        """Page (CSS) point of an image point, for the 512x512 CT fitted and centred (zoom: CSS px per image px)."""
        b = self.host_box()
        s = zoom if zoom is not None else min(b["width"], b["height"]) / 512
        return b["x"] + b["width"] / 2 + (p[0] - 255.5) * s, b["y"] + b["height"] / 2 + (p[1] - 255.5) * s

    def drag(self, a, b, steps=8):
        drag_gesture(self.page, self.context, self.touch, a, b, steps)
        self.frames()

    def tap(self, p):
        if self.touch:
            self.page.touchscreen.tap(p[0], p[1])
        else:
            self.page.mouse.click(p[0], p[1])
        self.frames()

    def centre_crop(self):
        """The rendered pixels of the middle of the canvas (away from the corner text), decoded."""
        self.frames()
        b = self.host_box()
        size = 200
        clip = {"x": b["x"] + b["width"] / 2 - size / 2, "y": b["y"] + b["height"] / 2 - size / 2, "width": size, "height": size}
        return png_pixels(self.page.screenshot(clip=clip, scale="css"))[2]

    def pixel_at(self, p):
        """The mean colour of the 3x3 CSS pixels around a page point."""
        self.frames()
        clip = {"x": round(p[0]) - 1, "y": round(p[1]) - 1, "width": 3, "height": 3}
        rows = png_pixels(self.page.screenshot(clip=clip, scale="css"))[2]
        pixels = [px for row in rows for px in row]
        return tuple(round(sum(c[i] for c in pixels) / len(pixels)) for i in range(3))

    def measurement_texts(self):
        return self.el("measurement-value").all_inner_texts()

    @staticmethod
    def grey(window, hu):
        """DICOM PS3.3 C.11.2.1.2.1 linear VOI to 8 bits: what the lung must look like in a window."""
        c, w = window
        if hu <= c - 0.5 - (w - 1) / 2:
            return 0
        if hu > c - 0.5 + (w - 1) / 2:
            return 255
        return ((hu - (c - 0.5)) / (w - 1) + 0.5) * 255


class Journey(Device):
    def test_sign_up_approval_login_worklist_viewer_and_report(self):
        page, el = self.page, self.el
        username = f"e2e_{self.name}_{os.getpid()}"
        password = "Scan#2026"

        # ---- sign-up, with the validation a doctor sees first
        page.goto(base + "/register")
        el("register-submit").click()
        self.assertIn("必填", el("register-name-error").inner_text())
        el("register-name").fill("李医生")
        el("register-phone").fill("12")
        el("register-phone").blur()
        self.assertIn("手机号", el("register-phone-error").inner_text())
        el("register-phone").fill("13800000123")
        hospitals = api("/api/v1/hospitals")["items"]
        hospital = hospitals[0]
        el("register-hospital").select_option(hospital["id"])
        el("register-department").select_option(hospital["departments"][0])
        el("register-title").select_option("主治医师")
        el("register-username").fill(username)
        el("register-password").fill("short")
        el("register-password-confirm").fill("short")
        el("register-submit").click()
        self.assertIn("8", el("register-password-error").inner_text())
        el("register-password").fill(password)
        el("register-password-confirm").fill(password)
        self.shot("register")
        el("register-submit").click()
        el("register-waiting").wait_for()
        self.assertIn(username, el("register-waiting").inner_text())
        self.shot("register-waiting")

        # ---- an administrator approves (API)
        pending = api("/api/v1/registrations?status=pending", admin_token)["items"]
        registration = next(r for r in pending if r["username"] == username)
        approved = api(f"/api/v1/registrations/{registration['id']}/approve", admin_token, method="POST")
        self.assertEqual(approved["user"]["roles"], ["doctor"])

        # ---- login through the server's page, back to the worklist
        el("register-done-login").click()
        self.login_on_server_page(username, password)
        page.wait_for_url(base + "/worklist")
        self.wait_rows()
        total_all = len(self.rows("studyUid"))
        self.assertGreater(total_all, 1)
        self.assertEqual(el("worklist-total").inner_text(), f"共 {total_all} 项检查")
        # Newest first, over all dates.
        dates = page.eval_on_selector_all("[data-testid=row-date]", "els => els.map(e => e.firstChild.textContent)")
        shown_dates = [d for d in dates if re.match(r"\d{4}-\d{2}-\d{2}", d)]
        self.assertEqual(shown_dates, sorted(shown_dates, reverse=True))

        # ---- sort: the rows in the server's order for each key
        token = self.token()
        for key, order in (("modality", "asc"), ("modality", "desc"), ("name", "asc"), ("status", "asc"), ("date", "desc")):
            el(f"sort-{key}").click()
            search = "" if key == "date" else f"?sort={key}" + ("&order=desc" if order == "desc" else "")
            page.wait_for_function("s => location.search === s", arg=search)
            self.wait_rows()
            expected = [s["studyInstanceUID"] for s in api(f"/api/v1/studies?sort={key}&order={order}&limit=100", token)["items"]]
            self.assertEqual(self.rows("studyUid"), expected, f"sorted by {key} {order}")
            if key == "modality":
                mods = self.rows("modality")
                self.assertEqual(mods, sorted(mods, reverse=(order == "desc")))

        # ---- filter by modality; remembered across a reload
        self.open_filters()
        el("filter-modality").select_option("CT")
        page.wait_for_function("() => location.search.includes('modality=CT')")
        self.wait_rows()
        mods = self.rows("modality")
        self.assertTrue(mods and all(m == "CT" for m in mods), mods)
        self.assertEqual(el("worklist-total").inner_text(), f"共 {len(mods)} 项检查")
        page.goto(base + "/worklist")
        self.wait_rows()
        self.open_filters()
        self.assertEqual(el("filter-modality").input_value(), "CT")
        self.assertEqual(self.rows("modality"), mods)
        el("filter-modality").select_option("")
        page.wait_for_function("() => location.search === ''")
        self.wait_rows()
        self.assertEqual(len(self.rows("studyUid")), total_all)
        if self.touch:
            el("filter-toggle").click()   # the panel closed, as a doctor usually sees the list
            # Pull to refresh: a finger pulling the top of the list down asks the server again.
            requests = []
            page.on("request", lambda r: "/api/v1/studies?" in r.url and requests.append(r.url))
            top = el("worklist").bounding_box()
            self.drag((195, top["y"] + 20), (195, top["y"] + 260), steps=12)
            page.wait_for_function("() => document.querySelector('[data-testid=worklist]').getAttribute('aria-busy') === 'false'")
            self.assertEqual(len(requests), 1, "one refresh")
            self.assertEqual(len(self.rows("studyUid")), total_all)
        self.shot("worklist", tender=True)

        # ---- open the reported CT
        page.locator("[data-testid=worklist-row][data-modality=CT][data-status=report] [data-testid=worklist-open]").first.click()
        page.wait_for_url(re.compile(r".*/studies/[^/]+$"))
        el("viewer-canvas").wait_for()
        self.wait_image_shown()
        self.assertEqual(el("quality-indicator").get_attribute("data-quality"), "lossless")
        self.assertGreaterEqual(el("series-thumb").count(), 1)
        self.assertIn("张三", el("overlay-corner-tl").inner_text())
        # To slice 121 (index 120) with the stack slider.
        el("stack-slider").evaluate(f"s => {{ s.value = '{SLICE + 1}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }}")
        page.wait_for_function(f"() => document.querySelector('[data-testid=frame-label]').textContent.startsWith('{SLICE + 1} /')")
        self.wait_image_shown()
        original = self.centre_crop()

        # ---- window by a drag, then a preset: the rendered pixels change
        el("tool-wwwl").click()
        readout = el("window-readout").inner_text()
        b = self.host_box()
        cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        self.drag((cx - 60, cy - 40), (cx + 40, cy + 50))
        dragged = self.centre_crop()
        self.assertNotEqual(dragged, original, "a window drag changes the pixels")
        self.assertNotEqual(el("window-readout").inner_text(), readout)
        el("preset-lung").click()
        self.frames()
        self.assertEqual(el("window-readout").inner_text(), "窗宽 1500 窗位 -600")
        lung_window = self.centre_crop()
        self.assertNotEqual(lung_window, dragged, "a preset changes the pixels")
        lung = self.pixel_at(self.image_to_page(LEFT_LUNG))
        expected = self.grey(LUNG_WINDOW, -855)
        self.assertTrue(all(abs(c - expected) <= 3 for c in lung), f"lung {lung}, VOI math {expected:.1f}")

        # ---- HU probe on the left lung; a 100-pixel length at 1:1 reads 70.0 mm
        el("tool-one-to-one").click()
        self.frames()
        el("tool-probe").click()
        self.tap(self.image_to_page(LEFT_LUNG, zoom=1))
        self.assertEqual(self.measurement_texts(), ["-855 HU"])
        el("tool-length").click()
        self.drag(self.image_to_page(LENGTH[0], zoom=1), self.image_to_page(LENGTH[1], zoom=1))
        self.assertEqual(self.measurement_texts(), ["-855 HU", "70.0 mm"])
        # An ellipse in the right lung: its mean is the lung's value (shown in the screenshots).
        el("tool-fit").click()
        self.frames()
        el("tool-ellipse").click()
        self.drag(self.image_to_page((145, 280)), self.image_to_page((175, 310)))
        texts = self.measurement_texts()
        self.assertEqual(len(texts), 3)
        self.assertIn("-855.0 HU", texts[2])
        self.assertEqual([line.split(" ")[0] for line in texts[2].split("\n")], ["均值", "标准差", "面积"])   # in the reader's language
        el("tool-wwwl").click()   # the presets bar, with the lung window chosen, in the screenshot
        self.assertEqual(el("preset-lung").get_attribute("aria-pressed"), "true")
        self.frames()
        self.shot("viewer", tender=True)

        # ---- flip, invert, palette change the canvas; reset restores the first view
        el("tool-clear").click()
        el("tool-wwwl").click()
        base_view = self.centre_crop()
        for testid, undo in (("tool-flip-h", 1), ("tool-flip-v", 1), ("tool-rotate", 3)):
            el(testid).click()
            self.assertNotEqual(self.centre_crop(), base_view, f"{testid} changes the canvas")
            for _ in range(undo):
                el(testid).click()
            self.assertEqual(self.centre_crop(), base_view, f"{testid} undone")
        el("tool-invert").click()
        inverted = self.pixel_at(self.image_to_page(LEFT_LUNG))
        self.assertTrue(all(abs(c - (255 - expected)) <= 3 for c in inverted), f"inverted lung {inverted}")
        el("tool-invert").click()
        el("tool-palette").click()
        el("palette-hot-iron").click()
        coloured = self.pixel_at(self.image_to_page(LEFT_LUNG))
        self.assertNotEqual(len(set(coloured)), 1, f"hot iron is a colour palette: {coloured}")
        self.assertNotEqual(self.centre_crop(), base_view)
        el("tool-sharpen").click()
        el("sharpen-2").click()
        self.shot("viewer-palette", tender=True)
        el("tool-reset").click()
        self.assertEqual(self.centre_crop(), original, "reset: the file's window, no flip, grey")

        # ---- cine plays the stack at the chosen rate and stops
        el("tool-cine").click()
        el("cine-fps-20").click()
        page.wait_for_function(f"() => !document.querySelector('[data-testid=frame-label]').textContent.startsWith('{SLICE + 1} /')")
        self.assertEqual(el("tool-cine").get_attribute("aria-pressed"), "true")
        el("tool-cine").click()
        self.assertEqual(el("tool-cine").get_attribute("aria-pressed"), "false")
        stopped = el("frame-label").inner_text()
        time.sleep(0.4)
        self.assertEqual(el("frame-label").inner_text(), stopped)
        el("stack-slider").evaluate(f"s => {{ s.value = '{SLICE + 1}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }}")
        self.wait_image_shown()

        # ---- the report as page images
        el("open-reports").click()
        el("report-view").wait_for()
        if el("report-view").get_attribute("data-mode") == "pdf":
            el("report-toggle").click()
        page.wait_for_function("""() => { const img = document.querySelector('[data-testid=report-page]');
            return img && img.complete && img.naturalWidth > 100; }""")
        self.assertEqual(el("report-view").get_attribute("data-mode"), "images")
        self.shot("report", tender=True)
        # Back to the images: the same slice and window as left.
        el("back-to-study").click()
        self.wait_image_shown()
        self.assertTrue(el("frame-label").inner_text().startswith(f"{SLICE + 1} /"))

        # ---- the personal centre: professional information, a profile change, the password, the language
        page.goto(base + "/me")
        el("profile-info").wait_for()
        self.assertEqual(el("profile-hospital").inner_text(), hospital["name"])
        self.assertEqual(el("profile-department").inner_text(), hospital["departments"][0])
        self.assertEqual(el("profile-title").inner_text(), "主治医师")
        el("profile-edit").click()
        el("profile-edit-phone").fill("13900000999")
        el("profile-save").click()
        page.wait_for_function("() => document.querySelector('[data-testid=profile-phone]')?.textContent === '13900000999'")
        el("password-current").fill("Wrong#2026")
        el("password-new").fill("Newer#2026")
        el("password-confirm").fill("Newer#2026")
        el("password-submit").click()
        el("password-current-error").wait_for()
        page.wait_for_function("() => document.querySelector('[data-testid=password-current-error]').textContent !== ''")
        el("password-current").fill(password)
        el("password-submit").click()
        el("password-changed").wait_for()
        self.shot("profile")
        el("locale-switch").select_option("en")
        page.wait_for_function("() => document.documentElement.lang === 'en' && document.querySelector('[data-testid=nav-worklist]')?.textContent === 'Worklist'")
        self.assertEqual(el("profile-title").inner_text(), "主治医师")   # stored as the hospitals write it
        el("locale-switch").select_option("zh-CN")
        page.wait_for_function("() => document.querySelector('[data-testid=nav-worklist]')?.textContent === '检查列表'")
        # The new password is the one that signs in.
        self.assertEqual(code_flow_token(username, "Newer#2026").count("."), 2)


class PhoneJourney(Journey, unittest.TestCase):
    name = "phone"
    viewport = {"width": 390, "height": 844}
    scale = 3
    touch = True


class DesktopJourney(Journey, unittest.TestCase):
    name = "desktop"
    viewport = {"width": 1440, "height": 900}
    scale = 1
    touch = False


class ErrorStates(Device, unittest.TestCase):
    """What a doctor sees when things are not as they should be (desktop size)."""
    name = "desktop"
    viewport = {"width": 1440, "height": 900}

    def sign_in(self, path="/worklist", role="doctor"):
        self.page.goto(base + path)
        self.login_on_server_page(accounts[role]["username"], accounts[role]["password"])
        self.page.wait_for_url(base + path)

    def test_a_scheduled_exam_says_its_images_are_still_arriving(self):
        self.sign_in()
        self.wait_rows()
        self.el("filter-status").select_option("scheduled")
        self.page.wait_for_function("() => location.search.includes('status=scheduled')")
        self.wait_rows()
        self.page.locator("[data-testid=worklist-row][data-status=scheduled] [data-testid=worklist-open]").first.click()
        self.el("study-arriving").wait_for()
        self.assertIn("尚未", self.el("study-arriving").inner_text())
        self.shot("arriving")

    def test_an_expired_session_goes_through_login_back_to_the_same_place(self):
        self.sign_in()
        self.wait_rows()
        study = self.rows("studyUid")[0]
        path = f"/studies/{study}?frame=3"
        # Both tokens become worthless, as after a long absence (the refresh token expired or was revoked).
        self.page.evaluate("""() => { const s = JSON.parse(localStorage.getItem('mi.session.v1'));
            s.accessToken = 'expired.' + s.accessToken.slice(8); s.refreshToken = 'revoked'; localStorage.setItem('mi.session.v1', JSON.stringify(s)); }""")
        self.page.goto(base + path)
        self.login_on_server_page(accounts["doctor"]["username"], accounts["doctor"]["password"])
        self.page.wait_for_url(base + path)
        self.el("study-summary").wait_for()

    def test_a_deep_link_shows_the_first_image_the_start_up_script_asked_for(self):
        """/studies/{uid} opened directly: index.html's inline script asks for the reads and the series' first frame
        before any module has loaded (app/early-reads.js); the viewer draws that frame exactly as the decode workers
        would."""
        self.sign_in()
        self.wait_rows()
        study = self.page.eval_on_selector_all("[data-testid=worklist-row][data-modality=CT][data-status=report]", "els => els.map(e => e.dataset.studyUid)")[0]
        frame_requests = """() => performance.getEntriesByType('resource').filter(e => /\\/first-frame$/.test(e.name)).length"""
        self.page.goto(f"{base}/studies/{study}")
        self.wait_image_shown()
        self.assertEqual(self.page.evaluate(frame_requests), 1, "the page itself fetched the series' first frame (workers fetch the rest)")
        early = self.centre_crop()
        # A token within a minute of expiry is left to the app (which refreshes it first): no early reads, and the
        # first frame comes through a decode worker. Same pixels.
        self.page.evaluate("""() => { const s = JSON.parse(localStorage.getItem('mi.session.v1'));
            s.expiresAt = Date.now() + 30000; localStorage.setItem('mi.session.v1', JSON.stringify(s)); }""")
        self.page.goto(f"{base}/studies/{study}")
        self.wait_image_shown()
        self.assertEqual(self.page.evaluate(frame_requests), 0)
        self.assertEqual(self.centre_crop(), early)

    def test_network_loss_offers_a_retry_and_recovers_when_back_online(self):
        self.sign_in()
        self.wait_rows()
        self.context.set_offline(True)
        self.el("filter-modality").select_option("MR")
        self.el("error-network").wait_for(timeout=20000)
        self.el("retry").wait_for()
        self.shot("offline")
        self.context.set_offline(False)
        self.page.wait_for_function("() => document.querySelectorAll('[data-testid=worklist-row][data-modality=MR]').length > 0", timeout=20000)
        self.assertEqual(self.el("error-network").count(), 0)
        self.errors = [e for e in self.errors if "Failed to fetch" not in e]

    def test_logout_revokes_the_session_and_an_administrator_lands_in_the_administration(self):
        self.sign_in()
        self.wait_rows()
        refresh = self.page.evaluate("JSON.parse(localStorage.getItem('mi.session.v1')).refreshToken")
        self.el("logout").click()
        self.el("home-login").wait_for()
        self.assertIsNone(self.page.evaluate("localStorage.getItem('mi.session.v1')"))
        status, body = form_post("/oauth/token", {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "mi-web"})
        self.assertEqual((status, body["error"]), (400, "invalid_grant"))
        self.el("home-login").click()
        self.login_on_server_page(accounts["administrator"]["username"], accounts["administrator"]["password"])
        self.page.wait_for_url(base + "/admin/registrations")
        self.el("admin-registrations").wait_for()
        # The exams stay the server's to refuse: the worklist and a study page answer 403 to the administrator.
        self.assertEqual(demo.request("/api/v1/studies?limit=1", self.token())[0], 403)
        self.page.goto(base + "/worklist")
        self.page.wait_for_url(base + "/admin/registrations")
        self.shot("admin-landing")


if __name__ == "__main__":
    unittest.main()
