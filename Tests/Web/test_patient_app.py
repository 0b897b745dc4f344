#!/usr/bin/env python3
"""End-to-end tests of the patient web app (web/patient/) in headless Chromium against `mi-server demo --test-clock`.

Starts the demo on free ports in a temporary folder (the web client served from the source tree with --web-root),
then at 390x844 (phone: touch, device pixel ratio 3):

  the hospital's integration client (client credentials) gets the QR code of 张三's reported CT -> zbarimg (an
  independent decoder) reads the PNG -> the phone opens the link: the masked exam, a wrong birth date (error shown,
  still on the landing), the right one -> the patient home with its status steps (report current) and history,
  remembered across a reload -> images (the canvas shows pixels; a window preset changes them; the simple toolbar
  has length but no angle) -> the report's page images -> manual retrieval: two different wrong details give the
  same message, the right ones open the exam -> a share for 1 hour with an access code: link and QR code (zbarimg
  reads the link) -> a fresh browser context without an account opens it (a wrong code is refused) and sees the exam,
  its images and report; the owner's view count rises -> a second share is revoked with the in-page confirmation and
  is 410 at once -> a consult message from the patient, answered by the doctor in the doctor app's inbox (unread
  badge), shows on the patient home -> the patient account (OAuth) lands on its exams -> the server clock moves past
  the share's end: the open share page shows the expired state, a reload gets the server's 410 page, the API 410.

and a desktop pass (1440x900, mouse) of the patient home, the viewer and a share's page; and, on another exam's link,
five wrong birth dates followed by the throttled message.

Tender screenshots (phone): docs/screenshots/patient-home.png, patient-share.png, patient-share-expired.png (or
$PATIENT_APP_SCREENSHOTS); the others go to a temporary folder whose path is printed.

    /work/main/.venv-test/bin/python Tests/Web/test_patient_app.py [-v]

Environment: MI_SERVER (default .build/debug/mi-server), CHROMIUM (default /usr/bin/chromium), KEEP_DEMO=1 to keep the
demo's folder. Never run `playwright install`: the browser is Debian's chromium.
"""
import base64
import json
import os
import re
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "Integration")]
from demo_server import Demo, launch_chromium  # noqa: E402
from test_doctor_app import png_pixels  # noqa: E402  (one copy of the PNG reader)
from playwright.sync_api import sync_playwright  # noqa: E402
import demo_patient_access  # noqa: E402  (its HTTP and zbarimg helpers)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC_SHOTS = os.environ.get("PATIENT_APP_SCREENSHOTS") or os.path.join(ROOT, "docs", "screenshots")
SHOTS = tempfile.mkdtemp(prefix="patient-app-shots-")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1, "has_touch": False, "is_mobile": False}

demo = None
base = None
playwright = None
browser = None
accounts = None
integration_client = None
integration = None
ct = None          # 张三's reported CT, as the integration client sees it
qr_url = None


def call(method, path, token=None, body=None):
    """An API call (path on the demo, or a whole URL) with the integration check's helper: status, headers, body."""
    return demo_patient_access.call(method, path if path.startswith("http") else base + path, token, body)


zbar = demo_patient_access.zbar


def setUpModule():
    global demo, base, playwright, browser, accounts, integration_client, integration, ct, qr_url
    os.makedirs(DOC_SHOTS, exist_ok=True)
    print(f"screenshots: {DOC_SHOTS} (tender) and {SHOTS}", file=sys.stderr)
    demo = Demo("patient-app-", extra=["--test-clock"])
    base = demo.base
    accounts = demo.accounts
    integration_client = demo.clients["mi-integration"]
    integration = integration_token()
    exams = call("GET", "/api/v1/studies?" + urllib.parse.urlencode({"name": "张三", "limit": 50}), integration).json()["items"]
    ct = next(s for s in exams if s["modality"] == "CT" and s["status"] == "report")
    # The hospital's system asks for the exam's QR code; we read it as a phone's scanner would.
    qr = call("POST", "/api/v1/integration/qrcodes", integration, {"accessionNumber": ct["accessionNumber"]})
    assert qr.status == 201, (qr.status, qr.body[:200])
    qr_url = zbar(base64.b64decode(qr.json()["png"]))
    assert qr_url == qr.json()["url"], f"zbarimg read {qr_url!r}, the server said {qr.json()['url']!r}"
    playwright = sync_playwright().start()
    browser = launch_chromium(playwright)


def tearDownModule():
    for close in (lambda: browser and browser.close(), lambda: playwright and playwright.stop(),
                  lambda: demo and demo.stop(keep=bool(os.environ.get("KEEP_DEMO")))):
        try:
            close()
        except Exception:  # noqa: BLE001 - teardown goes on
            pass


def integration_token():
    """The hospital system's access token (client credentials); a fresh one after a test has moved the clock."""
    c = integration_client
    basic = base64.b64encode(f"{c['client_id']}:{c['client_secret']}".encode()).decode()
    req = urllib.request.Request(base + "/oauth/token", data=b"grant_type=client_credentials",
                                 headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
    return json.load(urllib.request.urlopen(req))["access_token"]


def birth_date():
    return ct["patientBirthDate"].replace("-", "")


def iso_date(d):
    return f"{d[:4]}-{d[4:6]}-{d[6:8]}" if re.fullmatch(r"\d{8}", d) else d


class Browsing:
    """A browser context per person, with its page errors collected (every test ends with none)."""

    def open_context(self, device, label):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **device)
        context.set_default_timeout(30000)
        page = context.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"{label} pageerror: {e}"))
        # 401/410 answers the app handles are logged by Chromium as failed resources; those are not the app's errors.
        page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text and self.errors.append(f"{label}: {m.text}"))
        self.contexts.append(context)
        return page

    def setUp(self):
        self.errors = []
        self.contexts = []

    def tearDown(self):
        for c in self.contexts:
            c.close()
        self.assertEqual(self.errors, [], "errors in the pages")

    @staticmethod
    def el(page, testid):
        return page.locator(f"[data-testid={testid}]")

    def shot(self, page, name, tender=False):
        path = os.path.join(DOC_SHOTS if tender else SHOTS, f"{name}.png")
        page.screenshot(path=path)
        return path

    def canvas_pixels(self, page):
        """The viewer's canvas as the screen shows it: how many distinct grey levels, and the pixels."""
        page.wait_for_function("""() => { const p = document.querySelector('[data-testid=viewer-progress]');
            return p && Number(p.dataset.loaded) >= 1; }""")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        _, _, rows = png_pixels(self.el(page, "viewer").screenshot())
        values = {px for row in rows[::4] for px in row[::4]}
        return len(values), rows

    def sign_in(self, page, role, start_testid):
        """Through the server's login page (OAuth authorization code + PKCE) as the demo account of `role`."""
        self.el(page, start_testid).click()
        page.wait_for_url(re.compile(r".*/oauth/authorize.*"))
        self.el(page, "login-username").fill(accounts[role]["username"])
        self.el(page, "login-password").fill(accounts[role]["password"])
        self.el(page, "login-submit").click()

    def enter_by_link(self, page, url):
        page.goto(url)
        self.el(page, "qr-landing").wait_for()
        self.el(page, "verify-birthdate").fill(birth_date())
        self.el(page, "verify-submit").click()
        page.wait_for_url(re.compile(r".*/patient/exams/[^/]+$"))
        self.el(page, "exam-status").wait_for()


class PhoneJourney(Browsing, unittest.TestCase):
    def test_patient_film_share_and_consult(self):
        page = self.open_context(PHONE, "patient")

        # ---- the QR link: the masked exam, a wrong then the right birth date
        response = page.goto(qr_url)
        self.assertEqual(response.status, 200)
        self.el(page, "qr-landing").wait_for()
        self.assertEqual(self.el(page, "exam-patient-name").inner_text(), "张*")
        opened = call("GET", "/api/v1/patient-links/" + qr_url.rsplit("/", 1)[1]).json()["exam"]
        self.assertIn(opened["hospital"]["name"], self.el(page, "exam-card").inner_text())
        self.el(page, "verify-birthdate").fill("19000101")
        self.el(page, "verify-submit").click()
        self.el(page, "verify-error").wait_for()
        self.assertRegex(self.el(page, "verify-error").inner_text(), r"\S")
        self.assertIn("/p/", page.url)
        self.shot(page, "patient-landing-wrong-phone")
        self.el(page, "verify-birthdate").fill(birth_date())
        self.el(page, "verify-submit").click()
        page.wait_for_url(re.compile(r".*/patient/exams/[^/]+$"))
        self.assertIn(urllib.parse.quote(ct["studyInstanceUID"]), page.url)

        # ---- the patient home: steps, buttons, history; remembered across a reload
        self.el(page, "exam-status").wait_for()
        current = {s: self.el(page, f"status-step-{s}").get_attribute("data-current") for s in ("scheduled", "imaging", "report")}
        self.assertEqual(current, {"scheduled": "false", "imaging": "false", "report": "true"})
        self.assertEqual(self.el(page, "status-step-report").get_attribute("aria-current"), "step")
        self.assertRegex(self.el(page, "status-step-report").inner_text(), r"\d{2}:\d{2}", "the report step shows its time")
        page.reload()
        self.el(page, "exam-status").wait_for()
        self.assertEqual(self.el(page, "qr-landing").count(), 0, "the second factor is asked again after a reload")
        page.goto(base + "/patient")   # the entry takes the patient back to the exam the QR code opened
        page.wait_for_url(re.compile(r".*/patient/exams/" + re.escape(urllib.parse.quote(ct["studyInstanceUID"])) + "$"))
        self.el(page, "exam-status").wait_for()
        token = page.evaluate("JSON.parse(sessionStorage.getItem('mi.patient.v1')).accessToken")
        mine = call("GET", "/api/v1/patient-access/exams", token).json()["items"]
        self.el(page, "history").wait_for()
        self.assertEqual(self.el(page, "history-item").count(), len(mine) - 1)
        self.assertGreaterEqual(self.el(page, "history-item").count(), 1, "张三 has other exams")
        for testid in ("btn-images", "btn-report", "btn-share"):
            self.assertTrue(self.el(page, testid).is_enabled(), testid)
        self.shot(page, "patient-home", tender=True)

        # ---- images: pixels, a preset changes them, the simple toolbar
        self.el(page, "btn-images").click()
        page.wait_for_url(re.compile(r".*/images$"))
        levels, before = self.canvas_pixels(page)
        self.assertGreater(levels, 20, "the canvas shows an image")
        self.assertGreaterEqual(self.el(page, "series-thumb").count(), 1)
        self.assertEqual(self.el(page, "tool-length").count(), 1)
        self.assertEqual(self.el(page, "tool-angle").count(), 0, "the patient toolbar is the simple one")
        self.el(page, "preset-lung").click()
        _, after = self.canvas_pixels(page)
        self.assertNotEqual(before, after, "the lung preset changes the picture")
        self.shot(page, "patient-images-phone")

        # ---- report: page images on a phone
        self.el(page, "open-report").click()
        page.wait_for_url(re.compile(r".*/report$"))
        self.el(page, "report-view").wait_for()
        page.wait_for_function("() => { const i = document.querySelector('[data-testid=report-page]'); return i && i.naturalWidth > 0; }")
        self.assertEqual(self.el(page, "report-view").get_attribute("data-mode"), "images")
        self.shot(page, "patient-report-phone")

        # ---- manual retrieval: two different wrong details, one message; then the right ones
        other = self.open_context(PHONE, "retrieval")
        other.goto(base + "/patient")
        self.el(other, "patient-retrieve-link").click()
        other.wait_for_url(re.compile(r".*/patient/retrieve$"))
        self.el(other, "retrieve-hospital").locator(f"option[value='{ct['hospitalId']}']").wait_for(state="attached")
        self.el(other, "retrieve-name").fill("张三")
        self.el(other, "retrieve-hospital").select_option(ct["hospitalId"])
        self.el(other, "retrieve-exam-number").fill(ct["accessionNumber"])
        self.el(other, "retrieve-exam-date").fill("2000-01-01")
        self.el(other, "retrieve-submit").click()
        self.el(other, "retrieve-error").wait_for()
        wrong_date = self.el(other, "retrieve-error").inner_text()
        self.assertRegex(wrong_date, r"\S")
        self.el(other, "retrieve-exam-date").fill(iso_date(ct["studyDate"]))
        self.el(other, "retrieve-name").fill("李四")
        self.el(other, "retrieve-submit").click()
        other.wait_for_function("t => { const e = document.querySelector('[data-testid=retrieve-error]'); return e && e.textContent === t; }", arg=wrong_date)
        self.assertIn("/patient/retrieve", other.url)
        self.shot(other, "patient-retrieve-wrong-phone")
        self.el(other, "retrieve-name").fill("张 三")
        self.el(other, "retrieve-submit").click()
        other.wait_for_url(re.compile(r".*/patient/exams/[^/]+$"))
        self.el(other, "exam-status").wait_for()
        self.assertEqual(self.el(other, "exam-patient-name").inner_text(), "张*")

        # ---- share for 1 hour with an access code
        page.goto(base + "/patient/exams/" + urllib.parse.quote(ct["studyInstanceUID"]))
        self.el(page, "btn-share").click()
        self.el(page, "share-dialog").wait_for()
        self.el(page, "share-duration").select_option("custom")
        self.assertTrue(self.el(page, "share-custom-end").is_visible(), "custom reveals the end field")
        self.el(page, "share-duration").select_option("1h")
        self.assertFalse(self.el(page, "share-custom-end").is_visible())
        self.el(page, "share-code").fill("24680")
        self.el(page, "share-create").click()
        self.el(page, "share-link").wait_for()
        link = self.el(page, "share-link").get_attribute("href")
        self.assertTrue(link.startswith(base + "/s/"), link)
        qr_src = self.el(page, "share-qr").get_attribute("src")
        self.assertEqual(zbar(base64.b64decode(qr_src.split(",", 1)[1])), link, "the share's QR code reads as its link")
        page.wait_for_function("() => document.querySelector('[data-testid=share-qr]').naturalWidth > 0")
        item = self.el(page, "share-list-item").filter(has=page.locator(f"a[href='{link}']"))
        item.wait_for()
        self.assertEqual(item.get_attribute("data-view-count"), "0")
        self.shot(page, "patient-share", tender=True)
        share_token = link.rsplit("/", 1)[1]

        # ---- the recipient: a fresh context, no account; a wrong code, then the right one
        guest = self.open_context(PHONE, "recipient")
        guest.goto(link)
        self.el(guest, "share-access-code").wait_for()
        self.el(guest, "share-access-code").fill("11111")
        self.el(guest, "share-open").click()
        self.el(guest, "share-access-error").wait_for()
        self.assertEqual(self.el(guest, "exam-card").count(), 0, "a wrong code shows no exam")
        self.el(guest, "share-access-code").fill("24680")
        self.el(guest, "share-open").click()
        self.el(guest, "exam-card").wait_for()
        self.assertEqual(self.el(guest, "exam-patient-name").inner_text(), "张*")
        levels, _ = self.canvas_pixels(guest)
        self.assertGreater(levels, 20, "the recipient sees the images")
        self.shot(guest, "share-recipient-images-phone")
        self.el(guest, "share-tab-report").click()
        guest.wait_for_function("() => { const i = document.querySelector('[data-testid=report-page]'); return i && i.naturalWidth > 0; }")
        self.shot(guest, "share-recipient-report-phone")
        self.el(page, "share-close").click()
        self.el(page, "btn-share").click()
        item = self.el(page, "share-list-item").filter(has=page.locator(f"a[href='{link}']"))
        item.wait_for()
        self.assertEqual(item.get_attribute("data-view-count"), "1", "the owner sees the visit")

        # ---- a second share, revoked with the in-page confirmation: 410 at once
        self.el(page, "share-duration").select_option("24h")
        self.el(page, "share-code").fill("")
        self.el(page, "share-create").click()
        page.wait_for_function("l => { const a = document.querySelector('[data-testid=share-link]'); return a && a.href !== l; }", arg=link)
        second = self.el(page, "share-link").get_attribute("href")
        second_token = second.rsplit("/", 1)[1]
        self.assertEqual(call("GET", f"/api/v1/shares/{second_token}").status, 200)
        row = self.el(page, "share-list-item").filter(has=page.locator(f"a[href='{second}']"))
        row.wait_for()
        page.on("dialog", lambda d: self.errors.append(f"a browser dialog opened: {d.message}"))
        row.locator("[data-testid=share-revoke]").click()
        self.shot(page, "patient-share-revoke-confirm-phone")
        row.locator("[data-testid=share-revoke-confirm]").click()
        row.wait_for(state="detached")
        self.assertEqual(call("GET", f"/api/v1/shares/{second_token}").status, 410)
        page_answer = call("GET", second)
        self.assertEqual(page_answer.status, 410)
        self.assertIn(b'data-testid="share-expired"', page_answer.body)
        self.el(page, "share-close").click()

        # ---- consultation: the patient asks, the doctor answers from the inbox, the patient sees it
        question = "请问我的检查结果需要复查吗？"
        self.el(page, "consult-input").fill(question)
        self.el(page, "consult-send").click()
        page.wait_for_function("q => [...document.querySelectorAll('[data-testid=consult-message]')].some(m => m.textContent.includes(q))", arg=question)
        doctor = self.open_context(DESKTOP, "doctor")
        doctor.goto(base + "/")
        self.sign_in(doctor, "doctor", "home-login")
        doctor.wait_for_url(re.compile(r".*/worklist.*"))
        self.el(doctor, "nav-unread").wait_for()
        self.assertGreaterEqual(int(self.el(doctor, "nav-unread").inner_text()), 1)
        self.el(doctor, "nav-messages").click()
        thread = doctor.locator(f"[data-testid=inbox-thread][data-study-uid='{ct['studyInstanceUID']}']")
        thread.wait_for()
        thread.locator("[data-testid=inbox-thread-open]").click()
        thread.locator("[data-testid=consult-message]", has_text=question).wait_for()
        answer = "结果正常，一年后复查即可。"
        thread.locator("[data-testid=consult-input]").fill(answer)
        thread.locator("[data-testid=consult-send]").click()
        thread.locator("[data-testid=consult-message][data-author=doctor]", has_text=answer).wait_for()
        doctor.wait_for_function("() => document.querySelector('[data-testid=nav-unread]').hidden")
        self.shot(doctor, "doctor-inbox-desktop")
        page.reload()
        page.locator("[data-testid=consult-message][data-author=doctor]", has_text=answer).wait_for()
        self.shot(page, "patient-consult-phone")

        # ---- the patient account (OAuth) lands on its own exams
        account = self.open_context(PHONE, "patient-account")
        account.goto(base + "/patient")
        self.sign_in(account, "patient", "patient-login")
        account.wait_for_url(re.compile(r".*/patient/exams/[^/]+$"))
        self.el(account, "exam-status").wait_for()

        # ---- the share ends while its page is open: the expired state in the app, 410 from the server
        self.assertEqual(call("POST", "/api/v1/test/clock", body={"advanceSeconds": 3601}).status, 200)
        self.el(guest, "share-tab-images").click()
        # Within 5 s: the tab's own requests get 410 (the page's 30-second check must not be what shows it).
        self.el(guest, "share-expired").wait_for(timeout=5000)
        self.assertEqual(self.el(guest, "exam-card").count(), 0, "the ended share shows no exam")
        self.shot(guest, "share-ended-in-app-phone")
        self.assertEqual(call("GET", f"/api/v1/shares/{share_token}").status, 410)
        response = guest.reload()
        self.assertEqual(response.status, 410)
        self.el(guest, "share-expired").wait_for()
        self.shot(guest, "patient-share-expired", tender=True)


class DesktopPass(Browsing, unittest.TestCase):
    def test_home_and_viewer_at_desktop_size(self):
        page = self.open_context(DESKTOP, "desktop")
        self.enter_by_link(page, qr_url)
        card = self.el(page, "exam-card").bounding_box()
        self.assertLessEqual(card["width"], 700, "the home keeps a readable width on a desktop")
        actions = self.el(page, "btn-share").bounding_box()
        self.assertLess(actions["y"] + actions["height"], 900, "the buttons are on the first screen")
        self.shot(page, "patient-home-desktop")
        self.el(page, "locale-switch").select_option("en")   # English on request, remembered
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        self.assertEqual(self.el(page, "btn-images").inner_text().strip(), "Images")
        self.assertEqual(self.el(page, "status-step-report").locator(".step-name").inner_text(), "Reported")
        self.shot(page, "patient-home-desktop-en")
        self.el(page, "locale-switch").select_option("zh-CN")
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
        self.el(page, "btn-images").click()
        levels, _ = self.canvas_pixels(page)
        self.assertGreater(levels, 20)
        box = self.el(page, "viewer").bounding_box()
        self.assertGreater(box["width"], 800, "the viewer uses the desktop's width")
        self.shot(page, "patient-images-desktop")
        # The recipient's page at desktop size: the exam beside the images.
        token = page.evaluate("JSON.parse(sessionStorage.getItem('mi.patient.v1')).accessToken")
        share = call("POST", "/api/v1/shares", token, {"studyUID": ct["studyInstanceUID"], "expiresIn": 3600})
        self.assertEqual(share.status, 201)
        guest = self.open_context(DESKTOP, "recipient")
        guest.goto(share.json()["url"])
        self.el(guest, "exam-card").wait_for()
        levels, _ = self.canvas_pixels(guest)
        self.assertGreater(levels, 20)
        self.assertGreater(self.el(guest, "viewer").bounding_box()["width"], 700, "the images take the room beside the exam")
        self.shot(guest, "share-recipient-desktop")


class ThrottledAnswers(Browsing, unittest.TestCase):
    def test_too_many_wrong_birth_dates_say_wait_not_wrong(self):
        # Another exam's link (throttling counts per link): 李四's reported MR.
        token = integration_token()
        exams = call("GET", "/api/v1/studies?" + urllib.parse.urlencode({"name": "李四", "limit": 50}), token).json()["items"]
        mr = next(s for s in exams if s["status"] == "report")
        qr = call("POST", "/api/v1/integration/qrcodes", token, {"accessionNumber": mr["accessionNumber"]})
        self.assertEqual(qr.status, 201)
        page = self.open_context(PHONE, "throttled")
        page.goto(qr.json()["url"])
        self.el(page, "qr-landing").wait_for()
        messages = []
        for _ in range(6):   # five wrong answers lock the link for a while (AttemptLimit.patientVerification)
            self.el(page, "verify-birthdate").fill("19000101")
            with page.expect_response(re.compile(r".*/verify$")) as answer:
                self.el(page, "verify-submit").click()
            page.wait_for_function("() => document.querySelector('[data-testid=verify-error]').textContent !== ''")
            messages.append((answer.value.status, self.el(page, "verify-error").inner_text()))
        self.assertEqual([m[0] for m in messages], [401] * 5 + [429])
        self.assertNotEqual(messages[-1][1], messages[0][1], "throttling has its own message")
        self.assertIn("稍后", messages[-1][1])
        self.shot(page, "patient-landing-throttled-phone")


if __name__ == "__main__":
    unittest.main()
