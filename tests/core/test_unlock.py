"""EngineAPI.unlock: the password checked, kept in the system keyring only, and the document
indexed; everything it can't do said clearly. Also: the app's engine process serves the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from desktop_search.core.engine import Engine
from desktop_search.core.engine_process import RemoteEngine
from desktop_search.core.errors import IndexLockedError, InvalidPathError
from desktop_search.core.extract.passwords import (
    KEYRING_SERVICE,
    KeyringUnavailableError,
    WrongPasswordError,
)
from desktop_search.core.models import PASSWORD_PROTECTED
from desktop_search.core.service.client import connect
from tests.conftest import make_pdf
from tests.core.extract.test_passwords import make_locked_pdf
from tests.keyring_backend import FileKeyring

PASSWORD = "correct horse 7"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    make_locked_pdf(folder / "ledger.pdf", "The quokka ledger of the island.", PASSWORD)
    make_pdf(folder / "open.pdf", ["Tide tables for the harbour."])
    return folder




def _files_holding(root: Path, secret: str) -> list[Path]:
    needle = secret.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_unlock_through_the_app_engine_indexes_it_and_keeps_the_password_in_the_keyring(
    docs: Path, isolated_home: Path, keyring_file: Path
) -> None:
    locked = docs / "ledger.pdf"
    with RemoteEngine(isolated_home) as engine:
        engine.add_folder(docs)
        assert engine.wait_until_idle(120)
        (failed,) = engine.status().failed
        assert failed.path == str(locked) and failed.reason == PASSWORD_PROTECTED
        assert failed.needs_password
        with pytest.raises(WrongPasswordError, match="does not open 'ledger.pdf'"):
            engine.unlock(locked, "guess")
        assert not keyring_file.exists()  # nothing kept for a wrong password

        engine.unlock(locked, PASSWORD)
        assert engine.wait_until_idle(120)
        status = engine.status()
        assert status.failed == () and status.documents == 2
        assert [Path(r.path).name for r in engine.search("quokka", mode="keyword")] == [
            "ledger.pdf"
        ]
        # The app's engine answers the CLI too, with the same results.
        served = connect(engine.paths.home)
        assert served is not None
        with served:
            assert served.pid == engine.pid
            assert served.search("quokka ledger") == engine.search("quokka ledger")
    assert FileKeyring(keyring_file).get_password(KEYRING_SERVICE, str(locked)) == PASSWORD
    assert _files_holding(isolated_home, PASSWORD) == []  # not in the catalog, nor a log


def test_unlock_says_what_it_cant_do(
    docs: Path, engine_factory: Callable[..., Any], keyring_file: Path, isolated_home: Path
) -> None:
    (docs / "notes.md").write_text("# Harbour notes", encoding="utf-8")
    engine: Engine = engine_factory()
    engine.add_folder(docs)
    assert engine.wait_until_idle(120)
    with pytest.raises(InvalidPathError, match="'notes.md' can't be unlocked: only PDFs"):
        engine.unlock(docs / "notes.md", PASSWORD)
    with pytest.raises(InvalidPathError, match="not in the index"):
        engine.unlock(docs.parent / "elsewhere.pdf", PASSWORD)
    with pytest.raises(InvalidPathError, match="not password-protected"):
        engine.unlock(docs / "open.pdf", PASSWORD)
    with pytest.raises(WrongPasswordError):
        engine.unlock(docs / "ledger.pdf", "guess")
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailableError, match="No system keyring is available"):
        engine.unlock(docs / "ledger.pdf", PASSWORD)
    assert not keyring_file.exists()
    (failed,) = engine.status().failed
    assert failed.reason == PASSWORD_PROTECTED  # still locked, still listed
    engine.close()
    reader = engine_factory(read_only=True)
    with pytest.raises(IndexLockedError):
        reader.unlock(docs / "ledger.pdf", PASSWORD)
