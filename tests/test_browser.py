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


# axe-core: SMOKETEST_AXE is the path of axe.min.js (the npm package axe-core; .ci/run installs it).
AXE = os.environ.get("SMOKETEST_AXE")
# Appended to the report: run axe-core on it and post what it found to the
# framing page (a headless window is never narrower than 500 px: the frame is).
AXE_RUN = """<script>%s</script><script>
axe.run(document, {resultTypes: ["violations"]}).then((results) => parent.postMessage(JSON.stringify({
  viewportWidth: document.documentElement.clientWidth,
  violations: results.violations.map((v) => ({
    id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
  })),
}), "*"));
</script>"""
FRAME = """<!DOCTYPE html><html><body>
<iframe src="report.html" width="%d" height="900"></iframe><pre id="axe-results"></pre>
<script>window.addEventListener("message", (event) => {
  document.getElementById("axe-results").textContent = event.data;
});</script>
</body></html>"""


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("apps", [("passing",), ("passing", "checkout")], ids=["PASS", "FAIL"])
def test_no_axe_core_violation(chromium, client, smoke_apps, settings, tmp_path, apps, scheme, width):
    if AXE is None:
        if REQUIRED:
            pytest.fail("SMOKETEST_REQUIRE_BROWSER=1 but SMOKETEST_AXE does not name axe.min.js (npm: axe-core)")
        pytest.skip("needs axe-core: SMOKETEST_AXE=path/to/axe.min.js")
    smoke_apps(*apps)
    settings.DEBUG = True  # tracebacks folded under the problems: the page at its fullest
    page = client.get("/smoketest/", {"format": "html"}).content.decode()
    assert ("<details>" in page) == (len(apps) == 2)
    if scheme == "dark":  # the dark palette, whatever the headless browser prefers
        page = page.replace("@media (prefers-color-scheme: dark)", "@media all")
    (tmp_path / "report.html").write_text(page.replace("</body>", AXE_RUN % Path(AXE).read_text() + "</body>"))
    (tmp_path / "frame.html").write_text(FRAME % width)
    uri = (tmp_path / "frame.html").as_uri()
    dom = chromium("--window-size=1400,1000", "--virtual-time-budget=30000", "--dump-dom", uri)
    results = html5lib.parse(dom, namespaceHTMLElements=False).find(".//pre[@id='axe-results']").text
    assert results, "axe-core did not finish"
    found = json.loads(results)
    assert found["viewportWidth"] == width
    assert found["violations"] == []
