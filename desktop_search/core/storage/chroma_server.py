"""The server vector store: a Chroma HttpClient on the host, port and token from settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_search.core.errors import DesktopSearchError, StorageFullError, is_disk_full
from desktop_search.core.storage.chroma_common import ChromaStore


class ServerChromaStore(ChromaStore):
    """Vectors on a Chroma server (`chroma run`); the catalog and keyword index stay local.

    Chroma 1.x servers check no credentials themselves: a token is sent as
    `Authorization: Bearer <token>` for an authenticating proxy in front of the server.
    """

    def __init__(self, host: str, port: int, token: str, home: Path) -> None:
        """Reach the server at host:port, sending `token` if set; nothing connects until
        first use. `home` is the local index folder, named when its disk fills."""
        super().__init__()
        self.host = host
        self.port = port
        self.token = token
        self.home = home

    def _connect(self) -> Any:
        import chromadb

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        return chromadb.HttpClient(
            host=self.host, port=self.port, headers=headers, settings=self._settings()
        )

    def error(self, exc: Exception) -> Exception:
        """The server's disk is full, or the server can't be used (with what to check)."""
        if isinstance(exc, DesktopSearchError):
            return exc
        if is_disk_full(exc):
            return StorageFullError(self.home)
        return DesktopSearchError(
            f"The Chroma server at {self.host}:{self.port} can't be used ({exc}). Check that "
            "it is running, or clear the server setting to use the index on this computer."
        )
