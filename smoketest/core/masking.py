"""Secrets kept out of every report, log line and exception message: ``mask``
is the one function every check and message goes through.

It hides the userinfo of any URL (``scheme://user:***@host``), whatever its
password holds; the values of ``Authorization``, ``Proxy-Authorization`` and
``Cookie`` headers; and every known secret, also percent-encoded or decoded:
the values of settings whose names Django's exception reporter filter hides
(``SECRET_KEY``, ``DATABASES``' ``PASSWORD``...), the passwords of URLs in any
setting, and what checks ``register`` (the URL passwords and header values
they were given). Test outcomes and the ``smoketest`` logger mask what they
hold.
"""

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

MASK = "***"
#: Values of secret-named settings shorter than this are not searched for in
#: text (a setting ``API_VERSION = "1"`` would mask every digit 1).
SHORTEST_SETTING_SECRET = 4

# A URL's userinfo runs from "://" to the last "@" before a space or quote,
# whatever it holds ("/", "?", "#", "@", "%" unescaped included). Text is
# cut at spaces and quotes first, then each piece is searched once: no
# pattern that backtracks over a long message.
_BETWEEN_PIECES = re.compile(r"([\s'\"<>]+)")
_PLAIN_USER = re.compile(r"[\w.~\-]*")
# The value of an Authorization, Proxy-Authorization or Cookie header (also
# Set-Cookie and WSGI's HTTP_ names), as a header line or in a dict's repr.
_CREDENTIAL_HEADER = re.compile(
    r"(?i)\b((?:http_)?(?:proxy[-_])?authorization|(?:http_|set-)?cookie)(['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+"
)

_registered: set[str] = set()
# The known secrets, longest first (None: to be read again from the settings).
_known: list[str] | None = None


def mask(text: str) -> str:
    """``text`` without URL userinfo, credential headers or known secrets."""
    for secret in _known_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    lowered = text.lower()
    if "authorization" in lowered or "cookie" in lowered:  # the pattern alone is slow on long text
        text = _CREDENTIAL_HEADER.sub(rf"\1\2{MASK}", text)
    if "://" not in text:
        return text
    return "".join(_masked_userinfo(piece) if "://" in piece else piece for piece in _BETWEEN_PIECES.split(text))


def _userinfo(piece: str) -> tuple[int, int] | None:
    """Where the userinfo of the URL in ``piece`` starts and ends, if it has one."""
    start, end = piece.find("://") + 3, piece.rfind("@")
    return (start, end) if 3 <= start <= end else None


def _masked_userinfo(piece: str) -> str:
    span = _userinfo(piece)
    if span is None:
        return piece
    user, colon, _ = piece[span[0] : span[1]].partition(":")
    shown = f"{user}:" if colon and _PLAIN_USER.fullmatch(user) else ""
    return f"{piece[: span[0]]}{shown}{MASK}{piece[span[1] :]}"


def url_host(url: str) -> str | None:
    """The host name of ``url``, read after its userinfo as ``mask`` reads
    it: ``urlsplit`` alone stops the authority at an unescaped ``/``, ``?``
    or ``#`` in the password or user name, and takes a piece of it for the
    host. None when there is none (or the URL cannot be parsed)."""
    span = _userinfo(url)
    without_userinfo = url[: span[0]] + url[span[1] + 1 :] if span else url
    try:
        return urlsplit(without_userinfo).hostname
    except ValueError:  # an invalid IPv6 address
        return None


def url_secrets(url: str) -> list[str]:
    """The password in ``url``'s userinfo, read as ``mask`` reads it, as
    ``urlsplit`` does and, when it holds an unescaped ``/``, ``?``, ``#`` or
    ``@``, each piece between them of 3 characters or more: a URL parser may
    take one for a host or port, and print it."""
    span = _userinfo(url)
    password = url[span[0] : span[1]].partition(":")[2] if span else ""
    secrets = [password, *(piece for piece in re.split(r"[/?#@]", password) if len(piece) >= 3)]
    with contextlib.suppress(ValueError):  # an invalid port or IPv6 address
        secrets.append(urlsplit(url).password or "")
    return [secret for secret in dict.fromkeys(secrets) if secret]


def password_is_unescaped(url: str) -> bool:
    """True when ``url``'s password holds an unescaped ``/``, ``?`` or ``#``:
    URL parsers then take a piece of it for the host or port, and may print
    that piece in an error message."""
    rest = url.partition("://")[2]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    after_host = authority.rpartition("]")[2]  # an IPv6 address is all colons
    return "@" not in authority and "@" in rest[len(authority) :] and bool(re.search(r":(?!\d*$)", after_host))


def register(secrets: Iterable[str]) -> None:
    """Mask ``secrets`` from now on, in whatever this process reports."""
    global _known
    new = set(_forms(secrets)) - _registered
    if new:
        _registered.update(new)
        _known = None


def _forms(secrets: Iterable[str]) -> Iterator[str]:
    """Each secret as given, percent-encoded and percent-decoded."""
    for secret in secrets:
        if secret:
            yield from {secret, quote(secret, safe=""), unquote(secret)}


def _known_secrets() -> list[str]:
    global _known
    known = _known
    if known is None:
        known = _known = sorted({*_forms(_settings_secrets()), *_registered}, key=len, reverse=True)
    return known


def _settings_secrets() -> Iterator[str]:
    from django.views.debug import get_default_exception_reporter_filter

    hidden = get_default_exception_reporter_filter().hidden_settings
    for name in dir(settings):
        if name.isupper():
            yield from _walk(name, getattr(settings, name, None), hidden)


def _walk(key: str, value: Any, hidden: re.Pattern[str]) -> Iterator[str]:
    """As Django's ``cleanse_setting`` walks a setting: everything under a
    secret name; and here also the userinfo of every URL."""
    if hidden.search(key):
        yield from (text for text in _strings(value) if len(text) >= SHORTEST_SETTING_SECRET)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from _walk(str(name), item, hidden)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk("", item, hidden)
    elif isinstance(value, str):
        yield from url_secrets(value)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _strings(item)


class MaskingFilter(logging.Filter):
    """Masks a record's message and traceback (the ``smoketest`` logger has it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg, record.args = mask(record.getMessage()), ()
        except Exception:  # a message that cannot be formatted: not shown at all
            record.msg, record.args = "smoketest: a log message could not be formatted", ()
        if record.exc_info:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


@receiver(setting_changed)
def _forget_settings_secrets(**kwargs: object) -> None:
    global _known
    _known = None
