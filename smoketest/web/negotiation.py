"""Content negotiation that always picks a renderer."""

import functools

from django.http import HttpRequest
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class FallbackContentNegotiation(DefaultContentNegotiation):
    """Picks the renderer the ``Accept`` header prefers, honouring quality
    values and media type parameters (Django's ``get_preferred_type()``):
    ``text/plain; version=0.0.4`` is Prometheus, plain ``text/plain`` is the
    text report, and on a tie the first renderer wins. An ``Accept`` header
    nothing matches, or that cannot be parsed, gets the first renderer (plain
    text) instead of a 406: a monitor must always get an answer.
    ``?format=`` is case-insensitive; an unknown one is a clear 400."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        requested_format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if requested_format:
            for renderer in renderers:
                if renderer.format == requested_format.strip().lower():
                    return renderer, renderer.media_type
            choices = ", ".join(renderer.format for renderer in renderers)
            raise ParseError(f"Unknown format {requested_format!r}; choose one of: {choices}.")
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        preferred = preferred_type(accept, tuple(renderer.media_type for renderer in renderers))
        chosen = next((renderer for renderer in renderers if renderer.media_type == preferred), renderers[0])
        return chosen, chosen.media_type


@functools.lru_cache(maxsize=256)
def preferred_type(accept: str, media_types: tuple[str, ...]) -> str | None:
    """``HttpRequest.get_preferred_type()`` for an ``Accept`` header, kept:
    monitors send the same few headers on every poll, and parsing them costs
    more than answering from the result cache."""
    probe = HttpRequest()
    probe.META["HTTP_ACCEPT"] = accept
    return probe.get_preferred_type(list(media_types))
