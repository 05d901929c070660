"""A page in Debian's headless Chromium, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ended by NUL on file descriptors 3 and 4), so
no WebSocket library and no browser download is needed."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

TIMEOUT = 60.0
"""Seconds to wait for one answer from the browser before the test fails."""


def _above_4(fd: int) -> int:
    """`fd` moved to a descriptor of 10 or more, clear of the 3 and 4 Chromium reads."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def chromium_path() -> str | None:
    """Debian's chromium (or its headless shell), if installed."""
    return shutil.which("chromium") or shutil.which("chromium-headless-shell")


class BrowserError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Page:
    """One tab: `open` a URL, `evaluate` JavaScript, take a `screenshot`; `problems` lists
    every console error, uncaught exception and error log entry since the start."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 1400) -> None:
        executable = chromium_path()
        if executable is None:
            raise BrowserError("chromium is not installed")
        to_browser_read, self._to_browser = (_above_4(fd) for fd in os.pipe())
        self._from_browser, from_browser_write = (_above_4(fd) for fd in os.pipe())
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-pipe",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}", "about:blank"]
        # bash (dash takes no descriptor above 9) puts the pipe ends where Chromium reads
        # them: 3 in, 4 out
        self._process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_browser_read} 4>&{from_browser_write}', "bash",
             executable, *flags],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(to_browser_read, from_browser_write))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._answers: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self._call(f"{domain}.enable", session=self._session)
        self._call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=self._session)

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._answers.put(json.loads(message))

    def _call(self, method: str, params: dict[str, Any] | None = None,
              session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            try:
                answer = self._answers.get(timeout=TIMEOUT)
            except queue.Empty:
                raise BrowserError(f"no answer to {method} in {TIMEOUT:.0f} s") from None
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def _wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            try:
                self.events.append(self._answers.get(timeout=TIMEOUT))
            except queue.Empty:
                raise BrowserError(f"no {event} in {TIMEOUT:.0f} s") from None

    def open(self, url: str) -> None:
        """Navigate and wait for the load event (none comes when only the #fragment
        changes: the page stays and sees a hashchange)."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        navigated = self._call("Page.navigate", {"url": url}, session=self._session)
        if "errorText" in navigated:
            raise BrowserError(f"{url}: {navigated['errorText']}")
        if "loaderId" in navigated:
            self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self._call("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self._session)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """Save what the page shows as a PNG."""
        data = self._call("Page.captureScreenshot", {"format": "png"}, session=self._session)
        path.write_bytes(base64.b64decode(data["data"]))

    @property
    def problems(self) -> list[str]:
        """Console errors and assertions, uncaught exceptions and error log entries (a
        blocked script or resource, a failed load), each as one line."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
        return found

    def close(self) -> None:
        """Close the browser."""
        try:
            self._call("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self._process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
