"""Entry script of the packaged app: the `desktop-search` command, which opens the window when run
with no arguments (a double-click) and is the CLI otherwise."""

import multiprocessing
import sys

if __name__ == "__main__":
    # In a frozen app, worker processes started with "spawn"/"forkserver" re-run this binary;
    # PyInstaller's freeze_support() recognises them and runs the worker instead of main().
    multiprocessing.freeze_support()
    # The same function as the `desktop-search` console script in pyproject.toml.
    from desktop_search.launcher import main

    sys.exit(main())
