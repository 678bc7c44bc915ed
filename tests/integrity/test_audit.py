"""Audit trail: one row per inserted, updated and deleted row of every table; append-only; 7-year retention.

Trigger ``write_audit_log`` (every table), guard ``refuse_audit_log_change`` (constraint ``audit_log_append_only``),
``public.purge_audit_log``. Tables come from the catalog, so a new table is covered without editing this file.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.integrity.factories import CHANGEABLE_ROWS, Tenant, audited_tables, one, tenants
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]




@pytest.fixture
def tenant(db: Conn) -> Tenant:
    """One populated tenant plus spare rows nothing points at with a restricting foreign key."""
    built = tenants(db, "Aud")
    db.execute("insert into public.core_field_groups (key, name) values ('probe_a', 'A'), ('probe_b', 'B')")
    db.execute("insert into public.core_fields (field_group_id, key, label, data_type)"
               " select id, 'probe', 'Probe', 'text' from public.core_field_groups where key = 'probe_a'")
    db.execute("insert into public.email_templates (supplier_id, name, subject, body_text) values (%s, 's', 's', 's')",
               (built.supplier,))
    db.execute("insert into public.sms_templates (supplier_id, name, body) values (%s, 's', 's')", (built.supplier,))
    db.execute("insert into public.forms (supplier_id, title) values (%s, 'Spare')", (built.supplier,))
    return built


def restricting_references(conn: Conn, table: str) -> list[tuple[str, str]]:
    """(child table, child column) of every public foreign key to public.<table>(id) that blocks a delete."""
    rows = conn.execute(
        """
        select ch.relname, ca.attname
        from pg_constraint con
        join pg_class ch on ch.oid = con.conrelid join pg_namespace n on n.oid = ch.relnamespace
        cross join lateral unnest(con.conkey, con.confkey) as k (child_attnum, parent_attnum)
        join pg_attribute ca on ca.attrelid = con.conrelid and ca.attnum = k.child_attnum
        join pg_attribute pa on pa.attrelid = con.confrelid and pa.attnum = k.parent_attnum
        where con.contype = 'f' and con.confrelid = %s::regclass and con.conparentid = 0
          and con.confdeltype in ('a', 'r') and pa.attname = 'id' and n.nspname = 'public'
        """,
        (f"public.{table}",),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def expected_supplier(table: str, image: dict[str, Any]) -> str | None:
    """The supplier an audit row is filed under (schema/README.md, Audit): the seller for purchases; none for a
    notification, which is private to its recipient (0051)."""
    if table == "notifications":
        return None
    if table == "suppliers":
        return image["id"]
    if table == "template_purchases":
        return image["seller_supplier_id"]
    return image.get("supplier_id")


def audit_problems(conn: Conn, table: str, actor_id: str) -> list[str]:
    """Delete, re-insert and update one row of ``table`` in a rolled-back transaction; return what the trail got wrong.

    The actor is service_role with ``sub`` = ``actor_id`` where service_role may write the table, else the
    migrating role (history, states, purchases' delete) with the same claims.
    """
    problems: list[str] = []
    blockers = restricting_references(conn, table)
    where = " and ".join([CHANGEABLE_ROWS.get(table, "true")] + [
        f"not exists (select 1 from public.{child} c where c.{column} = t.id)" for child, column in blockers
    ])
    with conn.transaction(force_rollback=True):
        row_id = conn.execute(f"select id::text from public.{table} t where {where} limit 1").fetchone()
        if row_id is None:
            return [f"{table}: no row to exercise (the fixture must build one nothing restricts)"]
        row_id = row_id[0]
        privileged = one(  # has_table_privilege with a list means "any of": ask for each
            conn, "select bool_and(has_table_privilege('service_role', %s, p))"
            " from unnest(array['insert', 'update', 'delete']) p", (f"public.{table}",))
        role = "service_role" if privileged else one(conn, "select session_user")
        conn.execute("select set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": actor_id, "role": role}),))
        if privileged:
            conn.execute("set local role service_role")
        columns = [r[0] for r in conn.execute(
            "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 and not attisdropped"
            " and attgenerated = '' order by attnum", (f"public.{table}",)).fetchall()]
        column_list = ", ".join(columns)

        def image() -> dict[str, Any] | None:
            found = conn.execute(f"select to_jsonb(t) from public.{table} t where id = %s", (row_id,)).fetchone()
            return found[0] if found else None

        def trail() -> list[tuple[Any, ...]]:
            return conn.execute(
                "select action::text, actor_user_id::text, actor_role, supplier_id::text, old_values, new_values,"
                " changed_columns from public.audit_log where table_name = %s and row_id = %s"
                " and transaction_id = txid_current()", (table, row_id)).fetchall()

        def check(step: str, action: str, old: Any, new: Any, changed: list[str]) -> None:
            rows = [r for r in trail() if r[0] == action]
            want = (action, actor_id, role, expected_supplier(table, old or new), old, new, changed)
            if len(rows) != 1:
                problems.append(f"{table}: {step}: want exactly one {action} audit row, have {len(rows)}")
            elif rows[0] != want:
                problems.append(f"{table}: {step}: audit row differs\n    have {rows[0]}\n    want {want}")

        original = image()
        conn.execute(f"delete from public.{table} where id = %s", (row_id,))
        check("delete", "delete", original, None, [])
        conn.execute(
            f"insert into public.{table} ({column_list}) select {column_list}"
            f" from jsonb_populate_record(null::public.{table}, %s)", (json.dumps(original),))
        inserted = image()
        check("insert", "insert", None, inserted, [])
        conn.execute(f"update public.{table} set deleted_at = '2001-02-03 04:05:06+00' where id = %s", (row_id,))
        updated = image()
        assert inserted is not None and updated is not None
        changed = sorted(k for k in updated if updated[k] != inserted.get(k))
        check("update", "update", inserted, updated, changed)
        if len(trail()) != 3:
            problems.append(f"{table}: want 3 audit rows for delete, insert, update; have {len(trail())}")
    return problems


def test_backend_insert_update_delete_on_every_table_writes_one_exact_audit_row(db: Conn, tenant: Tenant) -> None:
    """Every table's trigger write_audit_log records actor, role, action, supplier, old/new row and changed columns."""
    tables = audited_tables(db)
    assert len(tables) >= 29
    problems = [p for table in tables for p in audit_problems(db, table, tenant.owner)]
    assert not problems, "\n".join(problems)


def test_audit_check_goes_red_when_the_audit_trigger_is_dropped(db: Conn, tenant: Tenant) -> None:
    """Quality: without trigger write_audit_log on clients, the audit check reports all three missing rows."""
    assert audit_problems(db, "clients", tenant.owner) == []
    db.execute("drop trigger write_audit_log on public.clients")
    problems = audit_problems(db, "clients", tenant.owner)
    assert [p.split(":")[1].strip() for p in problems[:3]] == ["delete", "insert", "update"]


def test_team_member_update_is_audited_with_their_user_id_and_only_the_changed_columns(
    db: Conn, observer: Conn, tenant: Tenant
) -> None:
    """An API update records actor_user_id = auth.uid(), actor_role authenticated, changed columns (write_audit_log)."""
    with request(db, Actor.for_user(db, tenant.member), commit=True) as conn:
        conn.execute("update public.clients set notes = 'called back' where id = %s", (tenant.client,))
    rows = observer.execute(
        "select actor_user_id::text, actor_role, supplier_id::text, changed_columns, old_values ->> 'notes',"
        " new_values ->> 'notes' from public.audit_log where table_name = 'clients' and row_id = %s"
        " and action = 'update'", (tenant.client,)).fetchall()
    assert rows == [(tenant.member, "authenticated", tenant.supplier, ["notes", "updated_at"],
                     "Aud notes: allergic to nuts", "called back")]


# -- append-only -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("actor",
                         [Actor.anon(), Actor.service_role(), Actor.user("00000000-0000-4000-8000-000000000001")],
                         ids=lambda a: a.role)
@pytest.mark.parametrize("statement", [
    "update public.audit_log set actor_role = 'x'",
    "delete from public.audit_log",
    "truncate public.audit_log",
])
def test_api_role_cannot_update_delete_or_truncate_audit_rows(
    db: Conn, observer: Conn, tenant: Tenant, actor: Actor, statement: str
) -> None:
    """No API role (service_role included) may change the trail: no grant, and audit_log_append_only behind it."""
    before = one(observer, "select count(*) from public.audit_log")
    with pytest.raises(errors.InsufficientPrivilege):
        with request(db, actor) as conn:
            conn.execute("select set_config('wedsync.audit_maintenance', 'on', true)")
            conn.execute(statement)
    assert one(observer, "select count(*) from public.audit_log") == before


@pytest.mark.parametrize("statement", [
    "update public.audit_log set actor_role = 'x'",
    "delete from public.audit_log",
    "truncate public.audit_log",
])
def test_table_owner_cannot_change_audit_rows_outside_maintenance(db: Conn, tenant: Tenant, statement: str) -> None:
    """Even the owning (migration) role is refused by trigger refuse_audit_log_change (audit_log_append_only)."""
    with pytest.raises(errors.InsufficientPrivilege) as caught:
        db.execute(statement)
    assert caught.value.diag.constraint_name == "audit_log_append_only"


def test_service_role_granted_write_still_hits_audit_log_append_only(db: Conn, tenant: Tenant) -> None:
    """Behind the missing grant, the guard trigger refuses service_role too (audit_log_append_only)."""
    with db.transaction(force_rollback=True):
        db.execute("grant update, delete on public.audit_log to service_role")
        db.execute("set local role service_role")
        db.execute("select set_config('wedsync.audit_maintenance', 'on', true)")
        for statement in ("update public.audit_log set actor_role = 'x'", "delete from public.audit_log"):
            with pytest.raises(errors.InsufficientPrivilege) as caught, db.transaction():
                db.execute(statement)
            assert caught.value.diag.constraint_name == "audit_log_append_only"


# -- retention ---------------------------------------------------------------------------------------------

def purge(db: Conn, when: str, retention: str = "7 years") -> int:
    with request(db, Actor.service_role(), commit=True) as conn:
        return int(one(conn, f"select public.purge_audit_log(now() + interval '{when}', interval '{retention}')"))


def test_backend_purge_keeps_rows_younger_than_seven_years(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """purge_audit_log removes nothing while every row is under 7 years old (time moved by p_now)."""
    before = one(observer, "select count(*) from public.audit_log")
    assert purge(db, "7 years - 1 day") == 0
    assert one(observer, "select count(*) from public.audit_log") == before


def test_backend_purge_removes_rows_past_seven_years_but_keeps_financial_records(
    db: Conn, observer: Conn, tenant: Tenant
) -> None:
    """purge_audit_log removes rows older than 7 years except those of template_purchases (financial records)."""
    counts = dict(observer.execute(
        "select table_name = 'template_purchases', count(*) from public.audit_log group by 1").fetchall())
    assert counts[True] >= 1 and counts[False] > 1
    assert purge(db, "7 years 1 day") == counts[False]
    left = observer.execute("select distinct table_name from public.audit_log").fetchall()
    assert left == [("template_purchases",)]


def test_backend_purge_refuses_a_retention_under_seven_years(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """purge_audit_log raises 22023 for a retention under 7 years and deletes nothing."""
    before = one(observer, "select count(*) from public.audit_log")
    with pytest.raises(errors.InvalidParameterValue):
        purge(db, "10 years", "6 years 11 months")
    assert one(observer, "select count(*) from public.audit_log") == before


def test_team_member_cannot_run_the_retention_function(db: Conn, tenant: Tenant) -> None:
    """purge_audit_log is executable by service_role only."""
    with pytest.raises(errors.InsufficientPrivilege), request(db, Actor.for_user(db, tenant.owner)) as conn:
        conn.execute("select public.purge_audit_log(now() + interval '20 years')")
