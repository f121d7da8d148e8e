import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from smoketest import SmokeTest


class OutsideTheDatabaseSmoke(SmokeTest):
    """Things a transaction does not cover: clean them up yourself."""

    def test_cache_round_trip(self):
        cache.set("smoketest:probe", "ok", 10)
        self.addCleanup(cache.delete, "smoketest:probe")
        self.assertEqual(cache.get("smoketest:probe"), "ok")

    def test_media_root_is_writable(self):
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=media) as probe:
            probe.write(b"smoke")
            probe.flush()
            self.assertEqual(Path(probe.name).read_bytes(), b"smoke")
