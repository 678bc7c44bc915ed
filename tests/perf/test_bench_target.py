"""wedsync-db bench against a database someone names: it seeds it only when empty, or when told to replace."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from wedsync_db.perf.command import bench_command

app = typer.Typer()
app.command("bench")(bench_command)
app.command("noop")(lambda: None)


def test_bench_refuses_in_one_line_to_seed_a_database_that_holds_data(seeded_db_url, monkeypatch):
    """--seed-database on a seeded database exits 1 with one line naming --replace; nothing is measured."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = seeded_db_url("tiny")
    result = CliRunner().invoke(app, ["bench", "--profile", "tiny", "--database-url", url, "--seed-database"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "already holds data" in lines[0] and "--replace" in lines[0], result.output


def test_replace_needs_a_database_url(monkeypatch):
    """--replace without --database-url is a bad argument (exit 2): the bench's own databases are always fresh."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert CliRunner().invoke(app, ["bench", "--replace"]).exit_code == 2


def test_bench_replaces_and_measures_with_the_curve_points(seeded_db_url, tmp_path, monkeypatch):
    """--seed-database --replace reseeds the named database, then measures it, its curve points included."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = seeded_db_url("tiny")
    result = CliRunner().invoke(app, ["bench", "--profile", "tiny", "--database-url", url, "--seed-database",
                                      "--replace", "--runs", "2", "--load-seconds", "0", "--curve",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "report.md").read_text()
    assert "## Data curve" in report and "not measured" in report
    assert "## Tenant curve" not in report  # tiny has too few tenant sizes to fit a slope over (ci has five)
