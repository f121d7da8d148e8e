"""Content negotiation that always picks a renderer."""

from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class FallbackContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that an Accept header it cannot serve or
    parse gets the first renderer (plain text) instead of a 406: a monitor
    must always get an answer. An unknown ``?format=`` is a clear 400."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        requested_format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if requested_format:
            for renderer in renderers:
                if renderer.format == requested_format:
                    return renderer, renderer.media_type
            choices = ", ".join(renderer.format for renderer in renderers)
            raise ParseError(f"Unknown format {requested_format!r}; choose one of: {choices}.")
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:  # NotAcceptable, or a header DRF cannot parse
            return renderers[0], renderers[0].media_type
