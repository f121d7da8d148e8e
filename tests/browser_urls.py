"""URLs for the browser tests: the app's URLs plus a probe page that frames
the report at phone width and writes what it measures into its own DOM."""

from django.http import HttpResponse
from django.urls import include, path

PROBE = """<!DOCTYPE html>
<html><body>
<iframe id="report" src="/smoketest/" width="375" height="800"></iframe>
<pre id="measured"></pre>
<script>
window.addEventListener("load", () => {
  const page = document.getElementById("report").contentDocument;
  const style = (selector, property) => page.defaultView.getComputedStyle(page.querySelector(selector))[property];
  document.getElementById("measured").textContent = JSON.stringify({
    title: page.title,
    viewportWidth: page.documentElement.clientWidth,
    contentWidth: page.documentElement.scrollWidth,
    widestElement: Math.max(...[...page.body.querySelectorAll("*")].map((e) => e.getBoundingClientRect().right)),
    bannerBackground: style(".banner", "backgroundColor"),
    statusFontSize: parseFloat(style(".overall", "fontSize")),
    smallestFontSize: Math.min(...[...page.body.querySelectorAll("*")].map(
      (e) => parseFloat(page.defaultView.getComputedStyle(e).fontSize))),
    tableHeaderShown: style("thead", "display") !== "none",
  });
});
</script>
</body></html>"""


def probe(request):
    return HttpResponse(PROBE)


urlpatterns = [
    path("smoketest/", include("smoketest.urls")),
    path("probe/", probe),
]
