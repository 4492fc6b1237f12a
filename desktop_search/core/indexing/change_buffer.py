"""Changed paths waiting to settle before they are handed to the indexer (pure logic)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

# A path that keeps changing (a log being appended to, a slow copy) is held back at a forced
# flush while it is still changing, but never longer than this many times `max_delay_s`.
HOLD_FACTOR = 5.0


class ChangeBuffer:
    """Changed paths waiting to settle (pure logic; the caller passes the time and locks).

    All pending paths are released once nothing changed for `settle_s`. Under a steady stream
    of changes, `max_delay_s` after the oldest pending change the paths that have settled are
    released anyway; a path still changing is held back (up to HOLD_FACTOR * max_delay_s).
    Paths added together (a move's source and destination) are always released together.
    """

    def __init__(self, settle_s: float, max_delay_s: float) -> None:
        self.settle_s = settle_s
        self.max_delay_s = max_delay_s
        self.hold_s = max_delay_s * HOLD_FACTOR
        self._seen: dict[str, tuple[float, float]] = {}  # path -> (first change, last change)
        self._links: dict[str, set[str]] = {}
        self._last_any = 0.0

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, paths: Sequence[str], now: float) -> None:
        for path in paths:
            first = self._seen[path][0] if path in self._seen else now
            self._seen[path] = (first, now)
        if len(paths) > 1:
            for path in paths:
                self._links.setdefault(path, set()).update(p for p in paths if p != path)
        self._last_any = now

    def discard_under(self, folder: str) -> None:
        prefix = folder.rstrip(os.sep) + os.sep
        for path in [p for p in self._seen if p == folder or p.startswith(prefix)]:
            self._drop(path)

    def take_due(self, now: float) -> list[str]:
        """Paths to hand over now, ancestors only (a folder stands for everything below it)."""
        if not self._seen:
            return []
        if now - self._last_any >= self.settle_s:
            taken = list(self._seen)
        elif now - min(first for first, _ in self._seen.values()) >= self.max_delay_s:
            taken = [p for group in self._groups() if self._group_due(group, now) for p in group]
        else:
            return []
        for path in taken:
            self._drop(path)
        return collapse_paths(taken)

    def next_due(self, now: float) -> float | None:
        """When `take_due` may next return something (None: nothing pending)."""
        if not self._seen:
            return None
        quiet_at = self._last_any + self.settle_s
        overdue_at = min(first for first, _ in self._seen.values()) + self.max_delay_s
        if overdue_at > now:
            return min(quiet_at, overdue_at)
        return min([quiet_at] + [self._group_due_at(group) for group in self._groups()])

    def _group_due_at(self, group: list[str]) -> float:
        settled_at = max(self._seen[p][1] for p in group) + self.settle_s
        held_until = min(self._seen[p][0] for p in group) + self.hold_s
        return min(settled_at, held_until)

    def _group_due(self, group: list[str], now: float) -> bool:
        return self._group_due_at(group) <= now

    def _groups(self) -> list[list[str]]:
        groups, placed = [], set()
        for start in self._seen:
            if start in placed:
                continue
            group, stack = [], [start]
            placed.add(start)
            while stack:
                path = stack.pop()
                group.append(path)
                for other in self._links.get(path, ()):
                    if other not in placed and other in self._seen:
                        placed.add(other)
                        stack.append(other)
            groups.append(group)
        return groups

    def _drop(self, path: str) -> None:
        self._seen.pop(path, None)
        for other in self._links.pop(path, ()):
            partners = self._links.get(other)
            if partners is not None:
                partners.discard(path)
                if not partners:
                    del self._links[other]


def collapse_paths(paths: Iterable[str]) -> list[str]:
    """Sorted, without duplicates and without paths that lie below another path of the set."""
    unique = set(paths)
    out = []
    for path in sorted(unique):
        parent, child = os.path.dirname(path), path
        while parent != child and parent not in unique:
            parent, child = os.path.dirname(parent), parent
        if parent == child:  # reached the top without meeting another path of the set
            out.append(path)
    return out
