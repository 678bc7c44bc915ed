"""Versions and history: published form versions never change, responses keep their version, core field
history is ordered.

Triggers ``guard_form_version`` (form_versions_published_immutable), ``guard_form_response``
(form_responses_published_version, form_responses_submitted_immutable) and ``record_core_field_value_change``.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors
from psycopg.types.json import Jsonb

from tests.integrity.factories import Tenant, form_responses, form_versions, one, tenants
from wedsync_db.impersonate import Actor, request

Conn = psycopg.Connection[Any]

PUBLISHED_CHANGES = [
    "title = 'changed'",
    "schema = '{\"fields\": []}'",
    "status = 'draft'",
    "deleted_at = now()",
    "version_number = 9",
]


@pytest.fixture
def tenant(db: Conn) -> Tenant:
    return tenants(db, "Ver")


def published_version_problems(conn: Conn, version: str, actor: Actor | None) -> list[str]:
    """Try every kind of change to a published version as ``actor`` (None: the owning role); list what got through."""
    problems = []
    for change in PUBLISHED_CHANGES:
        try:
            if actor is None:
                with conn.transaction(force_rollback=True):
                    conn.execute(f"update public.form_versions set {change} where id = %s", (version,))
            else:
                with request(conn, actor) as api:
                    api.execute(f"update public.form_versions set {change} where id = %s", (version,))
        except errors.IntegrityConstraintViolation as error:
            if error.diag.constraint_name != "form_versions_published_immutable":
                problems.append(f"{change}: refused by {error.diag.constraint_name}, not the immutability guard")
            continue
        except errors.InsufficientPrivilege:
            continue  # the column is not granted to this role: also unchanged
        problems.append(f"{change}: the published version was changed")
    return problems


@pytest.mark.parametrize("who", ["service_role", "owning_role", "team_owner"])
def test_nobody_can_change_a_published_form_version(db: Conn, observer: Conn, tenant: Tenant, who: str) -> None:
    """A published version is immutable for every role (form_versions_published_immutable)."""
    before = one(observer, "select to_jsonb(v) from public.form_versions v where id = %s", (tenant.version,))
    actor = {"service_role": Actor.service_role(), "owning_role": None,
             "team_owner": Actor.for_user(db, tenant.owner)}[who]
    assert published_version_problems(db, tenant.version, actor) == []
    assert one(observer, "select to_jsonb(v) from public.form_versions v where id = %s", (tenant.version,)) == before


def test_published_version_check_goes_red_without_the_guard_trigger(db: Conn, tenant: Tenant) -> None:
    """Quality: with trigger guard_form_version dropped, every change to a published version gets through."""
    db.execute("drop trigger guard_form_version on public.form_versions")
    assert len(published_version_problems(db, tenant.version, None)) == len(PUBLISHED_CHANGES)


def test_team_member_can_edit_and_publish_a_draft_version(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """Drafts stay editable; publishing stamps published_at, after which the guard applies."""
    draft = one(db, "select id from public.form_versions where form_id = %s and status = 'draft'", (tenant.form,))
    with request(db, Actor.for_user(db, tenant.member), commit=True) as conn:
        conn.execute("update public.form_versions set title = 'v2', status = 'published' where id = %s", (draft,))
    assert one(observer, "select published_at is not null from public.form_versions where id = %s", (draft,))
    with pytest.raises(errors.IntegrityConstraintViolation):
        observer.execute("update public.form_versions set title = 'v3' where id = %s", (draft,))


def test_published_version_with_responses_cannot_be_deleted(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """A version responses point at stays (fk_form_responses_form_version_id_form_versions)."""
    with pytest.raises(errors.ForeignKeyViolation) as caught:
        db.execute("delete from public.form_versions where id = %s", (tenant.version,))
    assert caught.value.diag.constraint_name == "fk_form_responses_form_version_id_form_versions"


def test_responses_keep_pointing_at_the_version_they_answered(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """Publishing a newer version leaves earlier responses and their version untouched."""
    before = observer.execute(
        "select r.id, r.form_version_id, to_jsonb(v) from public.form_responses r"
        " join public.form_versions v on v.id = r.form_version_id where r.supplier_id = %s order by r.id",
        (tenant.supplier,)).fetchall()
    newer = form_versions(db, supplier=tenant.supplier, form=tenant.form, number=3)
    form_responses(db, supplier=tenant.supplier, version=newer, couple=tenant.couple)
    after = observer.execute(
        "select r.id, r.form_version_id, to_jsonb(v) from public.form_responses r"
        " join public.form_versions v on v.id = r.form_version_id where r.supplier_id = %s and r.form_version_id <> %s"
        " order by r.id", (tenant.supplier, newer)).fetchall()
    assert after == before and all(str(row[1]) == tenant.version for row in before)


def test_couple_cannot_answer_a_draft_version(db: Conn, tenant: Tenant) -> None:
    """Responses answer published versions only (form_responses_published_version)."""
    draft = one(db, "select id from public.form_versions where form_id = %s and status = 'draft'", (tenant.form,))
    with pytest.raises(errors.IntegrityConstraintViolation) as caught:
        form_responses(db, supplier=tenant.supplier, version=draft, couple=tenant.couple)
    assert caught.value.diag.constraint_name == "form_responses_published_version"


def test_submitted_response_is_immutable_for_every_role(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """A submitted response never changes, even for service_role (form_responses_submitted_immutable)."""
    submitted = one(db, "select id from public.form_responses where supplier_id = %s and status = 'submitted'",
                    (tenant.supplier,))
    before = one(observer, "select to_jsonb(r) from public.form_responses r where id = %s", (submitted,))
    with pytest.raises(errors.IntegrityConstraintViolation) as caught, request(db, Actor.service_role()) as conn:
        conn.execute("update public.form_responses set answers = '{}' where id = %s", (submitted,))
    assert caught.value.diag.constraint_name == "form_responses_submitted_immutable"
    with pytest.raises(errors.IntegrityConstraintViolation):
        db.execute("update public.form_responses set answers = '{}' where id = %s", (submitted,))
    with request(db, Actor.for_user(db, tenant.partners[0]), commit=True) as conn:  # the couple's policy: drafts only
        conn.execute("update public.form_responses set answers = '{}' where id = %s", (submitted,))
    assert one(observer, "select to_jsonb(r) from public.form_responses r where id = %s", (submitted,)) == before


def test_couple_value_changes_produce_ordered_history(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """Each change of a core field value appends a history row: versions 1..n, each old value = previous new value."""
    partner = Actor.for_user(db, tenant.partners[1])
    values = ["Country house", "Beach", "City"]
    with request(db, partner, commit=True) as conn:
        value_id = one(
            conn, "insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)"
            " select %s, id, field_group_id, %s from public.core_fields where key = 'ceremony_venue_name' returning id",
            (tenant.couple, Jsonb(values[0])))
    for value in values[1:]:
        with request(db, partner, commit=True) as conn:
            conn.execute("update public.core_field_values set value = %s where id = %s", (Jsonb(value), value_id))
    with request(db, partner, commit=True) as conn:
        conn.execute("delete from public.core_field_values where id = %s", (value_id,))
    history = observer.execute(
        "select version, action::text, old_value, new_value, changed_by::text from public.core_field_value_history"
        " where core_field_value_id = %s order by version", (value_id,)).fetchall()
    olds = [None, *values]
    news = [*values, None]
    want = [(n + 1, action, olds[n], news[n], tenant.partners[1])
            for n, action in enumerate(["insert", "update", "update", "delete"])]
    assert history == want
    assert one(observer, "select state::text from public.field_states where couple_id = %s and core_field_id ="
               " (select id from public.core_fields where key = 'ceremony_venue_name')", (tenant.couple,)) == "pending"


def test_sensitive_value_history_keeps_only_ciphertext(db: Conn, observer: Conn, tenant: Tenant) -> None:
    """History of a sensitive field stores pgp ciphertext, never the clear value (encryption with wedsync.pii_key)."""
    rows = observer.execute(
        "select h.old_value, h.new_value, h.new_value_encrypted is not null from public.core_field_value_history h"
        " join public.core_fields f on f.id = h.core_field_id where f.key = 'partner_one_phone' and h.couple_id = %s",
        (tenant.couple,)).fetchall()
    assert rows == [(None, None, True)]
