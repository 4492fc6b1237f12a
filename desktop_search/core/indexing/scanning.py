"""Walking folders: which files are candidates, honouring hidden files and exclude rules, and
how many files of kinds that are not indexed were passed over (nothing is skipped in silence)."""

from __future__ import annotations

import fnmatch
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_search.core.extract.formats import file_type, is_supported

if TYPE_CHECKING:
    from desktop_search.core.config import Settings

log = logging.getLogger(__name__)

DEFAULT_EXCLUDED_DIRS = frozenset({".git", "node_modules", "__pycache__", ".hg", ".svn"})
# Editors' and browsers' in-progress files: never worth indexing, often gone a second later.
TEMPORARY_PATTERNS = ("~$*", ".~lock*", "*.part", "*.crdownload", ".*.swp", "*.tmp", "*~")


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime: float
    file_type: str


def is_temporary(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TEMPORARY_PATTERNS)


class ExcludeRules:
    """Hidden files, default folders and the person's .gitignore-style patterns.

    The one set of ignore rules: scans, the indexer's follow-up of changed paths and the
    watcher all ask it, so what a scan skips is never queued by the watcher either.
    """

    def __init__(self, patterns: Iterable[str] = (), include_hidden: bool = False) -> None:
        import pathspec

        self.patterns = tuple(p for p in patterns if p.strip())
        self.include_hidden = include_hidden
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    @classmethod
    def for_settings(cls, settings: Settings) -> ExcludeRules:
        return cls(settings.excludes, settings.include_hidden)

    def skip_dir(self, name: str, relative: str) -> bool:
        if name in DEFAULT_EXCLUDED_DIRS:
            return True
        if name.startswith(".") and not self.include_hidden:
            return True
        return bool(self.patterns) and self._spec.match_file(relative + "/")

    def skip_file(self, name: str, relative: str) -> bool:
        return self.excludes_file(name, relative) or not is_supported(name)

    def excludes_file(self, name: str, relative: str) -> bool:
        """Left out by choice (hidden, temporary, or matching a pattern), whatever its kind:
        such a file is not counted among the files of other kinds."""
        if name.startswith(".") and not self.include_hidden:
            return True
        if is_temporary(name):
            return True
        return bool(self.patterns) and self._spec.match_file(relative)

    def skips_path(self, root: str, path: str, *, is_dir: bool = False) -> bool:
        """Whether a path below `root` is excluded (checks every folder on the way).

        `root` itself is never excluded; a path outside it always is.
        """
        relative = os.path.relpath(path, root)
        if relative == os.curdir:
            return False
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return True
        parts = relative.split(os.sep)
        for i, part in enumerate(parts if is_dir else parts[:-1]):
            if self.skip_dir(part, "/".join(parts[: i + 1])):
                return True
        return not is_dir and self.skip_file(parts[-1], "/".join(parts))


def walk(
    root: str,
    rules: ExcludeRules,
    errors: list[tuple[str, str]] | None = None,
    *,
    base: str | None = None,
    others: Counter[str] | None = None,
) -> Iterator[FoundFile]:
    """Every indexable file below `root` (or `root` itself when it is a file).

    The person's patterns are matched relative to `base`, the indexed folder (default:
    `root`), so walking one of its subfolders skips what a scan of the whole folder skips.
    Symbolic links to folders are followed once: a link loop is noticed and reported.
    What can't be read (folders, files, names that are not valid UTF-8) is reported in
    `errors` as (path, reason) and skipped; the walk goes on. Files of kinds that are not
    indexed, and not excluded, are counted in `others` by extension ('' for none).
    """
    report = errors.append if errors is not None else (lambda item: None)
    base = root if base is None else base
    if os.path.isfile(root):
        found = _found(root)
        if isinstance(found, str):
            report((root, found))
        elif is_supported(root):
            yield found
        return
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            key = (info.st_dev, info.st_ino)
            if key in seen:
                report((folder, "a link loops back to a folder already scanned"))
                continue
            seen.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            report((folder, f"the folder can't be opened ({exc.strerror or exc})"))
            continue
        subdirs = []
        for entry in entries:
            if not _utf8(entry.path):
                report(
                    (printable(entry.path), "its name is not valid UTF-8 (rename it to index it)")
                )
                continue
            relative = os.path.relpath(entry.path, base).replace(os.sep, "/")
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                report((entry.path, f"it can't be read ({exc.strerror or exc})"))
                continue
            if is_dir:
                if not rules.skip_dir(entry.name, relative):
                    subdirs.append(entry.path)
            elif rules.excludes_file(entry.name, relative):
                continue
            elif not is_supported(entry.name):
                if others is not None:
                    others[file_type(entry.name)] += 1
            else:
                found = _found(entry.path)
                if isinstance(found, str):
                    report((entry.path, found))
                else:
                    yield found
        stack.extend(sorted(subdirs, reverse=True))


def owning_folder(path: str, folders: Iterable[str]) -> str | None:
    """The innermost of `folders` that holds `path` (or is it); None when none does."""
    best = None
    for folder in folders:
        inside = path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
        if inside and (best is None or len(folder) > len(best)):
            best = folder
    return best


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(path: str) -> str:
    """A path fit to show and store: undecodable bytes written as \\xNN escapes."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _found(path: str) -> FoundFile | str:
    """The file's record, or the reason it can't be read."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "it disappeared while the folder was being scanned"
    except OSError as exc:
        return f"it can't be read ({exc.strerror or exc})"
    if not os.path.isfile(path):
        return "it is not a regular file"
    return FoundFile(path=path, size=info.st_size, mtime=info.st_mtime, file_type=file_type(path))
