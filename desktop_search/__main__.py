"""`python -m desktop_search` runs the same entry point as the `desktop-search` command."""

from desktop_search.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
