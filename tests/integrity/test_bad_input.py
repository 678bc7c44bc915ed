"""Bad input, driven by the catalog: every invalid write is refused naming what it broke, and nothing is written.

For every public table the catalog gives the columns (type, NOT NULL, enum), CHECK, foreign key and unique
constraints. Hypothesis picks a table and one targeted violation (NULL in a NOT NULL column, a foreign key to a
missing row, a duplicate of a unique key, an invalid enum label, a wrong type, malformed JSON, an out-of-range
number, an over-long or ill-formed value against a CHECK) and applies it to ONE row inside a statement that
rewrites every row of the table (a batch). The error must name the constraint (``diag.constraint_name``), the
column for NOT NULL (``diag.column_name``), or be SQLSTATE class 22 for type errors; the table and the audit log
must be exactly as they were.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from psycopg import sql

from tests.integrity.factories import CHANGEABLE_ROWS, Tenant, audited_tables, one, row_images, tenants

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # format_type
    category: str  # pg_type.typcategory (S string, N numeric, D date/time, A array, U user/uuid/jsonb, B bool, E enum)
    not_null: bool
    is_enum: bool


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # c, f, u, p
    columns: tuple[str, ...]
    definition: str


@dataclass(frozen=True)
class Violation:
    """One bad value for one column of one row, and what the refusal must name."""

    table: str
    kind: str  # not_null, foreign_key, unique, check, type
    column: str
    value: Any
    cast: str  # how the literal is passed: 'text' (unknown literal, so type errors surface) or the column type
    expect: frozenset[str]  # constraint names accepted (empty for not_null/type)


def columns_of(conn: Conn, table: str) -> list[Column]:
    rows = conn.execute(
        """
        select a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory, a.attnotnull, t.typtype = 'e'
        from pg_attribute a join pg_type t on t.oid = a.atttypid
        where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        order by a.attnum
        """, (f"public.{table}",)).fetchall()
    return [Column(*row) for row in rows]


def constraints_of(conn: Conn, table: str) -> list[Constraint]:
    rows = conn.execute(
        """
        select con.conname, con.contype::text,
               array(select a.attname from unnest(con.conkey) k join pg_attribute a
                     on a.attrelid = con.conrelid and a.attnum = k order by a.attnum)::text[],
               pg_get_constraintdef(con.oid)
        from pg_constraint con where con.conrelid = %s::regclass and con.contype in ('c', 'f', 'u', 'p')
        order by 1
        """, (f"public.{table}",)).fetchall()
    indexes = conn.execute(  # unique indexes that are not constraints (e.g. partial unique indexes)
        """
        select i.relname, array(select a.attname from unnest(x.indkey) k join pg_attribute a
                                on a.attrelid = x.indrelid and a.attnum = k)::text[], pg_get_indexdef(i.oid)
        from pg_index x join pg_class i on i.oid = x.indexrelid
        where x.indrelid = %s::regclass and x.indisunique
          and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
        """, (f"public.{table}",)).fetchall()
    return [Constraint(r[0], r[1], tuple(r[2]), r[3]) for r in rows] + [
        Constraint(r[0], "u", tuple(r[1]), r[2]) for r in indexes]


def referenced_by(conn: Conn, table: str) -> list[Constraint]:
    """Foreign keys of other tables pointing at ``table``, with the referenced columns (changing those breaks them)."""
    rows = conn.execute(
        """
        select con.conname, array(select a.attname from unnest(con.confkey) k join pg_attribute a
                                  on a.attrelid = con.confrelid and a.attnum = k)::text[]
        from pg_constraint con where con.confrelid = %s::regclass and con.contype = 'f' and con.conparentid = 0
        """, (f"public.{table}",)).fetchall()
    return [Constraint(r[0], "f", tuple(r[1]), "") for r in rows]


# Hostile candidates by type category; each CHECK in the schema is violated by at least one of them
# (test_every_check_constraint_is_reachable_by_the_candidates proves it).
HOSTILE: dict[str, list[Any]] = {
    "S": ["", " ", "x" * 201, "x" * 1601, "x" * 20001, "NOT A SLUG!", "no-at-sign", "ftp://x", "+0", "gbp",
          "1abc", "en_gb", "ABCD"],
    "N": [-1, -1096, 1096, 0, 6],
    "D": ["1999-12-31", "2101-01-01"],
    "A": [["a", None]],
    "U": [],
}
JSON_SHAPES = ["[]", "{}", '"text"', "3", "null"]  # well-formed JSON of every shape, against jsonb_typeof checks
JUNK: dict[str, list[str]] = {  # wrong-type literals: the server must refuse with SQLSTATE class 22
    "uuid": ["not-a-uuid", "1234"],
    "integer": ["12x", "2147483648", "1.5"],
    "smallint": ["40000", "x"],
    "numeric": ["1e400", "abc", "99999999999"],
    "boolean": ["maybe"],
    "date": ["2024-02-30", "tomorrowish"],
    "timestamp with time zone": ["2024-13-01", "yesterday-ish"],
    "time without time zone": ["25:61"],
    "jsonb": ["{bad", "[1,", "\"\\u0000\""],
    "character(3)": ["ABCD"],
    "text[]": ["{unclosed"],
    "tsvector": [],
}


def candidates(column: Column, checks: list[Constraint], columns: dict[str, Column]) -> list[Any]:
    """Hostile values for a column under CHECKs: the type's pool, NULL, and the other uuid columns of its checks."""
    refs = [ColumnRef(other) for c in checks for other in c.columns
            if other != column.name and other in columns and columns[other].type == "uuid"]
    pool = JSON_SHAPES if column.type == "jsonb" else HOSTILE.get(column.category, [])
    return pool + [None] + (refs if column.type == "uuid" else [])


def junk_for(column: Column) -> list[str]:
    if column.is_enum:
        return ["not_a_label", ""]
    if column.type == "numeric":  # unconstrained numeric takes 1e400 and 11 digits: only non-numbers are wrong
        return ["abc"]
    for prefix, values in JUNK.items():
        if column.type.startswith(prefix.split("(")[0]) and (column.type == prefix or "(" not in prefix):
            return values
    return []


def violations(conn: Conn, table: str) -> st.SearchStrategy[Violation]:
    """Targeted violations for ``table`` read from the catalog; shrinks towards the first NOT NULL column."""
    columns = {c.name: c for c in columns_of(conn, table)}
    constraints = constraints_of(conn, table)
    options: list[st.SearchStrategy[Violation]] = []
    not_null = [c for c in columns.values() if c.not_null]
    if not_null:
        options.append(st.sampled_from(not_null).map(
            lambda c: Violation(table, "not_null", c.name, None, "text", frozenset())))
    fks = [c for c in constraints if c.kind == "f"]
    incoming = referenced_by(conn, table)
    if fks:
        def missing_parent(fk: Constraint) -> Violation:
            # For composite tenant keys (x, supplier_id) break the non-tenant column only.
            column = next((c for c in fk.columns if c != "supplier_id"), fk.columns[0])
            # Children referencing this column through a composite key are broken too: either may be named.
            return Violation(table, "foreign_key", column, str(uuid.uuid4()), "uuid", frozenset(
                [c.name for c in fks if column in c.columns] + [c.name for c in incoming if column in c.columns]))
        options.append(st.sampled_from(fks).map(missing_parent))
    checks = [c for c in constraints if c.kind == "c"]
    check_columns = sorted({col for c in checks for col in c.columns if col in columns})
    if check_columns:
        def hostile(col: str) -> st.SearchStrategy[Violation]:
            column = columns[col]
            # A candidate may break any constraint on the column (a copied uuid can miss its parent row).
            names = frozenset(c.name for c in [*constraints, *incoming] if col in c.columns)
            pool = candidates(column, [c for c in checks if col in c.columns], columns)
            return st.sampled_from(pool).map(
                lambda v: Violation(table, "check", col, v, column.type, names))
        options.append(st.sampled_from(check_columns).flatmap(hostile))
    typed = [(c, j) for c in columns.values() for j in junk_for(c)]
    if typed:
        options.append(st.sampled_from(typed).map(
            lambda pair: Violation(table, "type", pair[0].name, pair[1], "text", frozenset())))
    uniques = [c for c in constraints if c.kind in ("u", "p")]
    if uniques:
        def duplicate(u: Constraint) -> Violation:
            keep_id = "id" in u.columns  # then every key holding id collides; otherwise every key without id
            return Violation(table, "unique", ",".join(u.columns), None, "", frozenset(
                c.name for c in uniques if ("id" in c.columns) == keep_id))
        options.append(st.sampled_from(uniques).map(duplicate))
    return st.one_of(options)


@dataclass(frozen=True)
class ColumnRef:
    """A candidate that copies another column of the same row (e.g. partner two = partner one)."""

    name: str


def literal_for(violation: Violation) -> sql.Composable:
    value = violation.value
    if value is None:
        return sql.SQL("null")
    if isinstance(value, ColumnRef):
        return sql.Identifier(value.name)
    if violation.cast == "text":
        return sql.Literal(str(value))  # an untyped literal: the server parses it as the column's type
    return sql.SQL("{}::{}").format(sql.Literal(value), sql.SQL(violation.cast))


def attempt(conn: Conn, violation: Violation) -> psycopg.Error | None:
    """Apply the violation to one row inside a statement that writes every row of the table; return the error."""
    table = violation.table
    where = sql.SQL(CHANGEABLE_ROWS.get(table, "true"))
    target = conn.execute(sql.SQL("select id from public.{} where {} order by id limit 1").format(
        sql.Identifier(table), where)).fetchone()
    assert target is not None, f"{table}: the fixture must hold an updatable row"
    try:
        if violation.kind == "unique":
            # A batch re-inserting copies of rows: the copies duplicate every unique key of their sources.
            # Keys that include id are duplicated by keeping the id; the others by giving the copies new ids.
            keep_id = "id" in violation.column.split(",")
            names = [c.name for c in columns_of(conn, table)]
            source = [sql.SQL("gen_random_uuid()") if n == "id" and not keep_id else sql.Identifier(n) for n in names]
            conn.execute(sql.SQL("insert into public.{t} ({c}) select {s} from public.{t} where {w}").format(
                t=sql.Identifier(table), c=sql.SQL(", ").join(map(sql.Identifier, names)),
                s=sql.SQL(", ").join(source), w=where))
        else:
            conn.execute(sql.SQL(
                "update public.{t} set {c} = case when id = {target} then {v} else {c} end where {w}"
            ).format(t=sql.Identifier(table), c=sql.Identifier(violation.column), target=sql.Literal(target[0]),
                     v=literal_for(violation), w=where))
    except psycopg.Error as error:
        return error
    return None


# Known schema bugs (each has its own xfail(strict=True) test below): (table, column, kind) -> SQLSTATE seen instead.
# Empty: the unknown core_field_id (was 23502) is fixed by migration 0031.
KNOWN_MISNAMED: dict[tuple[str, str, str], str] = {}


def judge(conn: Conn, violation: Violation, error: psycopg.Error | None) -> str | None:
    """Return why the outcome is wrong, or None when the refusal names what was broken."""
    known = KNOWN_MISNAMED.get((violation.table, violation.column, violation.kind))
    if error is not None and known == error.diag.sqlstate:
        return None
    if error is None:
        if violation.kind == "check":
            return None  # the candidate satisfied every check of the column: nothing to refuse
        if violation.kind in ("not_null", "foreign_key"):
            # A before trigger may own the column (core_field_values.field_group_id, version...): then the
            # stored value is the trigger's, not the bad one, which is not a violation.
            return None if trigger_owned(conn, violation) else f"accepted: {violation}"
        return f"accepted: {violation}"
    diag = error.diag
    state = diag.sqlstate or ""
    if violation.kind == "not_null":
        ok = state == "23502" and diag.column_name == violation.column
    elif violation.kind == "type":
        ok = state.startswith("22")
    elif violation.kind == "check":
        ok = ((state in ("23514", "23503", "23505") and root_constraint(conn, diag.constraint_name or "") in
               violation.expect) or state.startswith("22")
              or (state == "23502" and diag.column_name == violation.column))  # NULL candidate, NOT NULL column
    else:
        # On a partitioned table PostgreSQL names the leaf's cloned constraint (activities_y2026m11_pkey):
        # follow conparentid up to the constraint the schema declares.
        name = root_constraint(conn, diag.constraint_name or "")
        ok = name in violation.expect and state in ("23503", "23505")
    return None if ok else f"{violation}: refused with {state} constraint={diag.constraint_name} " \
                           f"column={diag.column_name}: {diag.message_primary}"


def root_constraint(conn: Conn, name: str) -> str:
    """The declared (parent) constraint of a partition's cloned constraint; the name itself otherwise."""
    row = conn.execute(
        """
        with recursive up (oid, conname, conparentid) as (
            select oid, conname, conparentid from pg_constraint where conname = %s
            union all
            select p.oid, p.conname, p.conparentid from pg_constraint p join up on p.oid = up.conparentid
        )
        select conname from up where conparentid = 0 limit 1
        """, (name,)).fetchone()
    return str(row[0]) if row else name


def trigger_owned(conn: Conn, violation: Violation) -> bool:
    value = None if violation.value is None else str(violation.value)
    stored = conn.execute(sql.SQL("select count(*) from public.{t} where {c}::text is not distinct from {v}").format(
        t=sql.Identifier(violation.table), c=sql.Identifier(violation.column), v=sql.Literal(value))).fetchone()
    return stored is not None and stored[0] == 0


@pytest.fixture
def world(db: Conn) -> Tenant:
    """Two tenants, so every table holds rows (and unique keys have something to collide with)."""
    tenants(db, "Bad")
    return tenants(db, "Inp")


@settings(max_examples=300)
@given(data=st.data())
def test_backend_bad_row_in_a_batch_is_refused_naming_the_constraint_and_changes_nothing(
    db: Conn, observer: Conn, world: Tenant, data: st.DataObject
) -> None:
    """Any targeted violation in a batch is refused with the constraint (or class 22) named; table and audit
    unchanged."""
    tables = audited_tables(db)  # audit_log refuses every update first (test_audit.py)
    table = data.draw(st.sampled_from(tables), label="table")
    violation = data.draw(violations(db, table), label="violation")
    event(f"{violation.kind}")
    before = row_images(observer, table)
    audit_before = one(observer, "select count(*) from public.audit_log")
    error = attempt(db, violation)
    problem = judge(db, violation, error)
    assert problem is None, problem
    if error is None:
        return  # a CHECK candidate that is valid for this row, or a column a trigger owns: nothing to refuse
    assert row_images(observer, table) == before, f"{violation}: the refused batch changed the table"
    assert one(observer, "select count(*) from public.audit_log") == audit_before


# CHECKs no single write can break because a before trigger owns the columns (with the reason).
TRIGGER_OWNED = {
    "check_core_field_values_one_storage": "prepare_core_field_value keeps exactly one of value/value_encrypted",
    "check_core_field_values_version_positive": "prepare_core_field_value sets version",
    "check_form_responses_required_answered_count_range": "derive_form_response_completion sets the counts",
    "check_form_responses_completion_range": "derive_form_response_completion sets completion",
    "check_form_responses_completed_at_only_when_complete": "derive_form_response_completion sets completed_at",
}
# Values that put a row where a multi-column check bites (same statement as the candidate).
PRIMERS = {"channel": "whatsapp", "module_type": "task"}


def test_every_check_constraint_is_reachable_by_the_candidates(db: Conn, world: Tenant) -> None:
    """Quality: every CHECK of every table is refused, by name, for at least one hostile candidate."""
    unreached = []
    for table in audited_tables(db):
        columns = {c.name: c for c in columns_of(db, table)}
        checks = [c for c in constraints_of(db, table) if c.kind == "c"]
        for check in checks:
            if check.name in TRIGGER_OWNED:
                continue
            if not any(reached(db, table, check, columns[col], value) for col in check.columns if col in columns
                       for value in candidates(columns[col], [check], columns)):
                unreached.append(f"{table}.{check.name}: {check.definition}")
    assert unreached == [], "\n".join(unreached)


def reached(db: Conn, table: str, check: Constraint, column: Column, value: Any) -> bool:
    """Write ``value`` (plus primers) into one row in a rolled-back transaction; True if ``check`` refused it."""
    violation = Violation(table, "check", column.name, value, column.type, frozenset([check.name]))
    sets = [sql.SQL("{} = {}").format(sql.Identifier(column.name), literal_for(violation))] + [
        sql.SQL("{} = {}").format(sql.Identifier(other), sql.Literal(PRIMERS[other]))
        for other in check.columns if other != column.name and other in PRIMERS]
    where = sql.SQL(CHANGEABLE_ROWS.get(table, "true"))
    try:
        with db.transaction(force_rollback=True):
            db.execute(sql.SQL("update public.{t} set {s} where id = (select id from public.{t} where {w} limit 1)")
                       .format(t=sql.Identifier(table), s=sql.SQL(", ").join(sets), w=where))
    except psycopg.Error as error:
        return error.diag.constraint_name == check.name
    return False


def test_backend_value_for_a_missing_core_field_is_refused_naming_the_foreign_key(db: Conn, world: Tenant) -> None:
    """An unknown core_field_id is refused naming fk_core_field_values_core_field_id_core_fields."""
    with pytest.raises(psycopg.errors.ForeignKeyViolation) as caught:
        db.execute("insert into public.core_field_values (couple_id, core_field_id, field_group_id, value)"
                   " values (%s, gen_random_uuid(), (select id from public.core_field_groups limit 1), '1')",
                   (world.couple,))
    assert caught.value.diag.constraint_name == "fk_core_field_values_core_field_id_core_fields"
