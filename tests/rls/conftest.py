"""RLS tests: the attempt count in the terminal summary. The fixtures are in tests/rls/seeded.py, registered by the
root conftest.py (tests/quality uses them too)."""

import pytest

from tests.rls.seeded import RLS_ATTEMPTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say how many access attempts the property tests judged (the issue's per-profile targets count these)."""
    attempts = config.stash.get(RLS_ATTEMPTS, None)
    if attempts is not None:
        terminalreporter.write_line(f"rls: {attempts:,} access attempts judged by the property tests")
