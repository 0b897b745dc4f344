"""`mi-server demo` for the browser tests: started on a free port in a temporary folder, serving the web client from
the source tree (--web-root), and stopped with SIGTERM (killed after 20 s).

    demo = DemoServer(SERVER, WEB, prefix="doctor-app-", extra=["--test-clock"])
    base = demo.start()            # "http://127.0.0.1:PORT" once the demo says it is running
    accounts_file = demo.path("data", "demo-accounts.json")
    stop_all(chromium, demo)       # in tearDownModule
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class DemoServer:
    def __init__(self, server, web_root, prefix, extra=()):
        self.server, self.web_root, self.prefix, self.extra = server, web_root, prefix, list(extra)
        self.process = None
        self.log = None
        self.folder = None

    def path(self, *parts):
        return os.path.join(self.folder, *parts)

    def start(self, timeout=600):
        self.folder = tempfile.mkdtemp(prefix=self.prefix)
        port = free_port()
        self.log = open(self.path("server.log"), "w")
        self.process = subprocess.Popen([self.server, "demo", "--data", self.path("data"), "--host", "127.0.0.1", "--port", str(port),
                                         "--dicom-port", "0", "--web-root", self.web_root, *self.extra],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                raise RuntimeError(f"mi-server demo exited with {self.process.returncode}; see {self.folder}/server.log")
            if "mi-server demo is running" in line:
                return f"http://127.0.0.1:{port}"
        raise RuntimeError(f"mi-server demo did not start within {timeout} s")

    def stop(self, keep=None):
        """Stops the server; its folder is removed unless `keep` (default: the KEEP_DEMO environment variable)."""
        keep = os.environ.get("KEEP_DEMO") if keep is None else keep
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


class Chromium:
    """Debian's /usr/bin/chromium driven by playwright's Python driver (never `playwright install`: it downloads a
    browser, which this machine cannot do)."""

    def __init__(self, executable, flags):
        self.executable, self.flags = executable, flags
        self.playwright = None
        self.browser = None

    def start(self):
        from playwright.sync_api import sync_playwright
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=self.executable, args=self.flags, headless=True)
        return self.browser

    def stop(self):
        if self.browser:
            self.browser.close()
        if self.playwright:
            self.playwright.stop()


def stop_all(*parts):
    """Stops what a test module started (a Chromium, a DemoServer; None for what it did not start), in order."""
    for part in parts:
        if part:
            part.stop()
