"""Client search through public.search_clients (0034): same rows as RLS allows, and the full-text index used.

Under RLS, @@ (not leakproof) cannot be an index condition of a user's query on clients, so the search box
goes through a SECURITY DEFINER function that applies clients_select_team's rule itself.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from wedsync_db.impersonate import Actor, request
from wedsync_db.perf.tenants import Tenant
from wedsync_db.plans import explain

TABLE_SEARCH = (
    "select id from public.clients where supplier_id = %(s)s "
    "and search_vector @@ websearch_to_tsquery('simple', %(q)s) order by wedding_date desc limit 20"
)
RPC_SEARCH = "select id from public.search_clients(%(s)s, %(q)s, 20)"
SEARCH_INDEX = "index_clients_on_supplier_id_and_search_vector"  # GIN over (supplier_id, search_vector): 0100


def _ids(conn: psycopg.Connection[Any], actor: Actor, query: str, params: dict[str, Any]) -> list[uuid.UUID]:
    with request(conn, actor, method="POST"):
        return [row[0] for row in conn.execute(query, params).fetchall()]


def test_team_member_finds_through_the_rpc_exactly_what_rls_shows_through_the_table(
    perf_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """For the whale's owner, search_clients returns the same clients, in the same order, as the table under RLS."""
    whale = tenants["whale"]
    params = {"s": whale.supplier_id, "q": whale.search_term}
    via_table = _ids(perf_conn, whale.actor("supplier"), TABLE_SEARCH, params)
    assert via_table, "the search term should match some of the whale's clients"
    assert _ids(perf_conn, whale.actor("supplier"), RPC_SEARCH, params) == via_table


def test_outsiders_get_nothing_from_the_search_rpc(
    perf_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """Another supplier's owner, a stranger and anon get no rows for the whale's clients (anon cannot even call it)."""
    whale, small = tenants["whale"], tenants["small"]
    params = {"s": whale.supplier_id, "q": whale.search_term}
    assert _ids(perf_conn, small.actor("supplier"), RPC_SEARCH, params) == []
    assert _ids(perf_conn, Actor.user(uuid.uuid4()), RPC_SEARCH, params) == []
    try:
        _ids(perf_conn, Actor.anon(), RPC_SEARCH, params)
    except psycopg.errors.InsufficientPrivilege:
        pass
    else:
        raise AssertionError("anon must not be able to execute search_clients")


def test_search_rpc_statement_uses_the_full_text_index(
    perf_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """The function's statement (run as its owner, outside RLS) reads the supplier's words in one GIN index."""
    whale = tenants["whale"]
    plan = explain(perf_conn, TABLE_SEARCH, {"s": whale.supplier_id, "q": whale.search_term})
    indexes = {node.index_name for node in plan.nodes() if node.index_name}
    assert SEARCH_INDEX in indexes, plan.summary()


def test_through_the_table_rls_keeps_full_text_from_using_the_index(
    perf_conn: psycopg.Connection[Any], tenants: dict[str, Tenant]
) -> None:
    """Why the RPC exists: as a team member, @@ is only a filter (not leakproof), never the GIN index."""
    whale = tenants["whale"]
    with request(perf_conn, whale.actor("supplier"), method="GET"):
        plan = explain(perf_conn, TABLE_SEARCH, {"s": whale.supplier_id, "q": whale.search_term})
    assert SEARCH_INDEX not in {node.index_name for node in plan.nodes()}, plan.summary()
