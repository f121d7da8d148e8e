"""Records the Django state its worker thread starts with (``SEEN``, read by
the test), then leaves a language, URLconf, script prefix and time zone
active, as a request a time limit interrupted would."""

from django.urls import get_script_prefix, get_urlconf, set_script_prefix, set_urlconf
from django.utils import timezone, translation

from smoketest import SmokeTest

SEEN: list[tuple[object, ...]] = []


class LeavesState(SmokeTest):
    def test_records_then_leaves_state(self):
        SEEN.append(
            (translation.get_language(), get_urlconf(), get_script_prefix(), timezone.get_current_timezone_name())
        )
        translation.activate("fr")
        set_urlconf("tests.urls")
        set_script_prefix("/left/")
        timezone.activate("Europe/Paris")
