"""The whole command line: every command's parser, and running the parsed command.

Each command's module is imported when that command runs, so `--help` reads no command's code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop_search import __version__
from desktop_search.cli.exit_codes import EXIT_ERROR, EXIT_USAGE


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
    p.add_argument(
        "--quick",
        action="store_true",
        help="stop after the first pass (keywords and fast vectors); the meaning vectors are "
        "added the next time the app, 'watch' or 'index' runs",
    )

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

    p = sub.add_parser(
        "unlock",
        help="index a password-protected document: asks for its password (kept only in the "
        "system keyring)",
    )
    p.add_argument("path", metavar="PATH")

    sub.add_parser(
        "watch",
        help="index, then follow changes until interrupted (other commands are answered by it "
        "meanwhile)",
    )
    sub.add_parser(
        "rebuild", help="move a damaged index aside (kept, not deleted) and index its folders anew"
    )
    sub.add_parser("gui", help="open the desktop app (the default)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a CLI command (the `desktop-search` entry point also opens the app; see launcher)."""
    from desktop_search.cli.fast_path import answer_if_served

    served = answer_if_served(sys.argv[1:] if argv is None else argv)
    if served is not None:
        return served
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        print("desktop-search: use the 'desktop-search' command to open the app", file=sys.stderr)
        return EXIT_USAGE
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run the parsed non-GUI command; errors become one line on stderr and a non-zero exit."""
    import logging

    from desktop_search.cli.failure import exit_status
    from desktop_search.core.config import Paths
    from desktop_search.core.errors import DesktopSearchError
    from desktop_search.core.home import check_home
    from desktop_search.core.logging_setup import setup_logging

    paths = Paths.resolve(args.home)
    try:
        check_home(paths)
    except DesktopSearchError as exc:
        print(f"desktop-search: {exc}", file=sys.stderr)
        return EXIT_ERROR
    log_file = setup_logging(paths.log_file, console_level=logging.INFO if args.verbose else None)
    module, name = _COMMANDS[args.command]
    try:
        handler = getattr(importlib.import_module(f"desktop_search.cli.{module}"), name)
        return handler(args, paths)  # type: ignore[no-any-return]
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - each said in one line
        return exit_status(exc, args.command, paths.home, lambda: log_file)


# command: (module in desktop_search.cli, function), imported only when the command runs.
_COMMANDS: dict[str, tuple[str, str]] = {
    "index": ("indexing", "cmd_index"),
    "search": ("searching", "cmd_search"),
    "status": ("status", "cmd_status"),
    "remove": ("indexing", "cmd_remove"),
    "watch": ("indexing", "cmd_watch"),
    "unlock": ("unlocking", "cmd_unlock"),
    "rebuild": ("indexing", "cmd_rebuild"),
}
