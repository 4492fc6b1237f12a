"""The command lines the fast path answers, read without argparse: `search` and `status` in
their plain forms, to the same values argparse would give (main.py's parser is the reference,
and tests/e2e/test_fast_path.py holds the two side by side).

Anything else (help, a version, an abbreviated option, `-k5`, `--`, a value that starts with
'-', a usage error, a query whose options argparse would refuse) reads as None: the whole CLI
then parses it, and says what argparse says.
"""

from __future__ import annotations

# Annotations only (never evaluated): `typing` itself is a cost the fast path does without.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

MODES = ("hybrid", "semantic", "keyword")
# search's options that take a value: the attribute each one sets, and whether it adds to a list.
_SEARCH_VALUES = {
    "--batch": ("batch", False),
    "-k": ("k", False),
    "--mode": ("mode", False),
    "--folder": ("folder", True),
    "--type": ("type", True),
    "--after": ("after", False),
    "--before": ("before", False),
    "--like": ("like", False),
}


class FastArgs:
    """The parsed command line: argparse's Namespace for it, attribute for attribute."""

    home: str | None
    verbose: bool
    command: str  # "search" or "status"
    json: bool
    # search's (see main.py's parser)
    query: str | None
    batch: str | None
    k: int
    mode: str
    folder: list[str]
    type: list[str]
    after: str | None
    before: str | None
    like: str | None

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"FastArgs({self.__dict__!r})"


def parse(argv: Sequence[str]) -> FastArgs | None:
    """`argv` (without the program's name) as argparse reads it, or None when it is not a
    plain `search` or `status` that names exactly one thing to search for."""
    args = list(argv)
    values: dict[str, Any] = {"home": None, "verbose": False}
    at = 0
    while at < len(args) and _is_option(args[at]):
        option, value, at = _option(args, at, takes_value=("--home",))
        if option is None:
            return None
        if option == "--home":
            values["home"] = value
        elif option in ("-v", "--verbose"):
            values["verbose"] = True
        else:
            return None
    if at == len(args) or args[at] not in ("search", "status"):
        return None
    command, rest = args[at], args[at + 1 :]
    values["command"] = command
    read = _search if command == "search" else _status
    return read(rest, values)


def _status(args: list[str], values: dict[str, Any]) -> FastArgs | None:
    values["json"] = False
    for arg in args:
        if arg != "--json":
            return None
        values["json"] = True
    return FastArgs(**values)


def _search(args: list[str], values: dict[str, Any]) -> FastArgs | None:
    values.update(
        query=None, batch=None, k=10, mode="hybrid", json=False, folder=[], type=[],
        after=None, before=None, like=None,
    )  # fmt: skip
    at = 0
    while at < len(args):
        if not _is_option(args[at]):
            if values["query"] is not None:
                return None  # a second query: argparse refuses it
            values["query"] = args[at]
            at += 1
            continue
        option, value, at = _option(args, at, takes_value=tuple(_SEARCH_VALUES))
        if option == "--json":
            values["json"] = True
            continue
        if option not in _SEARCH_VALUES:
            return None
        name, adds = _SEARCH_VALUES[option]
        if adds:
            values[name].append(value)
            continue
        if name == "k":  # as argparse's type=int, at each -k given (it reads " 7" as 7)
            try:
                values["k"] = int(str(value))
            except ValueError:
                return None
            continue
        if name == "mode" and value not in MODES:  # argparse checks each one given too
            return None
        values[name] = value
    if values["k"] < 1:
        return None
    if sum(values[name] is not None for name in ("query", "batch", "like")) != 1:
        return None
    return FastArgs(**values)


def _is_option(arg: str) -> bool:
    """Whether argparse may read `arg` as an option ('-' alone and '' are values to it)."""
    return len(arg) > 1 and arg.startswith("-")


def _option(
    args: list[str], at: int, *, takes_value: tuple[str, ...]
) -> tuple[str | None, str | None, int]:
    """The option at `at`, its value and where the next argument is; (None, None, at) for a
    form left to argparse."""
    arg = args[at]
    if arg.startswith("--") and "=" in arg:
        option, value = arg.split("=", 1)
        if option in takes_value:
            return option, value, at + 1
        return None, None, at
    if arg not in takes_value:
        return arg, None, at + 1
    if at + 1 == len(args) or _is_option(args[at + 1]):
        return None, None, at  # no value: argparse says so
    return arg, args[at + 1], at + 2
