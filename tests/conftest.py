"""Shared fixtures: an isolated home for every test, no network, no leaked indexer threads."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SHARED = Path(
    os.environ.get("DESKTOP_SEARCH_SHARED", Path(__file__).resolve().parents[2] / "shared")
)
SHARED_PDFS = SHARED / "data" / "pdfs"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Where pytest-qt is not installed (the headless run of the core's tests, which proves the
    core needs no Qt), its ini settings in pyproject are declared here, so --strict-config
    still holds."""
    try:
        import pytestqt  # noqa: F401
    except ImportError:
        for name in ("qt_api", "qt_log_level_fail"):
            parser.addini(name, f"pytest-qt's {name} (pytest-qt is not installed here)")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own index home, settings and logs; nothing touches the real ones."""
    home = tmp_path / "home"
    monkeypatch.setenv("DESKTOP_SEARCH_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    use_fast_model(home)
    yield home
    _fail_on_leaked_threads()


def use_fast_model(home: Path) -> Path:
    """Settings for `home` that choose the built-in fast model, so there is no second pass.

    The default model (a transformer: tens of passages a second on these cores) runs end to
    end in the tests about it; every other test is about something else and uses the fast one.
    """
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "settings.toml"
    settings.write_text('model = "bundled-fast"\n', encoding="utf-8")
    return settings


def _fail_on_leaked_threads() -> None:
    """A test that leaves indexer threads running would hide a shutdown bug."""
    deadline = 5.0
    leaked = []
    for thread in threading.enumerate():
        if thread.name.startswith("desktop-search-") and thread.is_alive():
            thread.join(deadline)
            if thread.is_alive():
                leaked.append(thread.name)
    if leaked:
        pytest.fail(f"indexer threads still running after the test: {leaked}")
    import multiprocessing

    for child in multiprocessing.active_children():
        if child.name == "desktop-search-engine":
            child.join(deadline)
            if child.is_alive():
                child.kill()
                pytest.fail(f"an engine process was still running after the test: {child.pid}")


def make_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    """A real PDF with one text block per page (PyMuPDF), for tests."""
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        if text:
            page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), text, fontsize=11)
    if title:
        doc.set_metadata({"title": title})
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    doc.close()
    return path


def make_mixed_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF whose text pages are followed by one scanned page (an image, no text layer)."""
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        doc.new_page().insert_text((72, 72), text)
    scan = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.clear_with(200)
    scan.insert_image(pymupdf.Rect(50, 50, 200, 200), pixmap=pix)
    doc.save(path)
    doc.close()
    return path


@pytest.fixture
def pdf_factory() -> Callable[..., Path]:
    return make_pdf


CORPUS = {
    "volcano.pdf": [
        "Volcanic eruptions release ash and sulfur dioxide into the stratosphere. "
        "Magma chambers beneath the volcano build pressure until the crust gives way.",
        "Lava flows can travel many kilometres. Pyroclastic flows are the deadliest hazard "
        "near an erupting volcano.",
    ],
    "baking.pdf": [
        "To bake sourdough bread, feed the starter the night before. Knead the dough, let it "
        "rise, then bake it in a hot oven until the crust is golden.",
    ],
    "finance.pdf": [
        "Quarterly revenue grew by twelve percent. The board approved a dividend and a share "
        "buyback programme. Invoice number XK-4471 remains unpaid.",
    ],
    "notes/astronomy.md": [
        "# Stars\n\nA supernova is the explosion of a massive star at the end of its life. "
        "Neutron stars and black holes are what remains."
    ],
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A small folder of real documents on distinct topics."""
    root = tmp_path / "docs"
    for name, pages in CORPUS.items():
        target = root / name
        if name.endswith(".pdf"):
            make_pdf(target, pages)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n\n".join(pages), encoding="utf-8")
    return root


@pytest.fixture
def engine_factory(isolated_home: Path) -> Iterator[Callable[..., object]]:
    """Open Engines on the test's home and close them all at the end."""
    from desktop_search.core.engine import Engine

    opened: list[Engine] = []

    def open_engine(home: Path | None = None, **kwargs: object) -> Engine:
        engine = Engine.open(home or isolated_home, **kwargs)  # type: ignore[arg-type]
        opened.append(engine)
        return engine

    yield open_engine
    for engine in opened:
        engine.close()


@pytest.fixture(scope="session")
def tiny_transformer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT + WordPiece tokenizer built locally, saved as a sentence-transformers folder.

    Exercises the transformer code path (tokenizer, attention, pooling) with no download.
    """
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from desktop_search.core.embed.sentence_transformer import st_modules

    models = st_modules()

    folder = tmp_path_factory.mktemp("tiny-bert")
    words = sorted(
        {w.lower().strip(".,#") for pages in CORPUS.values() for p in pages for w in p.split()}
    )
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    raw = folder / "raw"
    raw.mkdir()
    (raw / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(raw / "vocab.txt"), do_lower_case=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    import torch

    torch.manual_seed(0)
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    transformer = models.Transformer(str(raw), max_seq_length=64)
    dim = transformer.get_embedding_dimension()
    pooling = models.Pooling(dim, pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
    out = folder / "model"
    model.save(str(out))
    shutil.rmtree(raw)
    return out


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The test keyring (see keyring_backend), here and in every process the test starts: the
    CLI, the app's engine and their extraction workers. The real one needs a desktop session."""
    import keyring

    from tests.keyring_backend import BACKEND_NAME, PATH_ENV, FileKeyring

    path = tmp_path / "keyring.json"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND_NAME)
    monkeypatch.setenv(PATH_ENV, str(path))
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring(path))
    yield path
    keyring.set_keyring(before)
