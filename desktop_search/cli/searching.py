"""The search command: one query, a batch file of queries, or documents like a given one.

Its answering and printing work on any engine whose results read like the engine's records:
the records themselves (here), or the JSON a running engine sent (the fast path, which
imports this module and must not pay for the records: the imports here are the lightest).
"""

from __future__ import annotations

import json
import os
import sys

from desktop_search.cli.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE

# Annotations only (never evaluated): `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any, TextIO

    from desktop_search.cli.fast_args import FastArgs

# Below this confidence a result is shown as weak: core.search.confidence.WEAK, which the GUI
# reads too. Copied, not imported: that module brings dataclasses and inspect with it, a sixth
# of a served text search's time. tests/cli/test_fast_args.py holds the two equal.
WEAK = 0.3

NOTHING_INDEXED = "desktop-search: nothing is indexed yet; run 'desktop-search index FOLDER' first."


def cmd_search(args: argparse.Namespace, paths: Any) -> int:
    from desktop_search.cli.served import open_for_reading
    from desktop_search.core.models import SearchFilters

    fields = filter_fields(args)
    if fields is None:
        return EXIT_USAGE
    filters = SearchFilters(**fields)
    if not paths.sqlite_file.exists():
        print(NOTHING_INDEXED, file=sys.stderr)
        return EXIT_ERROR
    # The running app's or `watch`'s engine when there is one (no model to load here).
    engine = open_for_reading(paths)
    try:
        return answer_search(engine, args, filters)
    finally:
        engine.close()


def filter_fields(args: argparse.Namespace | FastArgs) -> dict[str, Any] | None:
    """The fields of the search's SearchFilters, from its options; None (said on stderr) when
    the command does not name exactly one thing to search for.

    Raises:
        InvalidQueryError: -k below 1, or a date that is not one.
    """
    from desktop_search.core.errors import InvalidQueryError

    if args.k < 1:
        raise InvalidQueryError("-k must be at least 1.")
    if sum(x is not None for x in (args.query, args.batch, args.like)) != 1:
        print(
            "desktop-search: give a QUERY, --batch FILE or --like PATH (one of them)",
            file=sys.stderr,
        )
        return None
    return {
        "folders": tuple(os.path.abspath(os.path.expanduser(f)) for f in args.folder),
        "file_types": tuple(t.lower().lstrip(".") for t in args.type),
        "modified_after": _date(args.after, "--after"),
        "modified_before": _date(args.before, "--before", end_of_day=True),
    }


def answer_search(engine: Any, args: argparse.Namespace | FastArgs, filters: Any) -> int:
    """Run the search on an open engine and print its results (stdout) and notes."""
    engine.load_model()
    if args.batch is not None:
        return _search_batch(engine, args.batch, args, filters)
    if args.like is not None:
        results = engine.more_like_this(args.like, k=args.k)
    else:
        results = engine.search(args.query, k=args.k, mode=args.mode, filters=filters)
    if args.json:
        # The list stays the JSON contract; what the engine said about the query goes to
        # stderr, where a script that only reads results won't trip over it.
        _print_notes(results, sys.stderr, prefix="desktop-search: ")
        print(json.dumps([result_to_json(r) for r in results], ensure_ascii=False))
    else:
        _print_notes(results, sys.stdout)
        _print_results(results, sys.stdout)
    return EXIT_OK


def _search_batch(
    engine: Any, batch: str, args: argparse.Namespace | FastArgs, filters: Any
) -> int:
    """One query per line of `batch` (a file, or '-' for stdin), answered line by line."""
    from desktop_search.core.errors import InvalidQueryError

    stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8")  # noqa: SIM115
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
            record.update(notes_to_json(results))
            if args.json:
                print(json.dumps(record, ensure_ascii=False), flush=False)
            else:
                print(f"# {query}")
                _print_notes(results, sys.stdout)
                _print_results(results, sys.stdout)
    return EXIT_OK


def result_to_json(result: Any) -> dict[str, Any]:
    return {
        "path": result.path,
        "score": result.score,
        "confidence": result.confidence,
        "title": result.title,
        "file_type": result.file_type,
        "modified": result.modified,
        "size": result.size,
        "also_in": list(result.also_in),
        "hits": [
            {
                "page": h.page,
                "snippet": h.snippet,
                "score": h.score,
                "confidence": h.confidence,
                "highlights": [list(span) for span in h.highlights],
                "start": h.start,
                "end": h.end,
                "found_by": h.found_by,
                "matched_terms": list(h.matched_terms),
                "closest_sentence": h.closest_sentence,
            }
            for h in result.hits
        ],
    }


def notes_to_json(results: Any) -> dict[str, Any]:
    """The notes a search came back with, as keys of a --batch record."""
    return {
        "notes": list(getattr(results, "notes", ())),
        "suggestion": getattr(results, "suggestion", ""),
        "corrected_query": getattr(results, "corrected_query", ""),
    }


def _print_notes(results: Any, out: TextIO, prefix: str = "") -> None:
    """ "Did you mean …?" and the engine's notes, one a line (a blank line after, on stdout)."""
    notes = notes_to_json(results)
    lines = list(notes["notes"])
    if notes["suggestion"] and not notes["corrected_query"]:
        lines.insert(0, f"Did you mean: {notes['suggestion']}?")
    for line in lines:
        print(prefix + line, file=out)
    if lines and not prefix:
        print(file=out)


def _print_results(results: Sequence[Any], out: TextIO) -> None:
    from desktop_search.core.extract.formats import page_label

    if not results:
        print("No matches.", file=out)
        return
    bold, dim, reset = ("\033[1m", "\033[2m", "\033[0m") if out.isatty() else ("", "", "")
    for number, result in enumerate(results, 1):
        strength = f"{result.confidence:.0%}" + (" weak" if result.confidence < WEAK else "")
        print(f"{number:>2}. {bold}{result.title}{reset}  {dim}[{strength}]{reset}", file=out)
        print(f"    {dim}{result.path}{reset}", file=out)
        print(f"    {dim}{_details(result)}{reset}", file=out)
        for hit in result.hits:
            # As the window names it: "p. 12", "slide 3"; nothing where a "page" is only how
            # a text file or a mail was cut up for searching.
            where = page_label(result.path, hit.page)
            marked = _marked(hit.snippet, hit.highlights, bold, reset)
            print(f"    {where}: {marked}" if where else f"    {marked}", file=out)
            if hit.found_by == "meaning" and hit.closest_sentence:
                print(f"      {dim}found by meaning: “{hit.closest_sentence}”{reset}", file=out)
        print(file=out)


def _details(result: Any) -> str:
    """'modified 2024-05-03 · 1.2 MB · also in /other/folder'."""
    from datetime import datetime

    parts = []
    if result.modified:
        parts.append("modified " + datetime.fromtimestamp(result.modified).strftime("%Y-%m-%d"))
    if result.size:
        size, unit = float(result.size), "B"
        for unit in ("B", "KB", "MB", "GB"):
            if size < 1000 or unit == "GB":
                break
            size /= 1000
        parts.append(f"{size:.0f} {unit}" if unit == "B" or size >= 10 else f"{size:.1f} {unit}")
    parts += [f"also in {os.path.dirname(p)}" for p in result.also_in]
    return " · ".join(parts)


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
    if not text:
        return None
    from datetime import datetime

    from desktop_search.core.errors import InvalidQueryError

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidQueryError(f"{flag} needs a date like 2024-05-31, not '{text}'.") from None
    stamp = moment.timestamp()
    return stamp + 86399.999 if end_of_day and len(text) <= 10 else stamp
