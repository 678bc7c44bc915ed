"""Core field inheritance: ``public.form_prefill`` equals a small Python reference for random mappings and data.

Random field mappings (with allow_override), core field values (sensitive ones encrypted, some marked not
applicable), connection status and shared field groups, and a couple's response; each example runs in a
rolled-back transaction on one database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from tests.integrity.factories import couples, form_versions, forms, suppliers, users
from wedsync_db.impersonate import Actor, request_in_savepoint

Conn = psycopg.Connection[Any]

# The seeded master list (0007): key -> group.
FIELDS = {
    "partner_one_name": "couple_details", "partner_two_name": "couple_details",
    "partner_one_email": "contact_details", "partner_one_phone": "contact_details", "home_address": "contact_details",
    "wedding_date": "wedding_details", "guest_count": "wedding_details", "ceremony_venue_name": "venues",
    "total_budget": "budget", "dietary_requirements": "preferences",
}
GROUPS = sorted(set(FIELDS.values()))


@dataclass(frozen=True)
class Mapping:
    form_field_key: str
    core_field_key: str
    allow_override: bool


def json_values() -> st.SearchStrategy[Any]:
    """Answer and core values: short strings, integers, small objects; shrinks towards ''.

    No NUL: jsonb cannot hold \\u0000 (22P05), a bad-input case covered by test_bad_input.py.
    """
    texts = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8)
    return st.one_of(texts, st.integers(-5, 50_000), st.fixed_dictionaries({"line1": texts}))


@st.composite
def prefill_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A form's mappings, the couple's values and sharing, and maybe a response; shrinks towards one plain mapping."""
    keys = draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=6))
    mappings = [Mapping(f"f{n}", key, draw(st.booleans())) for n, key in enumerate(keys)]
    # Values and shared groups are drawn mostly from what is mapped, so the interesting combinations are common.
    value_keys = st.sampled_from(sorted(set(keys))) | st.sampled_from(sorted(FIELDS))
    values = draw(st.dictionaries(value_keys, st.tuples(json_values(), st.booleans().map(lambda b: b and draw(
        st.booleans()))), max_size=len(FIELDS)))
    status = draw(st.sampled_from(["active", "invited", "revoked", None, "declined"]))
    mapped_groups = sorted({FIELDS[key] for key in keys})
    shared = draw(st.lists(st.sampled_from(mapped_groups) | st.sampled_from(GROUPS), unique=True))
    answers = draw(st.none() | st.dictionaries(st.sampled_from([m.form_field_key for m in mappings] + ["other"]),
                                               st.none() | json_values()))
    return {"mappings": mappings, "values": values, "status": status, "shared": shared, "answers": answers,
            "submitted": draw(st.booleans())}


def reference_prefill(case: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """What schema/README.md says form_prefill returns: override, else shared core field value, else empty."""
    rows = []
    answers = case["answers"] or {}
    for m in sorted(case["mappings"], key=lambda m: m.form_field_key):
        answer = answers.get(m.form_field_key)
        value, not_applicable = case["values"].get(m.core_field_key, (None, False))
        shared = case["status"] == "active" and FIELDS[m.core_field_key] in case["shared"]
        if m.allow_override and case["answers"] is not None and answer is not None:
            rows.append((m.form_field_key, m.core_field_key, answer, "override"))
        elif shared and not not_applicable and m.core_field_key in case["values"]:
            rows.append((m.form_field_key, m.core_field_key, value, "core_field"))
        else:
            rows.append((m.form_field_key, m.core_field_key, None, "empty"))
    return rows


@pytest.fixture
def stage(db: Conn) -> dict[str, str]:
    owner, p1 = users(db, tag="pre", count=2)
    supplier = suppliers(db, owner=owner, tag="Pre")
    form = forms(db, supplier=supplier)
    version = form_versions(db, supplier=supplier, form=form)
    return {"supplier": supplier, "form": form, "version": version, "couple": couples(db, partners=[p1], tag="Pre")}


@settings(max_examples=60)
@given(case=prefill_cases())
def test_form_prefill_equals_the_reference_implementation(
    db: Conn, stage: dict[str, str], case: dict[str, Any]
) -> None:
    """form_prefill (override > shared core field on an ACTIVE connection > empty) matches reference_prefill."""
    with db.transaction(force_rollback=True):
        for m in case["mappings"]:
            db.execute("insert into public.field_mappings (supplier_id, form_id, form_field_key, core_field_id,"
                       " allow_override) select %s, %s, %s, id, %s from public.core_fields where key = %s",
                       (stage["supplier"], stage["form"], m.form_field_key, m.allow_override, m.core_field_key))
        for key, (value, not_applicable) in case["values"].items():
            db.execute("insert into public.core_field_values (couple_id, core_field_id, field_group_id, value,"
                       " is_not_applicable) select %s, id, field_group_id, %s, %s from public.core_fields"
                       " where key = %s",
                       (stage["couple"], Jsonb(value), not_applicable, key))
        if case["status"] is not None:
            db.execute("insert into public.supplier_client_connections (supplier_id, couple_id, status,"
                       " shared_field_group_keys) values (%s, %s, %s, %s)",
                       (stage["supplier"], stage["couple"], case["status"], case["shared"]))
        if case["answers"] is not None:
            status = "submitted" if case["submitted"] else "draft"
            db.execute("insert into public.form_responses (supplier_id, form_version_id, couple_id, answers, status,"
                       " submitted_at) values (%s, %s, %s, %s, %s, case when %s then now() end)",
                       (stage["supplier"], stage["version"], stage["couple"], Jsonb(case["answers"]), status,
                        case["submitted"]))
        with request_in_savepoint(db, Actor.service_role()) as conn:
            have = [tuple(r) for r in conn.execute("select * from public.form_prefill(%s, %s)",
                                                   (stage["form"], stage["couple"])).fetchall()]
    assert have == reference_prefill(case)
