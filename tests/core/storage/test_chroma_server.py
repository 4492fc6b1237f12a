"""The index with its vectors on a real Chroma server (`chroma run` on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from desktop_search.core.config import Paths, Settings
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.storage.chroma_common import collection_name
from desktop_search.core.storage.chroma_embedded import EmbeddedChromaStore
from desktop_search.core.storage.chroma_server import ServerChromaStore
from desktop_search.core.storage.index import Index
from desktop_search.core.storage.records import PassageKeys
from tests.core.storage.conftest import (
    LOOPBACK,
    MODEL,
    ChromaServer,
    free_port,
    make_doc,
    unit_vectors,
)

pytestmark = pytest.mark.usefixtures("loopback_only")


def server_settings(port: int, token: str = "") -> Settings:
    return dataclasses.replace(
        Settings(), chroma_host=LOOPBACK, chroma_port=port, chroma_token=token
    )


@pytest.fixture
def model_id(request: pytest.FixtureRequest) -> str:
    """A model id (so a collection) of this test's own on the shared server."""
    return f"{MODEL}-{request.node.name}"


@pytest.fixture
def open_index(isolated_home: Path) -> Iterator[Any]:
    """Open Indexes on the test's home; all are closed at the end."""
    opened: list[Index] = []

    def open_one(settings: Settings, model_id: str) -> Index:
        ix = Index(Paths.resolve(isolated_home), settings)
        opened.append(ix)
        ix.set_meta("model", model_id)
        return ix

    yield open_one
    for ix in opened:
        ix.close()


def server_count(server: ChromaServer, model_id: str) -> int:
    """How many vectors the server holds for a model, asked by a client of the test's own."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(
        host=LOOPBACK, port=server.port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    try:
        return int(client.get_collection(collection_name(model_id)).count())
    finally:
        client.close()


def test_write_search_delete_keep_vectors_on_the_server_only(
    chroma_server: ChromaServer, open_index: Any, model_id: str, isolated_home: Path
) -> None:
    ix = open_index(server_settings(chroma_server.port), model_id)
    vectors = unit_vectors(5)
    ix.write_documents(
        [make_doc("/f/a.pdf", 3), make_doc("/f/b.pdf", 2, "beta")], vectors, model_id
    )
    counts = ix.check_consistency()
    assert counts["chunks"] == counts["fts_rows"] == counts["vectors"] == 5
    assert server_count(chroma_server, model_id) == 5
    paths = Paths.resolve(isolated_home)
    assert paths.sqlite_file.is_file() and not paths.chroma_dir.exists()

    b = ix.file_by_path("/f/b.pdf")
    assert b is not None
    nearest = ix.vector_search(vectors[3], 2)
    assert nearest[0][1] == b.id and nearest[0][2] == pytest.approx(1.0, abs=1e-4)
    only_b = ix.vector_search(vectors[0], 5, file_ids=[b.id])
    assert {hit[1] for hit in only_b} == {b.id} and len(only_b) == 2
    assert {hit[1] for hit in ix.keyword_search('"beta"', 10)} == {b.id}

    ix.delete_files(["/f/b.pdf"])
    assert ix.check_consistency()["vectors"] == 3
    assert server_count(chroma_server, model_id) == 3
    assert all(hit[1] != b.id for hit in ix.vector_search(vectors[3], 5))


def test_repair_through_the_server_and_reopen(
    chroma_server: ChromaServer, open_index: Any, model_id: str
) -> None:
    settings = server_settings(chroma_server.port)
    ix = open_index(settings, model_id)
    ix.write_documents(
        [make_doc("/f/keep.pdf", 2), make_doc("/f/b.pdf", 1)], unit_vectors(3), model_id
    )
    # A crash after step 1 of a write: catalog rows, no vectors, never marked indexed.
    with ix.catalog.transaction() as conn:
        ix.catalog.begin_file(conn, make_doc("/f/half.pdf", 1))
    # Vectors whose passages never existed, and a file whose vectors were lost.
    strays = PassageKeys([999_998, 999_999], [0, 0], [1, 1])
    ix.vectors.add(model_id, strays, unit_vectors(2, 7), 100)
    b = ix.file_by_path("/f/b.pdf")
    assert b is not None
    ix.vectors.delete(model_id, ix.chunk_ids_of_file(b.id))

    fixed = ix.repair()
    assert fixed == {"rolled_back": 1, "orphan_vectors": 2, "missing_vectors": 1}
    counts = ix.check_consistency()
    assert counts["chunks"] == counts["vectors"] == 2 and counts["unfinished"] == 0
    ix.close()

    again = open_index(settings, model_id)
    assert again.repair() == {"rolled_back": 0, "orphan_vectors": 0, "missing_vectors": 0}
    assert again.check_consistency()["vectors"] == server_count(chroma_server, model_id) == 2


def test_an_unreachable_server_is_a_message_naming_it(open_index: Any, model_id: str) -> None:
    port = free_port()  # nothing listens there
    ix = open_index(server_settings(port), model_id)
    with pytest.raises(DesktopSearchError, match=f"{LOOPBACK}:{port}.*running") as caught:
        ix.vector_search(unit_vectors(1)[0], 5)
    assert type(caught.value) is DesktopSearchError  # not "your index is damaged"


class _TokenProxy:
    """An authenticating reverse proxy, as a README would advise in front of `chroma run`:
    it forwards only requests carrying `Authorization: Bearer <token>`."""

    def __init__(self, upstream_port: int, token: str) -> None:
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                sent = self.headers.get("Authorization", "")
                proxy.seen.append(sent)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if sent != f"Bearer {token}":
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                upstream = http.client.HTTPConnection(LOOPBACK, upstream_port, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    reply = upstream.getresponse()
                    data = reply.read()
                finally:
                    upstream.close()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.getheader("Content-Type", ""))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output for failures

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, name="token-proxy")
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def token_proxy(chroma_server: ChromaServer) -> Iterator[_TokenProxy]:
    proxy = _TokenProxy(chroma_server.port, "s3cret")
    yield proxy
    proxy.close()


def test_new_token_is_used_without_reopening(
    token_proxy: _TokenProxy, open_index: Any, model_id: str
) -> None:
    ix = open_index(server_settings(token_proxy.port, token="wrong"), model_id)
    with pytest.raises(DesktopSearchError, match="can't be used"):
        ix.write_documents([make_doc("/f/a.pdf", 1)], unit_vectors(1), model_id)
    assert token_proxy.seen and set(token_proxy.seen) == {"Bearer wrong"}

    ix.settings = server_settings(token_proxy.port, token="s3cret")
    # Writing the file again finishes the write the refused server interrupted.
    ix.write_documents([make_doc("/f/a.pdf", 2)], unit_vectors(2), model_id)
    counts = ix.check_consistency()
    assert counts["chunks"] == counts["vectors"] == 2 and counts["unfinished"] == 0
    assert token_proxy.seen[-1] == "Bearer s3cret"


def test_switching_from_embedded_to_server_moves_new_vectors_there(
    chroma_server: ChromaServer, open_index: Any, model_id: str, isolated_home: Path
) -> None:
    ix = open_index(Settings(), model_id)
    embedded = ix.vectors
    ix.write_documents([make_doc("/f/a.pdf", 2)], unit_vectors(2), model_id)

    ix.settings = dataclasses.replace(ix.settings, results_per_page=7)  # not a store setting
    assert ix.vectors is embedded
    ix.settings = server_settings(chroma_server.port)
    assert isinstance(ix.vectors, ServerChromaStore)

    vectors = unit_vectors(1, 3)
    ix.write_documents([make_doc("/f/b.pdf", 1)], vectors, model_id)
    b = ix.file_by_path("/f/b.pdf")
    assert b is not None and ix.vector_search(vectors[0], 1)[0][1] == b.id
    assert server_count(chroma_server, model_id) == 1
    # The embedded store was let go of (so it can be reopened or moved) and kept only a's.
    local = EmbeddedChromaStore(Paths.resolve(isolated_home))
    try:
        assert local.count(model_id) == 2
    finally:
        local.close()


def test_an_engine_moved_to_a_server_writes_its_vectors_there(
    chroma_server: ChromaServer, tmp_path: Path
) -> None:
    """Switching to a server that holds none of this index's vectors fills it from the stored
    passages: semantic search keeps working and no file is read again."""
    from desktop_search.core.engine import Engine
    from desktop_search.core.models import FileIndexed, IndexEvent
    from tests.conftest import make_pdf

    docs = tmp_path / "docs"
    docs.mkdir()
    make_pdf(docs / "volcano.pdf", ["Volcanic eruptions release ash into the stratosphere."])
    make_pdf(docs / "bread.pdf", ["Bake the sourdough bread in a hot oven."])
    events: list[IndexEvent] = []
    with Engine.open(on_event=events.append) as engine:
        engine.add_folder(docs)
        assert engine.wait_until_idle(120)
        chunks = engine.status().chunks
        read_before = sum(isinstance(e, FileIndexed) for e in events)

        engine.apply_settings(
            dataclasses.replace(
                engine.settings, chroma_host=LOOPBACK, chroma_port=chroma_server.port
            )
        )
        assert engine.wait_until_idle(120)

        model = engine.fast_embedder().model_id
        assert server_count(chroma_server, model) == chunks
        hits = engine.search("ash from an eruption", mode="semantic", k=1)
        assert hits and hits[0].path.endswith("volcano.pdf")
        assert sum(isinstance(e, FileIndexed) for e in events) == read_before
