"""The running engine of a home as an engine: its answers rebuilt into the engine's records.

On top of connection.py (the socket, the hello, the errors), this adds the records (core.models)
and the codec, and nothing heavier: no model, no store, no numeric library is loaded here.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from desktop_search.core.models import DocumentResult, IndexStatus, SearchFilters
from desktop_search.core.service import codec
from desktop_search.core.service.connection import (
    EngineConnection,
    ServedError,
    ServerVersionError,
    find_engine,
)

__all__ = ["ServedEngine", "ServedError", "ServerVersionError", "connect"]

log = logging.getLogger(__name__)


class ServedEngine:
    """The running engine of a home, as the CLI uses it: search, status, unlock.

    Answers are rebuilt into the engine's own records, so the CLI prints them with the code
    it uses for its own engine's answers: the output is the same either way.
    """

    read_only = True  # this process writes nothing

    def __init__(self, connection: EngineConnection) -> None:
        self._connection = connection
        self.pid = connection.pid
        self.version = connection.version
        self.socket_path = Path(connection.socket_path)

    def load_model(self) -> None:
        """Nothing to load here: the running engine has its models."""

    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> list[DocumentResult]:
        args = {"query": query, "k": k, "mode": mode, "filters": codec.to_json(filters)}
        return codec.from_json(list[DocumentResult], self._call("search", args))  # type: ignore[no-any-return]

    def more_like_this(self, path: str | Path, *, k: int = 20) -> list[DocumentResult]:
        # Made absolute here: the running engine's working folder is not this command's.
        args = {"path": os.path.abspath(str(path)), "k": k}
        return codec.from_json(list[DocumentResult], self._call("more_like_this", args))  # type: ignore[no-any-return]

    def status(self) -> IndexStatus:
        return codec.from_json(IndexStatus, self._call("status", {}))  # type: ignore[no-any-return]

    def unlock(self, path: str | Path, password: str) -> None:
        # Over the socket only: the password is never written to a file or a log.
        self._call(
            "unlock", {"path": os.path.abspath(os.path.expanduser(str(path))), "password": password}
        )

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> ServedEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, call: str, args: dict[str, Any]) -> Any:
        return self._connection.call(call, args)


def connect(home: Path) -> ServedEngine | None:
    """The running engine of `home`, or None when none answers (the CLI then works on its own).

    Raises:
        ServerVersionError: An engine runs, but speaks another protocol version.
    """
    connection = find_engine(home, note=log.info)
    return None if connection is None else ServedEngine(connection)
