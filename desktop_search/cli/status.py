"""The status command: model, counts, folders and every file that failed, as text or JSON.

The printing works on the status as a dict, whether the engine's record made it (here) or a
running engine sent it as JSON (the fast path, which imports this module: its imports are the
lightest).
"""

from __future__ import annotations

import json

from desktop_search.cli.exit_codes import EXIT_OK

# Annotations only (never evaluated): `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def cmd_status(args: argparse.Namespace, paths: Any) -> int:
    from dataclasses import asdict

    from desktop_search.cli.served import open_for_reading
    from desktop_search.core.service.client import ServedEngine

    if not paths.sqlite_file.exists():
        status = None
    else:
        engine = open_for_reading(paths)
        try:
            status = engine.status()
            # An engine that answers is the index's writer: the app or `watch` is running.
            indexing = isinstance(engine, ServedEngine) or _writer_active(paths)
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
        data = with_indexing(asdict(status), indexing)
    return print_status(data, as_json=args.json)


def with_indexing(data: dict[str, Any], indexing: bool) -> dict[str, Any]:
    """The status with whether the index's writer (the app or `watch`) runs now."""
    data["indexing"] = indexing
    if not indexing:  # modes left behind by a process that did not close cleanly
        for folder in data["folders"]:
            folder["watch_mode"] = "off"
    return data


def print_status(data: dict[str, Any], *, as_json: bool) -> int:
    """Print the status (a dict with the fields of core.models.IndexStatus) to stdout."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    print(f"Index:     {data['home']}")
    print(f"Model:     {data['model']}")
    print(
        f"Documents: {data['documents']}   passages: {data['chunks']}"
        f"{'   (indexing now)' if data['indexing'] else ''}"
    )
    done, total = data.get("meaning", (0, 0))
    if total:
        print(f"Meaning:   {done:,} of {total:,} passages have their meaning vector")
    read, scanned = data.get("scanned_pages", (0, 0))
    if scanned:
        print(f"Scans:     {read:,} of {scanned:,} scanned pages read by text recognition")
    if not data["folders"]:
        print("No folders yet: run 'desktop-search index FOLDER'.")
    for folder in data["folders"]:
        problems = f", {folder['failed']} problems" if folder["failed"] else ""
        watching = "" if folder["watch_mode"] == "off" else f", watched: {folder['watch_mode']}"
        print(
            f"  {folder['path']}  [{folder['state']}{watching}] "
            f"{folder['documents']} documents{problems}"
        )
        if folder["other_files"]:  # the records' module is read only when it has words to add
            from desktop_search.core.models import describe_other_files

            others = describe_other_files(folder["other_files"], folder["other_kinds"])
            print(f"    not indexed: {others}")
    if data["failed"]:
        from desktop_search.core.models import needs_password

        print(f"Files that could not be indexed ({len(data['failed'])}):")
        for failed in data["failed"]:
            print(f"  {failed['path']}: {failed['reason']}")
        if any(needs_password(failed["reason"]) for failed in data["failed"]):
            print("  (for a password-protected one: desktop-search unlock PATH)")
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
