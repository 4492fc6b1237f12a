"""Whether a folder's disk is there: directory identities and mount points left empty."""

from __future__ import annotations

import os
import stat

# (st_dev, st_ino) of a directory: a change means the folder was deleted and recreated, or a
# drive was mounted over or off it.
Identity = tuple[int, int]


def identity(path: str) -> Identity | None:
    """(st_dev, st_ino) of the directory watched for `path`; None when `path` is gone."""
    try:
        info = os.stat(path)
        if not stat.S_ISDIR(info.st_mode):
            info = os.stat(os.path.dirname(path))  # a single file is watched through its folder
    except OSError:
        return None
    return info.st_dev, info.st_ino


def looks_unmounted(path: str, armed: Identity | None, now: Identity) -> bool:
    """An empty folder on another device than when it was watched (`armed`): a mount point
    whose drive left."""
    if armed is None or now[0] == armed[0]:
        return False
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return True


def empty_mount_point(folder: str) -> bool:
    """A mount point with nothing in it is a drive that is not there, not an emptied folder."""
    try:
        if not os.path.ismount(folder):
            return False
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False
