"""Checks on zip containers (Office Open XML, OpenDocument) before any library opens them, and
the translation of what those libraries raise into reasons a person understands.

A zip states how large each part unpacks to, and Python's zipfile never hands out more than
that (a part that unpacks to more fails its CRC check), so caps on the stated sizes hold: a zip
bomb fails its one file here, before anything is unpacked. Password-protected Office files are
not zips at all but OLE compound files that wrap the encrypted package.
"""

from __future__ import annotations

import errno
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from desktop_search.core.errors import ExtractionError

# Above the memory a worker gets by default (2 GiB) once parsed; no real document comes near.
MAX_UNPACKED_MB = 1024
MAX_ENTRIES = 10_000
# XML compresses well (a sheet of repeated rows can reach 50:1), so only a large part that
# unpacks to more than this many times its packed size is suspicious; deflate tops out near 1000.
MAX_RATIO = 100
RATIO_FLOOR = 16 * 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an encrypted OOXML file keeps its package in; directory names are UTF-16LE.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_SCAN_BLOCK = 1 << 20
_STRICT_OOXML = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
# Entity declarations are how a few kilobytes of XML expand to gigabytes ('billion laughs').
UNSAFE_XML = "it declares XML entities, which are refused because they can expand without limit"
_UNSUPPORTED_ZIP = "the file is damaged or packed in a way that can't be read"


def another_office_kind(path: str, expected: str) -> ExtractionError:
    """For an Office file of another kind under this one's name ('it is not a Word document')."""
    return ExtractionError(path, f"it is not {expected} (it is another kind of Office file)")


def check_ooxml(path: str, kind: str) -> None:
    """Raise ExtractionError unless `path` is an Office Open XML file fit to hand to its library:
    the checks of `open_zip`, and a clear reason for the one variant that the libraries don't
    know ("Strict Open XML", which names every part in other namespaces)."""
    with open_zip(path, kind) as archive, library_errors(path, kind):
        if "_rels/.rels" not in archive.namelist():
            return  # the library says what is missing
        # The package's first relationships name their namespace: the start will do.
        with archive.open("_rels/.rels") as part:
            relationships = part.read(64 * 1024)
    if _STRICT_OOXML in relationships:
        raise ExtractionError(
            path,
            f"it is saved as Strict Open XML, which can't be read; save it again as a "
            f"regular {kind} file to have it indexed",
        )


def open_zip(path: str, kind: str) -> zipfile.ZipFile:
    """The zip at `path`, open, once it is shown safe to unpack; the caller closes it.

    `kind` names the format for messages ("DOCX"). Checks the stated sizes, the number of
    parts and the compression ratio; tells an encrypted or old binary Office file apart.
    Raises ExtractionError with the reason otherwise.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(OLE_MAGIC))
    except OSError as exc:
        raise ExtractionError(path, f"it can't be read ({exc.strerror or exc})") from exc
    if head == OLE_MAGIC:
        raise _ole_error(path, kind)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ExtractionError(
            path, f"the file is damaged or incomplete: it is not a valid {kind} file"
        ) from exc
    except NotImplementedError as exc:
        raise ExtractionError(path, _UNSUPPORTED_ZIP) from exc
    except OSError as exc:
        raise _os_error(path, exc) from exc
    try:
        _check_sizes(path, archive.infolist())
    except ExtractionError:
        archive.close()
        raise
    return archive


def _check_sizes(path: str, entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise ExtractionError(
            path, f"it holds more than {MAX_ENTRIES:,} parts: possibly a zip bomb"
        )
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:  # the zip's own encryption, by password
            raise ExtractionError(path, "it is password-protected")
        total += entry.file_size
        if entry.file_size > RATIO_FLOOR:
            ratio = entry.file_size / max(1, entry.compress_size)
            if ratio > MAX_RATIO:
                raise ExtractionError(
                    path,
                    f"one of its parts unpacks to {ratio:,.0f} times its packed size: "
                    "possibly a zip bomb",
                )
    if total > MAX_UNPACKED_MB * 1024 * 1024:
        raise ExtractionError(
            path, f"it unpacks to more than {MAX_UNPACKED_MB:,} MB: possibly a zip bomb"
        )


def _ole_error(path: str, kind: str) -> ExtractionError:
    if _contains(path, _ENCRYPTED_STREAM):
        return ExtractionError(path, "it is password-protected")
    return ExtractionError(
        path,
        f"it is an older binary Office file (Office 97-2003) named as {kind}; "
        f"save it again as {kind} to have it indexed",
    )


def _contains(path: str, needle: bytes) -> bool:
    """Whether the bytes of `path` contain `needle`, read a block at a time."""
    tail = b""
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_SCAN_BLOCK):
                if needle in tail + block:
                    return True
                tail = block[-len(needle) :]
    except OSError:
        return False
    return False


@contextmanager
def library_errors(path: str, kind: str) -> Iterator[None]:
    """Turn the ways a reading library fails on a damaged container into ExtractionError."""
    try:
        yield
    except ExtractionError:
        raise
    except zipfile.BadZipFile as exc:
        raise ExtractionError(path, f"the file is damaged ({_zip_detail(exc)})") from exc
    except (zlib.error, EOFError) as exc:
        raise ExtractionError(path, "the file is damaged: part of it can't be unpacked") from exc
    except NotImplementedError as exc:  # zipfile: a compression method or flag it lacks
        raise ExtractionError(path, _UNSUPPORTED_ZIP) from exc
    except OSError as exc:
        raise _os_error(path, exc) from exc
    except KeyError as exc:
        raise ExtractionError(
            path, f"the file is damaged or not a valid {kind} file: a part it needs is missing"
        ) from exc
    except (ValueError, SyntaxError) as exc:
        # defusedxml refuses entities with a ValueError; ElementTree's ParseError and lxml's
        # XMLSyntaxError are SyntaxErrors; openpyxl wraps either in a ValueError of its own.
        causes = _causes(exc)
        # libxml2 (under python-docx and python-pptx) stops entity expansion on its own and
        # calls it an "entity amplification" syntax error.
        if any(
            type(cause).__module__.startswith("defusedxml") or "amplification" in str(cause)
            for cause in causes
        ):
            raise ExtractionError(path, UNSAFE_XML) from exc
        if any(isinstance(cause, SyntaxError) for cause in causes):
            raise ExtractionError(
                path, f"the file is damaged: its {kind} text is not well-formed XML"
            ) from exc
        raise


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _zip_detail(exc: zipfile.BadZipFile) -> str:
    text = str(exc).lower()
    if "crc" in text:
        return "a part of it fails its checksum"
    if "truncated" in text:
        return "it is cut short"
    return "its parts don't match its table of contents"


def _os_error(path: str, exc: OSError) -> ExtractionError:
    # A damaged table of contents sends reads to offsets that don't exist (EINVAL), and a
    # damaged part can claim a compression its decoder then rejects (no errno at all).
    if exc.errno in (None, errno.EINVAL):
        return ExtractionError(path, "the file is damaged: part of it can't be unpacked")
    return ExtractionError(path, f"it can't be read ({exc.strerror or exc})")
