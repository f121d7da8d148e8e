"""Classes without class fixtures: their tests are spread over the workers."""

import threading
import time

from smoketest import SmokeTest, timeout
from tests.smokeapps.parallel.smoke import destructive
from tests.smokeapps.parallel.spans import span

RELEASE = threading.Event()  # what the hanging test waits for


class EveryTestDestroys(SmokeTest):
    """The destructive tests of ``destructive``, as tests of one class."""

    def destroys(self, destroy) -> None:
        with span(self.id()):
            time.sleep(destructive.PAUSE)
            destroy(self)
            time.sleep(destructive.PAUSE)

    def test_deletes_every_row(self):
        self.destroys(destructive.DeletesEveryRow.destroy)

    def test_renames_every_row(self):
        self.destroys(destructive.RenamesEveryRow.destroy)

    def test_truncates_the_table(self):
        self.destroys(destructive.TruncatesTheTable.destroy)

    def test_commits_its_deletes(self):
        self.destroys(destructive.CommitsItsDeletes.destroy)

    def test_commits_raw_sql(self):
        self.destroys(destructive.CommitsRawSQL.destroy)

    def test_sees_every_row(self):
        destructive.SeesEveryRow.test_sees_every_row(self)


class Waits(SmokeTest):
    """The first fails soon, the second hangs past its limit, the last wait the shortest."""

    def test_a_fails_soon(self):
        time.sleep(0.1)
        self.fail("the first problem")

    @timeout(1)
    def test_b_hangs(self):
        RELEASE.wait(60)

    def wait(self, seconds: float) -> None:
        with span(self.id()):
            time.sleep(seconds)

    def test_c(self):
        self.wait(0.8)

    def test_d(self):
        self.wait(0.7)

    def test_e(self):
        self.wait(0.6)

    def test_f(self):
        self.wait(0.5)

    def test_g(self):
        self.wait(0.4)
