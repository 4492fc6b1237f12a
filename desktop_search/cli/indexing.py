"""The commands that change the index: index, rebuild, remove and watch."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from desktop_search.cli.exit_codes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK
from desktop_search.cli.progress import ProgressReporter


def cmd_index(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.core.engine import Engine
    from desktop_search.core.errors import InvalidPathError
    from desktop_search.core.home import check_path

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
        if not args.quick:
            # Pass 2: every passage gets its meaning vector; Ctrl+C keeps what is done.
            while not interrupted.is_set() and not engine.wait_until_improved(0.2):
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
    from desktop_search.core.service.server import LocalServer

    reporter = ProgressReporter(sys.stderr)
    engine = Engine(paths, on_event=reporter.on_event)
    stopped = _install_stop_handler(engine)
    server = LocalServer(engine, paths.home)
    try:
        folders = engine.folders()
        if not folders:
            print(
                "No folders to watch yet: run 'desktop-search index FOLDER' first.", file=sys.stderr
            )
            return EXIT_ERROR
        # Other CLI commands (search, status, unlock) are answered by this engine meanwhile.
        server.start()
        engine.load_model()
        engine.start_watching()
        print(f"Watching {len(folders)} folders; Ctrl+C to stop.", file=sys.stderr)
        while not stopped.wait(0.5):
            pass
    finally:
        server.close()
        engine.close()
    print("Stopped watching.", file=sys.stderr)
    return EXIT_OK


def _install_stop_handler(engine: Any) -> threading.Event:
    stopped = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        stopped.set()
        engine.cancel()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return stopped
