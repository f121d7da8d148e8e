import sys
import unittest

from smoketest import SmokeTest
from tests.testapp.models import Widget


class Outcomes(SmokeTest):
    def setUp(self):
        self.prepared = 42
        self.addCleanup(Widget.objects.create, name="cleanup")

    def tearDown(self):
        Widget.objects.create(name="teardown")

    def test_pass_sees_setup(self):
        self.assertEqual(self.prepared, 42)

    def test_fail(self):
        self.assertEqual(1, 2, "one is not two")

    def test_error(self):
        raise ValueError("boom")

    @unittest.skip("not today")
    def test_skipped(self):
        raise AssertionError("never runs")

    @unittest.skipIf(True, "condition met")
    def test_skipped_if(self):
        raise AssertionError("never runs")

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.fail("known bug")

    @unittest.expectedFailure
    def test_unexpected_success(self):
        pass

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)

    def test_sys_exit(self):
        sys.exit(3)

    def test_multiline_message(self):
        self.assertEqual("a\nb", "a\nc")


@unittest.skip("whole class off")
class SkippedClass(SmokeTest):
    @classmethod
    def setUpClass(cls):
        raise AssertionError("setUpClass of a skipped class never runs")

    def test_one(self):
        raise AssertionError("never runs")


class ClassFixtures(SmokeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.widget = Widget.objects.create(name="class-fixture")

    def test_a_sees_class_fixture(self):
        self.assertTrue(Widget.objects.filter(pk=self.widget.pk).exists())
        Widget.objects.create(name="from-test-a")

    def test_b_does_not_see_test_a(self):
        self.assertFalse(Widget.objects.filter(name="from-test-a").exists())
        self.assertTrue(Widget.objects.filter(name="class-fixture").exists())


class BrokenSetUpClass(SmokeTest):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("no fixture today")

    def test_never_runs(self):
        pass
