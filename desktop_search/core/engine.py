"""One open home: settings, index, model, indexer, watcher and searcher behind one facade.

The CLI and the GUI both drive an Engine; neither touches the store or the model directly.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_search.core.api import EngineAPI
from desktop_search.core.config import Paths, Settings, load_settings, save_settings
from desktop_search.core.embed.base import Embedder
from desktop_search.core.embed.factory import describe, model_id_for
from desktop_search.core.engine_models import EngineModels
from desktop_search.core.engine_watching import FolderWatching
from desktop_search.core.errors import (
    DesktopSearchError,
    IndexLockedError,
    InvalidPathError,
    ModelError,
)
from desktop_search.core.extract.ocr import WordBox
from desktop_search.core.home import check_home, check_path, move_index_aside
from desktop_search.core.indexing.indexer import Indexer
from desktop_search.core.models import (
    FailedFile,
    FileInfo,
    FolderInfo,
    FolderState,
    IndexCheck,
    IndexEvent,
    IndexStatus,
    Message,
    PartialFile,
    SearchFilters,
    SearchResults,
)
from desktop_search.core.search.searcher import Searcher
from desktop_search.core.storage.consistency import check_index, recorded_files
from desktop_search.core.storage.index import INTERACTIVE_WRITE_PART, Index
from desktop_search.core.storage.locking import WriterLock
from desktop_search.core.storage.other_files import other_files

log = logging.getLogger(__name__)

EventCallback = Callable[[IndexEvent], None]


class Engine:
    """Facade over one index home.

    Thread-safety: `search`, `more_like_this`, `status` and `folders` may be called from any
    thread. Writes (indexing, removing, re-embedding) all run on the indexer's own worker thread;
    the methods that start them only queue work and return at once. `on_event` is called on that
    worker thread (never the caller's), with small frozen records from `core.models`.
    """

    def __init__(
        self,
        paths: Paths,
        settings: Settings | None = None,
        *,
        on_event: EventCallback | None = None,
        read_only: bool = False,
        interactive: bool = False,
    ) -> None:
        check_home(paths)
        self.paths = paths
        self._settings = settings or load_settings(paths.config_file)
        self.read_only = read_only
        self.locked_reason = ""  # an Engine opened read-only was asked to be
        self._on_event = on_event
        self._lock: WriterLock | None = None
        if not read_only:
            paths.home.mkdir(parents=True, exist_ok=True)
            self._lock = WriterLock(paths.lock_file)
            self._lock.acquire()
        try:
            self.index = Index(paths, self._settings, read_only=read_only)
            if interactive:
                self.index.vector_write_part = INTERACTIVE_WRITE_PART
            if not read_only:
                try:
                    self.index.repair()
                except BaseException:
                    self.index.close()
                    raise
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        self.models = EngineModels(
            self._settings,
            self._model_progress,
            self._after_fast_loaded,
            self._after_meaning_loaded,
            cache_dir=paths.cache_dir,
        )
        self.indexer = Indexer(
            self.index,
            self._settings,
            self.models.fast,
            self._emit,
            meaning_embedder=self.models.meaning_for_pass_two,
        )
        # A window's engine never makes a query wait for the meaning model to load (it loads
        # in the background); a one-off search (the CLI) loads it when there are its vectors.
        meaning_for_search = self.models.meaning_if_loaded if interactive else self._meaning_now
        self.searcher = Searcher(
            self.index,
            self.models.fast,
            meaning_for_search,
            self.indexer.meaning,
            spelling=self.index.keywords.suggest_spelling,
        )
        self._watching = FolderWatching(self.index, self.indexer, self._emit)
        self._closed = False
        self._loaders: list[threading.Thread] = []
        if not read_only:
            self._choose_meaning_model()
            if self.indexer.scans.pending():
                # Scanned pages a quit or a kill left unread are read in the background.
                self.indexer.read_scans_again()

    @classmethod
    def open(
        cls,
        home: str | Path | None = None,
        *,
        on_event: EventCallback | None = None,
        read_only: bool = False,
        interactive: bool = False,
    ) -> Engine:
        """Resolve paths, load settings, open (and repair) the index. Fast: no model load here.

        Raises IndexLockedError when another process writes this home (unless read_only),
        IndexCorruptError when the index can't be opened (see `rebuild`). `interactive`: a
        window is drawn by this process, so writes are cut finer to keep it responsive.
        """
        return cls(
            Paths.resolve(home), on_event=on_event, read_only=read_only, interactive=interactive
        )

    @staticmethod
    def rebuild(paths: Paths) -> tuple[Path, list[str]]:
        """Move a damaged index aside (never delete it) so a new one can start.

        Returns the folder it was moved to and the indexed folders that could still be read
        from it, so they can be added to the new index. Raises IndexLockedError while another
        process uses the index.
        """
        return move_index_aside(paths)

    def _emit(self, event: IndexEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    # ---- models ----
    def embedder(self) -> Embedder:
        """The meaning model, loading it on first use (blocking); raises ModelError."""
        return self.models.meaning()

    def fast_embedder(self) -> Embedder:
        """The fast model every passage's first pass uses, loading it on first use."""
        return self.models.fast()

    def _meaning_now(self) -> Embedder | None:
        if self.indexer.meaning.upto <= 0 or self.models.meaning_error is not None:
            return self.models.meaning_if_loaded()
        try:
            return self.models.meaning()
        except ModelError:
            return None  # said once where it was loaded; the fast vectors answer meanwhile

    def _model_progress(self, text: str, fraction: float | None) -> None:
        self._emit(Message(text if fraction is None else f"{text} {fraction:.0%}"))

    def _choose_meaning_model(self) -> None:
        """Pass 2 follows the settings: known by its id, so it can start before the model
        is loaded (the indexer loads it when it gets to work)."""
        if self.models.has_second_pass:
            self.indexer.meaning.start(model_id_for(self._settings.model))
            self.indexer.meaning.repair()
            self.indexer.improve()
        else:
            self.indexer.meaning.stop()

    def _after_fast_loaded(self, fast: Embedder) -> None:
        recorded = self.index.model_id
        if recorded is not None and recorded != fast.model_id and not self.read_only:
            # An index from before the two passes, whose only vectors were another model's.
            if self.index.counts()[1]:
                log.info("Index built with %s; first-pass vectors from %s", recorded, fast.model_id)
                self.indexer.reembed()
            else:
                self.index.set_meta("model", fast.model_id)

    def _after_meaning_loaded(self, meaning: Embedder) -> None:
        if not self.read_only and self.indexer.meaning.model_id != meaning.model_id:
            self.indexer.meaning.start(meaning.model_id)
            self.indexer.improve()

    def load_model(self) -> None:
        """Load the embedding model and warm the index up (call it off the GUI thread).

        The first query would otherwise pay for loading the vector index and the keyword
        index's pages (half a second on a large index).
        """
        fast = self.models.fast()
        try:
            self.index.vector_search(fast.embed_query("warm up"), 1)
            self.index.keyword_search('"warm"', 1)
        except Exception:  # noqa: BLE001 - warming is an optimisation, never a failure
            log.debug("Warm-up query failed", exc_info=True)
        if self.models.has_second_pass:
            # In the background: the first pass and fast-vector search need only the fast model.
            self._load_meaning_in_background()

    @property
    def model_ready(self) -> bool:
        return self.models.fast_loaded

    # ---- folders and indexing (non-blocking) ----
    def _require_writer(self) -> None:
        if self.read_only:
            raise IndexLockedError("This index was opened for searching only.")

    def add_folder(self, path: str | Path) -> None:
        """Remember a folder (or single file) and queue a scan of it. Raises InvalidPathError."""
        self._require_writer()
        resolved = check_path(path)
        self.index.add_folder(resolved)
        self.indexer.scan([resolved])
        self._watching.watch(resolved)

    def remove_folder(self, path: str | Path) -> None:
        """Forget a folder and queue the purge of its entries."""
        self._require_writer()
        target = os.path.abspath(os.path.expanduser(str(path)))
        known = self.index.folder_paths()
        if target not in known:
            real = os.path.realpath(target)
            if real not in known:
                raise InvalidPathError(f"'{path}' is not one of the indexed folders.")
            target = real
        self._watching.unwatch(target)
        self.indexer.remove_folder(target)

    def rescan(self) -> None:
        """Queue a scan of every folder (finds changes made while nothing was watching)."""
        self._require_writer()
        self.indexer.scan()

    def unlock(self, path: str | Path, password: str) -> None:
        """Open a password-protected document with `password`, keep the password in the
        system keyring (never in a file) and queue the document to be indexed again.

        Raises:
            InvalidPathError: The path is not a document of the index, needs no password, or
                is of a kind that can't be unlocked.
            WrongPasswordError: The password does not open it (see core.extract.passwords).
            KeyringUnavailableError: No system keyring can keep it; nothing was saved.
            ExtractionError: The document can't be opened at all (damaged, unreadable).
            IndexLockedError: This index was opened for searching only.
        """
        from desktop_search.core.extract import pymupdf_reader
        from desktop_search.core.extract.formats import format_of
        from desktop_search.core.extract.passwords import save_password

        self._require_writer()
        target = os.path.abspath(os.path.expanduser(str(path)))
        row = self.index.file_by_path(target) or self.index.file_by_path(os.path.realpath(target))
        if row is None:
            raise InvalidPathError(f"'{path}' is not in the index: add its folder first.")
        if not os.path.isfile(row.path):
            raise InvalidPathError(f"'{path}' is not there any more.")
        fmt = format_of(row.path)
        if fmt is None or fmt.reader != "pymupdf_reader":  # the one reader of locked documents
            raise InvalidPathError(
                f"'{os.path.basename(row.path)}' can't be unlocked: only PDFs (and the e-books "
                "and XPS files read the same way) can."
            )
        pymupdf_reader.check_password(row.path, password)
        save_password(row.path, password)
        # Its size and time are what the catalog has, so the next look would skip it: forget
        # when it was seen, and it is read again (the reader takes the password from the keyring).
        self.index.touch(row.path, row.size, -1.0)
        self.indexer.update_paths([row.path])

    def prepare_one_off_search(self) -> None:
        """Load what a one-off search (the CLI's own engine) would use: the fast model, and the
        meaning model when the index has its vectors. A CLI search served by a running engine
        calls this first, so it gets the answer the CLI would give on its own."""
        self.models.fast()
        self._meaning_now()

    def pause(self) -> None:
        self.indexer.pause()

    def resume(self) -> None:
        self.indexer.resume()

    def cancel(self) -> None:
        """Stop the current run between files; what was written stays written."""
        self.indexer.cancel()

    @property
    def paused(self) -> bool:
        return self.indexer.paused

    @property
    def busy(self) -> bool:
        return self.indexer.busy

    @property
    def alive(self) -> bool:
        return not self._closed

    def wait_until_improved(self, timeout: float | None = None) -> bool:
        """Block until both passes are done: every passage searchable by keywords and by its
        meaning vector. False on timeout (and while paused with work left)."""
        return self.indexer.wait_until_improved(timeout)

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Block until all queued work is done; False on timeout."""
        return self.indexer.wait_until_idle(timeout)

    @property
    def last_error(self) -> DesktopSearchError | None:
        """Why the last run of queued work stopped early (a full disk, a damaged store), in
        words a person can act on; None when it ran to its end. Read it once idle."""
        return self.indexer.last_error

    def start_watching(self) -> None:
        """Follow every folder's changes live (watchdog), after a reconcile scan."""
        self._require_writer()
        self._watching.start(self._settings)

    def stop_watching(self) -> None:
        self._watching.stop()

    def watch_modes(self) -> dict[str, str]:
        """Folder -> "live", "polling" or "unavailable" (see FolderWatching.modes)."""
        return self._watching.modes(self.read_only)

    # ---- queries (any thread) ----
    def search(
        self,
        query: str,
        *,
        k: int = 20,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> SearchResults:
        """Documents best first, each with its best passages. mode: hybrid|semantic|keyword.

        The list also carries what the person should know about the query (see
        SearchResults): notes, a spelling from the index's own words, the corrected query
        when that ran instead. Raises InvalidQueryError for an empty query.
        """
        return self.searcher.search(query, k=k, mode=mode, filters=filters)

    def more_like_this(self, path: str | Path, *, k: int = 20) -> SearchResults:
        """Documents similar to an indexed document (the document itself left out)."""
        return self.searcher.more_like_this(os.path.abspath(str(path)), k=k)

    def status(self) -> IndexStatus:
        documents, chunks = self.index.counts()
        return IndexStatus(
            model=describe(model_id_for(self._settings.model)),
            documents=documents,
            chunks=chunks,
            indexing=self.busy,
            folders=tuple(self.folders()),
            failed=tuple(FailedFile(p, r) for p, r in self.index.failed_files()),
            partial=tuple(PartialFile(p, r) for p, r in self.index.partial_files()),
            home=str(self.paths.home),
            meaning=self.indexer.meaning.progress(),
            scanned_pages=self.indexer.scans.progress(),
        )

    def page_words(self, path: str, page: int) -> tuple[WordBox, ...]:
        """Where text recognition found each word on a scanned page (page units, as a
        preview draws the page at zoom 1), so a hit there can be highlighted; () when the page
        has a text layer of its own or was not read."""
        return self.indexer.scans.words(os.path.abspath(path), page)

    def folders(self) -> list[FolderInfo]:
        modes = self.watch_modes()
        others = other_files(self.index.catalog)
        out = []
        for path, state, documents, failed in self.index.folder_rows():
            if state != FolderState.UNAVAILABLE.value and not os.path.exists(path):
                state = FolderState.UNAVAILABLE.value
            other_count, other_kinds = others.get(path, (0, ()))
            out.append(
                FolderInfo(
                    path,
                    state,
                    documents,
                    failed,
                    modes.get(path, "off"),
                    other_files=other_count,
                    other_kinds=other_kinds,
                )
            )
        return out

    def files(self) -> list[FileInfo]:
        """Every file the index records under its folders, by path: indexed, failed with its
        reason, or caught mid-write (until the next writable open repairs it)."""
        return recorded_files(self.index)

    def check_consistency(self) -> IndexCheck:
        """Compare the catalog, the stored passages, the keyword index and the vectors.

        This reads the whole index: meant for checks after a crash and for benchmarks, not for
        a status line. A writable open repairs first.

        Returns:
            The counts, and a problem line for each disagreement (none when the index is whole).
        """
        return check_index(self.index)

    # ---- settings ----
    @property
    def settings(self) -> Settings:
        return self._settings

    def apply_settings(self, settings: Settings) -> None:
        """Validate and save; a new model gives every passage its meaning vector again in the
        background (from stored text); new excludes/chunk size queue a rescan."""
        settings.validate()
        old = self._settings
        save_settings(settings, self.paths.config_file)
        self._settings = settings
        self.indexer.settings = settings
        self.index.settings = settings
        self._watching.follow_settings(settings)
        if self.models.change(settings) and not self.read_only:
            # Pass 2 starts over with the new model; the fast vectors answer meanwhile.
            self._choose_meaning_model()
            self._load_meaning_in_background()
        if (settings.chunk_chars, settings.chunk_overlap) != (old.chunk_chars, old.chunk_overlap):
            self.indexer.reset_pool()
        store_keys = ("chroma_host", "chroma_port")
        new_store = any(getattr(settings, k) != getattr(old, k) for k in store_keys)
        if new_store and not self.read_only and self.index.counts()[1]:
            # The index now writes to another vector store, which may not hold this index's
            # vectors: write them there from the stored passages (no file is read again).
            self.indexer.reembed(refill=True)
            if self.models.has_second_pass:
                self.indexer.meaning.restart()
                self.indexer.improve()
        rescan_keys = ("excludes", "include_hidden", "max_file_mb")
        if any(getattr(settings, k) != getattr(old, k) for k in rescan_keys) and not self.read_only:
            self.indexer.scan()
        ocr_keys = ("ocr", "ocr_languages")
        if any(getattr(settings, k) != getattr(old, k) for k in ocr_keys) and not self.read_only:
            self.indexer.read_scans_again()

    def check_model(self, model: str, device: str = "auto") -> str:
        """Load the model a settings `model` value names, once, to see that it works here
        (a settings dialog asks before it saves); returns its short name.

        The model in use answers at once. Any other is loaded (downloaded where a network
        allows, with progress messages), asked to embed one sentence, and let go.

        Raises:
            ModelError: It can't be used here: not installed, no network for the download,
                a folder without a model... in words a person can act on.
        """
        from desktop_search.core.embed.factory import load_embedder

        current = (self._settings.model, self._settings.device) == (model, device)
        if current and self.models.meaning_if_loaded() is not None:
            return describe(model_id_for(model))
        embedder = load_embedder(model, device, self._model_progress)
        try:
            embedder.embed_query("Is this model working?")
        finally:
            close = getattr(embedder, "close", None)  # some backends work in the background
            if close is not None:
                close()
        return describe(embedder.model_id)

    def _load_meaning_in_background(self) -> None:
        # Joined by close(): a model still loading or warming in native code when the
        # interpreter exits aborts the process ("terminate called without an active exception").
        loader = threading.Thread(target=self._load_quietly, name="meaning-model-loader")
        self._loaders.append(loader)
        loader.start()

    def _load_quietly(self) -> None:
        try:
            self.models.meaning().embed_query("warm up")
        except ModelError as exc:
            # Search goes on with the fast vectors; the person is told why it is weaker.
            self._emit(Message(f"Search by meaning is not available: {exc}", "error"))

    # ---- lifetime ----
    def close(self, timeout: float = 10.0) -> None:
        """Stop watching, finish or abandon the current batch cleanly, release the writer lock."""
        if self._closed:
            return
        self._closed = True
        for loader in self._loaders:
            loader.join()
        self.stop_watching()
        self.indexer.shutdown(timeout)
        self.searcher.close()
        self.models.close()
        self.index.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if TYPE_CHECKING:
    _checked: type[EngineAPI] = Engine  # mypy proves it satisfies the protocol
