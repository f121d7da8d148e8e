"""No secret in any report or log line: every check that is given a URL
password or a header fails here, with a password holding ``/``, ``?``, ``#``,
``@`` and ``%``, as given and percent-encoded, and every format is searched."""

import base64
import http.server
import io
import json
import logging
import re
import threading
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.management import call_command

from smoketest.checks.dns import settings_hosts
from smoketest.core.masking import mask, register, url_host, url_secrets
from smoketest.web.renderers import RENDERERS_BY_FORMAT
from tests.conftest import closed_port
from tests.smokeapps.secrets import smoke

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

SECRET = "Zq9/Kx7?Wm3#Lp5@Rt8%Vn2"
ENCODED = quote(SECRET, safe="")
# The secret, each piece of it, and the forms a client could print.
FORBIDDEN = [
    SECRET,
    ENCODED,
    *re.split(r"[/?#@%]", SECRET),
    base64.b64encode(f"user:{SECRET}".encode()).decode(),
]
FORMATS = ["text", "json", "html", "junit", "prometheus", "openmetrics", "health"]


class Refusing(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def refusing():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["as given", "percent-encoded"])
def password(request):
    return SECRET if request.param == "as given" else ENCODED


@pytest.fixture
def configured(settings, smoke_apps, monkeypatch, refusing, password):
    celery = pytest.importorskip("celery")
    pytest.importorskip("redis")
    from celery import _state

    # The app made here must not stay Celery's current or default app for the tests after this one.
    monkeypatch.setattr(_state, "default_app", _state.default_app)
    monkeypatch.setattr(_state._tls, "current_app", _state._tls.current_app)
    smoke_apps("secrets", "secretstores")
    down = closed_port()
    userinfo = f"user:{password}@127.0.0.1:{down}"
    monkeypatch.setattr(
        smoke.Services,
        "dependencies",
        [
            ("search", f"http://{userinfo}/health"),
            {
                "name": "payments",
                "url": f"{refusing}/health",
                "headers": {"Authorization": f"Bearer {SECRET}", "X-Api-Key": SECRET, "Cookie": f"s={SECRET}"},
            },
        ],
    )
    misspelt = {"name": "billing", "url": f"http://{userinfo}/", "header": {"Authorization": f"Bearer {SECRET}"}}
    monkeypatch.setattr(smoke.Misspelt, "dependencies", [misspelt])
    monkeypatch.setattr(smoke.Redis, "urls", [f"redis://{userinfo}/0", f"redis://:{password}@127.0.0.1:{down}/0"])
    monkeypatch.setattr(smoke.Workers, "app", celery.Celery("secrets", broker=f"redis://{userinfo}/0"))
    settings.SMOKETEST_PUBLIC_URL = f"http://{userinfo}/"
    settings.CACHES = {
        **settings.CACHES,
        "secured": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://{userinfo}/0"},
        # On a host that never resolves (DNSSmoke reads every cache's host).
        "remote": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://user:{password}@cache.invalid:6379/0",
        },
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "secured": {
            "BACKEND": "tests.smokeapps.secretstores.storage.UnreachableRemoteStorage",
            "OPTIONS": {"location": f"ftp://{userinfo}/media/"},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", down
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "user", SECRET
    settings.PAYMENT_API_KEY = SECRET
    settings.SMOKETEST_SHOW_TRACEBACKS = True  # the most a caller may be shown
    settings.SMOKETEST_CACHE_SECONDS = 60  # one run, rendered in every format
    cache.clear()
    yield
    cache.clear()


def leaks(text: str) -> list[str]:
    """The pieces of the secret in ``text``, in any case (a host name is lowercased)."""
    return [piece for piece in FORBIDDEN if piece.lower() in text.lower()]


def test_no_report_nor_log_line_holds_a_secret(client, configured, caplog, runs):
    caplog.set_level(logging.INFO, logger="smoketest")
    answers = {format: client.get("/smoketest/", {"format": format}).content.decode() for format in FORMATS}
    assert len(runs) == 1
    document = json.loads(answers["json"])
    failing = {test["name"].split(".")[-2] for test in document["tests"] if test["status"] in ("fail", "error")}
    assert failing == {
        *("Services", "Misspelt", "Redis", "Workers", "Public", "Caches", "Mail", "Quoting"),
        *("Storages", "Hosts"),
    }
    assert {format: leaks(body) for format, body in answers.items()} == {format: [] for format in FORMATS}
    assert leaks(caplog.text) == []
    messages = {test["name"].split(".")[-2]: test["message"] for test in document["tests"]}
    assert messages["Misspelt"] == (
        "ValueError: dependency 1 ('billing') is not valid: unknown key 'header' "
        "(keys: name, url, expected_status, contains, method, headers, timeout)"
    )
    assert "(GET http://user:***@127.0.0.1:" in messages["Services"]
    assert "dependency 'payments'" in messages["Services"] and "answered 500" in messages["Services"]
    assert "using data {'location': 'ftp://user:***@127.0.0.1:" in messages["Storages"]


def test_no_report_of_the_command_holds_a_secret(configured, caplog):
    """``manage.py smoketest`` shows an operator everything (tracebacks
    included), in every format, with each test's line on stderr (``-v 2``)."""
    caplog.set_level(logging.INFO, logger="smoketest")
    formats = list(RENDERERS_BY_FORMAT)
    assert set(FORMATS) <= set(formats)
    outputs = {}
    for format in formats:
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit) as exited:
            call_command("smoketest", format=format, verbosity=2, stdout=out, stderr=err, no_color=True)
        assert exited.value.code == 1  # FAIL
        outputs[format] = (out.getvalue(), err.getvalue())
    tests = json.loads(outputs["json"][0])["tests"]
    failing = {test["name"].split(".")[-2] for test in tests if test["status"] in ("fail", "error")}
    assert {"Services", "Misspelt", "Storages", "Hosts", "Quoting"} <= failing
    assert all(test.get("traceback") for test in tests if test["status"] == "error")  # shown the most
    assert {format: leaks(out + err) for format, (out, err) in outputs.items()} == {format: [] for format in formats}
    assert leaks(caplog.text) == []


def test_dns_names_no_piece_of_a_token_given_as_a_urls_user_name(settings):
    settings.CACHES = {
        **settings.CACHES,
        "tokened": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{SECRET}@cache.invalid/0",
        },
    }
    hosts = settings_hosts()
    assert leaks(" ".join(hosts)) == []
    assert hosts["cache.invalid"] == ["CACHES['tokened']"]


@pytest.mark.parametrize(
    "url, host",
    [
        ("redis://Zq9/Kx7@cache.invalid/0", "cache.invalid"),
        ("redis://:pa/ss?w#d@Cache.Example:6379/0", "cache.example"),
        ("amqp://guest:guest@broker//", "broker"),
        ("redis://[::1]:6379/0", "::1"),
        ("not a url", None),
    ],
)
def test_url_host_reads_the_host_after_the_userinfo(url, host):
    assert url_host(url) == host


@pytest.mark.parametrize(
    "text, masked",
    [
        ("redis://:pa/ss@host/0", "redis://:***@host/0"),
        ("GET http://user:p?a#s@s%@host:1/ failed", "GET http://user:***@host:1/ failed"),
        ("{'Authorization': 'Bearer abc', 'X': 'y'}", "{'Authorization': '***', 'X': 'y'}"),
        ("Cookie: sessionid=abc\nnext", "Cookie: ***\nnext"),
        ("HTTP_PROXY_AUTHORIZATION='Basic abc'", "HTTP_PROXY_AUTHORIZATION='***'"),
        ("https://token@github.com/x", "https://***@github.com/x"),
        ("no credentials at https://example.com/a?b=c", "no credentials at https://example.com/a?b=c"),
    ],
)
def test_mask(text, masked):
    assert mask(text) == masked


def test_mask_hides_secret_named_settings_and_given_secrets(settings):
    settings.STRIPE_SECRET = "sk_live_abcdef"
    settings.PAYMENT_PROVIDERS = {"stripe": {"PASSWORD": "db-pass-word", "URL": "https://u:pw-in-url@api/"}}
    assert mask("sk_live_abcdef db-pass-word db%2Dpass pw-in-url") == "*** *** db%2Dpass ***"
    register(["p@ss/w"])
    assert mask("given p@ss/w and p%40ss%2Fw") == "given *** and ***"
    assert url_secrets("redis://:abc/def@host/0") == ["abc/def", "abc", "def"]
    assert url_secrets("redis://:s%40fe@host/0") == ["s%40fe"]


def test_the_smoketest_logger_masks_messages_and_tracebacks(caplog):
    try:
        raise ConnectionError(f"cannot reach redis://:{SECRET}@cache/0")
    except ConnectionError:
        logging.getLogger("smoketest").warning("cache %s is down", f"redis://:{ENCODED}@cache/0", exc_info=True)
    assert "cache redis://:***@cache/0 is down" in caplog.text
    assert "ConnectionError: cannot reach redis://:***@cache/0" in caplog.text
    assert leaks(caplog.text) == []
