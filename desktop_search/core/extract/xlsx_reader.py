"""Reader for Excel workbooks (.xlsx): a sheet is a page, a row is a line, cells apart by tabs.

Cells give the values Excel last computed (formulas themselves are not text a person reads).
openpyxl reads in its streaming, read-only mode and parses worksheets through defusedxml,
which refuses entity declarations. This module owns the `openpyxl` import.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop_search.core.extract.containers import (
    another_office_kind,
    check_ooxml,
    library_errors,
)
from desktop_search.core.extract.text_pages import build_document, page_of, tidy
from desktop_search.core.models import ExtractedDocument

_KIND = "XLSX"


def read(path: str, digest: str) -> ExtractedDocument:
    with _opened(path) as workbook:
        pages = [_sheet_text(sheet) for sheet in workbook.worksheets]
        # A workbook's first line is its first sheet's name: the file's name says more.
        title = workbook.properties.title or Path(path).stem
    return build_document(path, digest, pages, title, empty="the workbook contains no text")


def page_text(path: str, page: int) -> str:
    with _opened(path) as workbook:
        return _sheet_text(page_of(path, workbook.worksheets, page, "sheet"))


@contextmanager
def _opened(path: str) -> Iterator[Any]:
    import openpyxl

    check_ooxml(path, _KIND)
    # openpyxl warns about features it drops on reading (data validation, unknown extensions);
    # nothing a person searching could act on.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
    with library_errors(path, _KIND):
        try:
            workbook = openpyxl.load_workbook(
                path, read_only=True, data_only=True, keep_links=False
            )
        except (openpyxl.utils.exceptions.InvalidFileException, OSError) as exc:
            # openpyxl raises OSError("File contains no valid workbook part") for a Word or
            # PowerPoint file under an .xlsx name.
            if isinstance(exc, OSError) and "workbook part" not in str(exc):
                raise
            raise another_office_kind(path, "an Excel workbook") from exc
        try:
            yield workbook
        finally:
            workbook.close()


def _sheet_text(sheet: Any) -> str:
    # The stated dimensions may claim 16,384 columns; without them rows come as stored.
    sheet.reset_dimensions()
    lines = [_row_text(row) for row in sheet.iter_rows(values_only=True)]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    # The sheet's name first: people remember "the Budget sheet".
    return tidy("\n".join([str(sheet.title), *lines]))


def _row_text(values: Iterable[Any]) -> str:
    cells = [_cell_text(value) for value in values]
    while cells and not cells[-1]:
        cells.pop()
    return "\t".join(cells)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).split())
