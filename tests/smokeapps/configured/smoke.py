from smoketest import SmokeTest


class ConfiguredSmoke(SmokeTest):
    def test_runs(self):
        pass
