"""A keyring backend for tests, because the real one (the Secret Service) needs a desktop
session that test machines lack.

It keeps passwords in a JSON file in the test's temporary folder, named by
$DESKTOP_SEARCH_TEST_KEYRING, so the processes a test starts (the CLI, the app's engine, their
extraction workers) share it: select it there with
PYTHON_KEYRING_BACKEND=tests.keyring_backend.FileKeyring. In the test's own process,
`keyring.set_keyring(FileKeyring(path))` does the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

PATH_ENV = "DESKTOP_SEARCH_TEST_KEYRING"
BACKEND_NAME = "tests.keyring_backend.FileKeyring"


class FileKeyring(KeyringBackend):
    """Service -> user -> password, in one JSON file (tests only: a real keyring encrypts)."""

    @properties.classproperty
    def priority(cls) -> float:
        # keyring tries every backend class it knows: this one only where a test named a file.
        if not os.environ.get(PATH_ENV):
            raise RuntimeError("a keyring for tests that name its file")
        return 0.5

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.path = Path(path if path is not None else os.environ.get(PATH_ENV, "unset.json"))

    def _load(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if username not in data.get(service, {}):
            raise PasswordDeleteError(username)
        del data[service][username]
        self.path.write_text(json.dumps(data), encoding="utf-8")
