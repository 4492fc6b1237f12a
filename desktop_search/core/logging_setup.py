"""Logging to a rotating file in the log folder; the console gets only what a person needs."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def setup_logging(log_file: Path, *, console_level: int | None = None) -> Path:
    """Send every log record to `log_file` (rotated at 2 MB, 3 kept). Returns the file's path."""
    # A log file that can't be written (full disk, read-only folder) must never print
    # "--- Logging error ---" tracebacks at the person.
    logging.raiseExceptions = False
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_desktop_search", False):
            root.removeHandler(handler)
            handler.close()
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        file_handler = logging.NullHandler()  # a read-only log folder must not stop the app
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler._desktop_search = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console_level is not None:
        console = logging.StreamHandler()
        console.setLevel(console_level)
        console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        console._desktop_search = True  # type: ignore[attr-defined]
        root.addHandler(console)
    quiet_chatty_libraries()
    return log_file


def quiet_chatty_libraries() -> None:
    """Chatty libraries stay at warnings even in the file."""
    for name in ("chromadb", "httpx", "urllib3", "sentence_transformers", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # transformers draws a "Loading weights" bar on stderr for every model load.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
