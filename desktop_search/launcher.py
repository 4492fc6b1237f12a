"""The `desktop-search` command: the desktop app with no command, the CLI otherwise.

Sits above both front ends so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_search import cli


def main(argv: Sequence[str] | None = None) -> int:
    args = cli.build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from desktop_search.gui.app import main as gui_main

        return int(gui_main(args.home) or 0)
    return cli.run(args)
