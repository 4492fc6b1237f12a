"""Fixtures for the extraction tests: one well-formed file of every text-paged format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.extract.office_files import make_one_of_each


@pytest.fixture(scope="module")
def one_of_each(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Made once per test module; tests copy before they change a file."""
    return make_one_of_each(tmp_path_factory.mktemp("formats"))
