"""Nothing skipped in silence: files of kinds that are not indexed are counted per folder by the
scan, kept in the catalog across restarts, and told apart from files the person excluded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from desktop_search.core.indexing.scanning import ExcludeRules, walk
from desktop_search.core.models import describe_other_files
from tests.conftest import make_pdf


def _folder(root: Path) -> Path:
    make_pdf(root / "report.pdf", ["quarterly figures"])
    (root / "notes.md").write_text("# notes", encoding="utf-8")
    for name in ("a.zip", "b.zip", "c.ZIP", "plan.dwg", "photo.psd", "README"):
        (root / name).write_bytes(b"\0")
    # Left out by the person or by the product's own rules: never "other kinds".
    (root / ".hidden.zip").write_bytes(b"\0")
    (root / "draft.docx.tmp").write_bytes(b"\0")
    (root / "~$report.xlsx").write_bytes(b"\0")
    (root / "build").mkdir()
    (root / "build" / "out.bin").write_bytes(b"\0")
    (root / ".git").mkdir()
    (root / ".git" / "pack.idx").write_bytes(b"\0")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "x.js").write_bytes(b"\0")
    return root


def test_walk_counts_other_kinds_but_not_excluded_files(tmp_path: Path) -> None:
    root = _folder(tmp_path / "docs")
    others: Counter[str] = Counter()
    found = sorted(
        Path(f.path).name for f in walk(str(root), ExcludeRules(["build/"]), others=others)
    )
    assert found == ["notes.md", "report.pdf"]
    assert others == Counter({"zip": 3, "dwg": 1, "psd": 1, "": 1})


def test_counts_reach_the_folder_and_survive_a_restart(
    tmp_path: Path, engine_factory: Callable[..., object], isolated_home: Path
) -> None:
    root = _folder(tmp_path / "docs")
    settings = isolated_home / "settings.toml"
    settings.write_text(settings.read_text() + 'excludes = ["build/"]\n', encoding="utf-8")
    engine = engine_factory()
    engine.add_folder(root)  # type: ignore[attr-defined]
    assert engine.wait_until_idle(120)  # type: ignore[attr-defined]
    (folder,) = engine.folders()  # type: ignore[attr-defined]
    assert (folder.documents, folder.other_files) == (2, 6)
    assert folder.other_kinds == ("zip", "dwg", "psd", "")  # most common first, none last
    assert describe_other_files(folder.other_files, folder.other_kinds) == (
        "6 files of other kinds: .zip, .dwg, .psd …"
    )
    engine.close()  # type: ignore[attr-defined]

    again = engine_factory(read_only=True)
    (kept,) = again.folders()  # type: ignore[attr-defined]
    assert (kept.other_files, kept.other_kinds) == (6, ("zip", "dwg", "psd", ""))
    status = again.status()  # type: ignore[attr-defined]
    assert status.folders[0].other_files == 6


def test_a_rescan_replaces_the_counts_and_a_removed_folder_has_none(
    tmp_path: Path, engine_factory: Callable[..., object]
) -> None:
    root = _folder(tmp_path / "docs")
    engine = engine_factory()
    engine.add_folder(root)  # type: ignore[attr-defined]
    assert engine.wait_until_idle(120)  # type: ignore[attr-defined]
    for name in ("a.zip", "b.zip", "c.ZIP", "README"):
        (root / name).unlink()
    engine.rescan()  # type: ignore[attr-defined]
    assert engine.wait_until_idle(120)  # type: ignore[attr-defined]
    (folder,) = engine.folders()  # type: ignore[attr-defined]
    assert (folder.other_files, folder.other_kinds) == (3, ("bin", "dwg", "psd"))
    engine.remove_folder(root)  # type: ignore[attr-defined]
    assert engine.wait_until_idle(120)  # type: ignore[attr-defined]
    engine.add_folder(tmp_path / "docs" / "build")  # type: ignore[attr-defined]
    assert engine.wait_until_idle(120)  # type: ignore[attr-defined]
    (only,) = engine.folders()  # type: ignore[attr-defined]
    assert (only.path, only.other_files, only.other_kinds) == (str(root / "build"), 1, ("bin",))


def test_a_catalog_made_before_the_counts_existed_gains_them(
    tmp_path: Path, engine_factory: Callable[..., object], isolated_home: Path
) -> None:
    import sqlite3

    root = _folder(tmp_path / "docs")
    engine = engine_factory()
    engine.add_folder(root)  # type: ignore[attr-defined]
    assert engine.wait_until_idle(120)  # type: ignore[attr-defined]
    engine.close()  # type: ignore[attr-defined]
    with sqlite3.connect(isolated_home / "catalog.sqlite3") as conn:
        conn.execute("DROP TABLE other_files")
    conn.close()

    older = engine_factory()
    assert older.folders()[0].other_files == 0  # type: ignore[attr-defined]
    older.rescan()  # type: ignore[attr-defined]
    assert older.wait_until_idle(120)  # type: ignore[attr-defined]
    assert older.folders()[0].other_files == 7  # type: ignore[attr-defined]


def test_one_file_and_no_file_read_well() -> None:
    assert describe_other_files(0, ()) == ""
    assert describe_other_files(1, ("dwg",)) == "1 file of another kind: .dwg"
    assert describe_other_files(1_214, ("a", "b", "c", "d")) == (
        "1,214 files of other kinds: .a, .b, .c …"
    )
