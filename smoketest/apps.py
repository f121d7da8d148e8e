import logging

from django.apps import AppConfig


class SmoketestConfig(AppConfig):
    name = "smoketest"
    verbose_name = "Smoke tests"

    def ready(self) -> None:
        from smoketest import system_checks  # noqa: F401  (registers the checks)
        from smoketest.core.masking import MaskingFilter

        logger = logging.getLogger("smoketest")
        if not any(isinstance(known, MaskingFilter) for known in logger.filters):
            logger.addFilter(MaskingFilter())
