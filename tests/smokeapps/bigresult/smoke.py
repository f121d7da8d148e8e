from smoketest import SmokeTest

#: The failure message: with its traceback, the result holds about 10 MB.
MESSAGE = "x" * 5_000_000


class Big(SmokeTest):
    def test_reports_megabytes(self):
        self.fail(MESSAGE)


class Small(SmokeTest):
    def test_one(self):
        pass

    def test_two(self):
        pass
