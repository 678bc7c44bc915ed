"""Response completion (0084) equals a small Python reference for random form schemas and answers.

Random schemas (required and optional fields, and malformed entries the derivation must skip), random answers
(empty values included) and either status: completion is derived from the answers and the version's schema only,
whatever the status, by trigger derive_form_response_completion. Each example runs in a rolled-back transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from tests.integrity.factories import connections, couples, forms, one, suppliers, users
from wedsync_db.impersonate import Actor, request, request_in_savepoint

Conn = psycopg.Connection[Any]
KEYS = ["names", "date", "venue", "guests", "notes"]
EMPTY = [None, "", {}, []]


def answer_values() -> st.SearchStrategy[Any]:
    """Answers: empty values (null, "", {}, []), short strings, integers, small objects; shrinks towards null."""
    texts = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=5)
    return st.sampled_from(EMPTY) | texts | st.integers(-3, 300) | st.fixed_dictionaries({"line1": texts})


def schema_fields() -> st.SearchStrategy[Any]:
    """A schema entry: mostly {"key", "required"}; sometimes malformed (no key, a non-object, "required": "true")."""
    good = st.builds(lambda k, r: {"key": k, "label": k, "type": "text", "required": r},
                     st.sampled_from(KEYS), st.booleans())
    odd = st.sampled_from([{"label": "no key", "required": True}, "not an object", {"key": "venue", "required": "true"},
                           {"key": 7, "required": True}, {"key": "guests"}])
    return st.one_of(good, good, odd)


def reference_completion(schema: dict[str, Any], answers: dict[str, Any]) -> tuple[int, int, Decimal]:
    """What schema/README.md says: required = entries that are objects with a string key and "required": true
    (a key listed twice counts twice); answered = those whose answer is present and not empty."""
    fields = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    required = [f["key"] for f in fields if isinstance(f, dict) and f.get("required") is True
                and isinstance(f.get("key"), str)]
    answered = [k for k in required if k in answers and answers[k] not in EMPTY]
    share = Decimal(1) if not required else (Decimal(len(answered)) / len(required)).quantize(Decimal("0.0001"))
    return len(required), len(answered), share


@pytest.fixture
def stage(db: Conn) -> dict[str, str]:
    owner, p1 = users(db, tag="cmp", count=2)
    supplier = suppliers(db, owner=owner, tag="Cmp")
    couple = couples(db, partners=[p1], tag="Cmp")
    connections(db, supplier=supplier, couple=couple)
    return {"supplier": supplier, "form": forms(db, supplier=supplier), "couple": couple, "partner": p1}


@settings(max_examples=60)
@given(fields=st.lists(schema_fields(), max_size=6) | st.just(None),
       answers=st.dictionaries(st.sampled_from(KEYS + ["other"]), answer_values(), max_size=6),
       edited=st.dictionaries(st.sampled_from(KEYS), answer_values(), max_size=3),
       status=st.sampled_from(["draft", "submitted"]))
def test_response_completion_equals_the_reference_whatever_the_status(
    db: Conn, stage: dict[str, str], fields: list[Any] | None, answers: dict[str, Any], edited: dict[str, Any],
    status: str,
) -> None:
    """derive_form_response_completion: counts, share and completed_at follow the answers, as the couple writes
    them through the API (insert, then, for a draft, an edit); submission plays no part."""
    schema: dict[str, Any] = {"fields": fields} if fields is not None else {"title": "no fields"}
    with db.transaction(force_rollback=True):
        version = one(db, "insert into public.form_versions (supplier_id, form_id, version_number, title, schema,"
                          " status) values (%s, %s, 1, 'v', %s, 'published') returning id",
                      (stage["supplier"], stage["form"], Jsonb(schema)))
        with request_in_savepoint(db, Actor.user(stage["partner"])) as conn:
            rid = one(conn, "insert into public.form_responses (supplier_id, form_version_id, couple_id, answers,"
                            " status, required_field_count, completion) values (%s, %s, %s, %s, %s, 99, 0)"
                            " returning id",
                      (stage["supplier"], version, stage["couple"], Jsonb(answers), status))
            have = conn.execute("select required_field_count, required_answered_count, completion,"
                                " completed_at is not null from public.form_responses where id = %s",
                                (rid,)).fetchone()
            want = reference_completion(schema, answers)
            assert have == (*want, want[2] == 1)
            if status == "draft":
                after = {**answers, **edited}
                conn.execute("update public.form_responses set answers = %s where id = %s", (Jsonb(after), rid))
                have = conn.execute("select required_field_count, required_answered_count, completion,"
                                    " completed_at is not null from public.form_responses where id = %s",
                                    (rid,)).fetchone()
                want = reference_completion(schema, after)
                assert have == (*want, want[2] == 1)


def test_completed_at_is_kept_while_complete_and_cleared_when_a_draft_becomes_incomplete(
    db: Conn, stage: dict[str, str]
) -> None:
    """completed_at: set when the response becomes complete, unchanged by further complete edits, null again when an
    edit empties a required answer; a complete draft stays complete when submitted."""
    schema = {"fields": [{"key": "names", "required": True}, {"key": "notes", "required": False}]}
    version = one(db, "insert into public.form_versions (supplier_id, form_id, version_number, title, schema, status)"
                      " values (%s, %s, 1, 'v', %s, 'published') returning id",
                  (stage["supplier"], stage["form"], Jsonb(schema)))
    rid = one(db, "insert into public.form_responses (supplier_id, form_version_id, couple_id, answers) values"
                  " (%s, %s, %s, %s) returning id", (stage["supplier"], version, stage["couple"],
                                                     Jsonb({"names": "Ann & Bo"})))
    first = one(db, "select completed_at from public.form_responses where id = %s", (rid,))
    assert first is not None
    db.execute("update public.form_responses set answers = %s where id = %s",
               (Jsonb({"names": "Ann & Bo", "notes": "hi"}), rid))
    assert one(db, "select completed_at from public.form_responses where id = %s", (rid,)) == first
    db.execute("update public.form_responses set answers = %s where id = %s", (Jsonb({"names": ""}), rid))
    assert db.execute("select completion, completed_at from public.form_responses where id = %s",
                      (rid,)).fetchone() == (Decimal("0.0000"), None)
    db.execute("update public.form_responses set answers = %s, status = 'submitted', submitted_at = now()"
               " where id = %s", (Jsonb({"names": "Ann"}), rid))
    assert one(db, "select completion from public.form_responses where id = %s", (rid,)) == 1


def test_team_reads_the_completion_of_its_responses(db: Conn, stage: dict[str, str]) -> None:
    """form_responses_select_team shows the derived columns to the supplier's team (viewer and up)."""
    viewer = users(db, tag="cmpv")[0]
    db.execute("insert into public.team_members (supplier_id, user_id, role, accepted_at) values (%s, %s, 'viewer',"
               " now())", (stage["supplier"], viewer))
    schema = {"fields": [{"key": "names", "required": True}, {"key": "date", "required": True}]}
    version = one(db, "insert into public.form_versions (supplier_id, form_id, version_number, title, schema, status)"
                      " values (%s, %s, 1, 'v', %s, 'published') returning id",
                  (stage["supplier"], stage["form"], Jsonb(schema)))
    db.execute("insert into public.form_responses (supplier_id, form_version_id, couple_id, answers) values"
               " (%s, %s, %s, %s)", (stage["supplier"], version, stage["couple"], Jsonb({"date": "2026-05-02"})))
    with request(db, Actor.user(viewer), method="GET") as conn:
        assert conn.execute("select required_field_count, required_answered_count, completion from"
                            " public.form_responses").fetchall() == [(2, 1, Decimal("0.5000"))]

