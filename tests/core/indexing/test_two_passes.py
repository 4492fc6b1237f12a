"""Two passes: every file searchable at once (keywords, fast vectors), then every passage gets
its meaning vector from the default model in the background, resumably."""

from __future__ import annotations

from pathlib import Path

from desktop_search.core.engine import Engine
from desktop_search.core.models import Improving, IndexEvent
from tests.conftest import make_pdf

DOCS = {
    "volcano.pdf": "Volcanic eruptions release ash into the stratosphere, cooling the climate.",
    "bread.pdf": "Bake the sourdough bread in a hot oven until the crust is dark.",
    "money.pdf": "Quarterly revenue grew by twelve percent thanks to new customers.",
    "ships.pdf": "The harbour pilot guided the container vessel through the narrow channel.",
}


def _default_model(home: Path) -> None:
    (home / "settings.toml").write_text('model = "bundled"\n', encoding="utf-8")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        make_pdf(folder / name, [text])
    return folder


def test_every_passage_gets_its_meaning_vector(isolated_home: Path, tmp_path: Path) -> None:
    _default_model(isolated_home)
    events: list[IndexEvent] = []
    with Engine.open(on_event=events.append) as engine:
        engine.add_folder(_folder(tmp_path))
        assert engine.wait_until_idle(120)
        # Pass 1 alone: searchable by keywords before any meaning vector exists.
        assert engine.search("sourdough", mode="keyword")[0].path.endswith("bread.pdf")
        assert engine.wait_until_improved(300)
        status = engine.status()
        assert status.meaning == (status.chunks, status.chunks) == (4, 4)
        assert "MiniLM" in status.model
        last = [e for e in events if isinstance(e, Improving)][-1]
        assert (last.done, last.total) == (4, 4)
        # A question that shares no word with the passage it wants.
        hits = engine.search("what can make summers colder worldwide", mode="semantic", k=1)
        assert hits[0].path.endswith("volcano.pdf")


def test_pass_two_goes_on_from_where_it_stopped(isolated_home: Path, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with Engine.open() as engine:  # the tests' default: the fast model, no second pass
        engine.add_folder(folder)
        assert engine.wait_until_idle(120)
        assert engine.status().meaning == (0, 0)
        meaning = engine.indexer.meaning
        # As if an earlier run embedded the first two passages and then was killed.
        meaning.start("bundled:all-minilm-l6-v2")
        first_two = meaning.next_batch(0, 2)
        from desktop_search.core.embed.factory import load_embedder

        vectors = load_embedder("bundled").embed_documents([r[3] for r in first_two])
        assert meaning.write("bundled:all-minilm-l6-v2", first_two, vectors)
        watermark = meaning.upto
    _default_model(isolated_home)
    events: list[IndexEvent] = []
    with Engine.open(on_event=events.append) as engine:
        assert engine.indexer.meaning.upto == watermark  # kept across the restart
        assert engine.wait_until_improved(300)
        improving = [e for e in events if isinstance(e, Improving)]
        assert improving[0].done >= 2  # it started from the stored point, not from zero
        assert engine.status().meaning == (4, 4)


def test_lost_meaning_vectors_are_made_again(isolated_home: Path, tmp_path: Path) -> None:
    _default_model(isolated_home)
    with Engine.open() as engine:
        engine.add_folder(_folder(tmp_path))
        assert engine.wait_until_improved(300)
        model_id = engine.indexer.meaning.model_id
        assert model_id is not None
        lost = sorted(engine.index.vectors.ids(model_id))[:2]
        engine.index.vectors.delete(model_id, lost)  # what a crash of the store could leave
    with Engine.open() as engine:
        # The watermark says they are done; only repair at open can find them missing.
        assert engine.wait_until_improved(300)
        assert engine.index.vectors.count(model_id) == engine.status().chunks


def test_choosing_the_fast_model_drops_the_second_pass(isolated_home: Path, tmp_path: Path) -> None:
    import dataclasses

    _default_model(isolated_home)
    with Engine.open() as engine:
        engine.add_folder(_folder(tmp_path))
        assert engine.wait_until_improved(300)
        engine.apply_settings(dataclasses.replace(engine.settings, model="bundled-fast"))
        assert engine.wait_until_improved(60)
        assert engine.status().meaning == (0, 0)
        hits = engine.search("sourdough bread", mode="semantic", k=1)
        assert hits[0].path.endswith("bread.pdf")
