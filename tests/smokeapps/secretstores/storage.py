"""A remote storage that cannot connect, and says so as django-storages'
FTP storage does: with the configuration it was given, password included."""

from django.core.files.storage import Storage


class UnreachableRemoteStorage(Storage):
    def __init__(self, location: str) -> None:
        self.location = location

    def _save(self, name, content):
        raise OSError(f"Connection or login error using data {{'location': {self.location!r}}}")

    def _open(self, name, mode="rb"):
        raise OSError(f"cannot open {name!r} at {self.location}")

    def delete(self, name):
        raise OSError(f"cannot delete {name!r} at {self.location}")

    def exists(self, name):
        return False
