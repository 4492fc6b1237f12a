"""Guard against PySide6 6.12.0 dropping references to None/True/False on Python < 3.12.

That release returns None (from void methods such as `QLineEdit.setText`, `QTimer.singleShot`)
and True (from `Signal.emit`, `disconnect`) without taking a reference. On Python 3.12+ these
singletons are immortal, so nothing happens; on 3.11 every call costs one reference and after a
few thousand calls the interpreter aborts ("bool_dealloc: deallocating True or False"). PySide6
6.11.3 does not have the bug. The guard measures the leak once at import and, only if present,
gives the three singletons a reserve of references they can never run through. They are never
freed in a running interpreter anyway, so the reserve changes nothing else.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_RESERVE = 1 << 40
_applied = False


def _leaks() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(16):
        probe.setObjectName("probe")
        probe.fired.emit()
    after = sys.getrefcount(None), sys.getrefcount(True)
    return after[0] < before[0] - 8 or after[1] < before[1] - 8


def install() -> bool:
    """Apply the reserve when this PySide6 leaks; returns whether it was needed."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return _applied
    if not _leaks():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object in a non-debug CPython 3.11 build.
        ctypes.c_ssize_t.from_address(id(singleton)).value += _RESERVE
    _applied = True
    log.info("PySide6 reference leak on None/True/False detected; reserve applied")
    return True
