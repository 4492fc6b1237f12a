"""The engine's frozen records (core.models) to JSON and back, field by field, so a result that
crosses the socket is the same record the engine made: same fields, same values, same types.

Generic over dataclasses, so a field added to a record travels without a change here. A list
subclass with attributes of its own (a search's results with their notes) travels as its items
and its attributes.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any


def to_json(value: Any) -> Any:
    """A JSON-ready copy of a record, a list of records, or a plain value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, (list, tuple)):
        items = [to_json(item) for item in value]
        extra = getattr(value, "__dict__", None)
        if isinstance(value, list) and type(value) is not list and extra is not None:
            return {
                "__list__": type(value).__name__,
                "items": items,
                "attributes": {name: to_json(v) for name, v in extra.items()},
            }
        return items
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float) or hasattr(value, "__float__"):
        return float(value)  # numpy scalars: JSON has one kind of number
    raise TypeError(f"{type(value).__name__} can't be sent over the socket")


def from_json(kind: Any, data: Any) -> Any:
    """Rebuild a value of type `kind` (a record class, tuple[...], list[...], X | None, ...)."""
    if data is None or kind is Any:
        return data
    if isinstance(data, dict) and "__list__" in data:
        return _rebuild_list(kind, data)
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        values = {
            f.name: from_json(hints.get(f.name, Any), data[f.name])
            for f in dataclasses.fields(kind)
            if f.init and f.name in data  # a field the other side lacks keeps its default
        }
        return kind(**values)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], item) for item in data)
        return tuple(from_json(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is list:
        return [from_json(args[0] if args else Any, item) for item in data]
    if origin is dict:
        return {k: from_json(args[1] if args else Any, v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        return from_json(next(a for a in args if a is not type(None)), data)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data


def _rebuild_list(kind: Any, data: dict[str, Any]) -> Any:
    from desktop_search.core import models

    item_kind = typing.get_args(kind)[0] if typing.get_args(kind) else Any
    items = [from_json(item_kind, item) for item in data["items"]]
    cls = getattr(models, str(data["__list__"]), None)
    if not (isinstance(cls, type) and issubclass(cls, list)):
        return items  # a kind this side does not know: the documents still arrive
    rebuilt = cls(items)
    for name, value in data["attributes"].items():
        setattr(rebuilt, name, _tuples(value))
    return rebuilt


def _tuples(value: Any) -> Any:
    """Lists back to the tuples the records hold (JSON has only lists)."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
