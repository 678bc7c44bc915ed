"""The World model: deterministic, shaped like real tenants, sized like its profile."""

from __future__ import annotations

from datetime import date

import pytest

from tests.fixtures_tests.worlds import streamed_tiny
from wedsync_db.worlds.catalog import CORE_FIELDS, PlainPII
from wedsync_db.worlds.columns import COLUMNS
from wedsync_db.worlds.profiles import PROFILES
from wedsync_db.worlds.world import build_world

AS_OF = date(2025, 6, 14)


def test_same_seed_profile_and_date_give_identical_rows():
    """build_world is a pure function of (profile, seed, as_of, locales)."""
    assert build_world("tiny", seed=7, as_of=AS_OF).as_tables() == build_world("tiny", seed=7, as_of=AS_OF).as_tables()


def test_another_seed_gives_other_rows():
    """The seed changes the data (ids and values)."""
    a = build_world("tiny", seed=1, as_of=AS_OF).as_tables()
    b = build_world("tiny", seed=2, as_of=AS_OF).as_tables()
    assert a["clients"] != b["clients"]


def test_dates_are_anchored_on_as_of():
    """Nothing is created after as_of; weddings are mostly ahead of it."""
    tables = build_world("tiny", as_of=AS_OF).as_tables()
    for name, rows in tables.items():
        for row in rows:
            assert row["created_at"].date() <= AS_OF, name
    weddings = [r["wedding_date"] for r in tables["clients"] if r["wedding_date"]]
    assert sum(d > AS_OF for d in weddings) > len(weddings) / 2


def test_rows_have_exactly_the_seeded_columns(tiny_world):
    """as_tables() keys are the DB column names the seeder writes."""
    tables = tiny_world.as_tables()
    for name, cols in COLUMNS.items():
        assert tables[name], f"{name} is empty"
        assert all(tuple(r) == cols for r in tables[name]), name


def test_whale_and_long_tail_exist():
    """Tenant sizes are heavy-tailed: the whale has many times the median supplier's clients."""
    world = build_world("ci", as_of=AS_OF)
    counts = sorted(world.client_counts().values())
    assert world.client_counts()[world.whale_supplier_id] == counts[-1]
    assert counts[-1] >= 20 * counts[len(counts) // 2]
    assert world.client_counts()[world.small_supplier_id] == counts[0] <= 3


def test_dual_role_users_freelancers_and_strangers_exist(tiny_world):
    """Some users are team members and couple partners; some work for two suppliers; some are neither."""
    tables = tiny_world.as_tables()
    team_users = {}
    for r in tables["team_members"]:
        team_users.setdefault(r["user_id"], set()).add(r["supplier_id"])
    partners = {r["partner_one_user_id"] for r in tables["couples"]} | {
        r["partner_two_user_id"] for r in tables["couples"] if r["partner_two_user_id"]}
    assert tiny_world.dual_role_user_ids
    assert all(u in team_users and u in partners for u in tiny_world.dual_role_user_ids)
    assert tiny_world.freelancer_user_ids
    assert all(len(team_users[u]) >= 2 for u in tiny_world.freelancer_user_ids)
    assert all(u not in team_users and u not in partners for u in tiny_world.stranger_user_ids)


def test_every_connection_status_and_every_role_and_category_appear():
    """Connections invited, active, declined and revoked; teams in every role; suppliers of every category."""
    tables = build_world("ci", as_of=AS_OF).as_tables()
    assert {r["status"] for r in tables["supplier_client_connections"]} == {"invited", "active", "declined", "revoked"}
    assert {r["role"] for r in tables["team_members"]} == {"viewer", "member", "admin", "owner"}
    assert len({r["category"] for r in tables["suppliers"]}) == 14
    assert {r["status"] for r in tables["form_versions"]} == {"draft", "published"}
    assert {r["status"] for r in tables["form_responses"]} == {"draft", "submitted"}
    assert any(r["read_at"] for r in tables["notifications"]) and any(not r["read_at"] for r in tables["notifications"])
    assert any(r["couple_id"] is None for r in tables["clients"]) and any(r["couple_id"] for r in tables["clients"])
    assert any(r["partner_two_user_id"] is None for r in tables["couples"])


def test_awkward_strings_are_present(tiny_world):
    """Apostrophes, non-Latin letters, plus-addressing and long strings reach the data."""
    tables = build_world("ci", as_of=AS_OF).as_tables()
    names = [r["partner_one_name"] for r in tables["clients"]]
    assert any("'" in n for n in names) and any(not n.isascii() for n in names)
    assert any("+" in (r["email"] or "") for r in tables["auth.users"])
    assert max(len(r["description"] or "") for r in tables["suppliers"]) > 300


def test_soft_deleted_rows_exist():
    """Some rows are soft-deleted (deleted_at set), across several tables."""
    tables = build_world("ci", as_of=AS_OF).as_tables()
    assert sum(any(r.get("deleted_at") for r in rows) for rows in tables.values()) >= 4


def test_core_field_history_and_states_match_values(tiny_world):
    """Each value has a history insert (v1) and, when version 2, an update; every couple has every field's state."""
    t = tiny_world.as_tables()
    history = {}
    for h in t["core_field_value_history"]:
        history.setdefault(h["core_field_value_id"], []).append(h["version"])
    for v in t["core_field_values"]:
        assert sorted(history[v["id"]]) == list(range(1, v["version"] + 1))
    assert len(t["field_states"]) == len(t["couples"]) * len(CORE_FIELDS)
    sensitive = {f.id for f in CORE_FIELDS if f.is_sensitive}
    for v in t["core_field_values"]:
        if v["core_field_id"] in sensitive and not v["is_not_applicable"]:
            assert isinstance(v["value_encrypted"], PlainPII) and v["value"] is None


def test_activity_spans_many_months():
    """Activities and analytics events fall in every month of the profile's window."""
    world = build_world("ci", as_of=AS_OF)
    tables = world.as_tables()
    months = {(r["created_at"].year, r["created_at"].month) for r in tables["activities"]}
    assert len(months) >= PROFILES["ci"].months


@pytest.mark.parametrize("profile", ["tiny", "ci"])
def test_profile_size_is_within_ten_percent_of_its_target(profile):
    """Rows (audit rows included) within 10% of the profile's target."""
    world = build_world(profile, as_of=AS_OF)
    total = sum(len(rows) for rows in world.as_tables().values())
    target = PROFILES[profile].target_rows
    assert abs(total - target) <= 0.1 * target, total


def test_streamed_profile_refuses_as_tables():
    """large/xl never hold every row: as_tables() says to stream instead."""
    assert build_world("tiny", as_of=AS_OF).as_tables()  # a held world gives them
    with pytest.raises(ValueError, match="is streamed: use iter_rows"):
        streamed_tiny().as_tables()
