from smoketest import SmokeTest
from tests.testapp.models import Widget

IMPORTS = []
IMPORTS.append(__name__)


class WidgetSmoke(SmokeTest):
    def test_reads(self):
        self.assertGreaterEqual(Widget.objects.count(), 0)

    def test_writes_are_visible_inside_the_test(self):
        Widget.objects.create(name="passing")
        self.assertEqual(Widget.objects.filter(name="passing").count(), 1)


class SharedHelpers(SmokeTest):
    """No test methods: a shared base, never reported."""

    def helper(self):
        return 1
