"""Bad input gets a clear answer: no query string, header or method yields a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

header_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs",)), max_size=60)
methods = st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "get"])
query = st.dictionaries(
    st.sampled_from(["format", "test", "tag", "exclude_tag", "failfast", "x", "", "format[]"]) | st.text(max_size=8),
    st.text(max_size=20),
    max_size=4,
)
# What a PASS looks like in each format, by Content-Type.
PASS_MARKERS = {
    "text/plain; charset=utf-8": b"PASS\n",
    "application/json": b'{"status": "PASS"',
    "application/health+json": b'{"status": "pass"',
    "text/html; charset=utf-8": b'<span class="overall">PASS</span>',
    "text/plain; version=0.0.4; charset=utf-8": b"\nsmoketest_up 1\n",
    "application/openmetrics-text; version=1.0.0; charset=utf-8": b"\nsmoketest_up 1\n",
    "application/xml; charset=utf-8": b'failures="0" errors="0"',
}
accepts = (
    st.sampled_from(
        [
            "application/json",
            "text/plain; version=0.0.4",
            "application/openmetrics-text",
            "application/xml",
            "*/*",
            "text/html",
            "application/json;q=x",
            ";",
            "",
        ]
    )
    | header_text
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, params=query, accept=accepts, authorization=header_text, token=header_text)
def test_no_input_yields_a_server_error(smoke_apps, method, params, accept, authorization, token):
    smoke_apps("passing")
    client = Client(raise_request_exception=False)
    response = client.generic(
        method,
        "/smoketest/",
        QUERY_STRING="&".join(f"{k}={v}" for k, v in params.items()).encode("utf-8", "surrogatepass").decode("latin-1"),
        HTTP_ACCEPT=accept,
        HTTP_AUTHORIZATION=authorization,
        HTTP_X_SMOKETEST_TOKEN=token,
    )
    assert response.status_code in {200, 400, 405}, (response.status_code, response.content[:300])
    assert response["Cache-Control"] == "no-store"
    if response.status_code == 200 and method.upper() == "GET":
        assert PASS_MARKERS[response["Content-Type"]] in response.content
