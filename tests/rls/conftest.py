"""RLS fixtures: see tests/rls/seeded.py (shared with tests/quality)."""

import pytest

from tests.rls.seeded import (  # noqa: F401
    RLS_ATTEMPTS,
    fresh_rls_db_url,
    oracle,
    rls_conn,
    rls_counter,
    rls_db_url,
    rls_template,
    rls_world,
    tiny_conn,
    tiny_fingerprints,
    tiny_oracle,
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say how many access attempts the property tests judged (the issue's per-profile targets count these)."""
    attempts = config.stash.get(RLS_ATTEMPTS, None)
    if attempts is not None:
        terminalreporter.write_line(f"rls: {attempts:,} access attempts judged by the property tests")
