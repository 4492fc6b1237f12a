"""Both vector stores keep the same contract: embedded Chroma and a Chroma server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import IndexCorruptError
from desktop_search.core.storage.chroma_embedded import EmbeddedChromaStore
from desktop_search.core.storage.chroma_server import ServerChromaStore
from desktop_search.core.storage.records import PassageKeys
from desktop_search.core.storage.vector_store import VectorStore, open_vector_store
from tests.core.storage.conftest import LOOPBACK, MODEL, unit_vectors


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, isolated_home: Path) -> Iterator[VectorStore]:
    settings = Settings()
    if request.param == "server":
        request.getfixturevalue("loopback_only")
        server = request.getfixturevalue("chroma_server")
        settings = dataclasses.replace(settings, chroma_host=LOOPBACK, chroma_port=server.port)
    opened = open_vector_store(Paths.resolve(isolated_home), settings)
    expected = ServerChromaStore if request.param == "server" else EmbeddedChromaStore
    assert isinstance(opened, expected)
    yield opened
    opened.drop(MODEL)  # the server outlives the test
    opened.close()


def test_add_query_delete_and_drop(store: VectorStore) -> None:
    vectors = unit_vectors(4)
    store.add(MODEL, PassageKeys([1, 2, 3, 4], [10, 10, 20, 20], [1, 2, 1, 1]), vectors, 3)
    assert store.count(MODEL) == 4 and store.ids(MODEL) == {1, 2, 3, 4}
    assert np.allclose(store.vectors(MODEL, [3]), vectors[2:3], atol=1e-5)

    nearest = store.query(MODEL, vectors[2], 2, None)
    assert nearest[0][:2] == (3, 20) and nearest[0][2] == pytest.approx(1.0, abs=1e-4)
    assert {hit[1] for hit in store.query(MODEL, vectors[2], 4, [10])} == {10}
    assert store.query(MODEL, vectors[2], 4, []) == []

    store.delete(MODEL, [3, 99])  # an unknown id is no error
    assert store.ids(MODEL) == {1, 2, 4}
    store.drop(MODEL)
    assert store.count(MODEL) == 0
    store.drop(MODEL)  # already gone is fine


def test_a_store_reconnects_after_close(store: VectorStore) -> None:
    store.add(MODEL, PassageKeys([1], [10], [1]), unit_vectors(1), 100)
    store.close()
    assert store.ids(MODEL) == {1}


def test_an_unreadable_embedded_store_says_rebuild(isolated_home: Path) -> None:
    paths = Paths.resolve(isolated_home)
    paths.home.mkdir(parents=True, exist_ok=True)
    paths.chroma_dir.write_text("a file where the store's folder should be")
    store = EmbeddedChromaStore(paths)
    with pytest.raises(IndexCorruptError, match="Rebuild"):
        store.count(MODEL)
    store.close()
    assert not store.has_data_on_disk()
