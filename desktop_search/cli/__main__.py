"""`python -m desktop_search.cli` runs the CLI alone (no desktop app)."""

from desktop_search.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
