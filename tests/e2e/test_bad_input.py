"""Bad input at every edge of the CLI: a clear one-line error and a non-zero exit, or (where the
input is legitimate, just odd) the command simply works. Never a traceback, never a hang."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_search.core.engine import Engine
from desktop_search.core.errors import InvalidQueryError
from tests.conftest import make_pdf
from tests.e2e.conftest import (
    assert_one_line_error,
    failed_lines,
    module_env,
    read_status,
    run_cli,
)


def _paths_of(proc: subprocess.CompletedProcess[str]) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    return [r["path"] for r in json.loads(proc.stdout)]


def _keyword(home: Path, word: str) -> list[str]:
    return _paths_of(run_cli(home, "search", word, "--mode", "keyword", "--json"))


# ------------------------------------------------------------------------------ paths
def test_missing_paths_are_refused_and_nothing_is_indexed(tmp_path: Path, corpus: Path) -> None:
    home = tmp_path / "home"
    missing = tmp_path / "no such folder"
    assert_one_line_error(run_cli(home, "index", missing), str(missing), "does not exist")
    # One bad path among good ones: refused before any work starts.
    assert_one_line_error(run_cli(home, "index", corpus, missing), "does not exist")
    assert not home.exists() or read_status(home).folders == ()


def test_removing_what_is_not_an_indexed_folder_is_refused(tmp_path: Path, corpus: Path) -> None:
    home = tmp_path / "home"
    assert run_cli(home, "index", corpus).returncode == 0
    for target in (corpus / "notes", corpus / "volcano.pdf"):
        assert_one_line_error(run_cli(home, "remove", target), "not one of the indexed folders")
    assert read_status(home).documents == 4


def test_files_and_folders_in_each_others_place(tmp_path: Path, corpus: Path) -> None:
    home = tmp_path / "home"
    # A single document is a fine thing to index...
    single = run_cli(home, "index", corpus / "baking.pdf")
    assert single.returncode == 0, single.stderr
    assert [Path(p).name for p in _keyword(home, "sourdough")] == ["baking.pdf"]
    # ...a file of a kind that can't be read is not,
    drawing = tmp_path / "floor-plan.dwg"
    drawing.write_bytes(b"AC1032 not much of a drawing")
    assert_one_line_error(run_cli(home, "index", drawing), "not a supported document")
    # and a folder where a query file is expected is refused in one line.
    assert_one_line_error(run_cli(home, "search", "--batch", corpus, "--json"), str(corpus))


def test_a_home_that_is_a_file_is_refused(tmp_path: Path, corpus: Path) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("precious notes", encoding="utf-8")
    for args in (("index", corpus), ("status",), ("search", "volcano")):
        assert_one_line_error(run_cli(home, *args), str(home), "not a folder")
    assert home.read_text(encoding="utf-8") == "precious notes"


def _no_root_powers() -> list[str] | None:
    """A command prefix under which file permissions apply even to root (CAP_DAC_* dropped)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


@pytest.fixture
def locked_away(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A folder with one readable document, one unreadable file and one unreadable subfolder."""
    root = tmp_path / "mixed"
    make_pdf(root / "open.pdf", ["Otters hold hands while they sleep on the water."])
    closed_file = make_pdf(root / "closed.pdf", ["Nobody may read the pangolin file."])
    closed_dir = root / "private"
    make_pdf(closed_dir / "hidden.pdf", ["The aardvark memo stays private."])
    closed_file.chmod(0)
    closed_dir.chmod(0)
    yield {"root": root, "file": closed_file, "dir": closed_dir}
    closed_dir.chmod(stat.S_IRWXU)
    closed_file.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unreadable_files_and_folders_are_reported_not_fatal(
    tmp_path: Path, locked_away: dict[str, Path]
) -> None:
    prefix = _no_root_powers()
    if prefix is None:
        pytest.skip("running as root and setpriv can't drop CAP_DAC_*: permissions don't apply")
    home = tmp_path / "home"
    closed_dir = locked_away["dir"]
    assert_one_line_error(
        run_cli(home, "index", closed_dir, prefix=prefix), str(closed_dir), "permission denied"
    )
    run = run_cli(home, "index", locked_away["root"], prefix=prefix)
    assert run.returncode == 0, run.stderr
    (about_it,) = [line for line in run.stderr.splitlines() if str(closed_dir) in line]
    assert "can't be opened (Permission denied)" in about_it
    assert failed_lines(run.stderr) == [f"failed: {locked_away['file']}: permission denied"]
    assert [Path(p).name for p in _keyword(home, "otters")] == ["open.pdf"]


def test_symlink_loops_end_and_nothing_is_indexed_twice(tmp_path: Path) -> None:
    root = tmp_path / "linked"
    make_pdf(root / "real" / "deep.pdf", ["The narwhal tusk is a long spiral tooth."])
    (root / "real" / "back-up").symlink_to("..")  # a loop through the parent
    (root / "a").symlink_to("b")  # two links pointing at each other
    (root / "b").symlink_to("a")
    (root / "self.pdf").symlink_to("self.pdf")  # a link to itself, with a document's name
    home = tmp_path / "home"
    run = run_cli(home, "index", root, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "loops back to a folder already scanned" in run.stderr
    assert _keyword(home, "narwhal") == [str(root / "real" / "deep.pdf")]
    assert read_status(home).documents == 1
    assert_one_line_error(run_cli(home, "index", root / "a"), str(root / "a"))


_ODD_NAMES = {
    "résumé – naïve café ✓.pdf": "xylofonx",
    unicodedata.normalize("NFD", "Ångström décomposé.pdf"): "quasarqx",
    "📄 notes 🎉.md": "zephyrqx",
    "מסמך בעברית.txt": "vortexqx",
    "日本語の文書.pdf": "kumquatx",
    'it\'s "quoted" & (odd) [name] $HOME;.pdf': "fjordqxx",
    "-rf --help.pdf": "glyphqxx",
    "line\nbreak\ttab.txt": "sphinxqx",
}


def _long_name(suffix: str, size: int = 250) -> str:
    """A file name of exactly `size` UTF-8 bytes (255 is the usual limit), mixed scripts."""
    stem = ""
    while len((stem + "長a").encode()) + len(suffix) <= size:
        stem += "長a"
    while len((stem + "b").encode()) + len(suffix) <= size:
        stem += "b"
    name = stem + suffix
    assert len(name.encode()) == size
    return name


def test_odd_unicode_and_very_long_names_are_indexed_and_found(tmp_path: Path) -> None:
    root = tmp_path / "odd names ✓"
    names = dict(_ODD_NAMES)
    names[_long_name(".pdf")] = "longnamx"
    for name, marker in names.items():
        target = root / name
        text = f"This page mentions {marker} exactly once."
        if name.endswith(".pdf"):
            make_pdf(target, [text])
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    run = run_cli(home, "index", root)
    assert run.returncode == 0, run.stderr
    assert failed_lines(run.stderr) == []
    batch = tmp_path / "markers.txt"
    batch.write_text("\n".join(names.values()) + "\n", encoding="utf-8")
    out = run_cli(home, "search", "--batch", batch, "--json", "--mode", "keyword", "-k", "3")
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert [[r["path"] for r in a["results"]] for a in answers] == [
        [str(root / name)] for name in names
    ]
    status = read_status(home)
    assert status.documents == len(names) and status.failed == ()


def _dig(root: Path, levels: int, leaf: str) -> None:
    """`levels` folders of 200-byte names below root, then a text file named `leaf`; built with
    dir_fd, since the whole path may be longer than the system lets one call name."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        leaf_fd = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(leaf_fd, b"The buried tapir note.")
        os.close(leaf_fd)
    finally:
        os.close(fd)


def test_a_folder_deeper_than_the_system_allows_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    make_pdf(root / "shallow.pdf", ["The okapi is a relative of the giraffe."])
    _dig(root, 25, "buried.txt")  # 25 x 201 bytes: past PATH_MAX (4096)
    home = tmp_path / "home"
    run = run_cli(home, "index", root, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "can't be opened (File name too long)" in run.stderr
    assert [Path(p).name for p in _keyword(home, "okapi")] == ["shallow.pdf"]


def test_a_file_whose_path_is_too_long_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    make_pdf(root / "shallow.pdf", ["The okapi is a relative of the giraffe."])
    base = len(os.fsencode(root))
    levels = (4095 - base) // 201  # the last folder can still be named...
    leaf = "t" * (4095 - base - levels * 201 + 10) + ".txt"  # ...its file can't
    _dig(root, levels, leaf)
    home = tmp_path / "home"
    run = run_cli(home, "index", root, timeout=120)
    assert run.returncode == 0, run.stderr
    assert leaf in run.stderr and "File name too long" in run.stderr, run.stderr


def test_a_name_that_is_not_valid_utf8_does_not_stop_the_run(tmp_path: Path) -> None:
    root = tmp_path / "bytes"
    make_pdf(root / "fine.pdf", ["The tardigrade survives in space."])
    bad = os.path.join(os.fsencode(root), b"caf\xe9-latin1.txt")
    with open(bad, "wb") as fh:
        fh.write(b"The latin-1 named llama file.")
    home = tmp_path / "home"
    run = run_cli(home, "index", root)
    assert run.returncode == 0, run.stderr
    assert "Indexing stopped" not in run.stderr
    assert "latin1.txt" in run.stderr  # the person is told which file was skipped
    assert [Path(p).name for p in _keyword(home, "tardigrade")] == ["fine.pdf"]
    assert read_status(home).documents == 1


# ------------------------------------------------------------------------------ queries
@pytest.fixture(scope="module")
def indexed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import CORPUS

    root = tmp_path_factory.mktemp("query-corpus")
    docs = root / "docs"
    for name, pages in CORPUS.items():
        if name.endswith(".pdf"):
            make_pdf(docs / name, pages)
        else:
            (docs / name).parent.mkdir(parents=True, exist_ok=True)
            (docs / name).write_text("\n\n".join(pages), encoding="utf-8")
    home = root / "home"
    done = run_cli(home, "index", docs, env=module_env(root))
    assert done.returncode == 0, done.stderr
    return home


@pytest.mark.parametrize("query", ["", "  \t ", '""'])
def test_an_empty_query_is_refused_in_one_line(indexed_home: Path, query: str) -> None:
    assert_one_line_error(run_cli(indexed_home, "search", "--", query), "type a word")
    with Engine.open(indexed_home, read_only=True) as engine:  # and what else has no words
        for nothing in ("-", "?!.,;", '"" ""', "\u200b\u00a0"):
            with pytest.raises(InvalidQueryError, match="Type a word"):
                engine.search(nothing)


def test_a_query_that_only_excludes_is_refused_in_one_line(indexed_home: Path) -> None:
    assert_one_line_error(run_cli(indexed_home, "search", "--", "-volcano"), "leave out")


def test_a_10000_character_query_is_answered(indexed_home: Path) -> None:
    filler = " ".join(["sourdough", "starter", "dough", "oven", "crust"] * 400)
    long_query = filler[:10_000]
    assert len(long_query) == 10_000
    paths = _paths_of(run_cli(indexed_home, "search", long_query, "--json", "-k", "3"))
    assert paths and Path(paths[0]).name == "baking.pdf"
    with Engine.open(indexed_home, read_only=True) as engine:
        engine.load_model()
        for mode in ("hybrid", "semantic", "keyword"):
            top = engine.search(long_query, k=3, mode=mode)
            assert top and Path(top[0].path).name == "baking.pdf", mode
        # One 10,000-character word, and 10,000 characters of a script without spaces.
        for odd in ("x" * 10_000, ("火山の噴火" * 2_000)[:10_000]):
            assert isinstance(engine.search(odd, k=3), list)


# ------------------------------------------------------------------------------ full disk
def _try_mount_tmpfs(target: Path, size: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1.5 MB file system for the index (tmpfs); skipped where it can't be mounted."""
    mount_point = tmp_path / "small-disk"
    if not _try_mount_tmpfs(mount_point, "1536k"):
        pytest.skip("can't mount a small tmpfs here (needs root and mount rights)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _grow(mount_point: Path) -> None:
    done = subprocess.run(
        ["mount", "-o", "remount,size=64m", str(mount_point)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def many_pdfs(tmp_path: Path, kill_points) -> Path:
    folder = tmp_path / "many"
    kill_points.make_marker_corpus(folder, 60, pages=4, seed=3)
    return folder


def test_a_full_disk_keeps_the_index_usable(small_disk: Path, many_pdfs: Path, kill_points) -> None:
    """Indexing onto a disk that fills up stops; the index stays readable and consistent, and
    once there is room again the same command finishes the job."""
    home = small_disk / "home"
    run_cli(home, "index", many_pdfs)  # how it reports the full disk: the next test
    status = run_cli(home, "status", "--json")  # on the still-full disk
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["documents"] < 60  # it did run out of room
    _grow(small_disk)
    _, problems = kill_points.verify_home(home)
    assert problems == []
    again = run_cli(home, "index", many_pdfs)
    assert again.returncode == 0, again.stderr
    assert read_status(home).documents == 60


def test_a_full_disk_is_one_clear_error(small_disk: Path, many_pdfs: Path) -> None:
    home = small_disk / "home"
    full = run_cli(home, "index", many_pdfs)
    assert full.returncode != 0, full.stderr
    assert "Traceback" not in full.stderr and "Logging error" not in full.stderr, full.stderr
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith("desktop-search: ") and "full" in last, full.stderr
    # Every later command on the still-full disk says so too, and none offers a rebuild.
    for args in (("index", many_pdfs), ("search", "lantern")):
        line = assert_one_line_error(run_cli(home, *args), "full")
        assert "rebuild" not in line.lower(), line


def test_after_a_full_disk_the_same_process_recovers(small_disk: Path, many_pdfs: Path) -> None:
    """The app is a long-lived process: once space is freed, it must search again without a
    restart (and must never call the index damaged)."""
    from desktop_search.core.errors import StorageFullError

    home = small_disk / "home"
    run_cli(home, "index", many_pdfs)
    with Engine.open(home, read_only=True) as engine, pytest.raises(StorageFullError):
        engine.search("lantern", mode="semantic")
    _grow(small_disk)
    with Engine.open(home, read_only=True) as engine:
        assert isinstance(engine.search("lantern", mode="semantic"), list)
