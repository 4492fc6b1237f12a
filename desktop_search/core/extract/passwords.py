"""Passwords of locked documents, kept only in the system keyring (the Secret Service on Linux).

This module owns the `keyring` import. A password is never written to a file or a log by
desktop-search: `save_password` hands it to the keyring (it reaches the engine's process over
a pipe or the local socket only), and a reader asks the keyring for it when a document needs
one, in the extraction worker or the page-drawing process itself, so no other process sees it.
"""

from __future__ import annotations

import logging
from typing import Any

from desktop_search.core.errors import DesktopSearchError

log = logging.getLogger(__name__)

# The keyring's "service": each document's password is kept under its absolute path.
KEYRING_SERVICE = "desktop-search"
# Backends that keep secrets in files of their own: desktop-search never uses them.
_FILE_BACKENDS = ("keyrings.alt.file",)


class KeyringUnavailableError(DesktopSearchError):
    """No system keyring can keep a password here; nothing was saved."""


class WrongPasswordError(DesktopSearchError):
    """The password given does not open the document."""


def saved_password(path: str) -> str | None:
    """The password kept for the document at `path`; None when there is none, or when no
    keyring can be reached (the document then stays locked, with its reason)."""
    try:
        import keyring

        password: str | None = keyring.get_password(KEYRING_SERVICE, path)
    except Exception as exc:  # noqa: BLE001 - no keyring (or a locked one) means "no password"
        log.info("The system keyring could not be read: %s", type(exc).__name__)
        return None
    return password


def save_password(path: str, password: str) -> None:
    """Keep the password of the document at `path` in the system keyring.

    Raises:
        KeyringUnavailableError: There is no system keyring (or it refused), so the password
            was not saved anywhere.
    """
    backend = _system_keyring()
    try:
        backend.set_password(KEYRING_SERVICE, path, password)
        kept = backend.get_password(KEYRING_SERVICE, path)
    except Exception as exc:  # noqa: BLE001 - every keyring failure is the same to the person
        log.warning("The system keyring refused the password: %s", type(exc).__name__)
        raise KeyringUnavailableError(
            f"The system keyring did not keep the password ({type(exc).__name__}); it was not "
            "saved. Unlock the keyring (log in to the desktop session) and try again."
        ) from None
    if kept != password:
        raise KeyringUnavailableError(
            "The system keyring did not keep the password, so it was not saved."
        )


def keyring_name() -> str:
    """The keyring that passwords go to, in words (for messages and the CLI's reply)."""
    return _describe(_system_keyring())


def _system_keyring() -> Any:
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise KeyringUnavailableError(_NO_KEYRING) from None
    backend = keyring.get_keyring()
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        raise KeyringUnavailableError(_NO_KEYRING)
    module = type(backend).__module__
    if any(module == name or module.startswith(name + ".") for name in _FILE_BACKENDS):
        raise KeyringUnavailableError(
            f"The keyring in use ({_describe(backend)}) keeps passwords in a file; "
            "desktop-search keeps them only in the system keyring. " + _WHICH_KEYRING
        )
    return backend


def _describe(backend: Any) -> str:
    name = getattr(backend, "name", "") or type(backend).__name__
    return str(name)


_WHICH_KEYRING = (
    "On Linux that is the Secret Service of a desktop session (GNOME Keyring, KWallet), on "
    "macOS the Keychain, on Windows the Credential Locker."
)
_NO_KEYRING = (
    "No system keyring is available to keep a password safely, so none is kept and the "
    "document stays locked. " + _WHICH_KEYRING
)
