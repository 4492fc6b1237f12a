"""The API a front end drives: `Engine` (in this process) and `RemoteEngine` (in a child
process) both satisfy `EngineAPI`, and the process boundary's call list is read from it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from desktop_search.core.config import Paths, Settings
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.models import FolderInfo, IndexStatus, SearchFilters, SearchResults


@runtime_checkable
class EngineAPI(Protocol):
    """One open index home: folders, indexing, watching, search and settings.

    Queries may be called from any thread; the methods that start writes only queue work.
    """

    paths: Paths
    read_only: bool
    locked_reason: str  # why the index was opened for searching only ('' when it was not)

    # ---- state, answered without waiting on work in progress ----
    @property
    def settings(self) -> Settings: ...

    @property
    def busy(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    @property
    def model_ready(self) -> bool: ...

    @property
    def alive(self) -> bool: ...

    # ---- queries ----
    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> SearchResults: ...

    def more_like_this(self, path: str | Path, *, k: int = 20) -> SearchResults: ...

    def status(self) -> IndexStatus: ...

    def page_words(self, path: str, page: int) -> tuple[WordBox, ...]:
        """Where text recognition found each word on a scanned page, for the preview's
        highlight (see Engine.page_words)."""

    def folders(self) -> list[FolderInfo]: ...

    def watch_modes(self) -> dict[str, str]: ...

    # ---- folders and indexing (queue work and return) ----
    def add_folder(self, path: str | Path) -> None: ...

    def remove_folder(self, path: str | Path) -> None: ...

    def rescan(self) -> None: ...

    def unlock(self, path: str | Path, password: str) -> None:
        """Check `password` on a password-protected document of the index, keep it in the
        system keyring only, and queue the document to be indexed again. Raises
        InvalidPathError, WrongPasswordError or KeyringUnavailableError (see Engine.unlock)."""

    def start_watching(self) -> None: ...

    def stop_watching(self) -> None: ...

    def load_model(self) -> None: ...

    def wait_until_idle(self, timeout: float | None = None) -> bool: ...

    def apply_settings(self, settings: Settings) -> None: ...

    def check_model(self, model: str, device: str = "auto") -> str:
        """Load the model a settings `model` value names, to see that it works here before
        the settings are saved; returns its short name. Raises ModelError with the reason."""

    # ---- flow control (never wait) ----
    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def cancel(self) -> None: ...

    # ---- lifetime ----
    def close(self, timeout: float = 10.0) -> None: ...


# What a RemoteEngine forwards to its child: every method (close has its own handshake) and
# every property of the protocol, so a new call is one new line above.
API_PROPERTIES = frozenset(
    name for name, value in vars(EngineAPI).items() if isinstance(value, property)
)
API_CALLS = frozenset(
    name
    for name, value in vars(EngineAPI).items()
    if not name.startswith("_") and callable(value) and not isinstance(value, property)
) - {"close"}
