"""PostSmoke and the payloads it builds."""

import pytest
from django import forms
from django.contrib.auth.models import User
from django.test import Client

from smoketest.checks.payload import CannotFill, minimal_payload
from tests.conftest import widget_names
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"form.html": "{{ form }}"})]},
    }
]


@pytest.fixture
def post_smoke(settings, smoke_apps):
    """Run a PostSmoke app against the posting URLconf; return {class name: JSON entry}."""
    settings.ROOT_URLCONF = "tests.smokeapps.posting.urls"
    settings.TEMPLATES = TEMPLATES
    client = Client(raise_request_exception=False)

    def run(app: str) -> dict:
        smoke_apps(app)
        response = client.get("/smoketest/", {"format": "json"})
        return {test["name"].split(".")[-2]: test for test in response.json()["tests"]}

    return run


def test_failures_name_the_view_the_role_and_what_went_wrong(post_smoke):
    test = post_smoke("posting")["PostSmoke"]
    assert test["status"] == "fail"
    roles = ("anonymous", "authenticated", "staff", "superuser")
    lost = "POST /widgets/lost/ (widget-lost) as {}: answered 302 but created no testapp.Widget row"
    expected = [
        *(lost.format(role) for role in roles),
        "POST /widgets/staff/ (widget-staff) as staff: RuntimeError: saving broke for staff",
    ]
    assert sorted(test["message"].split(": ", 1)[1].split("; ")) == sorted(expected)
    assert test["message"].startswith(
        "5 problems in 24 requests (made as anonymous 6, authenticated 6, staff 6, superuser 6): "
    )


def test_nothing_it_posts_survives(post_smoke):
    post_smoke("posting")
    assert widget_names() == {"default": [], "other": []}
    assert User.objects.count() == 0


def test_it_skips_when_no_form_can_be_filled(post_smoke):
    test = post_smoke("postingupload")["OnlyUploads"]
    assert (test["status"], test["message"]) == (
        "skip",
        "no form could be posted: POST /upload/ (upload) as anonymous: field 'attachment' needs a file",
    )


class EveryKind(forms.Form):
    text = forms.CharField(max_length=5)
    padded = forms.CharField(min_length=40)
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    slug = forms.SlugField()
    uuid = forms.UUIDField()
    count = forms.IntegerField(min_value=3)
    price = forms.DecimalField(max_digits=4, decimal_places=2, max_value=0.5)
    ratio = forms.FloatField()
    agreed = forms.BooleanField()
    day = forms.DateField()
    moment = forms.DateTimeField()
    split = forms.SplitDateTimeField()
    hour = forms.TimeField()
    duration = forms.DurationField()
    grouped = forms.ChoiceField(choices=[("", "---"), ("Group", [("a", "A"), ("b", "B")])])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])
    typed = forms.TypedChoiceField(choices=[(1, "one")], coerce=int)
    document = forms.JSONField()
    address = forms.GenericIPAddressField()
    widget = forms.ModelChoiceField(Widget.objects.all())
    widgets = forms.ModelMultipleChoiceField(Widget.objects.all())
    optional = forms.CharField(required=False)


def test_the_payload_fills_every_common_field_validly():
    Widget.objects.create(name="choice")
    form = EveryKind(data=minimal_payload(EveryKind()))
    assert form.is_valid(), form.errors
    assert "optional" not in form.data


def test_an_update_form_posts_the_values_it_shows():
    widget = Widget.objects.create(name="kept")
    form_class = forms.modelform_factory(Widget, fields=["name"])
    assert minimal_payload(form_class(instance=widget)) == {"name": "kept"}


@pytest.mark.parametrize(
    "field, reason",
    [
        (forms.FileField(), "field 'field' needs a file"),
        (forms.ModelChoiceField(Widget.objects.none()), "field 'field' has no object to choose"),
    ],
)
def test_fields_it_cannot_fill_are_named(field, reason):
    form_class = type("OneField", (forms.Form,), {"field": field})
    with pytest.raises(CannotFill, match=reason):
        minimal_payload(form_class())


def test_a_role_the_site_logs_out_fails_naming_the_role_and_the_url(post_smoke, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.smokeapps.crawl.logout_middleware.EndIncompleteProfiles"]
    message = post_smoke("posting")["PostSmoke"]["message"]
    assert "(made as anonymous 6, authenticated 1, staff 1, superuser 1): " in message
    for role in ("authenticated", "staff", "superuser"):
        assert f" as {role}: the site ended the role's session (it is no longer logged in as its user), " in message
    assert widget_names() == {"default": [], "other": []}
    assert User.objects.count() == 0
