"""A live supplier keeps an accepted owner (team_members_supplier_keeps_owner) also when owners act at once.

The AFTER trigger private.guard_supplier_keeps_owner (0036) counts the supplier's other accepted owners in its own
snapshot. Two owners who demote (or remove) each other in concurrent requests lock different rows, so neither
waits, each trigger still sees the other as owner, and both commit: write skew, a supplier with no owner. Recorded
as open in tests/quality/peer_linter_findings.yaml (pgrls SEC013 on the trigger); the fix is to lock the
supplier's row in the trigger before counting, which serializes owner changes per supplier.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import psycopg

from wedsync_db import Actor
from wedsync_db.impersonate import set_request_context

Conn = psycopg.Connection[Any]


DEMOTE = "update public.team_members set role = 'admin' where supplier_id = %s and user_id = %s"


def _waits_on_a_lock(observer: Conn, pid: int) -> bool:
    row = observer.execute("select wait_event_type = 'Lock' from pg_catalog.pg_stat_activity where pid = %s",
                           (pid,)).fetchone()
    return row == (True,)


def test_two_owners_demoting_each_other_at_once_leave_the_supplier_an_owner(db: Conn, db_url: str) -> None:
    """Two owners demote each other to admin in overlapping API requests: the later one is refused
    (team_members_supplier_keeps_owner) once the earlier commits, so the supplier keeps one accepted owner."""
    one, other = (str(uuid.uuid4()) for _ in range(2))
    for user in (one, other):
        db.execute("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', 'authenticated', %s)",
                   (user, f"owner-{user[:8]}@example.test"))
    supplier = db.execute("insert into public.suppliers (business_name, slug, email, created_by)"
                          " values ('Two Owners', %s, 'two-owners@example.test', %s) returning id",
                          (f"two-owners-{one[:8]}", one)).fetchone()[0]
    db.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
               " values (%s, %s, 'owner', now())", (supplier, other))
    one_as, other_as = Actor.for_user(db, one), Actor.for_user(db, other)
    refused: list[str | None] = []
    updated = threading.Event()

    def other_demotes_one(conn: Conn) -> None:
        set_request_context(conn, other_as)
        try:
            conn.execute(DEMOTE, (supplier, one))
            updated.set()
            conn.commit()
        except psycopg.errors.CheckViolation as error:
            conn.rollback()
            refused.append(error.diag.constraint_name)

    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        set_request_context(first, one_as)
        first.execute(DEMOTE, (supplier, other))
        # The second request starts while the first is open; the first commits only once the second has
        # finished its update or waits on a lock, so the two overlap whatever the scheduling.
        thread = threading.Thread(target=other_demotes_one, args=(second,))
        thread.start()
        deadline = time.monotonic() + 10
        while not updated.is_set() and not _waits_on_a_lock(db, second.info.backend_pid):
            assert time.monotonic() < deadline, "the second request neither finished its update nor waited"
            time.sleep(0.02)
        first.commit()
        thread.join(timeout=30)
        assert not thread.is_alive()

    owners = db.execute("select count(*) from public.team_members where supplier_id = %s and role = 'owner'"
                        " and accepted_at is not null and deleted_at is null", (supplier,)).fetchone()[0]
    assert (owners, refused) == (1, ["team_members_supplier_keeps_owner"])
