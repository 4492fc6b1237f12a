"""`search` and `status` answered by a home's running engine (the app's or `watch`'s) with the
fewest imports: no argparse, no settings, no records, no logging, nothing numeric.

The process start is most of a served command's time, so this runs before anything else is
imported, and hands over to the whole CLI (returns None) whenever it is not sure: a command
line it does not read (fast_args.py), -v (the log on stderr is the whole CLI's), a home with
no index, or no engine answering there. Past that point it prints with the whole CLI's own
code (searching.py, status.py) and fails with it (failure.py): the output and the exit status
are the same either way.
"""

from __future__ import annotations

import os
import sys

from desktop_search.cli import fast_args

# Annotations only (never evaluated): `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from desktop_search.core.service.connection import EngineConnection

# As core.config names them (its Paths.resolve is the reference; tests compare the two).
HOME_ENV = "DESKTOP_SEARCH_HOME"
APP_NAME = "desktop-search"
CATALOG_NAME = "catalog.sqlite3"


def answer_if_served(argv: Sequence[str]) -> int | None:
    """The exit status of a `search` or `status` that the home's running engine answered, or
    None when the whole CLI must run the command (nothing was printed then)."""
    args = fast_args.parse(argv)
    if args is None or args.verbose:
        return None
    try:
        home = home_folder(args.home)
    except (OSError, RuntimeError):  # no user folder to expand '~' in: the CLI says so
        return None
    if not os.path.isfile(os.path.join(home, CATALOG_NAME)):
        return None  # nothing indexed (or no home): the CLI says what to do
    filters = None
    if args.command == "search":
        from desktop_search.cli.searching import filter_fields
        from desktop_search.core.errors import DesktopSearchError

        try:
            filters = filter_fields(args)
        except DesktopSearchError:
            return None  # a date that is not one: the CLI refuses it in its words
    from desktop_search.core.service.connection import find_engine

    try:
        engine = find_engine(home)
        if engine is None:
            return None
        with engine:
            return _answer(args, ServedReader(engine), filters)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - as the CLI says each one
        from desktop_search.cli.failure import exit_status

        return exit_status(exc, args.command, home, lambda: _start_log(args.home))


def home_folder(home: str | None) -> str:
    """The index's folder, as str(core.config.Paths.resolve(home).home) names it, found without
    pathlib or platformdirs where the answer is sure without them (the usual case): both are
    imported otherwise. They cost more than the rest of the fast path; tests compare the two.

    Raises:
        RuntimeError: '~' can't be expanded (as Paths.resolve).
    """
    chosen = home or os.environ.get(HOME_ENV)
    if chosen and "~" not in chosen:
        # Path(chosen).expanduser().resolve() is realpath on Path's own spelling of `chosen`,
        # which realpath reads alike: repeated '/' and '.' mean nothing to either.
        return os.path.realpath(chosen)
    if chosen:
        from pathlib import Path

        return str(Path(chosen).expanduser().resolve())
    return _as_path_spells_it(_user_data_folder())


def _user_data_folder() -> str:
    """platformdirs.user_data_dir(APP_NAME, appauthor=False), read here in the case every
    platformdirs 4 reads alike: Linux, $XDG_DATA_HOME absolute or not set, $HOME absolute.
    (platformdirs imports tempfile, shutil, random…: as much again as the fast path.)"""
    data, user = os.environ.get("XDG_DATA_HOME"), os.environ.get("HOME", "")
    android = hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ
    if sys.platform == "linux" and not android:
        if data and data == data.strip() and os.path.isabs(data):
            return os.path.join(data, APP_NAME)
        if not data and os.path.isabs(user):
            return os.path.join(os.path.expanduser("~/.local/share"), APP_NAME)
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


def _as_path_spells_it(path: str) -> str:
    """str(Path(path)): the same text for a path already in its plain form (no '.', '..' or
    repeated '/'), which is every path but one spelt oddly in an environment variable."""
    if os.path.normpath(path) == path:
        return path
    from pathlib import Path

    return str(Path(path))


def _answer(args: fast_args.FastArgs, reader: ServedReader, filters: Any) -> int:
    if args.command == "search":
        from desktop_search.cli.searching import answer_search

        return answer_search(reader, args, filters)
    from desktop_search.cli.status import print_status, with_indexing

    # An engine that answers is the index's writer: the app or `watch` is running.
    return print_status(with_indexing(reader.status(), True), as_json=args.json)


def _start_log(home: str | None) -> Path:
    """The log the whole CLI writes to, started: only an unexpected error is written there."""
    from desktop_search.core.config import Paths
    from desktop_search.core.logging_setup import setup_logging

    return setup_logging(Paths.resolve(home).log_file)


class ServedReader:
    """A running engine as the search and status commands use an engine, answering with the
    JSON it sent: each record's fields read as attributes, as the record's own do."""

    def __init__(self, engine: EngineConnection) -> None:
        self._engine = engine

    def load_model(self) -> None:
        """Nothing to load here: the running engine has its models."""

    def search(self, query: str, *, k: int, mode: str, filters: dict[str, Any]) -> Any:
        # The filters travel as the fields of a SearchFilters (the codec's form of one).
        args = {"query": query, "k": k, "mode": mode, "filters": filters}
        return _records(self._engine.call("search", args))

    def more_like_this(self, path: str, *, k: int) -> Any:
        # Made absolute here: the running engine's working folder is not this command's.
        args = {"path": os.path.abspath(path), "k": k}
        return _records(self._engine.call("more_like_this", args))

    def status(self) -> dict[str, Any]:
        return self._engine.call("status", {})  # type: ignore[no-any-return]

    def close(self) -> None:
        self._engine.close()


class _Record:
    """A record as the running engine sent it: its fields are attributes, as on the record."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)


class _Results(list):  # type: ignore[type-arg]
    """A search's documents, with what the engine said about the query as attributes."""


def _records(value: Any) -> Any:
    """JSON as the codec (core.service.codec) sent records: objects read as records, and a
    list with attributes (a search's results with its notes) as a list with attributes."""
    if isinstance(value, list):
        return [_records(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__list__" in value:
        results = _Results(_records(value["items"]))
        results.__dict__.update(value["attributes"])
        return results
    return _Record({name: _records(item) for name, item in value.items()})
