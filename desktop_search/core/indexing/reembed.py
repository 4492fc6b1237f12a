"""A new model: re-embed every stored passage from its stored text, without re-extracting."""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop_search.core.embed.base import Embedder
from desktop_search.core.indexing.pause_gate import PauseGate
from desktop_search.core.indexing.progress import ProgressMeter
from desktop_search.core.models import IndexEvent, Message
from desktop_search.core.storage.index import Index


def reembed(
    index: Index,
    embedder: Embedder,
    *,
    batch_chunks: int,
    emit: Callable[[IndexEvent], None],
    pause: PauseGate,
    cancel: threading.Event,
    refill: bool = False,
    hold: Callable[[], None] | None = None,
) -> None:
    """Build the new model's vectors beside the old ones, then switch the index over.

    The old vectors answer queries until the switch; a cancelled run leaves them in place and
    starts again next time (its half-built collection is dropped first). `refill`: the model
    is the same but the vector store is new (another Chroma server), so every vector is
    written again. While `pause` is set, `hold()` parks before the next embedding or write
    (cancel resumes).
    """
    old = index.model_id
    if old == embedder.model_id and not refill:
        return
    emit(Message(f"Re-embedding stored passages with {embedder.model_id}…"))
    index.drop_collection(embedder.model_id)  # a half-done earlier attempt
    total = index.counts()[1]
    done = 0
    progress = ProgressMeter(total, emit, pause.is_set, pause.paused_seconds)
    park = hold or (lambda: pause.park("indexer"))

    def cancelled() -> bool:
        # Parks while paused first: cancel resumes, so a cancelled pause ends here too.
        if pause.is_set():
            park()
        if not cancel.is_set():
            return False
        emit(Message("Re-embedding stopped; it starts again next time.", "warning"))
        return True

    for rows in index.iter_chunk_batches(batch_chunks):
        # Looked at before the embedding and again before the write: a pause that came while
        # the batch was embedded holds it (embedded, not written) until the resume.
        if cancelled():
            return
        vectors = embedder.embed_documents([r[3] for r in rows])
        if cancelled():
            return
        index.add_vectors(embedder.model_id, rows, vectors)
        done += len(rows)
        progress.update(done, 0, "", chunks=done)
    index.set_meta("model", embedder.model_id)
    if old and old != embedder.model_id:
        index.drop_collection(old)
    progress.update(done, 0, "", force=True, chunks=done)
