"""The one set of ignore rules: defaults, hidden names, the person's patterns, on any path."""

from __future__ import annotations

from pathlib import Path

from desktop_search.core.config import Settings
from desktop_search.core.indexing.scanning import ExcludeRules, owning_folder, walk


def test_rules_come_from_the_settings() -> None:
    rules = ExcludeRules.for_settings(Settings(excludes=("drafts/",), include_hidden=True))
    assert rules.patterns == ("drafts/",) and rules.include_hidden


def test_a_path_is_skipped_when_any_folder_on_its_way_is() -> None:
    rules = ExcludeRules(["drafts/", "*.log.txt"])
    root = "/docs"
    assert not rules.skips_path(root, "/docs/notes/a.pdf")
    assert rules.skips_path(root, "/docs/drafts/a.pdf")
    assert rules.skips_path(root, "/docs/x/drafts/deep/a.pdf")
    assert rules.skips_path(root, "/docs/node_modules/pkg/readme.md")
    assert rules.skips_path(root, "/docs/.cache/a.pdf")
    assert rules.skips_path(root, "/docs/run.log.txt")
    assert rules.skips_path(root, "/docs/~$report.docx")
    assert rules.skips_path(root, "/docs/program.exe")  # not a format the index reads


def test_folders_are_judged_as_folders() -> None:
    rules = ExcludeRules(["*.pdf", "drafts/"])
    # A pattern for files does not hide a folder, whatever the folder holds...
    assert not rules.skips_path("/docs", "/docs/papers", is_dir=True)
    # ...and a folder pattern, a hidden or a default folder does, including the folder itself.
    assert rules.skips_path("/docs", "/docs/drafts", is_dir=True)
    assert rules.skips_path("/docs", "/docs/.git", is_dir=True)
    assert rules.skips_path("/docs", "/docs/a/node_modules", is_dir=True)


def test_the_root_is_never_skipped_and_what_is_outside_always_is() -> None:
    rules = ExcludeRules()
    assert not rules.skips_path("/docs/.hidden-root", "/docs/.hidden-root", is_dir=True)
    assert rules.skips_path("/docs/only.txt", "/docs/neighbour.txt")
    assert rules.skips_path("/docs", "/other/a.txt")
    # A name that merely starts with ".." is inside.
    assert not ExcludeRules(include_hidden=True).skips_path("/docs", "/docs/..notes.txt")


def test_hidden_names_are_followed_when_asked() -> None:
    rules = ExcludeRules(include_hidden=True)
    assert not rules.skips_path("/docs", "/docs/.notes/a.md")
    assert rules.skips_path("/docs", "/docs/.git/config.txt")  # a default folder stays out


def test_walking_a_subfolder_matches_patterns_from_the_indexed_folder(tmp_path: Path) -> None:
    for name in ("sub/drafts/a.txt", "sub/keep/b.txt", "drafts/c.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    rules = ExcludeRules(["/sub/drafts/"])  # anchored at the indexed folder
    found = {f.path for f in walk(str(tmp_path / "sub"), rules, base=str(tmp_path))}
    assert found == {str(tmp_path / "sub/keep/b.txt")}
    assert str(tmp_path / "drafts/c.txt") in {f.path for f in walk(str(tmp_path), rules)}


def test_a_path_belongs_to_the_innermost_folder_that_holds_it() -> None:
    folders = ["/docs", "/docs/work", "/docs-2"]
    assert owning_folder("/docs/work/a.pdf", folders) == "/docs/work"
    assert owning_folder("/docs/a.pdf", folders) == "/docs"
    assert owning_folder("/docs-2", folders) == "/docs-2"
    assert owning_folder("/elsewhere/a.pdf", folders) is None
