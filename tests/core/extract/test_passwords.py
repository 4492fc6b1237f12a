"""Password-protected PDFs: a recognisable reason, the keyring's password used where the file
is read, a wrong password and a missing keyring said clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop_search.core.errors import ExtractionError, InvalidPathError
from desktop_search.core.extract.passwords import (
    KEYRING_SERVICE,
    KeyringUnavailableError,
    WrongPasswordError,
    save_password,
    saved_password,
)
from desktop_search.core.extract.pymupdf_reader import check_password
from desktop_search.core.extract.reader import extract, read_page_text
from desktop_search.core.models import PASSWORD_PROTECTED, needs_password
from tests.conftest import make_pdf
from tests.keyring_backend import FileKeyring


def make_locked_pdf(path: Path, text: str, password: str) -> Path:
    """A real AES-256 encrypted PDF that needs `password` to be opened."""
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(
        path,
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        user_pw=password,
        owner_pw=password + "-owner",
    )
    doc.close()
    return path


@pytest.fixture
def test_keyring(tmp_path: Path) -> Iterator[FileKeyring]:
    """This process's keyring is a test one for the test (the real one needs a desktop)."""
    before = keyring.get_keyring()
    backend = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_a_locked_pdf_fails_with_the_recognisable_reason(
    tmp_path: Path, test_keyring: FileKeyring
) -> None:
    locked = make_locked_pdf(tmp_path / "locked.pdf", "quokka ledger", "s3cret")
    with pytest.raises(ExtractionError) as err:
        extract(str(locked))
    assert err.value.reason == PASSWORD_PROTECTED
    assert needs_password(err.value.reason)


def test_the_password_in_the_keyring_opens_it_for_reading_and_preview(
    tmp_path: Path, test_keyring: FileKeyring
) -> None:
    locked = make_locked_pdf(tmp_path / "locked.pdf", "quokka ledger", "s3cret")
    test_keyring.set_password(KEYRING_SERVICE, str(locked), "s3cret")
    doc = extract(str(locked))
    assert doc is not None and "quokka ledger" in doc.pages[0].text
    assert "quokka" in read_page_text(str(locked), 1)


def test_a_saved_password_that_no_longer_opens_it_says_so(
    tmp_path: Path, test_keyring: FileKeyring
) -> None:
    locked = make_locked_pdf(tmp_path / "locked.pdf", "quokka ledger", "new-password")
    test_keyring.set_password(KEYRING_SERVICE, str(locked), "old-password")
    with pytest.raises(ExtractionError) as err:
        extract(str(locked))
    assert needs_password(err.value.reason)
    assert "saved password no longer opens it" in err.value.reason


def test_check_password_tells_right_from_wrong(tmp_path: Path) -> None:
    locked = make_locked_pdf(tmp_path / "locked.pdf", "quokka ledger", "s3cret")
    check_password(str(locked), "s3cret")
    check_password(str(locked), "s3cret-owner")  # the owner's password opens it too
    with pytest.raises(WrongPasswordError, match="does not open 'locked.pdf'"):
        check_password(str(locked), "guess")
    plain = make_pdf(tmp_path / "plain.pdf", ["open to all"])
    with pytest.raises(InvalidPathError, match="not password-protected"):
        check_password(str(plain), "anything")


def test_save_password_keeps_it_in_the_keyring_only(
    tmp_path: Path, test_keyring: FileKeyring
) -> None:
    save_password("/docs/locked.pdf", "s3cret")
    assert saved_password("/docs/locked.pdf") == "s3cret"
    assert test_keyring.get_password(KEYRING_SERVICE, "/docs/locked.pdf") == "s3cret"
    assert saved_password("/docs/other.pdf") is None


def test_without_a_keyring_saving_says_so_and_reading_finds_nothing(no_keyring: None) -> None:
    with pytest.raises(KeyringUnavailableError, match="No system keyring is available"):
        save_password("/docs/locked.pdf", "s3cret")
    assert saved_password("/docs/locked.pdf") is None


def test_a_keyring_that_keeps_passwords_in_plain_files_is_refused(tmp_path: Path) -> None:
    plaintext = type("PlaintextKeyring", (FileKeyring,), {"__module__": "keyrings.alt.file"})
    before = keyring.get_keyring()
    keyring.set_keyring(plaintext(tmp_path / "plain.json"))
    try:
        with pytest.raises(KeyringUnavailableError, match="keeps passwords in a file"):
            save_password("/docs/locked.pdf", "s3cret")
    finally:
        keyring.set_keyring(before)
    assert not (tmp_path / "plain.json").exists()
