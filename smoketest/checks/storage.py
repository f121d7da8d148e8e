"""File storages save, read back and delete a small file."""

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from smoketest.checks.base import BuiltinCheck, unique_name


class StorageSmoke(BuiltinCheck):
    """Each storage in ``storages`` saves a small file under a unique name,
    reads it back and deletes it. Files are not transactional: the file is
    deleted even when the check fails."""

    tags = frozenset({"builtin", "storage"})
    #: ``STORAGES`` aliases to check.
    storages: Sequence[str] = ("default",)
    #: Start of the test file's name (may hold a directory, e.g. ``"tmp/smoketest-"``).
    name_prefix: str = "smoketest-"

    def test_storages_save_read_and_delete_a_file(self) -> None:
        self.for_each("storage", self.storages, self.round_trip)

    def round_trip(self, alias: str) -> None:
        with self.failing_as(f"storage {alias!r} is not usable"):
            storage = storages[alias]
        name = f"storage {alias!r} ({type(storage).__name__})"
        content = f"django-smoketest {unique_name()}\n".encode()
        path = unique_name(self.name_prefix) + ".txt"
        deleted: set[str] = set()  # seen deleted by the check: their cleanup has nothing to do
        self.remove_later(f"{path!r} from {name}", _delete_unless, storage, path, deleted)
        with self.failing_as(f"{name} could not save {path!r}"):
            saved = storage.save(path, ContentFile(content))
        if saved != path:  # the storage chose another name: remove that one too
            self.remove_later(f"{saved!r} from {name}", _delete_unless, storage, saved, deleted)
        with self.failing_as(f"{name} could not read {saved!r} back"):
            read = _read(storage, saved)
        self.assertEqual(read, content, f"{name} returned other content for {saved!r}")
        with self.failing_as(f"{name} could not delete {saved!r}"):
            storage.delete(saved)
            left = storage.exists(saved)
        self.assertFalse(left, f"{name} still has {saved!r} after deleting it")
        deleted.add(saved)


def _delete_unless(storage: Storage, name: str, deleted: set[str]) -> None:
    if name not in deleted:
        storage.delete(name)


def _read(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as file:
        return file.read()
