"""Text recognition in the background, through a real Engine with the real engine: text pages
first, scanned pages after, pictures, the OCR cache on rename, copy and rebuild, and the
setting that turns it off."""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_search.core import models as m
from desktop_search.core.config import Paths
from desktop_search.core.engine import Engine
from tests.scanned_files import make_mixed_scanned_pdf, make_picture, make_scanned_pdf

SCANNED = "The quartermaster counted seven xylophones in the harbour warehouse."
WAIT_S = 300


def names(engine, query: str) -> list[str]:
    """Names of the files found, those holding the same bytes as a result (shown with it as
    `also_in`) included."""
    found = engine.search(query, mode="keyword")
    return sorted(os.path.basename(p) for r in found for p in (r.path, *r.also_in))


def settle(engine) -> None:
    """Until every stage is done: pass 1, then (fast model: no pass 2) text recognition."""
    assert engine.wait_until_idle(WAIT_S)
    assert engine.wait_until_improved(WAIT_S)


def with_settings(home: Path, **values: object) -> None:
    lines = ['model = "bundled-fast"'] + [
        f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v)}" for k, v in values.items()
    ]
    (home / "settings.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_text_pages_are_searchable_before_the_scanned_page_is_read(
    engine_factory, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    make_mixed_scanned_pdf(
        folder / "mixed.pdf", ["Glaciers carve valleys.", "Moraines mark old ice."], SCANNED
    )
    seen_at_start: list[tuple[list[str], list[str]]] = []
    holder: dict[str, Engine] = {}
    lock = threading.Lock()

    def on_event(event: m.IndexEvent) -> None:
        # The first word from the reader of scans comes before it has read a page: what can
        # be found at that moment was indexed without waiting for recognition.
        if isinstance(event, m.ReadingScans):
            with lock:
                if not seen_at_start:
                    engine = holder["engine"]
                    seen_at_start.append((names(engine, "glaciers"), names(engine, "xylophones")))

    engine = engine_factory(on_event=on_event)
    holder["engine"] = engine
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)

    assert seen_at_start == [(["mixed.pdf"], [])]
    assert names(engine, "xylophones") == ["mixed.pdf"]
    hit = engine.search("xylophones", mode="keyword")[0].best
    assert hit.page == 3
    status = engine.status()
    assert status.scanned_pages == (1, 1)
    assert status.partial == () and status.failed == ()
    words = engine.page_words(str(folder / "mixed.pdf"), 3)
    assert "xylophones" in {w[4].strip(".,").lower() for w in words}
    assert engine.page_words(str(folder / "mixed.pdf"), 1) == ()  # a text page has its own
    assert engine.check_consistency().consistent


def test_a_whole_scan_and_pictures_become_searchable(engine_factory, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    make_scanned_pdf(folder / "scan.pdf", [SCANNED, "Nothing but a second page."])
    make_picture(folder / "receipt.png", "Receipt for zeppelin repairs")
    make_picture(folder / "holiday.jpg", "")  # a picture without words is no problem
    events: list[m.IndexEvent] = []
    engine = engine_factory(on_event=events.append)
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)

    assert names(engine, "xylophones") == ["scan.pdf"]
    assert names(engine, "zeppelin") == ["receipt.png"]
    status = engine.status()
    assert status.documents == 3 and status.failed == () and status.partial == ()
    assert status.scanned_pages == (4, 4)
    progress = [e for e in events if isinstance(e, m.ReadingScans)]
    assert (progress[0].done, progress[-1].done, progress[-1].total) == (0, 4, 4)
    # Found by words and, through the fast model's vectors, by meaning too.
    assert "receipt.png" in [
        os.path.basename(r.path) for r in engine.search("zeppelin repairs", mode="semantic")
    ]


def test_no_page_is_recognised_twice_after_a_rename_a_copy_or_a_rebuild(
    engine_factory, isolated_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    scan = make_scanned_pdf(folder / "scan.pdf", [SCANNED])
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)
    reader = engine.indexer.scans
    assert reader.pages_recognised == 1

    renamed = scan.rename(folder / "renamed.pdf")
    engine.rescan()
    settle(engine)
    assert names(engine, "xylophones") == ["renamed.pdf"]
    shutil.copy(renamed, folder / "copy.pdf")  # same bytes, a file of its own
    engine.rescan()
    settle(engine)
    assert names(engine, "xylophones") == ["copy.pdf", "renamed.pdf"]
    assert engine.status().scanned_pages == (2, 2)
    assert reader.pages_recognised == 1  # the copy found its page in the cache
    engine.close()

    Engine.rebuild(Paths.resolve(isolated_home))
    fresh = engine_factory()
    fresh.load_model()
    fresh.add_folder(folder)
    settle(fresh)
    assert names(fresh, "xylophones") == ["copy.pdf", "renamed.pdf"]
    assert fresh.indexer.scans.pages_recognised == 0


def test_with_recognition_off_scans_are_reported_then_read_once_it_is_on(
    engine_factory, isolated_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    make_scanned_pdf(folder / "scan.pdf", [SCANNED])
    make_mixed_scanned_pdf(folder / "mixed.pdf", ["Glaciers carve valleys."], SCANNED)
    make_picture(folder / "receipt.png", "Receipt for zeppelin repairs")
    with_settings(isolated_home, ocr=False)
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)
    assert engine.indexer.scans.pages_recognised == 0
    assert names(engine, "xylophones") == [] and names(engine, "glaciers") == ["mixed.pdf"]
    partial = {os.path.basename(p.path): p.reason for p in engine.status().partial}
    assert partial == {
        "scan.pdf": "page 1 is a scanned image without a text layer "
        "(text recognition is turned off)",
        "mixed.pdf": "page 2 is a scanned image without a text layer "
        "(text recognition is turned off)",
        "receipt.png": "it is a picture, and text recognition is turned off",
    }
    assert engine.status().scanned_pages == (0, 0)
    engine.close()

    # Turned on in a later session: what was waiting is read, with no file read by pass 1.
    with_settings(isolated_home, ocr=True)
    again = engine_factory()
    again.load_model()
    settle(again)
    assert names(again, "xylophones") == ["mixed.pdf", "scan.pdf"]
    assert names(again, "zeppelin") == ["receipt.png"]
    assert again.status().partial == ()
    assert again.status().scanned_pages == (3, 3)


def test_turning_recognition_on_in_the_settings_reads_what_waits(
    engine_factory, isolated_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    make_scanned_pdf(folder / "scan.pdf", [SCANNED])
    with_settings(isolated_home, ocr=False)
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)
    assert names(engine, "xylophones") == []
    engine.apply_settings(replace(engine.settings, ocr=True))
    settle(engine)
    assert names(engine, "xylophones") == ["scan.pdf"]


def test_a_language_without_data_is_reported_and_nothing_is_lost(
    engine_factory, isolated_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    make_mixed_scanned_pdf(folder / "mixed.pdf", ["Glaciers carve valleys."], SCANNED)
    with_settings(isolated_home, ocr_languages="eng+klingon")
    events: list[m.IndexEvent] = []
    engine = engine_factory(on_event=events.append)
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)
    messages = [e.text for e in events if isinstance(e, m.Message) and e.level == "error"]
    assert len(messages) == 1 and "'klingon'" in messages[0]
    assert names(engine, "glaciers") == ["mixed.pdf"]
    engine.apply_settings(replace(engine.settings, ocr_languages="eng"))
    settle(engine)
    assert names(engine, "xylophones") == ["mixed.pdf"]


@pytest.mark.parametrize("codes", ["eng+deu", "eng, jpn"])
def test_language_settings_accept_tesseract_codes(codes: str) -> None:
    from desktop_search.core.config import Settings

    settings = Settings(ocr_languages=codes)
    settings.validate()
    assert settings.ocr_language_codes[0] == "eng" and len(settings.ocr_language_codes) == 2


def test_a_scan_changed_before_its_pages_are_read_is_read_again_by_pass_1(
    engine_factory, isolated_home: Path, tmp_path: Path
) -> None:
    """Its file changed after pass 1 (nothing watched it): recognition does not read the old
    queue entry forever; pass 1 reads the file again and its new page is what is read."""
    folder = tmp_path / "docs"
    scan = make_scanned_pdf(folder / "scan.pdf", [SCANNED])
    with_settings(isolated_home, ocr=False)
    engine = engine_factory()
    engine.load_model()
    engine.add_folder(folder)
    settle(engine)
    make_scanned_pdf(scan, ["A zeppelin hovered above the lighthouse."])
    engine.apply_settings(replace(engine.settings, ocr=True))
    settle(engine)
    assert names(engine, "zeppelin") == ["scan.pdf"]
    assert names(engine, "xylophones") == []
    assert engine.status().scanned_pages == (1, 1)
