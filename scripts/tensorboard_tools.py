"""Run the real TensorBoard server and look at it with headless Chromium, for tests and screenshots.

    with TensorBoardServer("logs") as server:
        server.wait_for_runs(3)
        print(server.get_json("/data/runs"))
        screenshot(server.url + "#scalars", "scalars.png")

The server listens on 127.0.0.1 only, on a port the system picks; it is stopped by
signalling its whole process group (TensorBoard starts a child data server).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tfgraph.errors import TfgraphError

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


class TensorBoardServer:
    """The `tensorboard` command serving `logdir` on 127.0.0.1, started and stopped as a context manager."""

    def __init__(self, logdir, timeout=90):
        self.logdir = Path(logdir)
        self.timeout = timeout
        self.process = None
        self.url = None
        self._log = None

    def __enter__(self):
        self._log = tempfile.TemporaryFile(mode="w+")
        command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(self.logdir),
                   "--host", "127.0.0.1", "--port", "0", "--reload_interval", "1"]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            self._log.seek(0)
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", self._log.read())
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}/"
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        log = self.log()
        self.stop()
        raise TfgraphError(f"TensorBoard did not start within {self.timeout} s. Its output:\n{log[-2000:]}")

    def __exit__(self, *exc_info):
        self.stop()

    def log(self):
        """Everything the server printed so far."""
        self._log.seek(0)
        return self._log.read()

    def stop(self):
        """Stop the server and its data server (the whole process group)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def get(self, path, data=None):
        """The body of GET `path` (POST with JSON `data`) on the server."""
        request = urllib.request.Request(urllib.parse.urljoin(self.url, path.lstrip("/")))
        if data is not None:
            request.data = json.dumps(data).encode()
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def get_json(self, path, data=None):
        """GET (or POST `data` to) `path` and decode its JSON answer."""
        return json.loads(self.get(path, data))

    def wait_for(self, path, ready, timeout=None):
        """Poll `path` until `ready(answer)` is true; return the answer."""
        deadline = time.time() + (timeout or self.timeout)
        answer = None
        while time.time() < deadline:
            try:
                answer = self.get_json(path)
                if ready(answer):
                    return answer
            except OSError:
                pass
            time.sleep(0.5)
        raise TfgraphError(f"TensorBoard's {path} did not become ready; last answer: {str(answer)[:500]}")


def chromium():
    """The path of a Chromium browser, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(url, path, width=1400, height=900, budget_ms=10000):
    """Save a PNG of `url` as headless Chromium renders it after `budget_ms` of virtual time."""
    browser = chromium()
    if browser is None:
        raise TfgraphError("Chromium is not installed: on Debian or Ubuntu, apt-get install chromium.")
    path = Path(path)
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                   f"--virtual-time-budget={budget_ms}", f"--screenshot={path}", url]
        process = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if not path.exists():
        raise TfgraphError(f"Chromium made no screenshot of {url}: {process.stderr[-1500:]}")
    return path
