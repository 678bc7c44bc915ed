"""The access matrix keeps the product's ownership and consent rules (schema/ownership.yaml).

The matrix is the detailed per-command contract; the ownership model says, apart from it, whose each row is and
which consent edges may open it to others. Every matrix rule either lets in one of the row's owners, or names
(`consent:`) an edge that the model says opens this table for this command, through a relation that edge can
justify. A rule written to open rows nobody agreed to open fails here, whatever the policies do.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from wedsync_db.rls.matrix import COMMANDS, AccessMatrix, Rule, TableSpec, load_matrix
from wedsync_db.rls.ownership import TableOwnership, load_ownership


# The relations of the matrix vocabulary that name one of the row's owners: (party, column of the row).
def _owner_relation(kind: str, spec: TableSpec) -> tuple[str, str] | None:
    return {
        "team": ("supplier", spec.team_column),
        "buyer_team": ("supplier", "buyer_supplier_id"),
        "seller_team": ("supplier", "seller_supplier_id"),
        "self": ("user", spec.user_column),
        "recipient": ("user", spec.user_column),
        "author": ("user", "author_user_id"),
        "partner": ("couple", spec.couple_column),
    }.get(kind)


# The relations each consent edge can justify.
EDGE_RELATIONS = {
    "connection": {"connected_partner", "connected_team"},
    "membership": {"teammate"},
    "partnership": {"invited_partner"},
    "purchase": {"purchase_buyer_team"},
    "publication": {"anon", "any_authenticated"},
}


def _consent_needed(kind: str, command: str, rule: Rule, spec: TableSpec, model: TableOwnership) -> str | None:
    """Why this relation is not one of the row's owners (None when it is)."""
    owner = _owner_relation(kind, spec)
    if owner is not None and model.owners.get(owner[1]) == owner[0]:
        return None
    if kind == "creator" and model.founded_by == "created_by":
        return None  # the user creating the supplier, before the owner row exists
    if kind == "any_authenticated" and command == "insert" and model.founded_by and (
            {"is_caller": model.founded_by} in rule.check):
        return None  # a signed-in user founding a party of their own
    if kind == "any_authenticated" and command == "select" and model.every_user_reads:
        return None
    return f"relation {kind} is none of the row's owners {model.owners}"


def _cases(matrix: AccessMatrix) -> list[tuple[str, str, Rule]]:
    return [(table, command, rule) for table, spec in sorted(matrix.tables.items())
            for command in COMMANDS for rule in spec.rules[command]]


@pytest.fixture(scope="module")
def raw_matrix() -> dict[str, Any]:
    import yaml

    from wedsync_db.rls.matrix import DEFAULT_PATH
    return yaml.safe_load(DEFAULT_PATH.read_text())


def test_every_table_of_the_catalog_has_an_owner_in_the_model(db: psycopg.Connection[Any]) -> None:
    """schema/ownership.yaml covers exactly the public tables, and every owner column exists."""
    model = load_ownership()
    rows = db.execute(
        "select c.relname, array_agg(a.attname) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition group by 1").fetchall()
    columns = {name: set(cols) for name, cols in rows}
    assert set(model.tables) == set(columns)
    for name, table in model.tables.items():
        assert table.owners, f"{name}: no owner"
        assert set(table.owners) <= columns[name], f"{name}: owner columns missing from the table"


def test_every_matrix_rule_lets_in_an_owner_or_names_the_consent_edge_that_opens_the_row(
    raw_matrix: dict[str, Any],
) -> None:
    """A rule for a non-owner names `consent: <edge>`; the model opens the table for that command by that edge."""
    matrix, model = load_matrix(), load_ownership()
    problems = []
    for table, command, rule in _cases(matrix):
        spec, owned = matrix[table], model[table]
        declared = next(r.get("consent") for r in raw_matrix["tables"][table][command] if r["policy"] == rule.policy)
        needs = [why for who in rule.who if (why := _consent_needed(who.split(":")[0], command, rule, spec, owned))]
        if not needs:
            if declared:
                problems.append(f"{rule.policy}: names consent {declared} but lets in owners only")
            continue
        if declared is None:
            problems.append(f"{rule.policy}: {needs[0]}, and it names no consent edge")
        elif not owned.opens(declared, command):
            problems.append(f"{rule.policy}: the model does not let edge {declared} open {table} for {command}")
        elif any(who.split(":")[0] not in EDGE_RELATIONS[declared] for who in rule.who):
            problems.append(f"{rule.policy}: edge {declared} cannot justify {list(rule.who)}")
        elif declared == "publication" and owned.published_when and not any(
                cond == {"equals": owned.published_when} for cond in rule.when):
            problems.append(f"{rule.policy}: a publication rule must require {owned.published_when}")
    assert not problems, "\n".join(problems)


def test_the_matrix_soft_delete_parents_are_the_model_parents() -> None:
    """Soft delete closes the subtree: the matrix's `parents` vocabulary is the model's `parent` entries."""
    assert load_matrix().vocabulary["parents"] == load_ownership().parents()


def test_no_user_id_column_is_readable_by_anonymous_visitors(db: psycopg.Connection[Any]) -> None:
    """No handles for attackers: every column the model lists as a user id is closed to anon (column grants)."""
    model = load_ownership()
    rows = db.execute(
        "select c.relname, a.attname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition "
        "and has_column_privilege('anon', c.oid, a.attnum, 'SELECT')").fetchall()
    assert [(t, c) for t, c in rows if c in model.user_id_columns] == []


def test_paid_columns_are_closed_to_every_api_role(db: psycopg.Connection[Any]) -> None:
    """A private column (templates.content) opens only through its edge: no API role selects it directly."""
    for table, owned in load_ownership().tables.items():
        for column in owned.private_columns:
            for role in ("anon", "authenticated"):
                (ok,) = db.execute("select has_column_privilege(%s, ('public.' || %s)::regclass, %s, 'SELECT')",
                                   (role, table, column)).fetchone() or (None,)
                assert ok is False, f"{role} reads {table}.{column}"
