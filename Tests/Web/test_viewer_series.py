#!/usr/bin/env python3
"""End to end: series switching and a multi-frame object in the doctor viewer, in headless Chromium against
`mi-server demo`.

An integration client uploads one exam with two series, made here with pydicom (a test tool, never shipped):

  series 1: three CT slices, 64x64, each a constant 10·k HU (k = Instance Number), Rescale Intercept -1024;
  series 2: one ultrasound multi-frame object, 8 frames of 64x48 8-bit MONOCHROME2, frame f a constant 20·f + 7.

A doctor opens the exam: two series thumbnails; the first series shows and the probe reads its slice's HU; a tap on
the second thumbnail switches to the multi-frame object, whose stack is its 8 frames; the stack slider goes to frame
5 and the probe reads 107 (not another frame's value); a measurement belongs to its own frame; back on the first
series, its slices are still there. At 390x844 (touch) and 1440x900 (mouse).

The demo serves HTTPS, so the browser talks HTTP/2 to it, as to a deployment. A deep link opened with a stored session
has index.html's start-up script ask for the series' first frame (app/early-reads.js, GET …/first-frame): the viewer
shows that answer and its loader fetches the rest in a batch, so each frame crosses the network once, and every slice
reads its own HU.

    PYTHON Tests/Web/test_viewer_series.py [-v]

Environment: MI_SERVER (default .build/debug/mi-server), CHROMIUM (default /usr/bin/chromium).
"""
import io
import os
import re
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_server import BrowserPage, Demo, launch_chromium  # noqa: E402

CT_SLICES = 3
US_FRAMES = 8
PROBE_FRAME = 5


def dataset(study, series, sop_class, modality, number, series_number, description):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientName, ds.PatientID, ds.PatientSex, ds.PatientBirthDate = "Series^Test=序列^测试", "SER-0001", "F", "19800101"
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.AccessionNumber, ds.StudyDate, ds.StudyTime = "SER-ACC-1", "20261130", "101500"
    ds.InstitutionName = "Demo General Hospital"
    ds.Modality, ds.SeriesNumber, ds.InstanceNumber, ds.SeriesDescription = modality, series_number, number, description
    ds.StudyDescription = "Series switching and multi-frame"
    ds.PhotometricInterpretation, ds.SamplesPerPixel = "MONOCHROME2", 1
    return ds


def part10(ds):
    out = io.BytesIO()
    pydicom.dcmwrite(out, ds, enforce_file_format=True)
    return out.getvalue()


def make_exam():
    """(study UID, [(series UID, [Part 10 bytes])]) of the two series."""
    study = generate_uid()
    ct_series, us_series = generate_uid(), generate_uid()
    files = []
    for k in range(1, CT_SLICES + 1):
        ds = dataset(study, ct_series, "1.2.840.10008.5.1.4.1.1.2", "CT", k, 1, "CT slices")
        ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 64, 64, 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 400
        ds.PixelSpacing, ds.SliceThickness = [0.5, 0.5], 2
        ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, 2 * k], [1, 0, 0, 0, 1, 0]
        ds.PixelData = np.full((64, 64), 1024 + 10 * k, dtype="<i2").tobytes()
        files.append(part10(ds))
    ds = dataset(study, us_series, "1.2.840.10008.5.1.4.1.1.3.1", "US", 1, 2, "US cine")
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 48, 64, 8, 8, 7, 0
    ds.NumberOfFrames, ds.FrameTime, ds.FrameIncrementPointer = US_FRAMES, 40, (0x0018, 0x1063)
    ds.PixelData = np.stack([np.full((48, 64), 20 * f + 7, dtype="u1") for f in range(1, US_FRAMES + 1)]).tobytes()
    files.append(part10(ds))
    return study, files


def setUpModule():
    global demo, playwright, browser, study
    demo = Demo("viewer-series-", tls=True)
    client = demo.clients["mi-integration"]
    status, answer = demo.client_credentials("mi-integration", client["client_secret"])
    assert status == 200, answer
    token = answer["access_token"]
    study, files = make_exam()
    for data in files:
        status, answer = upload(token, data)
        assert status == 200, f"upload: {status} {answer}"
    playwright = sync_playwright().start()
    browser = launch_chromium(playwright)


def upload(token, data):
    """POST /api/v1/instances with one Part 10 object: (status, body)."""
    req = urllib.request.Request(demo.base + "/api/v1/instances", data=data, method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/dicom", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def tearDownModule():
    for close in (lambda: browser.close(), lambda: playwright.stop(), lambda: demo.stop(keep=bool(os.environ.get("KEEP_DEMO")))):
        try:
            close()
        except Exception:  # noqa: BLE001 - teardown goes on
            pass


class Device(BrowserPage):
    ignore_https_errors = True

    def setUp(self):
        self.open_page(browser)

    def tearDown(self):
        self.close_page()

    def frame_label(self):
        return self.el("frame-label").inner_text().strip()

    def go_to(self, index, count):
        self.el("stack-slider").evaluate(f"s => {{ s.value = '{index}'; s.dispatchEvent(new Event('input', {{ bubbles: true }})); }}")
        self.page.wait_for_function(f"() => document.querySelector('[data-testid=frame-label]').textContent.trim() === '{index} / {count}'")
        self.wait_image_shown()

    def probe_centre(self):
        self.el("tool-probe").click()
        b = self.el("viewer").bounding_box()
        x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        if self.touch:
            self.page.touchscreen.tap(x, y)
        else:
            self.page.mouse.click(x, y)
        self.frames()
        return self.el("measurement-value").all_inner_texts()

    def show_series_panel(self):
        """On a phone the series strip is a panel opened from the toolbar."""
        if not self.el("series-thumb").first.is_visible():
            self.el("toggle-series").click()
        self.el("series-thumb").first.wait_for(state="visible")

    def sign_in_at_the_study(self):
        page = self.page
        page.goto(demo.base + f"/studies/{study}")
        page.wait_for_url(re.compile(r".*/oauth/authorize.*"))
        doctor = demo.accounts["doctor"]
        self.el("login-username").fill(doctor["username"])
        self.el("login-password").fill(doctor["password"])
        self.el("login-submit").click()
        page.wait_for_url(demo.base + f"/studies/{study}")
        self.el("viewer-canvas").wait_for()
        self.wait_image_shown()

    def test_a_deep_link_over_http2_fetches_each_frame_once_the_first_with_the_start_up_script(self):
        self.sign_in_at_the_study()
        frames = []   # every frame request of the page and its decode workers
        frame_requests = []
        def on_request(r):
            if "/frames" in r.url or "/first-frame" in r.url:
                frames.append(r.url.split("/api/v1/", 1)[1])
                frame_requests.append(r)
        self.context.on("request", on_request)
        # The first image's 2D preview (viewer/preview.js): when it comes and goes, and whether the WebGL canvas is
        # visible when it goes (they swap in one task, so in one compositor frame).
        self.page.add_init_script("""window.__previewLog = [];
            new MutationObserver((records) => { for (const r of records) {
              for (const n of r.addedNodes) if (n.dataset?.testid === 'viewer-preview') __previewLog.push('added');
              for (const n of r.removedNodes) if (n.dataset?.testid === 'viewer-preview')
                __previewLog.push('removed, WebGL canvas ' + (document.querySelector('[data-testid=viewer-canvas]')?.style.visibility || 'visible'));
            } }).observe(document, { childList: true, subtree: true });""")
        self.page.goto(demo.base + f"/studies/{study}")
        self.wait_image_shown()
        self.page.wait_for_function("() => window.__previewLog.length >= 2")
        self.assertEqual(self.page.evaluate("window.__previewLog"), ["added", "removed, WebGL canvas visible"])
        self.assertEqual(self.el("viewer-preview").count(), 0)
        # The series thumbnails (server-rendered) are asked for once the first image is on screen, and then show.
        self.page.wait_for_function("() => [...document.querySelectorAll('[data-testid=series-thumb] img')].some(i => i.src.startsWith('blob:'))")
        first_image, thumbnails = self.page.evaluate("""() => [performance.getEntriesByName('mi-viewer:first-image')[0].startTime,
            performance.getEntriesByType('resource').filter(e => e.name.includes('/rendered')).map(e => e.startTime)]""")
        self.assertTrue(thumbnails and all(t >= first_image for t in thumbnails), (first_image, thumbnails))
        self.assertEqual(self.page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol"), "h2")
        self.page.wait_for_function(f"() => Number(document.querySelector('[data-testid=viewer-progress]').dataset.loaded) === {CT_SLICES}")
        batches = [f for f in frames if "/frames?" in f]
        self.assertEqual(len(batches), 1, frames)
        self.assertEqual(len(frames), 2, f"the first frame, then one batch of the other {CT_SLICES - 1}; none twice: {frames}")
        self.assertEqual(batches[0].count(","), CT_SLICES - 2)
        # The rest of the series waits until the first image is on screen (viewer.js holds the loader's background
        # fetches): it would compete with that image for the network and the CPU.
        origin = self.page.evaluate("performance.timeOrigin")
        batch_start = next(r for r in frame_requests if "/frames?" in r.url).timing["startTime"]
        self.assertGreaterEqual(batch_start, origin + first_image - 1, (batch_start - origin, first_image))
        # The start-up script asked for the first (the page's own resource entries); a decode worker for the batch.
        page_frames = self.page.evaluate("performance.getEntriesByType('resource').filter(e => /\\/frames|\\/first-frame/.test(e.name)).map(e => e.name)")
        self.assertEqual([f.rsplit("/", 1)[-1] for f in page_frames], ["first-frame"])
        self.assertEqual(self.probe_centre(), ["10 HU"])
        for k in range(2, CT_SLICES + 1):
            self.go_to(k, CT_SLICES)
            self.assertEqual(self.probe_centre(), [f"{10 * k} HU"])

    def test_series_switching_and_the_frames_of_a_multi_frame_object(self):
        page = self.page
        self.sign_in_at_the_study()
        self.assertEqual(self.el("series-thumb").count(), 2)

        # The first series: three CT slices, each its own HU.
        label = self.frame_label()
        self.assertRegex(label, rf"^\d / {CT_SLICES}$")
        shown = int(label.split(" /")[0])
        self.assertEqual(self.probe_centre(), [f"{10 * shown} HU"])
        self.go_to(CT_SLICES, CT_SLICES)
        self.assertEqual(self.el("measurement-value").count(), 0, "a measurement stays on its own slice")
        self.assertEqual(self.probe_centre(), [f"{10 * CT_SLICES} HU"])

        # The second series: one object of eight frames; the stack is its frames.
        self.show_series_panel()
        self.el("series-thumb").nth(1).click()
        page.wait_for_function(f"() => / {US_FRAMES}$/.test(document.querySelector('[data-testid=frame-label]').textContent.trim())")
        self.wait_image_shown()
        self.assertEqual(self.el("measurement-value").count(), 0, "the CT's probe is not on the ultrasound")
        self.go_to(PROBE_FRAME, US_FRAMES)
        self.assertEqual(self.probe_centre(), [str(20 * PROBE_FRAME + 7)])
        self.go_to(PROBE_FRAME + 1, US_FRAMES)
        self.assertEqual(self.el("measurement-value").count(), 0, "a measurement stays on its own frame")
        self.assertEqual(self.probe_centre(), [str(20 * (PROBE_FRAME + 1) + 7)])
        page.screenshot(path=os.path.join(SHOTS, f"multiframe-{self.name}.png"))

        # Back to the CT: its slices and its measurements are still there.
        self.show_series_panel()
        self.el("series-thumb").nth(0).click()
        page.wait_for_function(f"() => / {CT_SLICES}$/.test(document.querySelector('[data-testid=frame-label]').textContent.trim())")
        self.wait_image_shown()
        self.go_to(CT_SLICES, CT_SLICES)
        self.assertEqual(self.el("measurement-value").all_inner_texts(), [f"{10 * CT_SLICES} HU"])


SHOTS = os.environ.get("VIEWER_SERIES_SHOTS") or tempfile.mkdtemp(prefix="viewer-series-shots-")


class Phone(Device, unittest.TestCase):
    name = "phone"
    viewport = {"width": 390, "height": 844}
    scale = 3
    touch = True


class Desktop(Device, unittest.TestCase):
    name = "desktop"
    viewport = {"width": 1440, "height": 900}


if __name__ == "__main__":
    print(f"screenshots: {SHOTS}")
    unittest.main()
