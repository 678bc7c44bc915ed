"""The seed command: refuses a database with data, --replace reloads it, --help has examples."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from wedsync_db.worlds.load import seed_command

app = typer.Typer()
app.command("seed")(seed_command)
app.command("noop")(lambda: None)  # keeps "seed" a subcommand, as it will be under wedsync-db


def test_help_shows_examples():
    """--help is the docstring with examples."""
    result = CliRunner().invoke(app, ["seed", "--help"])
    assert result.exit_code == 0 and "--profile ci --seed 42" in result.output


def test_seed_refuses_then_replaces(seeded_db_url):
    """A database with data is refused (exit 1) unless --replace is given."""
    url = seeded_db_url("tiny")
    refused = CliRunner().invoke(app, ["seed", "--profile", "tiny", "--database", url, "--no-progress"])
    assert refused.exit_code == 1 and "already holds data" in refused.output
    replaced = CliRunner().invoke(app, ["seed", "--profile", "tiny", "--database", url, "--replace",
                                        "--no-progress", "--as-of", "2025-06-14"])
    assert replaced.exit_code == 0, replaced.output
    assert "total" in replaced.output


def test_fingerprint_prints_what_the_seed_means(db_url):
    """--fingerprint ends the output with the World's fingerprint: the recorded one for tiny, seed 42."""
    from tests.fixtures_tests.test_fingerprint import RECORDED

    result = CliRunner().invoke(app, ["seed", "--profile", "tiny", "--seed", "42", "--database", db_url,
                                      "--no-progress", "--as-of", "2025-06-14", "--fingerprint"])
    assert result.exit_code == 0, result.output
    assert f"world fingerprint: {RECORDED['tiny']}" in result.output
