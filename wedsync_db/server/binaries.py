"""Find PostgreSQL server binaries (initdb, postgres, pg_ctl) of version 15 or newer."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MINIMUM_MAJOR = 15


@dataclass(frozen=True)
class Binaries:
    """A directory of server binaries and the major version they report."""

    bindir: Path
    major: int

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def _major_version(bindir: Path) -> int | None:
    postgres = bindir / "postgres"
    if not (postgres.is_file() and (bindir / "initdb").is_file()):
        return None
    try:
        output = subprocess.run([str(postgres), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else None


def candidate_bindirs(explicit: str | None = None) -> list[Path]:
    """Return the directories to try, in the documented order: explicit, PATH, pg_config, Debian's layout."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip()
            if out:
                candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass

    def version_key(path: str) -> int:
        match = re.search(r"/(\d+)/bin$", path)
        return int(match.group(1)) if match else 0

    candidates.extend(Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True))
    unique: list[Path] = []
    for path in candidates:
        if path not in unique:
            unique.append(path)
    return unique


def find_binaries(explicit: str | None = None) -> tuple[Binaries | None, list[str]]:
    """Return the first usable binaries and a list of what was tried (for error messages)."""
    tried: list[str] = []
    for bindir in candidate_bindirs(explicit or os.environ.get("WEDSYNC_DB_PG_BINDIR")):
        major = _major_version(bindir)
        if major is None:
            tried.append(f"{bindir}: no initdb/postgres there")
        elif major < MINIMUM_MAJOR:
            tried.append(f"{bindir}: PostgreSQL {major} is older than {MINIMUM_MAJOR}")
        else:
            return Binaries(bindir, major), tried
    if not tried:
        tried.append("PATH, pg_config --bindir and /usr/lib/postgresql/*/bin held no server binaries")
    return None, tried
