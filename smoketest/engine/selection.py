"""Selection: narrow a discovered suite to the tests named by labels and tags.

A label is ``app_label``, ``app_label.Class``, ``app_label.Class.test_method``
or a dotted smoke module path (``myapp.smoke.db``, optionally followed by
``.Class`` and ``.test_method``); an app name or ``AppConfig`` path selects
its whole app. A label, tag or parameter that selects nothing is a
``SelectionError``, never an empty green run.
"""

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace

from django.http import QueryDict

from smoketest.core.settings import smoketest_settings
from smoketest.core.tags import tags_of
from smoketest.engine.loader import AppSuite, LoadError, TestClass, load_suite

_DOTTED_NAME = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*\Z")
_FLAGS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class SelectionError(ValueError):
    """A malformed selection, or one that names nothing. Its message is one
    line, with the close matches when there are some; ``without_names``
    leaves them out, for callers who may not see test names."""

    def __init__(self, problem: str, close_matches: Iterable[str] = ()) -> None:
        matches = ", ".join(repr(match) for match in close_matches)
        super().__init__(f"{problem}; did you mean {matches}?" if matches else f"{problem}.")
        self.without_names = f"{problem}."


@dataclass(frozen=True)
class Selection:
    """Which tests to run: all of them unless labels or tags say otherwise.
    Values are kept sorted and unique, so equal selections are equal (and
    share cached results)."""

    labels: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    skip_apps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for field in fields(self):
            object.__setattr__(self, field.name, tuple(sorted(set(getattr(self, field.name)))))

    @classmethod
    def from_query(cls, query: QueryDict) -> "Selection":
        """The selection of ``?test=``, ``?tag=`` and ``?exclude_tag=`` (each repeatable)."""
        if not query:  # what most polls send
            return EVERYTHING
        return cls(
            labels=_non_empty(query.getlist("test"), "test"),
            tags=_non_empty(query.getlist("tag"), "tag"),
            exclude_tags=_non_empty(query.getlist("exclude_tag"), "exclude_tag"),
        )

    @property
    def narrows(self) -> bool:
        """True when labels or tags pick some tests out of the suite."""
        return bool(self.labels or self.tags or self.exclude_tags)

    def apply(self, suite: Sequence[AppSuite]) -> list[AppSuite]:
        """``suite`` without skipped apps, narrowed to the selected tests.
        Raises ``SelectionError`` when a label or tag names nothing."""
        suite = [app for app in suite if not app.matches(self.skip_apps)]
        if not self.narrows:
            return suite
        for label in self.labels:
            if not _DOTTED_NAME.match(label):
                raise SelectionError(
                    f"Malformed test label {label!r}: use app_label, app_label.Class, app_label.Class.test_method "
                    "or a dotted smoke module path"
                )
        self._check_tags(suite)
        for label in self.labels:
            if not any(_selects_error(label, app, error) for app in suite for error in app.errors) and not any(
                _selected_methods(label, app, test_class) for app in suite for test_class in app.classes
            ):
                if any(app.matches([label]) for app in suite):
                    raise SelectionError(f"App {label!r} has no smoke tests")
                raise SelectionError(f"Unknown test label {label!r}", _close_matches(label, _label_names(suite)))
        selected = [self._narrow(app) for app in suite]
        if not any(app.classes or app.errors for app in selected):
            raise SelectionError(f"No smoke test matches the selection ({self.describe()})")
        return selected

    def describe(self) -> str:
        """The selection in words, for messages."""
        parts = [
            f"{what}: {', '.join(names)}"
            for what, names in (("labels", self.labels), ("tags", self.tags), ("excluded tags", self.exclude_tags))
            if names
        ]
        return "; ".join(parts)

    def _check_tags(self, suite: Sequence[AppSuite]) -> None:
        known = {name for _, test_class, method in _tests(suite) for name in tags_of(test_class.cls, method)}
        for name in sorted({*self.tags, *self.exclude_tags}):
            if name not in known:
                raise SelectionError(f"Unknown tag {name!r}: no smoke test carries it", _close_matches(name, known))

    def _narrow(self, app: AppSuite) -> AppSuite:
        classes = (replace(test_class, methods=self._methods(app, test_class)) for test_class in app.classes)
        errors = tuple(error for error in app.errors if self._selects_error(app, error))
        return replace(app, classes=tuple(test_class for test_class in classes if test_class.methods), errors=errors)

    def _methods(self, app: AppSuite, test_class: TestClass) -> tuple[str, ...]:
        methods = test_class.methods
        if self.labels:
            chosen = {method for label in self.labels for method in _selected_methods(label, app, test_class)}
            methods = tuple(method for method in methods if method in chosen)
        if not (self.tags or self.exclude_tags):
            return methods
        return tuple(method for method in methods if self._tags_select(test_class, method))

    def _tags_select(self, test_class: TestClass, method: str) -> bool:
        tags = tags_of(test_class.cls, method)
        return (not self.tags or not tags.isdisjoint(self.tags)) and tags.isdisjoint(self.exclude_tags)

    def _selects_error(self, app: AppSuite, error: LoadError) -> bool:
        """An import error's tests and tags are unknown: every label of its
        app or module keeps it, whatever the tags, so it still fails the run."""
        return not self.labels or any(_selects_error(label, app, error) for label in self.labels)


EVERYTHING = Selection()


def selected_suite(selection: Selection | None = None) -> list[AppSuite]:
    """The discovered suite without ``SMOKETEST_SKIP_APPS``, narrowed by ``selection``."""
    suite = load_suite(smoketest_settings.SKIP_APPS)
    return suite if selection is None else selection.apply(suite)


def query_flag(query: QueryDict, name: str) -> bool:
    """A boolean query parameter: ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""
    value = query.get(name)
    if value is None:
        return False
    if value.lower() not in _FLAGS:
        raise SelectionError(f"Malformed {name}={value!r}: use {name}=1 or {name}=0")
    return _FLAGS[value.lower()]


def _non_empty(values: list[str], name: str) -> tuple[str, ...]:
    if not all(values):
        raise SelectionError(f"Malformed {name}=: the value must not be empty")
    return tuple(values)


def _tests(suite: Iterable[AppSuite]) -> Iterator[tuple[AppSuite, TestClass, str]]:
    return ((app, test_class, method) for app in suite for test_class in app.classes for method in test_class.methods)


def _within(name: str, prefix: str) -> bool:
    """True when ``prefix`` is ``name`` or a dotted prefix of it."""
    return name == prefix or name.startswith(f"{prefix}.")


def _class_addresses(app: AppSuite, test_class: TestClass) -> tuple[str, str]:
    """``app_label.Class`` and the dotted name the class is reported under."""
    return f"{app.label}.{test_class.cls.__qualname__}", test_class.name


def _test_addresses(app: AppSuite, test_class: TestClass, method: str) -> tuple[str, ...]:
    """``app_label.Class.method`` and the dotted name the test is reported under."""
    return tuple(f"{address}.{method}" for address in _class_addresses(app, test_class))


def _selected_methods(label: str, app: AppSuite, test_class: TestClass) -> tuple[str, ...]:
    """The tests of the class ``label`` selects: those whose addresses
    (``_test_addresses``) are ``label`` or lie under it, decided per class."""
    if label in app.names:
        return test_class.methods
    selected: tuple[str, ...] = ()
    for address in _class_addresses(app, test_class):
        if _within(address, label):
            return test_class.methods
        method = label.removeprefix(f"{address}.")
        if method != label and method in test_class.methods:
            selected += (method,)
    return selected


def _selects_error(label: str, app: AppSuite, error: LoadError) -> bool:
    """True when the broken module could hold what ``label`` names: the label
    names its app, a class of its app (``app_label.Class``), the module, a
    package above it or something inside it; not another smoke module."""
    if label in app.names or _within(error.module, label) or _within(label, error.module):
        return True
    return _within(label, app.label) and not _within(label, error.module.rpartition(".")[0])


def _label_names(suite: Sequence[AppSuite]) -> set[str]:
    """Every label that names something, for close-match suggestions."""
    names = {
        name
        for app in suite
        if app.classes or app.errors
        for name in (*app.names, *(error.module for error in app.errors))
    }
    for app, test_class, method in _tests(suite):
        for address in _test_addresses(app, test_class, method):
            parts = address.split(".")
            names.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return names


def _close_matches(name: str, candidates: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(name, sorted(candidates), n=3)
