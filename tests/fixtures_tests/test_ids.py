"""The seeded ids' layout (wedsync_db/worlds/ids.py): what the loads, index builds and SQL generators rely on."""

from __future__ import annotations

import pickle
import uuid

import psycopg
import pytest

from wedsync_db.worlds.ids import COUNTER_LIMIT, IdSpace, audit_id, counter, sql_counterpart_id, sql_new_id

COUNTERS = (0, 1, 9, 10, 255, 4096, 123_456_789, COUNTER_LIMIT - 1)


def test_ids_ascend_with_their_counter_so_primary_keys_are_appended_to():
    space = IdSpace(42, "clients")
    ids = [space(n) for n in COUNTERS]
    assert ids == sorted(ids)
    assert [counter(i) for i in ids] == list(COUNTERS)


def test_neighbouring_ids_differ_in_their_first_eight_bytes_so_sorts_use_abbreviated_keys():
    """PostgreSQL's uuid sort compares the first 8 bytes as an integer first; ids that shared them (a prefix
    first) made every index build over a foreign key column compare whole values."""
    space = IdSpace(42, "couples")
    firsts = {space(n).bytes[:8] for n in range(1000)}
    assert len(firsts) == 1000


def test_spaces_differ_per_seed_and_table_and_say_version_8_with_the_rfc_variant():
    spaces = [IdSpace(seed, table) for seed in (1, 42) for table in ("clients", "couples", "audit:clients")]
    assert len({s(7) for s in spaces}) == len(spaces)
    for space in spaces:
        assert space(7).version == 8 and space(7).variant == "specified in RFC 4122"


def test_an_id_is_indistinguishable_from_one_uuid_made():
    """IdSpace builds its UUIDs without UUID.__init__ (worlds/ids.py says why): they must be the same objects."""
    made = IdSpace(42, "clients")(123_456)
    plain = uuid.UUID(int=made.int)
    assert (made, hash(made), str(made), repr(made), made.bytes) == (plain, hash(plain), str(plain), repr(plain),
                                                                     plain.bytes)
    assert made.is_safe is plain.is_safe and pickle.loads(pickle.dumps(made)) == plain
    with pytest.raises(TypeError):
        made.int = 1  # type: ignore[misc]


def test_a_counter_beyond_32_bits_is_refused_instead_of_spilling_into_the_suffix():
    space = IdSpace(42, "clients")
    for bad in (COUNTER_LIMIT, -1):
        with pytest.raises(ValueError, match="outside"):
            space(bad)


@pytest.mark.parametrize("n", COUNTERS)
def test_the_sql_layout_builds_and_takes_apart_the_same_ids_as_python(db_url, n):
    space, audit_space = IdSpace(42, "clients"), IdSpace(42, "audit:clients")
    new_id = sql_new_id("%(n)s::bigint", "%(suffix)s")
    audit = sql_counterpart_id("x.id", "%(audit)s")
    with psycopg.connect(db_url) as conn:
        built, audited = conn.execute(f"select x.id, {audit} from (select {new_id} as id) as x",
                                      {"n": n, "suffix": space.suffix, "audit": audit_space.suffix}).fetchone()
    assert built == space(n)
    assert audited == audit_id(42, "clients", space(n))
