"""GDPR erasure: after ``public.erase_couple``, no personal string of that couple is left anywhere, and nobody
else changed.

The scan reads every text, varchar, char, array, JSONB, tsvector and bytea column of every table in public (audit log,
history and partitions included) and the dashboards; bytea is also decrypted with wedsync.pii_key, since ciphertext we
can decrypt is still personal data. auth.users is out of scope: the auth service deletes the user itself.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.integrity.factories import (
    Tenant,
    audited_tables,
    connections,
    couples,
    one,
    row_images,
    suppliers,
    tenants,
    users,
)
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]


def text_columns(conn: Conn) -> list[tuple[str, str, str]]:
    """(schema.table, column, kind) of every column that can hold a personal string."""
    rows = conn.execute(
        """
        select n.nspname || '.' || c.relname, a.attname, case when t.typname = 'bytea' then 'bytea' else 'text' end
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        join pg_type t on t.oid = a.atttypid
        where a.attnum > 0 and not a.attisdropped and not c.relispartition
          and ((n.nspname = 'public' and c.relkind in ('r', 'p')) or (n.nspname = 'private' and c.relkind = 'm'))
          and (t.typname in ('text', 'varchar', 'bpchar', 'jsonb', 'json', 'tsvector', 'bytea', 'name')
               or t.typcategory = 'A')
        order by 1, 2
        """
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def needles(personal: list[str], tag: str) -> list[str]:
    """The lowercased personal strings plus their tag-bearing words (tsvectors keep words, not phrases)."""
    found = {p.lower() for p in personal}
    for p in personal:
        found |= {w.lower() for w in p.split() if w.lower().startswith(tag.lower()) and len(w) > len(tag) + 2}
    return sorted(found)


def personal_data_left(conn: Conn, personal: list[str], tag: str) -> list[str]:
    """Return 'table.column: needle' for every personal string still found anywhere."""
    hits = []
    words = needles(personal, tag)
    for table, column, kind in text_columns(conn):
        value = f"lower({column}::text)" if kind == "text" else (
            f"lower(coalesce(extensions.pgp_sym_decrypt({column}, current_setting('wedsync.pii_key')), '')"
            f" || encode({column}, 'escape'))")
        for (needle,) in conn.execute(
            f"select distinct w from {table} t, unnest(%s::text[]) w where {value} like '%%' || w || '%%'", (words,)
        ).fetchall():
            hits.append(f"{table}.{column}: {needle}")
    return hits


@pytest.fixture
def world(db: Conn) -> list[Tenant]:
    """Three tenants; couple Qzx is also a client of supplier Wvk (connection, client record and message there)."""
    built = [tenants(db, tag) for tag in ("Qzx", "Wvk", "Jmp")]
    qzx, wvk = built[0], built[1]
    connections(db, supplier=wvk.supplier, couple=qzx.couple, groups=["couple_details"])
    email = one(db, "select email from auth.users where id = %s", (qzx.partners[1],))
    db.execute("insert into public.clients (supplier_id, couple_id, partner_one_name, email, notes) values"
               " (%s, %s, 'QzxSam Elsewhere', %s, 'Qzx second supplier notes')", (wvk.supplier, qzx.couple, email))
    db.execute("insert into public.messages (supplier_id, couple_id, sender, sender_user_id, body) values"
               " (%s, %s, 'couple', %s, 'Qzx hello second supplier')", (wvk.supplier, qzx.couple, qzx.partners[1]))
    qzx.personal += ["QzxSam Elsewhere", email, "Qzx second supplier notes", "Qzx hello second supplier"]
    with request(db, Actor.service_role(), commit=True) as conn:
        conn.execute("select public.refresh_dashboards(false)")
    return built


def test_fixture_scan_finds_the_couples_personal_strings_before_erasure(db: Conn, world: list[Tenant]) -> None:
    """The scan is not vacuous: before erasure it finds every personal string, encrypted ones included."""
    qzx = world[0]
    hits = personal_data_left(db, qzx.personal, qzx.tag)
    found = {h.split(": ", 1)[1] for h in hits}
    assert found >= {p.lower() for p in qzx.personal}
    assert any(h.startswith("public.core_field_values.value_encrypted") for h in hits)
    assert any(h.startswith("public.audit_log.") for h in hits)


def test_backend_erasure_leaves_no_personal_string_of_the_couple_anywhere(
    db: Conn, observer: Conn, world: list[Tenant]
) -> None:
    """erase_couple removes or pseudonymises every trace of the couple, audit log and value history included."""
    qzx = world[0]
    with request(db, Actor.service_role(), commit=True) as conn:
        counts = one(conn, "select public.erase_couple(%s)", (qzx.couple,))
        conn.execute("select public.refresh_dashboards(false)")
    assert counts["clients"] == 2 and counts["messages"] == 2
    assert personal_data_left(observer, qzx.personal, qzx.tag) == []
    assert one(observer, "select count(*) from public.audit_log where actor_user_id = any(%s::uuid[])",
               (qzx.partners,)) == 0


def test_backend_erasure_leaves_every_other_couple_untouched(db: Conn, observer: Conn, world: list[Tenant]) -> None:
    """Rows that mention neither the erased couple, its partners nor its client records are byte-for-byte unchanged."""
    qzx = world[0]
    marks = [qzx.couple, *qzx.partners] + [r[0] for r in observer.execute(
        "select id::text from public.clients where couple_id = %s", (qzx.couple,)).fetchall()]

    def unrelated() -> dict[str, dict[str, Any]]:
        result = {}
        for table in [*audited_tables(observer), "audit_log"]:
            for row_id, row in row_images(observer, table).items():
                text = str(row)
                if not any(mark in text for mark in marks) and not (table == "audit_log" and row_id not in before_ids):
                    result[f"{table} {row_id}"] = row
        return result

    before_ids = set(row_images(observer, "audit_log"))
    before = unrelated()
    with request(db, Actor.service_role(), commit=True) as conn:
        conn.execute("select public.erase_couple(%s)", (qzx.couple,))
    after = unrelated()
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert changed == []
    for other in world[1:]:
        assert personal_data_left(observer, other.personal, other.tag) != []
        assert one(observer, "select count(*) from public.core_field_values where couple_id = %s", (other.couple,)) == 3


def test_team_member_cannot_erase_a_couple(db: Conn, world: list[Tenant]) -> None:
    """erase_couple is executable by service_role only."""
    with pytest.raises(errors.InsufficientPrivilege), request(db, Actor.for_user(db, world[0].owner)) as conn:
        conn.execute("select public.erase_couple(%s)", (world[0].couple,))


def test_erasure_spares_a_partner_two_who_never_accepted(db: Conn) -> None:
    """erase_couple: a user only invited as partner two is not the couple's; their profile and notices stay."""
    one_id, invited = users(db, tag="eraseinv", count=2)
    couple = str(one(db, "insert into public.couples (partner_one_user_id, partner_two_user_id, display_name)"
                         " values (%s, %s, 'Invited') returning id", (one_id, invited)))
    for uid in (one_id, invited):
        db.execute("insert into public.user_profiles (user_id, full_name) values (%s, 'Keep Me')", (uid,))
    db.execute("select public.erase_couple(%s)", (couple,))
    left = {u for (u,) in db.execute("select user_id::text from public.user_profiles where user_id = any(%s::uuid[])",
                                     ([one_id, invited],)).fetchall()}
    assert left == {invited}


def test_erasure_spares_what_a_partner_who_works_on_a_team_relies_on(db: Conn) -> None:
    """erase_couple: an accepted partner who is also a team member keeps their profile (their team reads it)."""
    owner, partner_one, partner_two = users(db, tag="eraseteam", count=3)
    supplier = suppliers(db, owner=owner, tag="EraseTeam")
    db.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at)"
               " values (%s, %s, 'member', now())", (supplier, partner_two))
    couple = couples(db, partners=[partner_one, partner_two], tag="EraseTeam")
    for uid in (partner_one, partner_two):
        db.execute("insert into public.user_profiles (user_id, full_name) values (%s, 'Someone')", (uid,))
    db.execute("select public.erase_couple(%s)", (couple,))
    left = {u for (u,) in db.execute("select user_id::text from public.user_profiles where user_id = any(%s::uuid[])",
                                     ([partner_one, partner_two],)).fetchall()}
    assert left == {partner_two}
