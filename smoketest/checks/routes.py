"""The routes of a URLconf: all of them, or those that can be requested
without URL parameters."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize

# django-smoketest's own views are never requested: the endpoint would run the
# suite again from inside itself.
OWN_PACKAGE = "smoketest"


@dataclass(frozen=True)
class Route:
    path: str
    name: str | None
    callback: Callable[..., Any]

    @property
    def label(self) -> str:
        return f"{self.path} ({self.name})" if self.name else self.path

    def matches(self, patterns: Iterable[str]) -> bool:
        """True when a pattern (``*`` wildcards) matches the route's name or,
        for a pattern starting with ``/``, its path."""
        return any(
            fnmatchcase(self.path, pattern) if pattern.startswith("/") else fnmatchcase(self.name or "", pattern)
            for pattern in patterns
        )


def parameterless_routes(urlconf: str | None = None) -> list[Route]:
    """Every route whose path takes no parameter, in URLconf order, once per
    path; a route an earlier pattern shadows is left out (it never answers)."""
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver(urlconf).url_patterns, "/", None, _fixed_path):
        if route.path in routes or _is_own(route.callback):
            continue
        try:
            if resolve(route.path, urlconf).func is route.callback:
                routes[route.path] = route
        except Resolver404:
            continue
    return list(routes.values())


def all_routes(urlconf: str | None = None) -> list[Route]:
    """Every route, in URLconf order, its path shown as its pattern
    (``/api/users/<int:pk>/``, ``/archive/(?P<year>[0-9]{4})/``), except
    django-smoketest's own."""
    routes = _walk(get_resolver(urlconf).url_patterns, "/", None, _pattern_text)
    return [route for route in routes if not _is_own(route.callback)]


PathText = Callable[[URLPattern | URLResolver], str | None]


def _walk(
    patterns: Iterable[URLPattern | URLResolver], prefix: str, namespace: str | None, path_text: PathText
) -> Iterator[Route]:
    """The routes below ``patterns``; a pattern whose ``path_text`` is ``None`` is left out."""
    for pattern in patterns:
        text = path_text(pattern)
        if text is None:
            continue
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace))) or None
            yield from _walk(pattern.url_patterns, prefix + text, inner, path_text)
        else:
            name = ":".join(filter(None, (namespace, pattern.name))) if pattern.name else None
            yield Route(prefix + text, name, pattern.callback)


def _pattern_text(pattern: URLPattern | URLResolver) -> str:
    """A pattern as written: a ``path()`` route, or a regex without its anchors."""
    text = str(pattern.pattern)
    return text.removeprefix("^").removesuffix("\\Z").removesuffix("$")


def _fixed_path(pattern: URLPattern | URLResolver) -> str | None:
    """The text a pattern matches when it takes no parameter, else ``None``."""
    for text, parameters in normalize(pattern.pattern.regex.pattern):
        if not parameters:
            return text
    return None


def _is_own(callback: Callable[..., Any]) -> bool:
    return getattr(callback, "__module__", "").split(".")[0] == OWN_PACKAGE
