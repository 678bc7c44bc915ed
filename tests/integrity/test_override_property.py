"""Overrides are enforced (0086): a couple's submission answers mapped fields with the core value unless allowed.

Hypothesis draws field mappings (allow_override or not, live or soft-deleted), the couple's core values (plain and
sensitive, some not applicable) and a submission's answers; the partner submits through the API (an insert as
submitted, or a draft then submitted) and the database accepts exactly when the Python reference says so, refusing
with constraint form_responses_override_allowed. Each example runs in a rolled-back transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import errors
from psycopg.types.json import Jsonb

from tests.integrity.factories import connections, couples, forms, one, suppliers, users
from wedsync_db.impersonate import Actor, request_in_savepoint

Conn = psycopg.Connection[Any]
CORE = ["partner_one_name", "wedding_date", "guest_count", "home_address", "dietary_requirements"]  # last 2 sensitive
VALUES = ["Ann", "2026-05-02", 120, {"line1": "1 Lane"}, "Vegan", ""]


@dataclass(frozen=True)
class Mapping:
    form_field_key: str
    core_field_key: str
    allow_override: bool
    archived: bool


@st.composite
def override_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Mappings, core values and answers; shrinks towards one non-overridable mapping answered with its value."""
    keys = draw(st.lists(st.sampled_from(CORE), min_size=1, max_size=4, unique=True))
    mappings = [Mapping(f"q{n}", k, draw(st.booleans()), draw(st.booleans().map(lambda b: b and draw(st.booleans()))))
                for n, k in enumerate(keys)]
    values = draw(st.dictionaries(st.sampled_from(CORE), st.tuples(st.sampled_from(VALUES), st.booleans().map(
        lambda b: b and draw(st.booleans()))), max_size=len(CORE)))
    answers: dict[str, Any] = {}
    for m in mappings:
        choice = draw(st.sampled_from(["core", "other", "absent", "null"]))
        if choice == "core" and m.core_field_key in values:
            answers[m.form_field_key] = values[m.core_field_key][0]
        elif choice == "other":
            answers[m.form_field_key] = draw(st.sampled_from(VALUES))
        elif choice == "null":
            answers[m.form_field_key] = None
    return {"mappings": mappings, "values": values, "answers": answers, "via_draft": draw(st.booleans())}


def reference_allows(case: dict[str, Any]) -> bool:
    """The rule: every answered (not null) live mapping without allow_override equals the live, applicable core
    value; no value to inherit means nothing to override."""
    for m in case["mappings"]:
        if m.archived or m.allow_override or m.form_field_key not in case["answers"]:
            continue
        answer = case["answers"][m.form_field_key]
        value = case["values"].get(m.core_field_key)
        if answer is None or value is None or value[1]:
            continue
        if answer != value[0]:
            return False
    return True


@pytest.fixture
def stage(db: Conn) -> dict[str, str]:
    owner, partner = users(db, tag="ovr", count=2)
    supplier = suppliers(db, owner=owner, tag="Ovr")
    couple = couples(db, partners=[partner], tag="Ovr")
    connections(db, supplier=supplier, couple=couple)
    form = forms(db, supplier=supplier)
    version = one(db, "insert into public.form_versions (supplier_id, form_id, version_number, title, schema, status)"
                      " values (%s, %s, 1, 'v', '{\"fields\": []}', 'published') returning id", (supplier, form))
    return {"supplier": supplier, "couple": couple, "partner": partner, "form": form, "version": str(version)}


@settings(max_examples=80)
@given(case=override_cases())
def test_a_couples_submission_is_refused_exactly_when_an_answer_overrides_without_permission(
    db: Conn, stage: dict[str, str], case: dict[str, Any]
) -> None:
    """guard_form_response_overrides (form_responses_override_allowed) agrees with reference_allows."""
    with db.transaction(force_rollback=True):
        for m in case["mappings"]:
            db.execute("insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id,"
                       " allow_override, deleted_at) select %s, %s, %s, id, %s, case when %s then now() end"
                       " from public.core_fields where key = %s",
                       (stage["supplier"], stage["form"], m.form_field_key, m.allow_override, m.archived,
                        m.core_field_key))
        for key, (value, not_applicable) in case["values"].items():
            db.execute("insert into public.core_field_values (couple_id, core_field_id, field_group_id, value,"
                       " is_not_applicable) select %s, id, field_group_id, %s, %s from public.core_fields"
                       " where key = %s", (stage["couple"], Jsonb(value), not_applicable, key))
        refused: str | None = None
        with request_in_savepoint(db, Actor.user(stage["partner"])) as conn:
            try:
                with conn.transaction():
                    status = "draft" if case["via_draft"] else "submitted"
                    rid = one(conn, "insert into public.form_responses (supplier_id, form_version_id, couple_id,"
                                    " answers, status) values (%s, %s, %s, %s, %s) returning id",
                              (stage["supplier"], stage["version"], stage["couple"], Jsonb(case["answers"]), status))
                    if case["via_draft"]:
                        conn.execute("update public.form_responses set status = 'submitted' where id = %s", (rid,))
            except errors.CheckViolation as error:
                refused = error.diag.constraint_name
    assert (refused is None) == reference_allows(case), refused
    assert refused in (None, "form_responses_override_allowed")


def test_a_draft_may_hold_an_override_until_it_is_submitted(db: Conn, stage: dict[str, str]) -> None:
    """The rule judges submissions only: a draft keeps the couple's differing answer; submitting it is refused."""
    db.execute("insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id) select %s,"
               " %s, 'names', id from public.core_fields where key = 'partner_one_name'",
               (stage["supplier"], stage["form"]))
    db.execute("insert into public.core_field_values (couple_id, core_field_id, field_group_id, value) select %s, id,"
               " field_group_id, '\"Ann\"' from public.core_fields where key = 'partner_one_name'", (stage["couple"],))
    with db.transaction(force_rollback=True), request_in_savepoint(db, Actor.user(stage["partner"])) as conn:
        rid = one(conn, "insert into public.form_responses (supplier_id, form_version_id, couple_id, answers) values"
                        " (%s, %s, %s, '{\"names\": \"Annie\"}') returning id",
                  (stage["supplier"], stage["version"], stage["couple"]))
        with pytest.raises(errors.CheckViolation) as caught:
            conn.execute("update public.form_responses set status = 'submitted' where id = %s", (rid,))
    assert caught.value.diag.constraint_name == "form_responses_override_allowed"


def test_the_backend_records_a_response_as_given(db: Conn, stage: dict[str, str]) -> None:
    """Only couples' submissions are judged: service_role (an import of a paper form) keeps what it records."""
    db.execute("insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id) select %s,"
               " %s, 'names', id from public.core_fields where key = 'partner_one_name'",
               (stage["supplier"], stage["form"]))
    db.execute("insert into public.core_field_values (couple_id, core_field_id, field_group_id, value) select %s, id,"
               " field_group_id, '\"Ann\"' from public.core_fields where key = 'partner_one_name'", (stage["couple"],))
    with db.transaction(force_rollback=True), request_in_savepoint(db, Actor.service_role()) as conn:
        conn.execute("insert into public.form_responses (supplier_id, form_version_id, couple_id, answers, status)"
                     " values (%s, %s, %s, '{\"names\": \"Annie\"}', 'submitted')",
                     (stage["supplier"], stage["version"], stage["couple"]))
