"""The seed benchmark's arguments: --help teaches, a typo is refused before any server starts."""

from __future__ import annotations

import pytest

from bench.seed import parse_args


def test_seed_bench_help_explains_the_baselines_and_lists_the_profiles(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "plain COPY" in out and "replay" in out and "tiny, ci, large, xl" in out


def test_seed_bench_refuses_an_unknown_profile_with_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args(["ci", "huge"])
    assert exit_.value.code == 2
    assert "unknown profile 'huge'" in capsys.readouterr().err


def test_seed_bench_runs_ci_and_large_by_default():
    assert parse_args([]).profiles == ["ci", "large"]
    assert parse_args(["--replay", "large"]).profiles == ["large"]


def test_seed_bench_runs_at_wal_level_minimal_unless_told_logical(capsys):
    assert parse_args([]).wal_level == "minimal"
    assert parse_args(["--wal-level", "logical", "ci"]).wal_level == "logical"
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--wal-level", "replica"])
    assert exit_.value.code == 2
