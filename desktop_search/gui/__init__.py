"""The desktop app: the only package that imports PySide6."""

from desktop_search.gui._refcount_guard import install as _install_refcount_guard

_install_refcount_guard()
