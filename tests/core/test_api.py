"""The engine protocol: both engines satisfy it, and the process boundary forwards exactly it."""

from __future__ import annotations

import inspect

from desktop_search.core.api import API_CALLS, API_PROPERTIES, EngineAPI
from desktop_search.core.engine import Engine
from desktop_search.core.engine_process import RemoteEngine


def test_an_open_engine_satisfies_the_protocol() -> None:
    with Engine.open() as engine:
        assert isinstance(engine, EngineAPI)


def test_the_boundary_forwards_every_call_and_property_of_the_protocol() -> None:
    methods = {name for name, value in vars(EngineAPI).items() if inspect.isfunction(value)}
    declared = {name for name in methods if not name.startswith("_")} - {"close"}
    assert declared == API_CALLS
    assert {"settings", "busy", "paused", "model_ready", "alive"} == API_PROPERTIES
    for name in API_CALLS:
        for engine_class in (Engine, RemoteEngine):
            method = getattr(engine_class, name)
            # Same parameters as the protocol: a call the window makes works on either engine.
            assert (
                inspect.signature(method).parameters.keys()
                == inspect.signature(getattr(EngineAPI, name)).parameters.keys()
            ), (engine_class.__name__, name)
    for name in API_PROPERTIES:
        assert isinstance(inspect.getattr_static(Engine, name), property)
        assert isinstance(inspect.getattr_static(RemoteEngine, name), property)
