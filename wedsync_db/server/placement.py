"""Decide where a temporary cluster lives: in memory (a tmpfs such as /dev/shm) when one has room, else on disk.

Why memory: creating a file on the disk costs ~1 ms on this project's machines (ext4 on a virtual disk), and a
clone of the migrated template creates ~1,000 files (a few per relation). Measured on the 2-core machine: a
clone took 300-500 ms on disk against ~12 ms in memory, and the whole test suite 197 s against 123 s.

Why not always: a tmpfs keeps its files in RAM. A cluster that will hold the ``large`` profile (~7 GB) or ``xl``
(~45 GB) stays on disk; the callers that load those pass ``in_memory=False``.

``WEDSYNC_DB_IN_MEMORY`` (``auto``, the default; ``on``; ``off``) decides for callers that do not say.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from wedsync_db.errors import ServerUnavailable

MEMORY_DIR = Path("/dev/shm")
MIN_FREE_BYTES = 2 * 1024**3  # with less than this free in the tmpfs, clusters go to disk
ENVIRONMENT_VARIABLE = "WEDSYNC_DB_IN_MEMORY"
_CHOICES = {"auto": None, "on": True, "off": False}


def requested_in_memory() -> bool | None:
    """What ``WEDSYNC_DB_IN_MEMORY`` asks for: True (on), False (off) or None (auto, the default)."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "auto").strip().lower() or "auto"
    if value not in _CHOICES:
        raise ServerUnavailable(
            f"{ENVIRONMENT_VARIABLE}={value!r} is not one of {', '.join(_CHOICES)}: 'on' puts temporary clusters "
            f"in memory ({MEMORY_DIR}), 'off' on disk, 'auto' in memory when {MEMORY_DIR} is a tmpfs with room"
        )
    return _CHOICES[value]


def memory_unusable_reason(directory: Path | None = None) -> str | None:
    """Why ``directory`` (default: MEMORY_DIR) cannot hold a temporary cluster in memory, or None when it can."""
    directory = directory or MEMORY_DIR
    if not directory.is_dir():
        return f"{directory} does not exist"
    if _filesystem_type(directory) != "tmpfs":
        return f"{directory} is not a tmpfs"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{directory} is not writable"
    free = shutil.disk_usage(directory).free
    if free < MIN_FREE_BYTES:
        return f"{directory} has {free / 1024**3:.1f} GiB free, under the {MIN_FREE_BYTES / 1024**3:.0f} GiB needed"
    return None


def parent_directory(in_memory: bool | None) -> Path:
    """The directory a new temporary cluster goes in.

    :param in_memory: True requires memory (an error says why it cannot be had), False means disk, None follows
        ``WEDSYNC_DB_IN_MEMORY`` and then uses memory only when it has room.
    """
    wanted = requested_in_memory() if in_memory is None else in_memory
    if wanted is False:
        return Path(tempfile.gettempdir())
    reason = memory_unusable_reason()
    if reason is None:
        return MEMORY_DIR
    if wanted is True:
        raise ServerUnavailable(
            f"a cluster in memory was asked for, but {reason}. "
            f"Set {ENVIRONMENT_VARIABLE}=off (or auto) to put temporary clusters on disk."
        )
    return Path(tempfile.gettempdir())


def candidate_directories() -> list[Path]:
    """Every directory a temporary cluster may have been put in (where stale ones are looked for)."""
    found = [Path(tempfile.gettempdir()), MEMORY_DIR]
    return [path for i, path in enumerate(found) if path.is_dir() and path not in found[:i]]


def is_in_memory(path: Path) -> bool:
    """True when ``path`` lies in a tmpfs."""
    return _filesystem_type(path) == "tmpfs"


def _filesystem_type(path: Path) -> str:
    """The type of the filesystem holding ``path``, read from /proc/mounts (the longest mount point wins)."""
    resolved = str(path.resolve())
    best, kind = "", ""
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > len(best):
            best, kind = mount_point, fields[2]
    return kind
