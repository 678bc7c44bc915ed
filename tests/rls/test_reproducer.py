"""The failing-attempt report: runnable SQL, have/want and policies, in a snapshot-tested format."""

from __future__ import annotations

import os
from pathlib import Path

from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Attempt, Outcome, judge
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.reproducer import render
from wedsync_db.rls.sample_world import uid

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text + "\n")
    assert text + "\n" == path.read_text(), f"reproducer format changed; UPDATE_SNAPSHOTS=1 to accept ({path})"


def _stable(text: str) -> str:
    """Timestamps of the sample world move with the clock; mask them for the snapshot."""
    import re

    return re.sub(r"'\d{4}-\d\d-\d\dT[0-9:.+]+'", "'<ts>'", text)


def test_a_leaked_read_prints_setup_request_have_want_and_policies(oracle: Oracle) -> None:
    """A stranger who (hypothetically) saw supplier B's client: the reproducer shows the minimal setup."""
    actor = Actor("authenticated", {"role": "authenticated", "sub": uid("stranger")}, "stranger")
    target = oracle.world.row("clients", uid("client-B-live"))
    attempt = Attempt(actor, "clients", "select", "by_id", target=target)
    outcome = Outcome(rows=[(uid("client-B-live"),)], rowcount=1)
    text = render(oracle, judge(oracle, attempt, outcome))
    assert "begin;" in text and "rollback;" in text
    _check("reproducer_leaked_read.txt", _stable(text))


def test_a_wrongly_allowed_write_prints_the_statement_and_the_refusal_wanted(oracle: Oracle) -> None:
    """A viewer whose UPDATE (hypothetically) went through: want 0 rows, have 1, policies named."""
    actor = Actor("authenticated", {"role": "authenticated", "sub": uid("viewer_a")}, "viewer_a")
    target = oracle.world.row("clients", uid("client-A-live"))
    assert target is not None
    attempt = Attempt(actor, "clients", "update", "allowed", target=target, new={**target, "notes": "hi"},
                      columns=("notes",))
    text = render(oracle, judge(oracle, attempt, Outcome(rowcount=1, unchanged=False)))
    assert "clients_update_team" in text
    _check("reproducer_wrong_write.txt", _stable(text))
