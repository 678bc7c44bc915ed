"""Run the wedsync-db command as a person does, in a process of its own, from a state folder of the test's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cli_environment(state: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without DATABASE_URL, with the dev server's folder moved to ``state``."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "PGHOST", "PGPORT")}
    env["WEDSYNC_DB_STATE_DIR"] = str(state)
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 600,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``wedsync-db <args>`` and return what it printed and its exit code."""
    return subprocess.run([sys.executable, "-m", "wedsync_db.cli", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=timeout, cwd=cwd)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    """What a failed assertion shows: the command, its exit code and both streams."""
    return f"{' '.join(map(str, result.args[3:]))}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
