"""The engine a reading command (search, status) uses: the running app's or `watch`'s, over the
local socket, when one runs; otherwise its own, opened for searching only."""

from __future__ import annotations

from typing import Any


def open_for_reading(paths: Any) -> Any:
    """A ServedEngine (no model to load, answers in milliseconds) or a read-only Engine.

    Either one gives the same answers, which the command prints with the same code.
    """
    from desktop_search.core.service.client import connect

    served = connect(paths.home)
    if served is not None:
        return served
    # Imported only here: the engine brings the store and the numeric libraries with it.
    from desktop_search.core.engine import Engine

    return Engine(paths, read_only=True)
