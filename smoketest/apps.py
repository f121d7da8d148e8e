from django.apps import AppConfig


class SmoketestConfig(AppConfig):
    name = "smoketest"
    verbose_name = "Smoke tests"

    def ready(self) -> None:
        from smoketest import system_checks  # noqa: F401  (registers the checks)
