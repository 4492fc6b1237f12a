"""Why this passage: for a passage found by meaning, its sentence nearest to the question.

The sentences are compared with the fast model: it embeds a few hundred short sentences in a
few milliseconds, where the transformer would make every query wait; it only has to say which
sentence of an already-found passage is nearest, not find the passage.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from desktop_search.core.embed.base import Embedder
from desktop_search.core.search.snippets import sentences

# A passage of one sentence needs no comparison; past this many, only the first are compared
# (a passage is about 900 characters, so this is rarely reached).
MAX_SENTENCES_PER_PASSAGE = 24


def closest_sentences(
    embedder: Embedder, question: str, texts: Mapping[int, str]
) -> dict[int, tuple[int, int]]:
    """passage id -> (start, end) in its text of the sentence nearest to `question`."""
    spans: dict[int, list[tuple[int, int]]] = {}
    batch: list[str] = []
    for chunk_id, text in texts.items():
        found = sentences(text)[:MAX_SENTENCES_PER_PASSAGE] or [(0, len(text))]
        spans[chunk_id] = found
        if len(found) > 1:
            batch.extend(text[s:e] for s, e in found)
    out = {cid: found[0] for cid, found in spans.items() if len(found) == 1}
    if not batch:
        return out
    vectors = embedder.embed_documents(batch)
    closeness = vectors @ embedder.embed_query(question)
    row = 0
    for chunk_id, found in spans.items():
        if len(found) == 1:
            continue
        scores = closeness[row : row + len(found)]
        out[chunk_id] = found[int(np.argmax(scores))]
        row += len(found)
    return out
