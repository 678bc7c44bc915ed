"""The access contract itself holds: an attacker acting only through the API reaches no other party's data.

The search (wedsync_db.rls.escalation_machine) starts from a bare sign-up on the sample world, whose victims hold
real data and every near miss (a pending invitation, an invited partner two, revoked, invited and declined
connections, archived suppliers, couples and forms with live children, a refunded purchase). Its actions come
from the catalog; its judge is the ownership model (schema/ownership.yaml), never the access matrix.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from wedsync_db.rls.escalation_machine import run_search
from wedsync_db.rls.sample_world import USERS, uid

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")


def test_a_fresh_sign_up_acting_through_the_api_breaks_no_ownership_invariant(
    rls_db_url: str, tmp_path: Path, announce_failure: Callable[[str], None],
) -> None:
    """Every invariant of wedsync_db.rls.invariants, after every step, for the attacker's users and every victim."""
    with psycopg.connect(rls_db_url) as conn:
        report = run_search(conn, [uid(u) for u in USERS], PROFILE, tmp_path / "first-failure.sql",
                            announce=announce_failure)
    print(report.summary())
    assert report.steps > 0 and report.reads_judged > 0


def test_the_search_reaches_every_kind_of_action(rls_db_url: str) -> None:
    """The catalog gives the search inserts, updates, deletes and RPCs (a surface read wrong would shrink it)."""
    from wedsync_db.rls.api_surface import ApiSurface
    from wedsync_db.rls.escalation import action_names

    with psycopg.connect(rls_db_url) as conn:
        kinds: dict[str, Any] = {}
        for kind, target in action_names(ApiSurface.read(conn)):
            kinds.setdefault(kind, []).append(target)
    assert {"insert", "update", "delete", "call"} <= set(kinds)
    assert "team_members" in kinds["insert"] and "accept_team_invitation" in kinds["call"]


def test_every_user_of_the_sample_world_reads_only_what_ownership_and_consent_open(rls_db_url: str) -> None:
    """The world's near misses, judged by the second oracle: pending invitations, an invited partner two,
    revoked, invited and declined connections, archived suppliers, couples and forms with live children."""
    from wedsync_db.rls.api_surface import ApiSurface
    from wedsync_db.rls.escalation import Search
    from wedsync_db.rls.invariants import Judge

    with psycopg.connect(rls_db_url) as conn:
        surface = ApiSurface.read(conn)
        search = Search(conn, surface, Judge(), [uid(u) for u in USERS])
        found = search.judge_world()
        conn.rollback()
    assert [v.line() for v in found] == []
    assert search.checks > 500


def test_every_member_may_leave_a_team_on_their_own_but_not_leave_it_without_an_owner(rls_conn: Any) -> None:
    """team_members_delete_self lets each member (an invitee too) go; team_members_supplier_keeps_owner keeps the
    last accepted owner of a live supplier."""
    from psycopg import errors

    from wedsync_db.impersonate import Actor, request_in_savepoint

    rows = rls_conn.execute(
        "select tm.id::text, tm.user_id::text, tm.role::text = 'owner' and not exists (select 1 from"
        " public.team_members o where o.supplier_id = tm.supplier_id and o.id <> tm.id and o.role = 'owner'"
        " and o.accepted_at is not null and o.deleted_at is null)"
        " from public.team_members tm join public.suppliers s on s.id = tm.supplier_id"
        " where tm.deleted_at is null and s.deleted_at is null").fetchall()
    assert len(rows) >= 10 and any(last for _, _, last in rows)
    for member_id, user_id, last_owner in rows:
        with request_in_savepoint(rls_conn, Actor.user(user_id)) as conn:
            if last_owner:
                with pytest.raises(errors.CheckViolation, match="without an owner"):
                    conn.execute("delete from public.team_members where id = %s", (member_id,))
            else:
                assert conn.execute("delete from public.team_members where id = %s", (member_id,)).rowcount == 1
