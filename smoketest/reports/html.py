"""The HTML report: one self-contained page, styled by one inline stylesheet
that the page's own Content-Security-Policy allows by its hash (no script,
no external asset, no ``style`` attribute)."""

import base64
import functools
import hashlib

from django.template import Context, Engine

from smoketest.reports.disclosure import Disclosure
from smoketest.reports.result import RunResult

PAGE_TEMPLATE = "smoketest/report.html"
STYLESHEET_TEMPLATE = "smoketest/report.css"


@functools.cache
def template_engine() -> Engine:
    """A template engine of our own, so the page renders whatever the site's
    ``TEMPLATES`` say; an installed app can still override the templates."""
    return Engine(
        app_dirs=True,
        libraries={"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n"},
    )


def stylesheet() -> str:
    return template_engine().get_template(STYLESHEET_TEMPLATE).render(Context())


def content_security_policy(css: str) -> str:
    """A policy that allows nothing but this exact stylesheet."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )


def html_page(result: RunResult | None, shown: Disclosure, *, detail: str = "") -> str:
    """The page for a run (as much as ``shown`` allows), or for an error
    answer (``result=None`` and a ``detail``)."""
    context = {"result": result, "shown": shown, "detail": detail, "stylesheet": stylesheet()}
    return template_engine().get_template(PAGE_TEMPLATE).render(Context(context))
