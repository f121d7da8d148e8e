"""Tags: names on a ``SmokeTest`` class or test method that selection reads.

``@tag("critical", "db")`` on a class or method, or a ``tags = {...}`` class
attribute; both live in the ``tags`` attribute (as with ``django.test.tag``).
A test has its class's tags plus its method's own. Tags are declared when the
class is defined: they are read once per test method and kept.
"""

from collections.abc import Callable
from typing import Any, TypeVar

Tagged = TypeVar("Tagged")


def tag(*names: str) -> Callable[[Tagged], Tagged]:
    """Add tags to a ``SmokeTest`` class or test method."""
    if not names or not all(isinstance(name, str) and name.strip() for name in names):
        raise ValueError(f"tag() takes one or more non-empty tag names, not {names!r}")

    def decorate(obj: Tagged) -> Tagged:
        obj.tags = _tag_set(getattr(obj, "tags", ())) | frozenset(names)  # type: ignore[attr-defined]
        return obj

    return decorate


_known_tags: dict[tuple[type, str], frozenset[str]] = {}


def tags_of(cls: type, method: str) -> frozenset[str]:
    """The tags of ``cls.method``: the class's plus the method's own."""
    tags = _known_tags.get((cls, method))
    if tags is None:
        own = getattr(getattr(cls, method, None), "tags", ())
        tags = _known_tags[cls, method] = _tag_set(getattr(cls, "tags", ())) | _tag_set(own)
    return tags


_sorted_tags: dict[tuple[type, str], tuple[str, ...]] = {}


def sorted_tags(cls: type, method: str) -> tuple[str, ...]:
    """``tags_of`` in order, as reports show them."""
    tags = _sorted_tags.get((cls, method))
    if tags is None:
        tags = _sorted_tags[cls, method] = tuple(sorted(tags_of(cls, method)))
    return tags


def _tag_set(tags: Any) -> frozenset[str]:
    """``tags = "critical"`` is one tag, not eight."""
    return frozenset([tags]) if isinstance(tags, str) else frozenset(str(name) for name in tags)
