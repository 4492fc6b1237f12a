"""Command-line front end over the core engine (no Qt imported here)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, TextIO

from desktop_search import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-search",
        description="Find passages in your own documents by meaning, offline. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="index folder (default: $DESKTOP_SEARCH_HOME or your user data folder)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="add folders or files and index them to completion")
    p.add_argument("paths", nargs="+", metavar="PATH")

    p = sub.add_parser("search", help="search the index")
    p.add_argument("query", nargs="?", help='words, a question, "an exact phrase", -excluded')
    p.add_argument("--batch", metavar="FILE", help="one query per line ('-' = stdin)")
    p.add_argument("-k", type=int, default=10, metavar="N", help="documents per query (10)")
    p.add_argument("--mode", choices=("hybrid", "semantic", "keyword"), default="hybrid")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--folder", action="append", default=[], help="only under this folder")
    p.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="EXT",
        help="only this file type, e.g. pdf (repeatable)",
    )
    p.add_argument("--after", metavar="DATE", help="modified on or after (YYYY-MM-DD)")
    p.add_argument("--before", metavar="DATE", help="modified on or before (YYYY-MM-DD)")
    p.add_argument("--like", metavar="PATH", help="documents similar to this indexed document")

    p = sub.add_parser("status", help="folders, counts and every failed file with its reason")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", help="stop indexing a folder and purge its entries")
    p.add_argument("path")

    sub.add_parser("watch", help="index, then follow changes until interrupted")
    sub.add_parser(
        "rebuild", help="move a damaged index aside (kept, not deleted) and index its folders anew"
    )
    sub.add_parser("gui", help="open the desktop app (the default)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a CLI command (the `desktop-search` entry point also opens the app; see launcher)."""
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        print("desktop-search: use the 'desktop-search' command to open the app", file=sys.stderr)
        return EXIT_USAGE
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run the parsed non-GUI command; errors become one line on stderr and a non-zero exit."""
    import logging

    from desktop_search.core.config import Paths
    from desktop_search.core.engine import check_home
    from desktop_search.core.errors import DesktopSearchError, StorageFullError, is_disk_full
    from desktop_search.core.logging_setup import setup_logging

    paths = Paths.resolve(args.home)
    try:
        check_home(paths)
    except DesktopSearchError as exc:
        print(f"desktop-search: {exc}", file=sys.stderr)
        return EXIT_ERROR
    log_file = setup_logging(paths.log_file, console_level=logging.INFO if args.verbose else None)
    handler = _COMMANDS[args.command]
    try:
        return handler(args, paths)
    except DesktopSearchError as exc:
        print(f"desktop-search: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("desktop-search: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `desktop-search search ... | head` closing the pipe is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - one line for the person, the traceback in the log
        if is_disk_full(exc, paths.home):
            print(f"desktop-search: {StorageFullError(paths.home)}", file=sys.stderr)
            return EXIT_ERROR
        if isinstance(exc, OSError):
            detail = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            print(f"desktop-search: {detail}", file=sys.stderr)
            return EXIT_ERROR
        logging.getLogger(__name__).exception("Unexpected error in %s", args.command)
        print(f"desktop-search: unexpected error: {exc} (details in {log_file})", file=sys.stderr)
        return EXIT_ERROR


# ---------------------------------------------------------------------------- index
def cmd_index(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine, check_path
    from desktop_search.core.errors import InvalidPathError

    targets = []
    for raw in args.paths:
        try:
            targets.append(check_path(raw))
        except InvalidPathError as exc:
            print(f"desktop-search: {exc}", file=sys.stderr)
            return EXIT_ERROR
    reporter = ProgressReporter(sys.stderr)
    engine = Engine(paths, on_event=reporter.on_event)
    interrupted = _install_stop_handler(engine)
    try:
        engine.load_model()
        for target in targets:
            engine.add_folder(target)
        while not engine.wait_until_idle(0.2):
            pass
        reporter.finish()
        failure = engine.last_error
        status = engine.status() if failure is None else None
    finally:
        engine.close()
    if failure is not None:
        raise failure
    if interrupted.is_set():
        print(
            "Stopped; what was indexed is kept. Run the same command to continue.", file=sys.stderr
        )
        return EXIT_INTERRUPTED
    assert status is not None
    print(reporter.summary(status.documents, status.chunks), file=sys.stderr)
    return EXIT_OK


def cmd_rebuild(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine

    aside, folders = Engine.rebuild(paths)
    print(f"Moved the old index to '{aside}' (nothing was deleted).", file=sys.stderr)
    present = [f for f in folders if os.path.exists(f)]
    if not present:
        print(
            "The new index is empty: run 'desktop-search index FOLDER' to fill it.",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"Indexing its {len(present)} folders again.", file=sys.stderr)
    args.paths = present
    return cmd_index(args, paths)


def _install_stop_handler(engine: Any) -> threading.Event:
    stopped = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopped.set()
        engine.cancel()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return stopped


class ProgressReporter:
    """Turns index events into a one-line progress bar (terminal) and failure lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.failed = 0
        self.indexed = 0
        self.removed = 0
        self.started = time.monotonic()
        self._bar_shown = False
        self._lock = threading.Lock()

    def on_event(self, event: Any) -> None:
        from desktop_search.core import models as m

        with self._lock:
            if isinstance(event, m.Progress) and self.tty:
                self._bar(event)
            elif isinstance(event, m.FileFailed):
                self.failed += 1
                self._line(f"failed: {event.path}: {event.reason}")
            elif isinstance(event, m.FileIndexed):
                self.indexed += 1
            elif isinstance(event, m.FileRemoved):
                self.removed += 1
            elif isinstance(event, m.Message):
                self._line(event.text)

    def _bar(self, p: Any) -> None:
        width = 24
        filled = int(width * p.done / p.total) if p.total else width
        eta = f" · ETA {_duration(p.eta)}" if p.eta is not None else ""
        name = os.path.basename(p.current)[:30]
        text = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} files · "
            f"{p.rate:.1f}/s{eta}{' · paused' if p.paused else ''} {name}"
        )
        self.stream.write(text.ljust(100)[:100])
        self.stream.flush()
        self._bar_shown = True

    def _line(self, text: str) -> None:
        if self._bar_shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self._bar_shown = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        with self._lock:
            if self._bar_shown:
                self.stream.write("\n")
                self._bar_shown = False

    def summary(self, documents: int, chunks: int) -> str:
        took = time.monotonic() - self.started
        failed = f", {self.failed} failed (see 'desktop-search status')" if self.failed else ""
        return (
            f"Indexed {self.indexed} files{failed} in {_duration(took)}. "
            f"The index holds {documents} documents, {chunks} passages."
        )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s"


# ---------------------------------------------------------------------------- search
def cmd_search(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine
    from desktop_search.core.errors import InvalidQueryError
    from desktop_search.core.models import SearchFilters

    if args.k < 1:
        raise InvalidQueryError("-k must be at least 1.")
    if sum(x is not None for x in (args.query, args.batch, args.like)) != 1:
        print(
            "desktop-search: give a QUERY, --batch FILE or --like PATH (one of them)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    filters = SearchFilters(
        folders=tuple(os.path.abspath(os.path.expanduser(f)) for f in args.folder),
        file_types=tuple(t.lower().lstrip(".") for t in args.type),
        modified_after=_date(args.after, "--after"),
        modified_before=_date(args.before, "--before", end_of_day=True),
    )
    if not paths.sqlite_file.exists():
        print(
            "desktop-search: nothing is indexed yet; run 'desktop-search index FOLDER' first.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    engine = Engine(paths, read_only=True)
    try:
        engine.load_model()
        if args.batch is not None:
            return _search_batch(engine, args, filters)
        if args.like is not None:
            results = engine.more_like_this(args.like, k=args.k)
        else:
            results = engine.search(args.query, k=args.k, mode=args.mode, filters=filters)
        if args.json:
            print(json.dumps([result_to_json(r) for r in results], ensure_ascii=False))
        else:
            _print_results(results, sys.stdout)
    finally:
        engine.close()
    return EXIT_OK


def _search_batch(engine: Any, args: argparse.Namespace, filters: Any) -> int:
    from desktop_search.core.errors import InvalidQueryError

    stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
    with stream:
        for line in stream:
            query = line.rstrip("\n")
            record: dict[str, Any] = {"query": query}
            results: list[Any] = []
            try:
                results = engine.search(query, k=args.k, mode=args.mode, filters=filters)
            except InvalidQueryError as exc:
                record["error"] = str(exc)
            record["results"] = [result_to_json(r) for r in results]
            if args.json:
                print(json.dumps(record, ensure_ascii=False), flush=False)
            else:
                print(f"# {query}")
                _print_results(results, sys.stdout)
    return EXIT_OK


def result_to_json(result: Any) -> dict[str, Any]:
    return {
        "path": result.path,
        "score": result.score,
        "title": result.title,
        "file_type": result.file_type,
        "modified": result.modified,
        "hits": [
            {
                "page": h.page,
                "snippet": h.snippet,
                "score": h.score,
                "highlights": [list(span) for span in h.highlights],
                "start": h.start,
                "end": h.end,
            }
            for h in result.hits
        ],
    }


def _print_results(results: Sequence[Any], out: TextIO) -> None:
    if not results:
        print("No matches.", file=out)
        return
    bold, dim, reset = ("\033[1m", "\033[2m", "\033[0m") if out.isatty() else ("", "", "")
    for number, result in enumerate(results, 1):
        print(f"{number:>2}. {bold}{result.title}{reset}", file=out)
        print(f"    {dim}{result.path}{reset}", file=out)
        for hit in result.hits:
            print(
                f"    p.{hit.page}: {_marked(hit.snippet, hit.highlights, bold, reset)}", file=out
            )
        print(file=out)


def _marked(snippet: str, highlights: Sequence[tuple[int, int]], on: str, off: str) -> str:
    if not on:
        on, off = "[", "]"
    out, last = [], 0
    for start, end in highlights:
        out += [snippet[last:start], on, snippet[start:end], off]
        last = end
    out.append(snippet[last:])
    return "".join(out)


def _date(text: str | None, flag: str, *, end_of_day: bool = False) -> float | None:
    from desktop_search.core.errors import InvalidQueryError

    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidQueryError(f"{flag} needs a date like 2024-05-31, not '{text}'.") from None
    stamp = moment.timestamp()
    return stamp + 86399.999 if end_of_day and len(text) <= 10 else stamp


# ---------------------------------------------------------------------------- status
def cmd_status(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine

    if not paths.sqlite_file.exists():
        status = None
    else:
        engine = Engine(paths, read_only=True)
        try:
            status = engine.status()
            indexing = _writer_active(paths)
        finally:
            engine.close()
    if status is None:
        from desktop_search.core.config import load_settings
        from desktop_search.core.embed.factory import describe, model_id_for

        data: dict[str, Any] = {
            "model": describe(model_id_for(load_settings(paths.config_file).model)),
            "documents": 0,
            "chunks": 0,
            "indexing": False,
            "folders": [],
            "failed": [],
            "partial": [],
            "home": str(paths.home),
        }
    else:
        data = asdict(status)
        data["indexing"] = indexing
        if not indexing:  # modes left behind by a process that did not close cleanly
            for folder in data["folders"]:
                folder["watch_mode"] = "off"
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    print(f"Index:     {data['home']}")
    print(f"Model:     {data['model']}")
    print(
        f"Documents: {data['documents']}   passages: {data['chunks']}"
        f"{'   (indexing now)' if data['indexing'] else ''}"
    )
    if not data["folders"]:
        print("No folders yet: run 'desktop-search index FOLDER'.")
    for folder in data["folders"]:
        problems = f", {folder['failed']} problems" if folder["failed"] else ""
        watching = "" if folder["watch_mode"] == "off" else f", watched: {folder['watch_mode']}"
        print(
            f"  {folder['path']}  [{folder['state']}{watching}] "
            f"{folder['documents']} documents{problems}"
        )
    if data["failed"]:
        print(f"Files that could not be indexed ({len(data['failed'])}):")
        for failed in data["failed"]:
            print(f"  {failed['path']}: {failed['reason']}")
    if data["partial"]:
        print(f"Files indexed only in part ({len(data['partial'])}):")
        for partial in data["partial"]:
            print(f"  {partial['path']}: {partial['reason']}")
    return EXIT_OK


def _writer_active(paths: Any) -> bool:
    """Whether another process holds the writer lock (i.e. an app or `watch` is running)."""
    from desktop_search.core.errors import IndexLockedError
    from desktop_search.core.storage.locking import WriterLock

    lock = WriterLock(paths.lock_file)
    try:
        lock.acquire()
    except IndexLockedError:
        return True
    lock.release()
    return False


# ---------------------------------------------------------------------------- remove / watch
def cmd_remove(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine

    engine = Engine(paths)
    try:
        engine.remove_folder(args.path)
        engine.wait_until_idle()
        print(f"Removed '{args.path}' and its entries from the index.", file=sys.stderr)
    finally:
        engine.close()
    return EXIT_OK


def cmd_watch(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine

    reporter = ProgressReporter(sys.stderr)
    engine = Engine(paths, on_event=reporter.on_event)
    stopped = _install_stop_handler(engine)
    try:
        engine.load_model()
        folders = engine.folders()
        if not folders:
            print(
                "No folders to watch yet: run 'desktop-search index FOLDER' first.", file=sys.stderr
            )
            return EXIT_ERROR
        engine.start_watching()
        print(f"Watching {len(folders)} folders; Ctrl+C to stop.", file=sys.stderr)
        while not stopped.wait(0.5):
            pass
    finally:
        engine.close()
    print("Stopped watching.", file=sys.stderr)
    return EXIT_OK


_COMMANDS = {
    "index": cmd_index,
    "search": cmd_search,
    "status": cmd_status,
    "remove": cmd_remove,
    "watch": cmd_watch,
    "rebuild": cmd_rebuild,
}

if __name__ == "__main__":
    raise SystemExit(main())
