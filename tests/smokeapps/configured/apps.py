from django.apps import AppConfig


class ConfiguredConfig(AppConfig):
    name = "tests.smokeapps.configured"
    label = "configured_label"
