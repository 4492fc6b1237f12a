"""The engine's two models: the fast one that gives every passage its first-pass vector at once,
and the meaning model (the settings' choice, by default the bundled transformer) that pass 2 and
queries use. Each is loaded on first use, once, whichever thread asks first."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from desktop_search.core.config import Settings
from desktop_search.core.embed.base import Embedder, ProgressCallback
from desktop_search.core.embed.factory import is_fast, load_embedder, load_fast_embedder
from desktop_search.core.errors import ModelError

log = logging.getLogger(__name__)


class EngineModels:
    """Lazily loaded fast and meaning models for one engine; thread-safe."""

    def __init__(
        self,
        settings: Settings,
        progress: ProgressCallback,
        on_fast_loaded: Callable[[Embedder], None],
        on_meaning_loaded: Callable[[Embedder], None],
        cache_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self._cache_dir = cache_dir  # where the meaning model may keep a faster export
        self._progress = progress
        self._on_fast_loaded = on_fast_loaded
        self._on_meaning_loaded = on_meaning_loaded
        self._lock = threading.Lock()
        self._fast: Embedder | None = None
        self._meaning: Embedder | None = None
        self.meaning_error: ModelError | None = None

    @property
    def fast_loaded(self) -> bool:
        return self._fast is not None

    @property
    def has_second_pass(self) -> bool:
        return not is_fast(self.settings.model)

    def fast(self) -> Embedder:
        """The fast model (loading it on first use, blocking)."""
        if self._fast is None:
            with self._lock:
                if self._fast is None:
                    fast = load_fast_embedder()
                    self._on_fast_loaded(fast)
                    self._fast = fast
        return self._fast

    def meaning(self) -> Embedder:
        """The meaning model (loading it on first use, blocking); the fast model when that is
        the one chosen. Raises ModelError when it can't be loaded."""
        if not self.has_second_pass:
            return self.fast()
        if self._meaning is None:
            with self._lock:
                if self._meaning is None:
                    try:
                        meaning = load_embedder(
                            self.settings.model,
                            self.settings.device,
                            self._progress,
                            self._cache_dir,
                        )
                    except ModelError as exc:
                        self.meaning_error = exc
                        raise
                    self.meaning_error = None
                    self._on_meaning_loaded(meaning)
                    self._meaning = meaning
        return self._meaning

    def meaning_for_pass_two(self) -> Embedder | None:
        """What pass 2 embeds with: None when there is no second pass."""
        return self.meaning() if self.has_second_pass else None

    def meaning_if_loaded(self) -> Embedder | None:
        """The meaning model when it is loaded already (a query never waits for a load)."""
        return self._meaning

    def change(self, settings: Settings) -> bool:
        """New settings; True when the meaning model must be loaded again."""
        old, self.settings = self.settings, settings
        if (settings.model, settings.device) == (old.model, old.device):
            return False
        with self._lock:
            _close(self._meaning)
            self._meaning = None
            self.meaning_error = None
        return True

    def close(self) -> None:
        """Stop what a model still does in the background (an export to a faster backend)."""
        with self._lock:
            _close(self._meaning)


def _close(embedder: Embedder | None) -> None:
    close = getattr(embedder, "close", None)  # only some backends have background work
    if close is not None:
        close()
