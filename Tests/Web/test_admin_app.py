#!/usr/bin/env python3
"""End-to-end tests of the administration pages of the web app (Sources/mi-server/Resources/web/admin) in headless
Chromium against `mi-server demo`, at 390x844 (phone: touch) and 1440x900 (desktop: mouse).

  * Accounts: two doctors sign up (API) -> the administrator signs in through the login page and lands on the
    registration review -> approves one with a department scope (the doctor can sign in, scoped so) and rejects the
    other with a required reason (the login page shows it) -> finds the doctor with the search -> deactivates them
    (their open token gets 401, their login is refused with a clear message) -> reactivates -> resets the password
    (the temporary password is shown once, signs in once and must be changed first; after the change it is dead)
    -> changes roles and scope -> closes a third account behind an explicit, irreversible confirm.
  * Audit: those actions are in the log, a filter narrows it, "export CSV" downloads exactly the matching rows.
  * PACS links: a link to a local DCMTK `storescp` answers "test connection" (C-ECHO), a link to a closed port
    shows the error; a bad AE title is refused at the field; edit and delete.
  * Integration clients: a new client's secret is shown once and works; a rotated secret replaces it.
  * Security settings: validation at the field, a change is saved and audited.

Screenshots go to a temporary folder (printed), and the README's four (README_SHOTS) to docs/screenshots/admin-*.png
(or $ADMIN_APP_SCREENSHOTS).

    PYTHON Tests/Web/test_admin_app.py [-v]

Environment: MI_SERVER (default .build/debug/mi-server), CHROMIUM (default /usr/bin/chromium), STORESCP (default
storescp on PATH), KEEP_DEMO=1 to keep the demo's folder; ADMIN_APP_BASE and ADMIN_APP_DATA to test a demo that is
already running. Never run `playwright install`: the browser is Debian's chromium.
"""
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from playwright.sync_api import sync_playwright

from demo_server import Demo, ROOT, free_port, launch_chromium

DOC_SHOTS = os.environ.get("ADMIN_APP_SCREENSHOTS") or os.path.join(ROOT, "docs", "screenshots")
SHOTS = tempfile.mkdtemp(prefix="admin-app-shots-")
PEER_AE = "E2E_PEER"
# The pictures the README shows (docs/screenshots/admin-<name>.png); the others go to SHOTS.
README_SHOTS = {"registrations-phone", "users-desktop", "audit-desktop", "pacs-phone"}

demo = None
playwright = None
browser = None
admin_token = None
peer = None
peer_port = None
closed_port = None


def setUpModule():
    global demo, playwright, browser, admin_token, peer, peer_port, closed_port
    storescp = os.environ.get("STORESCP") or shutil.which("storescp")
    if not storescp:
        # A missing peer is a failure, not a skip: a skipped journey must never pass as tested.
        raise RuntimeError("DCMTK's storescp is missing: apt-get install -y dcmtk")
    demo = Demo("admin-app-", os.environ.get("ADMIN_APP_BASE"), os.environ.get("ADMIN_APP_DATA"))
    admin = demo.accounts["administrator"]
    admin_token = demo.code_flow_token(admin["username"], admin["password"])
    # The DICOM peer that answers C-ECHO, and a port where nothing listens.
    peer_port, closed_port = free_port(), free_port()
    peer = subprocess.Popen([storescp, "--aetitle", PEER_AE, "--output-directory", tempfile.mkdtemp(prefix="admin-app-peer-"), str(peer_port)],
                            env={**os.environ, "TCP_NODELAY": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    playwright = sync_playwright().start()
    browser = launch_chromium(playwright)
    os.makedirs(DOC_SHOTS, exist_ok=True)
    print(f"screenshots: {SHOTS} (and admin-*.png in {DOC_SHOTS})", file=sys.stderr)


def tearDownModule():
    if browser:
        browser.close()
    if playwright:
        playwright.stop()
    if peer:
        peer.terminate()
        peer.wait(timeout=10)
    if demo:
        demo.stop(keep=bool(os.environ.get("KEEP_DEMO")))


def register(username, name, password="Scan#2026", department=None):
    """A doctor's sign-up through the API (the sign-up page is the doctor app's test); its registration."""
    hospital = demo.api("/api/v1/hospitals")["items"][0]
    return demo.api("/api/v1/registrations", method="POST", body={
        "name": name, "phone": "13800000777", "hospitalId": hospital["id"], "department": department or hospital["departments"][1],
        "title": "主治医师", "username": username, "password": password}), hospital


class Device:
    """A browser context of one size and the helpers the journeys share (subclasses set the device)."""
    name = ""
    viewport = {"width": 0, "height": 0}
    scale = 1
    touch = False

    def setUp(self):
        self.context = self.new_context()
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text and self.errors.append(m.text))
        self.tag = f"{self.name}{os.getpid()}"

    def tearDown(self):
        self.context.close()
        self.assertEqual(self.errors, [], "errors in the page")

    def new_context(self):
        context = browser.new_context(viewport=self.viewport, device_scale_factor=self.scale, has_touch=self.touch,
                                      is_mobile=self.touch, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
        context.set_default_timeout(30000)
        return context

    def el(self, testid, within=None):
        return (within or self.page).locator(f"[data-testid={testid}]")

    def shot(self, label):
        name = f"{label}-{self.name}"
        path = os.path.join(DOC_SHOTS if name in README_SHOTS else SHOTS, f"admin-{name}.png")
        self.page.evaluate("document.querySelector('.toasts')?.replaceChildren()")   # without the passing toasts
        self.page.screenshot(path=path)
        return path

    def press(self, locator):
        """A tap on a phone, a click on a desktop."""
        if self.touch:
            locator.tap()
        else:
            locator.click()

    def login_on_server_page(self, username, password, page=None):
        page = page or self.page
        page.wait_for_url(re.compile(r".*/oauth/authorize.*"))
        page.locator("[data-testid=login-username]").fill(username)
        page.locator("[data-testid=login-password]").fill(password)
        page.locator("[data-testid=login-submit]").click()

    def sign_in_as_admin(self, path="/"):
        self.page.goto(demo.base + path)
        if path == "/":
            self.press(self.el("home-login"))
        admin = demo.accounts["administrator"]
        self.login_on_server_page(admin["username"], admin["password"])

    def nav(self, page):
        self.press(self.el(f"admin-nav-{page}"))
        self.page.wait_for_url(demo.base + f"/admin/{page}")
        self.el(f"admin-{page}").wait_for()

    def wait_idle(self, testid):
        self.page.wait_for_function(f"() => document.querySelector('[data-testid={testid}]')?.getAttribute('aria-busy') === 'false'")

    def row(self, testid, **data):
        selector = f"[data-testid={testid}]" + "".join(f"[data-{k.replace('_', '-')}=\"{v}\"]" for k, v in data.items())
        return self.page.locator(selector)

    def login_answer(self, username, password):
        """What the login page says to this user, in a fresh browser (the page the user would see)."""
        context = self.new_context()
        try:
            page = context.new_page()
            page.goto(demo.base + "/worklist")
            self.login_on_server_page(username, password, page)
            page.wait_for_load_state()
            error = page.locator("[data-testid=login-error]")
            return error.inner_text() if error.count() else None, page.url
        finally:
            context.close()


class AdminJourney(Device):
    def test_registrations_users_and_the_audit_log(self):
        page, el = self.page, self.el
        approved_name, rejected_name, closing_name = f"e2e_ok_{self.tag}", f"e2e_no_{self.tag}", f"e2e_bye_{self.tag}"
        password = "Scan#2026"
        registration, hospital = register(approved_name, "赵医生")
        register(rejected_name, "钱医生")
        department = registration["department"]

        # ---- the administrator signs in and lands on the registration review, not on a worklist they may not read
        self.sign_in_as_admin("/")
        page.wait_for_url(demo.base + "/admin/registrations")
        self.wait_idle("registrations")
        self.assertEqual(el("error-forbidden").count(), 0)
        row = self.row("registration-row", username=approved_name)
        self.assertEqual(row.count(), 1)
        self.assertEqual(el("registration-department", row).inner_text(), department)
        self.assertEqual(self.row("registration-row", username=rejected_name).count(), 1)
        self.shot("registrations")

        # ---- approve with the doctor's department as the scope
        self.press(el("registration-approve", row))
        el("approve-dialog").wait_for()
        self.assertEqual(el("approve-scope").input_value(), "department")
        self.assertEqual(el("approve-department").input_value(), department)
        self.assertTrue(el("approve-role-doctor").is_checked())
        self.shot("approve")
        self.press(el("approve-confirm"))
        el("approve-dialog").wait_for(state="detached")
        row.wait_for(state="detached")
        doctor = next(u for u in demo.api(f"/api/v1/users?q={approved_name}", admin_token)["items"] if u["username"] == approved_name)
        self.assertEqual((doctor["roles"], doctor["scope"], doctor["status"]), (["doctor"], f"department:{hospital['id']}:{department}", "active"))
        doctor_token = demo.code_flow_token(approved_name, password)
        self.assertEqual(demo.request("/api/v1/me", doctor_token)[0], 200)

        # ---- reject: the reason is required, and the doctor reads it at the login page
        row = self.row("registration-row", username=rejected_name)
        self.press(el("registration-reject", row))
        el("reject-dialog").wait_for()
        self.press(el("reject-confirm"))
        page.wait_for_function("() => document.querySelector('[data-testid=reject-dialog-error]')?.textContent !== ''")
        self.assertEqual(demo.api("/api/v1/registrations?status=pending", admin_token)["items"].__len__() > 0, True)
        self.assertIn(rejected_name, [r["username"] for r in demo.api("/api/v1/registrations?status=pending", admin_token)["items"]])
        reason = f"执业证书未通过核验 {self.tag}"
        el("reject-reason").fill(reason)
        self.press(el("reject-confirm"))
        row.wait_for(state="detached")
        message, _ = self.login_answer(rejected_name, password)
        self.assertIn(reason, message or "")
        self.press(el("registrations-rejected"))
        self.wait_idle("registrations")
        self.assertIn(reason, el("registration-reason", self.row("registration-row", username=rejected_name)).inner_text())

        # ---- users: search finds the new doctor
        self.nav("users")
        self.wait_idle("users")
        all_users = el("user-row").count()
        el("user-search").fill(approved_name)
        page.wait_for_function("n => document.querySelectorAll('[data-testid=user-row]').length === 1 && document.querySelector('[data-testid=users]').getAttribute('aria-busy') === 'false'", arg=1)
        self.assertGreater(all_users, 1)
        row = self.row("user-row", username=approved_name)
        self.assertIn(department, el("user-scope", row).inner_text())
        self.shot("users")

        # ---- deactivate: the open token is refused at once, the login page says why
        self.press(el("user-deactivate", row))
        self.press(el("deactivate-confirm"))
        self.row("user-row", username=approved_name, status="deactivated").wait_for()
        self.assertEqual(demo.request("/api/v1/me", doctor_token)[0], 401)
        message, url = self.login_answer(approved_name, password)
        self.assertIn("停用", message or "", url)
        # ---- reactivate: signing in works again
        self.press(el("user-reactivate", self.row("user-row", username=approved_name)))
        self.row("user-row", username=approved_name, status="active").wait_for()
        self.assertEqual(demo.request("/api/v1/me", demo.code_flow_token(approved_name, password))[0], 200)

        # ---- reset the password: shown once; it signs in, must be changed first, then it is dead
        self.press(el("user-reset-password", self.row("user-row", username=approved_name)))
        self.press(el("reset-confirm"))
        el("temp-password").wait_for()
        temporary = el("temp-password").inner_text().strip()
        self.assertGreaterEqual(len(temporary), 8)
        self.shot("temp-password")
        self.press(el("temp-password-dialog-close"))
        el("temp-password-dialog").wait_for(state="detached")
        self.assertEqual(el("temp-password").count(), 0, "the temporary password is not shown again")
        self.assertEqual(el("user-must-change", self.row("user-row", username=approved_name)).count(), 1)
        with self.assertRaises(AssertionError):
            demo.code_flow_token(approved_name, password)   # the old password is gone
        context = self.new_context()
        try:
            doctor_page = context.new_page()
            doctor_page.goto(demo.base + "/worklist")
            self.login_on_server_page(approved_name, temporary, doctor_page)
            doctor_page.locator("[data-testid=error-password-change]").wait_for()
            doctor_page.locator("[data-testid=go-change-password]").click()
            doctor_page.locator("[data-testid=password-form]").wait_for()
            doctor_page.locator("[data-testid=must-change-password]").wait_for()
            doctor_page.locator("[data-testid=password-current]").fill(temporary)
            doctor_page.locator("[data-testid=password-new]").fill("Fresh#2026")
            doctor_page.locator("[data-testid=password-confirm]").fill("Fresh#2026")
            doctor_page.locator("[data-testid=password-submit]").click()
            doctor_page.locator("[data-testid=password-changed]").wait_for()
        finally:
            context.close()
        with self.assertRaises(AssertionError):
            demo.code_flow_token(approved_name, temporary)   # once only
        fresh_token = demo.code_flow_token(approved_name, "Fresh#2026")
        self.assertEqual(demo.request("/api/v1/studies?limit=1", fresh_token)[0], 200)

        # ---- roles and scope: the whole hospital now
        page.reload()
        self.press(el("user-roles", self.row("user-row", username=approved_name)))
        el("access-dialog").wait_for()
        el("access-scope").select_option("hospital")
        self.assertFalse(el("access-department").is_visible())
        self.press(el("access-save"))
        el("access-dialog").wait_for(state="detached")
        page.wait_for_function("s => document.querySelector('[data-testid=user-row] [data-testid=user-scope]')?.textContent.includes(s)", arg=hospital["name"])
        self.assertEqual(demo.api(f"/api/v1/users/{doctor['id']}", admin_token)["scope"], f"hospital:{hospital['id']}")

        # ---- close an account (销户): explained, confirmed, irreversible
        closing = demo.api(f"/api/v1/registrations/{register(closing_name, '孙医生')[0]['id']}/approve", admin_token, method="POST")["user"]
        el("user-search").fill(closing_name)
        row = self.row("user-row", username=closing_name)
        row.wait_for()
        self.press(el("user-close", row))
        el("close-dialog").wait_for()
        self.assertIn("不可撤销", el("close-dialog").inner_text())
        self.press(el("close-confirm"))
        page.wait_for_function("() => document.querySelector('[data-testid=close-dialog-error]')?.textContent !== ''")
        self.assertEqual(demo.api(f"/api/v1/users/{closing['id']}", admin_token)["status"], "active", "nothing happens without the consent")
        self.shot("close")
        self.press(el("close-understand"))
        self.press(el("close-confirm"))
        row.wait_for(state="detached")
        self.assertEqual(demo.api(f"/api/v1/users/{closing['id']}", admin_token)["status"], "closed")
        with self.assertRaises(AssertionError):
            demo.code_flow_token(closing_name, password)

        # ---- the audit log: the actions are there, a filter narrows, the CSV has the same rows
        self.nav("audit")
        self.wait_idle("audit")
        everything = int(re.search(r"\d+", el("audit-total").inner_text()).group())
        self.assertGreater(everything, 5)
        el("audit-filter-action").select_option("user.deactivate")
        page.wait_for_function("() => location.search.includes('action=user.deactivate')")
        self.wait_idle("audit")
        rows = page.eval_on_selector_all("[data-testid=audit-row]", "els => els.map(e => [e.dataset.action, e.textContent])")
        self.assertTrue(rows and all(a == "user.deactivate" for a, _ in rows), rows)
        self.assertTrue(any(approved_name in text for _, text in rows), "the deactivation of the doctor is logged")
        narrowed = int(re.search(r"\d+", el("audit-total").inner_text()).group())
        self.assertLess(narrowed, everything)
        el("audit-filter-user").fill(demo.accounts["administrator"]["username"])
        page.wait_for_function("() => location.search.includes('user=')")
        self.wait_idle("audit")
        self.assertEqual(el("audit-row").count(), len(rows), "all the deactivations were the administrator's")
        el("audit-filter-user").fill("nobody_" + self.tag)
        page.wait_for_function("() => location.search.includes('user=nobody')")
        el("audit-empty").wait_for()
        el("audit-filter-user").fill("")
        page.wait_for_function("() => !location.search.includes('user=')")
        self.wait_idle("audit")
        self.shot("audit")
        with page.expect_download() as download:
            self.press(el("audit-export"))
        path = download.value.path()
        with open(path, encoding="utf-8-sig") as f:
            exported = list(csv.DictReader(io.StringIO(f.read())))
        self.assertEqual(len(exported), narrowed)
        self.assertTrue(all(r["action"] == "user.deactivate" for r in exported))
        self.assertIn(approved_name, " ".join(r["detail"] for r in exported))
        # The export is an action of its own, which the filter offers.
        exports = demo.api("/api/v1/audit?action=audit.export&limit=1000", admin_token)["items"]
        self.assertTrue(any(e["detail"] == f"audit export of {narrowed} rows" for e in exports), "the export is audited as audit.export")
        el("audit-filter-action").select_option("audit.export")
        page.wait_for_function("() => location.search.includes('action=audit.export')")
        self.wait_idle("audit")
        self.assertGreaterEqual(el("audit-row").count(), 1)
        # Each action of this journey is in the log.
        for action, needle in (("registration.approve", approved_name), ("registration.reject", rejected_name), ("user.reactivate", approved_name),
                               ("user.reset_password", doctor["id"]), ("user.update", approved_name), ("user.close", closing_name)):
            events = demo.api(f"/api/v1/audit?action={action}&limit=1000", admin_token)["items"]
            self.assertTrue(any(needle in e["detail"] for e in events), f"{action} for {needle} is audited")


class ConfigurationJourney(Device):
    def test_pacs_links_clients_and_security_settings(self):
        page, el = self.page, self.el
        self.sign_in_as_admin("/admin/pacs")
        page.wait_for_url(demo.base + "/admin/pacs")
        self.wait_idle("pacs-nodes")

        # ---- a link to the local DCMTK peer: a bad AE title is refused at the field, then the echo answers
        good, bad = f"Peer {self.tag}", f"Closed {self.tag}"
        self.press(el("pacs-add"))
        el("pacs-name").fill(good)
        el("pacs-ae-title").evaluate("(e) => { e.removeAttribute('maxlength'); }")
        el("pacs-ae-title").fill("A" * 17)
        el("pacs-host").fill("127.0.0.1")
        el("pacs-port").fill(str(peer_port))
        self.press(el("pacs-save"))
        page.wait_for_function("() => document.querySelector('[data-testid=pacs-ae-title-error]')?.textContent !== ''")
        self.assertFalse(any(n["name"] == good for n in demo.api("/api/v1/pacs-nodes", admin_token)["items"]))
        el("pacs-ae-title").fill(PEER_AE)
        self.press(el("pacs-save"))
        el("pacs-dialog").wait_for(state="detached")
        for name, port in ((bad, closed_port),):
            self.press(el("pacs-add"))
            el("pacs-name").fill(name)
            el("pacs-ae-title").fill("NOBODY")
            el("pacs-host").fill("127.0.0.1")
            el("pacs-port").fill(str(port))
            self.press(el("pacs-save"))
            el("pacs-dialog").wait_for(state="detached")
        good_row = page.locator("[data-testid=pacs-row]", has_text=good)
        bad_row = page.locator("[data-testid=pacs-row]", has_text=bad)
        good_row.wait_for()
        bad_row.wait_for()
        self.press(el("pacs-echo", good_row))
        page.wait_for_function("n => [...document.querySelectorAll('[data-testid=pacs-row]')].find(r => r.textContent.includes(n))?.querySelector('[data-testid=pacs-echo-result]')?.dataset.success", arg=good)
        self.assertEqual(el("pacs-echo-result", good_row).get_attribute("data-success"), "true", el("pacs-echo-result", good_row).inner_text())
        self.assertIn("ms", el("pacs-echo-result", good_row).inner_text())
        self.press(el("pacs-echo", bad_row))
        page.wait_for_function("n => [...document.querySelectorAll('[data-testid=pacs-row]')].find(r => r.textContent.includes(n))?.querySelector('[data-testid=pacs-echo-result]')?.dataset.success", arg=bad, timeout=30000)
        self.assertEqual(el("pacs-echo-result", bad_row).get_attribute("data-success"), "false")
        self.assertIn("失败", el("pacs-echo-result", bad_row).inner_text())
        self.assertIn("（连接被拒绝）", el("pacs-echo-result", bad_row).inner_text(), "a sentence, not NIO's error")
        self.assertNotIn("NIO", el("pacs-echo-result", bad_row).inner_text())
        self.shot("pacs")
        # ---- edit and delete
        self.press(el("pacs-edit", bad_row))
        el("pacs-name").fill(bad + " old")
        self.press(el("pacs-save"))
        page.locator("[data-testid=pacs-row]", has_text=bad + " old").wait_for()
        self.press(el("pacs-delete", page.locator("[data-testid=pacs-row]", has_text=bad + " old")))
        self.press(el("pacs-delete-confirm"))
        page.locator("[data-testid=pacs-row]", has_text=bad).wait_for(state="detached")
        self.assertEqual([n["name"] for n in demo.api("/api/v1/pacs-nodes", admin_token)["items"] if self.tag in n["name"]], [good])

        # ---- integration clients: a new client's secret is shown once and works; rotating replaces it
        self.nav("clients")
        self.wait_idle("clients")
        self.assertGreaterEqual(el("client-row").count(), 3)
        client_id = f"e2e-ris-{self.tag}"
        self.press(el("client-add"))
        el("client-new-id").fill(client_id)
        el("client-new-name").fill("E2E RIS")
        self.press(el("client-create"))
        el("client-secret").wait_for()
        first = el("client-secret").inner_text().strip()
        self.press(el("secret-dialog-close"))
        status, token = demo.client_credentials(client_id, first)
        self.assertEqual(status, 200, token)
        row = self.row("client-row", client_id=client_id)
        self.press(el("client-rotate", row))
        self.press(el("rotate-confirm"))
        el("client-secret").wait_for()
        second = el("client-secret").inner_text().strip()
        self.shot("client-secret")
        self.press(el("secret-dialog-close"))
        self.assertNotEqual(first, second)
        self.assertEqual(demo.client_credentials(client_id, first)[0], 401)
        self.assertEqual(demo.client_credentials(client_id, second)[0], 200)

        # ---- security settings: checked at the field, saved, audited
        self.nav("settings")
        el("settings-form").wait_for()
        before = demo.api("/api/v1/settings/security", admin_token)
        self.assertEqual(el("settings-lockoutSeconds").input_value(), str(round(before["lockoutSeconds"] / 60)))
        el("settings-passwordMinLength").fill("3")
        self.press(el("settings-save"))
        self.assertNotEqual(el("settings-passwordMinLength-error").inner_text(), "")
        self.assertEqual(demo.api("/api/v1/settings/security", admin_token), before, "nothing is sent while a field is wrong")
        el("settings-passwordMinLength").fill(str(before["passwordMinLength"]))
        threshold = before["lockoutThreshold"] + 1
        el("settings-lockoutThreshold").fill(str(threshold))
        el("settings-shareMaximumSeconds").fill("7")
        self.press(el("settings-save"))
        el("settings-saved").wait_for()
        self.assertEqual(el("settings-passwordMinLength-error").inner_text(), "")
        after = demo.api("/api/v1/settings/security", admin_token)
        self.assertEqual((after["lockoutThreshold"], after["shareMaximumSeconds"]), (threshold, 7 * 86400))
        self.shot("settings")
        changes = demo.api("/api/v1/audit?action=settings.change&limit=1000", admin_token)["items"]
        self.assertTrue(any(f'"lockoutThreshold":{threshold}' in e["detail"] for e in changes), "the change is audited")
        demo.api("/api/v1/settings/security", admin_token, method="PUT", body=before)


class HospitalJourney(Device):
    def test_a_new_hospital_with_a_department_is_offered_at_sign_up(self):
        page, el = self.page, self.el
        self.sign_in_as_admin("/admin/hospitals")
        page.wait_for_url(demo.base + "/admin/hospitals")
        self.wait_idle("hospitals")
        hospital_id, name = f"south-{self.tag}", f"城南医院 {self.tag}"
        self.press(el("hospital-add"))
        el("hospital-id").fill(hospital_id)
        el("hospital-name").fill(name)
        el("hospital-aliases-input").fill(f"South Hospital {self.tag}")
        el("hospital-departments-input").fill("超声科\n放射科")
        self.press(el("hospital-save"))
        el("hospital-dialog").wait_for(state="detached")
        row = self.row("hospital-row", id=hospital_id)
        row.wait_for()
        self.assertEqual(el("hospital-title", row).inner_text(), name)
        # Add a department, remove another, rename.
        el("department-name", row).fill("心内科")
        self.press(el("department-add", row))
        department = lambda name: row.locator(f'[data-testid=department][data-name="{name}"]')
        department("心内科").wait_for()
        self.press(el("department-remove", department("放射科")))
        department("放射科").wait_for(state="detached")
        self.press(el("hospital-edit", self.row("hospital-row", id=hospital_id)))
        el("hospital-name").fill(name + " 新院")
        self.press(el("hospital-save"))
        el("hospital-dialog").wait_for(state="detached")
        page.wait_for_function("n => [...document.querySelectorAll('[data-testid=hospital-title]')].some(e => e.textContent === n)", arg=name + " 新院")
        self.shot("hospitals")
        # The public list has it, as sign-up reads it.
        listed = {h["id"]: h for h in demo.api("/api/v1/hospitals")["items"]}
        self.assertEqual(listed[hospital_id]["name"], name + " 新院")
        self.assertEqual(sorted(listed[hospital_id]["departments"]), sorted(["心内科", "超声科"]))
        changes = demo.api("/api/v1/audit?action=hospital.change&limit=1000", admin_token)["items"]
        self.assertGreaterEqual(sum(hospital_id in e["detail"] for e in changes), 4, "create, add, remove and rename are audited")
        # The doctor sign-up page offers the hospital and, once picked, its departments.
        context = self.new_context()
        try:
            signup = context.new_page()
            signup.goto(demo.base + "/register")
            signup.locator("#register-hospital").select_option(hospital_id)
            departments = signup.locator("#register-department option").all_inner_texts()
            self.assertIn("心内科", departments)
            self.assertNotIn("放射科", departments)
        finally:
            context.close()


class Phone:
    name = "phone"
    viewport = {"width": 390, "height": 844}
    scale = 3
    touch = True


class Desktop:
    name = "desktop"
    viewport = {"width": 1440, "height": 900}


class PhoneAdmin(Phone, AdminJourney, unittest.TestCase):
    pass


class DesktopAdmin(Desktop, AdminJourney, unittest.TestCase):
    pass


class PhoneConfiguration(Phone, ConfigurationJourney, unittest.TestCase):
    pass


class DesktopConfiguration(Desktop, ConfigurationJourney, unittest.TestCase):
    pass


class PhoneHospitals(Phone, HospitalJourney, unittest.TestCase):
    pass


class DesktopHospitals(Desktop, HospitalJourney, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
