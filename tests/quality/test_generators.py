"""The generators reach the hard cases on the seeded tiny world (Hypothesis ``find``, as Hypothesis's quality/ does).

Each test names a case the isolation properties must be able to try; if the strategies stopped producing it,
the properties would pass without proving it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import find, settings
from hypothesis import strategies as st

from tests.strategies.actors import actors
from tests.strategies.attempts import access_attempts
from wedsync_db.impersonate import Actor
from wedsync_db.rls.attempts import Attempt
from wedsync_db.rls.generate import BAD_CALLERS
from wedsync_db.rls.matrix import TEAM_ROLES
from wedsync_db.rls.oracle import Caller, Oracle

SEARCH = settings(max_examples=3000, database=None, deadline=None)


def _find_actor(oracle: Oracle, condition: Callable[[Actor], bool]) -> Actor:
    return find(actors(oracle.world), condition, settings=SEARCH)


class _Draw:
    """Lets the ``data``-taking strategies run inside ``st.composite`` (``find`` cannot take ``st.data()``)."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw


def _attempts(oracle: Oracle) -> st.SearchStrategy[list[Attempt]]:
    @st.composite
    def batches(draw: Any) -> list[Attempt]:
        actor = draw(actors(oracle.world))
        return access_attempts(_Draw(draw), oracle, actor, max_size=8)

    return batches()


def _find_attempt(oracle: Oracle, condition: Callable[[Attempt], bool]) -> Attempt:
    batch = find(_attempts(oracle), lambda b: any(condition(a) for a in b), settings=SEARCH)
    return next(a for a in batch if condition(a))


def _uid(actor: Actor) -> str | None:
    return Caller.of(actor).uid if actor.role == "authenticated" else None


def test_actors_include_a_dual_role_user(tiny_oracle: Oracle) -> None:
    """Someone on a supplier's team who is also a partner of a couple."""
    w = tiny_oracle.world
    _find_actor(tiny_oracle, lambda a: bool(w.suppliers_of(_uid(a)) and w.couples_of(_uid(a))))


def test_actors_include_a_freelancer_on_two_teams(tiny_oracle: Oracle) -> None:
    w = tiny_oracle.world
    _find_actor(tiny_oracle, lambda a: len(w.suppliers_of(_uid(a))) >= 2)


def test_actors_include_a_partner_of_a_couple_with_a_revoked_connection(tiny_oracle: Oracle) -> None:
    revoked = {c["couple_id"] for c in tiny_oracle.world.tables["supplier_client_connections"]
               if c["status"] == "revoked"}
    assert revoked, "the tiny world has no revoked connection"
    _find_actor(tiny_oracle, lambda a: bool(set(tiny_oracle.world.couples_of(_uid(a))) & revoked))


@pytest.mark.parametrize("role", TEAM_ROLES)
def test_actors_include_every_team_role(tiny_oracle: Oracle, role: str) -> None:
    w = tiny_oracle.world
    _find_actor(tiny_oracle, lambda a: any(w.team_role(_uid(a), s) == role for s, _ in w.team_rows))


@pytest.mark.parametrize("label", ["anon", "service_role", *BAD_CALLERS])
def test_actors_include_anon_service_role_and_every_bad_caller(tiny_oracle: Oracle, label: str) -> None:
    if label in ("anon", "service_role"):
        _find_actor(tiny_oracle, lambda a: a.label == label or (a.role == label and a.label in ("", label)))
    else:
        _find_actor(tiny_oracle, lambda a: a.label == label)


def test_attempts_include_an_insert_into_another_suppliers_tenant(tiny_oracle: Oracle) -> None:
    """A team member proposing a row whose supplier is not one of theirs."""
    w, m = tiny_oracle.world, tiny_oracle.matrix

    def cross(a: Attempt) -> bool:
        mine = w.suppliers_of(_uid(a.actor))
        col = m[a.table].team_column
        return (a.command == "insert" and bool(mine) and col != "id" and a.new is not None
                and a.new.get(col) is not None and a.new.get(col) not in mine)

    _find_attempt(tiny_oracle, cross)


def test_attempts_include_a_move_to_another_tenant(tiny_oracle: Oracle) -> None:
    """An UPDATE (or upsert) changing the row's tenant column to another tenant's value."""
    _find_attempt(tiny_oracle, lambda a: a.command in ("update", "upsert") and a.shape == "move"
                  and a.new is not None and a.target is not None
                  and any(a.new[c] != a.target[c] for c in a.columns))


def test_attempts_include_on_conflict_upserts(tiny_oracle: Oracle) -> None:
    a = _find_attempt(tiny_oracle, lambda a: a.command == "upsert")
    assert "on conflict" in a.statement()[0].as_string(None)


def test_attempts_include_returning(tiny_oracle: Oracle) -> None:
    a = _find_attempt(tiny_oracle, lambda a: a.returning and a.command in ("insert", "update", "delete"))
    assert "returning" in a.statement()[0].as_string(None)
