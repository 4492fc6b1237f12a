"""The `desktop-search` command: the desktop app with no command, the CLI otherwise.

Sits above both front ends so that neither imports the other. A `search` or `status` that a
running engine answers is done before the parser of every command is even imported
(cli/fast_path.py): for that command the process start is most of the time it takes.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from desktop_search.cli.fast_path import answer_if_served

    served = answer_if_served(sys.argv[1:] if argv is None else argv)
    if served is not None:
        return served
    from desktop_search.cli.main import build_parser, run

    args = build_parser().parse_args(argv)
    if args.command in (None, "gui"):
        from desktop_search.gui.app import main as gui_main

        return int(gui_main(args.home) or 0)
    return run(args)
