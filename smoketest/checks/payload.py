"""A minimal valid POST payload for a form: its initial values, and a sample
value for every required field that has none."""

import datetime
import decimal
import uuid
from typing import Any

from django import forms
from django.utils import timezone

from smoketest.checks.base import unique_name


class CannotFill(Exception):
    """A required field this module cannot give a valid value (a file, say)."""


def minimal_payload(form: forms.BaseForm) -> dict[str, Any]:
    """POST data for ``form``: what it shows (an update form's current values)
    and, for each required field left empty, a sample value of its type."""
    data: dict[str, Any] = {}
    for bound in form:
        field, value = bound.field, bound.initial
        if value in field.empty_values:
            if not field.required:
                continue
            value = sample_value(bound.name, field)
        data.update(_encode(bound.html_name, field.widget, field.prepare_value(value)))
    return data


def sample_value(name: str, field: forms.Field) -> Any:
    """A value ``field`` accepts; unique where a model field may need it to be."""
    if isinstance(field, forms.FileField):
        raise CannotFill(f"field {name!r} needs a file")
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.first() if field.queryset is not None else None
        if first is None:
            raise CannotFill(f"field {name!r} has no object to choose")
        return [first] if isinstance(field, forms.ModelMultipleChoiceField) else first
    if isinstance(field, forms.ChoiceField):
        choice = _first_choice(field.choices)
        if choice is None:
            raise CannotFill(f"field {name!r} has no choice")
        return [choice] if isinstance(field, forms.MultipleChoiceField) else choice
    for kind, make in _SAMPLES:
        if isinstance(field, kind):
            return make(field)
    raise CannotFill(f"field {name!r} is a {type(field).__name__}")


def _number(field: forms.Field) -> Any:
    low, high = getattr(field, "min_value", None), getattr(field, "max_value", None)
    value = low if low is not None else 1
    return min(value, high) if high is not None else value


def _text(field: forms.Field) -> str:
    text = unique_name("smoke-").ljust(getattr(field, "min_length", None) or 0, "x")
    return text[: getattr(field, "max_length", None) or len(text)]


# Most specific first: an EmailField is a CharField.
_SAMPLES: tuple[tuple[type[forms.Field], Any], ...] = (
    (forms.BooleanField, lambda field: True),
    (forms.EmailField, lambda field: f"{unique_name()}@example.invalid"),
    (forms.URLField, lambda field: "https://example.invalid/"),
    (forms.UUIDField, lambda field: uuid.uuid4()),
    (forms.GenericIPAddressField, lambda field: "127.0.0.1"),
    (forms.JSONField, lambda field: {"smoketest": True}),
    (forms.DecimalField, lambda field: decimal.Decimal(_number(field))),
    (forms.IntegerField, _number),
    (forms.FloatField, lambda field: float(_number(field))),
    (forms.DurationField, lambda field: datetime.timedelta(minutes=1)),
    (forms.SplitDateTimeField, lambda field: timezone.now()),
    (forms.DateTimeField, lambda field: timezone.now()),
    (forms.DateField, lambda field: timezone.localdate()),
    (forms.TimeField, lambda field: datetime.time(12, 0)),
    (forms.CharField, _text),  # also SlugField; a RegexField may reject it
)


def _first_choice(choices: Any) -> Any:
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an option group
            inner = _first_choice(label)
            if inner is not None:
                return inner
        elif value not in ("", None):
            return value
    return None


def _encode(name: str, widget: forms.Widget, value: Any) -> dict[str, Any]:
    """The POST items a browser would send for ``value`` in ``widget``."""
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        return {
            name + suffix: sub.format_value(part)
            for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=False)
        }
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(value, (list, tuple)):
        return {name: [str(item) for item in value]}
    if isinstance(widget, forms.widgets.ChoiceWidget):  # its format_value() gives a list
        return {name: str(value)}
    return {name: widget.format_value(value)}
