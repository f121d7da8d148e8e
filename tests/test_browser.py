"""The HTML report in a real browser: Debian's headless Chromium loads it
from a live server, as a browser asks for it (no ``?format=``). Skipped
without Chromium, unless SMOKETEST_REQUIRE_BROWSER=1 (as in CI)."""

import itertools
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import html5lib
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("SMOKETEST_REQUIRE_BROWSER") == "1"

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRED, reason="needs Debian's chromium package (apt-get install chromium)"
    ),
    pytest.mark.django_db(databases="__all__", transaction=True),
]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]
FAIL_RED = "rgb(207, 34, 46)"  # --fail in report.css


@pytest.fixture
def chromium(tmp_path):
    """Run headless Chromium with a fresh profile; return its stdout."""
    if CHROMIUM is None:
        pytest.fail("SMOKETEST_REQUIRE_BROWSER=1 but Chromium is not installed (apt-get install chromium)")
    runs = itertools.count()

    def run(*args: str) -> str:
        profile = tmp_path / f"profile-{next(runs)}"
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stdout

    return run


@pytest.fixture
def report_server(live_server, smoke_apps, settings):
    smoke_apps("passing", "checkout")
    settings.ROOT_URLCONF = "tests.browser_urls"
    return live_server


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_browser_gets_the_html_report_failures_first(chromium, report_server):
    dom = chromium("--dump-dom", f"{report_server.url}/smoketest/")
    page = html5lib.parse(dom, namespaceHTMLElements=False)
    text = " ".join("".join(page.itertext()).split())
    assert page.find(".//title").text == "FAIL · Smoke tests"
    assert "FAIL Smoke tests 7 tests 4 passed 1 failed 1 error 1 skipped" in text
    assert text.index("checkout 5 tests") < text.index("passing 2 tests")
    assert text.index("test_mail_server_accepts_a_connection") < text.index("test_orders_can_be_written")
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in text


def test_report_is_styled_under_its_csp_and_readable_at_375_pixels(chromium, report_server):
    dom = chromium("--dump-dom", f"{report_server.url}/probe/")
    measured = json.loads(html5lib.parse(dom, namespaceHTMLElements=False).find(".//pre").text)
    assert measured["title"] == "FAIL · Smoke tests"
    # The stylesheet applied, under the page's own strict Content-Security-Policy.
    assert measured["bannerBackground"] == FAIL_RED
    assert measured["statusFontSize"] >= 32
    # Nothing sticks out sideways at phone width; the table became a list.
    assert measured["viewportWidth"] == 375
    assert measured["contentWidth"] <= 375
    assert measured["widestElement"] <= 375
    assert measured["smallestFontSize"] >= 12
    assert not measured["tableHeaderShown"]


@pytest.mark.parametrize("width", [375, 1024])
def test_screenshot(chromium, report_server, tmp_path, width):
    screenshot = tmp_path / f"report-{width}.png"
    chromium(f"--window-size={width},800", f"--screenshot={screenshot}", f"{report_server.url}/smoketest/")
    assert png_size(screenshot) == (width, 800)
    # SMOKETEST_SCREENSHOT=docs/screenshot.png refreshes the README's screenshot.
    if width == 1024 and os.environ.get("SMOKETEST_SCREENSHOT"):
        shutil.copyfile(screenshot, os.environ["SMOKETEST_SCREENSHOT"])
