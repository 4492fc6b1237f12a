"""The fast path reads a command line as argparse does, or leaves it to argparse; it finds the
index's folder and catalog where core.config says they are; what it copies agrees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop_search.cli import fast_args
from desktop_search.cli.fast_path import CATALOG_NAME, home_folder
from desktop_search.cli.main import build_parser
from desktop_search.core.config import Paths

# Read by the fast path, to exactly what argparse reads.
READ = [
    ["search", "volcano"],
    ["--home", "/h", "search", "volcano", "--json"],
    ["--home=/h", "-v", "search", "--json", "volcano"],
    ["--verbose", "-v", "search", "volcano"],
    ["search", "-k", "3", "--mode", "keyword", "a question?"],
    ["search", "--mode=semantic", "q", "-k", " 7"],
    ["search", "q", "-k", "2", "-k", "5", "--mode", "keyword", "--mode", "hybrid"],
    ["search", "--folder", "a", "--folder=b", "--type", "pdf", "--type", ".MD", "q"],
    ["search", "--after", "2024-01-01", "--before=2024-02-01", "q"],
    ["search", "--batch", "-", "--json"],
    ["search", "--json", "--batch=queries.txt", "-k", "4"],
    ["search", "--like", "doc.pdf", "-k", "2"],
    ["search", '"exact phrase" -excluded'],  # a query with a space is a value to argparse
    ["search", ""],
    ["search", "-"],
    ["--home", "search", "status"],
    ["status"],
    ["status", "--json", "--json"],
    ["-v", "--home", "~/idx", "status"],
]

# Left to argparse (and the whole CLI): its help, its errors, forms it reads in its own way.
LEFT = [
    [],
    ["gui"],
    ["index", "folder"],
    ["--help"],
    ["-h"],
    ["--version"],
    ["search", "--help"],
    ["status", "-h"],
    ["search"],
    ["search", "a", "b"],
    ["search", "q", "--batch", "f"],
    ["search", "-k", "0", "q"],
    ["search", "-k", "x", "q"],
    ["search", "-k", "x", "-k", "2", "q"],
    ["search", "--mode", "fuzzy", "q"],
    ["search", "--mode", "fuzzy", "--mode", "keyword", "q"],
    ["search", "--js", "q"],
    ["search", "-k5", "q"],
    ["search", "-k=5", "q"],
    ["search", "--", "-q"],
    ["search", "-volcano"],
    ["search", "-volcano eruption"],  # a query to argparse (it has a space): read there
    ["search", "-5"],
    ["search", "--folder"],
    ["search", "--folder", "-x", "q"],
    ["search", "--json=yes", "q"],
    ["search", "q", "-v"],
    ["search", "--home", "/h", "q"],
    ["status", "extra"],
    ["status", "--json=1"],
    ["--ho", "/h", "search", "q"],
    ["--home", "-x", "search", "q"],
    ["--home"],
    ["-vv", "status"],
    ["--verbose=1", "status"],
]


@pytest.mark.parametrize("argv", READ, ids=" ".join)
def test_read_as_argparse_reads_it(argv: list[str]) -> None:
    fast = fast_args.parse(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", LEFT, ids=" ".join)
def test_left_to_argparse(argv: list[str]) -> None:
    assert fast_args.parse(argv) is None


@pytest.mark.parametrize(
    "given", ["{tmp}/idx", "{tmp}/idx/", "{tmp}//idx/./sub/..", "idx/sub/..", "~/idx", "~", ""]
)
def test_the_home_folder_is_the_one_core_config_finds(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "idx").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "sub").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    home = given.format(tmp=tmp_path) or None  # "" = not given: $DESKTOP_SEARCH_HOME
    paths = Paths.resolve(home)
    assert home_folder(home) == str(paths.home)
    assert os.path.join(home_folder(home), CATALOG_NAME) == str(paths.sqlite_file)
    monkeypatch.setenv("DESKTOP_SEARCH_HOME", "idx")  # relative: to the working folder
    assert home_folder(None) == str(Paths.resolve(None).home) == str(tmp_path / "real")


@pytest.mark.parametrize(
    "data_home", [None, "", "{tmp}/data", "{tmp}/data/", "{tmp}//data/.", "relative", " {tmp}/x"]
)
@pytest.mark.parametrize("user_home", ["{tmp}/me", "{tmp}/me/", "relative-me", None])
def test_with_no_home_given_the_user_data_folder(
    data_home: str | None, user_home: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where platformdirs puts it, however $XDG_DATA_HOME and $HOME are set."""
    monkeypatch.delenv("DESKTOP_SEARCH_HOME")
    for name, value in (("XDG_DATA_HOME", data_home), ("HOME", user_home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value.format(tmp=tmp_path))
    try:
        expected = str(Paths.resolve(None).home)
    except RuntimeError:  # platformdirs finds no home folder: neither may the fast path
        with pytest.raises(RuntimeError):
            home_folder(None)
        return
    assert home_folder(None) == expected


def test_weak_results_are_the_ones_the_engine_calls_weak() -> None:
    from desktop_search.cli import searching
    from desktop_search.core.search import confidence

    assert searching.WEAK == confidence.WEAK
