"""The command line: every command teaches with --help and examples; bad arguments give one line and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS_WITH_EXAMPLES = [
    ["run"], ["seed"], ["bench"], ["verify", "rls"], ["server", "start"], ["migrate", "up"], ["migrate", "down"],
    ["psql"], ["lint"], ["health"],
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wedsync_db.cli", *args], capture_output=True, text=True, timeout=60)


def test_top_level_help_lists_the_commands() -> None:
    """wedsync-db --help names each command group."""
    result = _cli("--help")
    assert result.returncode == 0
    for command in ("run", "server", "migrate", "psql", "lint", "health"):
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS_WITH_EXAMPLES, ids=" ".join)
def test_every_command_help_shows_examples(command: list[str]) -> None:
    """Each command's --help has an Examples section a newcomer can copy from."""
    result = _cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout


@pytest.mark.parametrize(
    "arguments",
    [["bogus"], ["migrate", "up", "--to", "x"], ["psql", "--as", "root"],
     ["migrate", "down", "--to", "1", "--steps", "2"], ["run", "--skip", "everything"]],
    ids=" ".join,
)
def test_bad_arguments_give_one_line_and_exit_code_2(arguments: list[str]) -> None:
    """A usage mistake prints a single 'wedsync-db: error: ...' line on stderr and exits with 2."""
    result = _cli(*arguments)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wedsync-db: error:"), result.stderr
