"""The disks the site writes to have room left."""

import os
import shutil
import tempfile
from collections.abc import Sequence

from django.conf import settings

from smoketest.checks.base import BuiltinCheck

MB = 1024 * 1024  # as ``df -m`` counts


class DiskSpaceSmoke(BuiltinCheck):
    """Each path in ``paths`` is on a file system with at least ``min_free_mb``
    and ``min_free_percent`` free (the space an unprivileged process may use)."""

    tags = frozenset({"builtin", "disk"})
    #: Paths to check; ``None``: ``MEDIA_ROOT`` (when set and it exists) and the temporary directory.
    paths: Sequence[str | os.PathLike[str]] | None = None
    #: Least free space, in MB (1 MB = 1,048,576 bytes); 0 does not check it.
    min_free_mb: float = 100
    #: Least free space, in percent of the file system's size; 0 does not check it.
    min_free_percent: float = 5

    def test_paths_have_free_space(self) -> None:
        self.for_each("path", self.checked_paths(), self.check_free_space)

    def checked_paths(self) -> list[str]:
        if self.paths is not None:
            return [os.fspath(path) for path in self.paths]
        media = os.fspath(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else ""
        return [*([media] if media and os.path.exists(media) else []), tempfile.gettempdir()]

    def check_free_space(self, path: str) -> None:
        with self.failing_as(f"path {path!r} could not be measured"):
            usage = shutil.disk_usage(path)
        free_mb = usage.free / MB
        free_percent = 100 * usage.free / usage.total if usage.total else 0.0
        short = []
        if free_mb < self.min_free_mb:
            short.append(f"min_free_mb={self.min_free_mb:g}")
        if free_percent < self.min_free_percent:
            short.append(f"min_free_percent={self.min_free_percent:g}")
        if short:
            self.fail(
                f"path {path!r} has {free_mb:,.0f} MB free ({free_percent:.1f} % of {usage.total / MB:,.0f} MB), "
                f"below {' and '.join(short)}"
            )
