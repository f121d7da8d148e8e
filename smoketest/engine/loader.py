"""Discovery: find the ``SmokeTest`` classes in every app's ``smoke`` module.

Discovery imports modules, so it runs once per process and is cached; a run
reads the cached suite and never touches the filesystem.
"""

import functools
import importlib
import importlib.util
import pkgutil
import traceback
import unittest
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver

from smoketest.core.case import SmokeTest
from smoketest.core.tags import tags_of

SMOKE_MODULE = "smoke"

_test_loader = unittest.TestLoader()


@dataclass(frozen=True)
class LoadError:
    """A smoke module that exists but could not be imported."""

    module: str
    error: str
    traceback: str


@dataclass(frozen=True)
class TestClass:
    """A ``SmokeTest`` subclass, the test methods of it that will run, and the
    smoke module it is reported under: where it is defined, or for a class
    from elsewhere (a built-in check), the smoke module that imports it."""

    cls: type[SmokeTest]
    methods: tuple[str, ...]
    module: str

    @property
    def name(self) -> str:
        return f"{self.module}.{self.cls.__qualname__}"

    @property
    def tagged(self) -> bool:
        """True when any of its tests has a tag."""
        return any(tags_of(self.cls, method) for method in self.methods)

    def test_name(self, method: str) -> str:
        return f"{self.name}.{method}"


@dataclass(frozen=True)
class AppSuite:
    """What one app contributes: its test classes (by name) and its import errors."""

    label: str
    names: frozenset[str]
    classes: tuple[TestClass, ...]
    errors: tuple[LoadError, ...]

    def matches(self, names: Iterable[str]) -> bool:
        """True when ``names`` holds this app's label, name or AppConfig path."""
        return not self.names.isdisjoint(names)


def test_names(cls: type[SmokeTest]) -> list[str]:
    """The test method names of ``cls``, sorted as unittest sorts them."""
    return list(_test_loader.getTestCaseNames(cls))


def class_name(cls: type) -> str:
    """The dotted name a class is reported under."""
    return f"{cls.__module__}.{cls.__qualname__}"


def load_suite(skip_apps: Iterable[str] = ()) -> list[AppSuite]:
    """The discovered suite in INSTALLED_APPS order, without the skipped apps."""
    skip = set(skip_apps)
    return [app for app in discover() if not app.matches(skip)]


@functools.cache
def discover() -> tuple[AppSuite, ...]:
    """Import every app's smoke modules once and collect their test classes."""
    imported = [(app, list(_import_smoke_modules(app.name))) for app in apps.get_app_configs()]
    owners = {
        module.__name__: app.label for app, modules in imported for module in modules if isinstance(module, ModuleType)
    }
    seen: set[type] = set()
    suites = []
    for app, modules in imported:
        classes = []
        for module in modules:
            if not isinstance(module, ModuleType):
                continue
            for cls in _test_classes(module):
                if cls in seen or owners.get(cls.__module__, app.label) != app.label:
                    continue
                seen.add(cls)
                reported_in = cls.__module__ if cls.__module__ in owners else module.__name__
                classes.append(TestClass(cls, tuple(test_names(cls)), reported_in))
        suites.append(
            AppSuite(
                label=app.label,
                names=frozenset({app.label, app.name, class_name(type(app))}),
                classes=tuple(sorted(classes, key=lambda test_class: test_class.name)),
                errors=tuple(module for module in modules if isinstance(module, LoadError)),
            )
        )
    return tuple(suites)


@receiver(setting_changed)
def _forget_discovery(setting: str, **kwargs: object) -> None:
    if setting == "INSTALLED_APPS":
        discover.cache_clear()


def _import_smoke_modules(app_name: str) -> Iterator[ModuleType | LoadError]:
    """Yield ``<app>.smoke`` and, for a package, every module below it, by name."""
    root = f"{app_name}.{SMOKE_MODULE}"
    try:
        if importlib.util.find_spec(root) is None:
            return
    except Exception as exc:  # a broken parent package or a finder failure
        yield _load_error(root, exc)
        return
    yield from _import_tree(root)


def _import_tree(name: str) -> Iterator[ModuleType | LoadError]:
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        yield _load_error(name, exc)
        return
    yield module
    path = getattr(module, "__path__", None)
    if path is None:
        return
    for info in sorted(pkgutil.iter_modules(path), key=lambda info: info.name):
        yield from _import_tree(f"{name}.{info.name}")


def _load_error(module: str, exc: BaseException) -> LoadError:
    return LoadError(
        module=module,
        error=f"{type(exc).__name__}: {exc}",
        traceback="".join(traceback.format_exception(exc)),
    )


def _test_classes(module: ModuleType) -> Iterator[type[SmokeTest]]:
    """The test classes in the module's namespace, except the imported ones
    it subclasses: those are bases configured by the subclass (``class
    Crawl(URLCrawlSmoke): skip = [...]``), and only the subclass runs."""
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, SmokeTest) and test_names(value)
    ]
    subclassed = {base for cls in found if cls.__module__ == module.__name__ for base in cls.__mro__[1:]}
    for cls in found:
        if cls.__module__ == module.__name__ or cls not in subclassed:
            yield cls
