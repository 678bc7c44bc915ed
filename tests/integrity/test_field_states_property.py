"""Field states of sensitive core field values follow the rules of plain ones (0085), property-tested.

Random sequences of a partner's writes to one core field, plain or sensitive (encrypted): insert a value, set it
(JSON values, empty ones, objects with empty members, SQL null), mark it not applicable or applicable again.
After every write the field's state equals the Python reference computed on the plaintext, a sensitive value is
stored only as ciphertext that decrypts to it, setting it to null leaves no ciphertext, and the history's last row
records what the write stored. Each example runs in a rolled-back transaction.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from tests.integrity.factories import couples, one, users
from wedsync_db.impersonate import Actor, request_in_savepoint

Conn = psycopg.Connection[Any]
PLAIN = ["partner_one_name", "wedding_date"]
SENSITIVE = ["home_address", "dietary_requirements", "partner_one_phone"]
NULL = "<sql null>"


def reference_state(value: Any, not_applicable: bool) -> str:
    """private.core_field_state's rules on the plaintext: not applicable, pending, partial, completed."""
    if not_applicable:
        return "not_applicable"
    if value is None or value == "" or value == {} or value == []:
        return "pending"
    if isinstance(value, dict) and any(v is None or v == "" for v in value.values()):
        return "partial"
    if isinstance(value, list) and any(v is None or v == "" for v in value):
        return "partial"
    return "completed"


def core_values() -> st.SearchStrategy[Any]:
    """JSON values a couple may enter, empty and partly filled ones common; shrinks towards SQL null."""
    texts = st.sampled_from(["", "12 Rose Lane", "Vegan", "+44 7700 900123"])
    members = st.none() | texts
    return st.one_of(
        st.just(NULL), st.just(None), texts, st.just({}), st.just([]),
        st.fixed_dictionaries({"line1": members, "city": members}), st.lists(members, max_size=3),
    )


def writes() -> st.SearchStrategy[list[tuple[str, Any]]]:
    """A partner's writes after the first insert: ("set", value) or ("na", flag); shrinks towards none."""
    return st.lists(st.tuples(st.just("set"), core_values()) | st.tuples(st.just("na"), st.booleans()), max_size=5)


@pytest.fixture
def stage(db: Conn) -> dict[str, str]:
    (partner,) = users(db, tag="fst")
    return {"partner": partner, "couple": couples(db, partners=[partner], tag="Fst")}


def _json(value: Any) -> Any:
    return None if value is NULL else Jsonb(value)


@settings(max_examples=80)
@given(key=st.sampled_from(PLAIN + SENSITIVE), first=core_values(), steps=writes())
def test_field_state_follows_the_plaintext_for_plain_and_sensitive_fields(
    db: Conn, stage: dict[str, str], key: str, first: Any, steps: list[tuple[str, Any]]
) -> None:
    """record_core_field_value_change (state on the plaintext) and clear_sensitive_core_field_value (null clears
    the ciphertext): the state, the storage and the history after every write agree with the reference."""
    sensitive = key in SENSITIVE
    with db.transaction(force_rollback=True), request_in_savepoint(db, Actor.user(stage["partner"])) as conn:
        vid = one(conn, "insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)"
                        " select %s, f.id, f.field_group_id, %s from public.core_fields f where f.key = %s"
                        " returning id", (stage["couple"], _json(first), key))
        plaintext, not_applicable = (None if first is NULL else first), False
        stored_any = first is not NULL  # SQL null stores nothing; JSON null is a value (stored encrypted if sensitive)
        for n, (kind, arg) in enumerate([("insert", first), *steps]):
            if kind == "set":
                conn.execute("update public.core_field_values set value = %s where id = %s", (_json(arg), vid))
                plaintext, stored_any = (None if arg is NULL else arg), arg is not NULL
            elif kind == "na":
                conn.execute("update public.core_field_values set is_not_applicable = %s where id = %s", (arg, vid))
                not_applicable = arg
            conn.execute("reset role")  # read back as the superuser (decrypt_pii), then act as the partner again
            state, value, decrypted, encrypted, last_new = conn.execute(
                "select s.state::text, v.value, private.decrypt_pii(v.value_encrypted), v.value_encrypted is not null,"
                " (select case when v.value_encrypted is null and h.new_value_encrypted is null then h.new_value"
                "  else private.decrypt_pii(h.new_value_encrypted) end from public.core_field_value_history h"
                "  where h.core_field_value_id = v.id order by h.version desc limit 1)"
                " from public.core_field_values v join public.field_states s"
                " on s.couple_id = v.couple_id and s.core_field_id = v.core_field_id where v.id = %s",
                (vid,)).fetchone() or (None,) * 5
            conn.execute("set local role authenticated")
            stored = decrypted if sensitive else value
            assert state == reference_state(plaintext, not_applicable), (n, kind, arg)
            assert stored == plaintext, (kind, arg)
            if sensitive:
                assert value is None and encrypted == stored_any, (n, kind, arg)
            assert last_new == plaintext, (kind, arg)


def test_clearing_a_sensitive_value_is_recorded_in_its_history(db: Conn, stage: dict[str, str]) -> None:
    """Setting a sensitive value to null: no ciphertext left, state pending, and a history row whose new ciphertext
    is null beside the old one."""
    with db.transaction(force_rollback=True), request_in_savepoint(db, Actor.user(stage["partner"])) as conn:
        vid = one(conn, "insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)"
                        " select %s, f.id, f.field_group_id, %s from public.core_fields f where f.key = 'home_address'"
                        " returning id", (stage["couple"], Jsonb({"line1": "1 Lane", "postcode": ""})))
        assert one(conn, "select state::text from public.field_states s join public.core_field_values v using"
                         " (couple_id, core_field_id) where v.id = %s", (vid,)) == "partial"
        conn.execute("update public.core_field_values set value = null where id = %s", (vid,))
        conn.execute("reset role")
        assert one(conn, "select value_encrypted is null from public.core_field_values where id = %s", (vid,))
        old, new = conn.execute("select private.decrypt_pii(old_value_encrypted), new_value_encrypted from"
                                " public.core_field_value_history where core_field_value_id = %s and version = 2",
                                (vid,)).fetchone() or (None, None)
        assert old == {"line1": "1 Lane", "postcode": ""} and new is None
        assert one(conn, "select state::text from public.field_states s join public.core_field_values v using"
                         " (couple_id, core_field_id) where v.id = %s", (vid,)) == "pending"


def test_marking_a_sensitive_field_not_applicable_keeps_its_value(db: Conn, stage: dict[str, str]) -> None:
    """An update that does not set value (is_not_applicable only) keeps the ciphertext, as a plain value is kept."""
    with db.transaction(force_rollback=True), request_in_savepoint(db, Actor.user(stage["partner"])) as conn:
        vid = one(conn, "insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)"
                        " select %s, f.id, f.field_group_id, %s from public.core_fields f where"
                        " f.key = 'dietary_requirements' returning id", (stage["couple"], Jsonb("Vegan")))
        conn.execute("update public.core_field_values set is_not_applicable = true where id = %s", (vid,))
        conn.execute("update public.core_field_values set is_not_applicable = false where id = %s", (vid,))
        conn.execute("reset role")
        assert json.dumps(one(conn, "select private.decrypt_pii(value_encrypted) from public.core_field_values"
                                    " where id = %s", (vid,))) == '"Vegan"'
