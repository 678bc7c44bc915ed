"""The lint registry: levels, the Finding, Problem, Scope and Lint types, the ``_lint`` decorator, and shared SQL.

Each lint is a small function registered in ``LINTS``; it takes a connection and the ``Scope`` and yields
``Problem`` rows, which ``Lint.findings`` turns into ``Finding`` rows carrying the lint's name and category.
``run_lints`` runs them in one transaction under ``search_path = ''`` (so policy expressions deparse fully
qualified: ``auth.uid()``, never a bare ``uid()``), filters suppressions, and sorts the result.
Renderers turn findings into a rich table, JSON or SARIF 2.1.0; ``exit_code`` is 1 when any finding is an ERROR.

Words used in docstrings:
- *API roles*: ``anon`` and ``authenticated`` (``service_role`` bypasses RLS by design and is not linted).
- *granted*: an API role holds any privilege on the object (table- or column-level) **and** USAGE on its schema,
  so SQL run as that role can reach it. In ``public`` (the schema PostgREST serves) this is exactly "exposed to the
  API"; in ``private`` it means reachable from policies and functions running as the caller.
- *exposed*: granted and in schema ``public`` (we do not rely on ``pgrst.db_schemas``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

ERROR, WARN, INFO = "ERROR", "WARN", "INFO"
SECURITY, PERFORMANCE, NAMING = "SECURITY", "PERFORMANCE", "NAMING"
LEVELS = (ERROR, WARN, INFO)
API_ROLES = ("anon", "authenticated")
API_SCHEMA = "public"
MAX_NAME_BYTES = 63  # NAMEDATALEN - 1: longer identifiers are truncated silently, so 63 bytes means "maybe truncated"


@dataclass(frozen=True)
class Finding:
    """One problem found by one lint: what, where, why it matters, and how to fix it."""

    lint: str
    level: str
    category: str
    object: str
    detail: str
    remedy: str
    kind: str = "object"
    """What ``object`` names: table, view, materialized view, foreign table, index, constraint, policy, function,
    column, trigger, type or extension (used for SARIF logical locations)."""

    @property
    def key(self) -> str:
        """The suppression key, ``lint:object`` (what ``ignore=`` matches)."""
        return f"{self.lint}:{self.object}"


@dataclass(frozen=True)
class Scope:
    """What the lints look at: the schemas, and the security-definer functions anon may call on purpose."""

    schemas: tuple[str, ...] = ("public", "private")
    allow_public_definer: frozenset[str] = frozenset()
    """Functions (``schema.name`` or ``schema.name(identity args)``) meant to be callable by anon."""

    @property
    def params(self) -> dict[str, Any]:
        return {"schemas": list(self.schemas), "api": list(API_ROLES), "api_schema": API_SCHEMA}

    def allows_definer(self, name: str, signature: str) -> bool:
        return name in self.allow_public_definer or signature in self.allow_public_definer


@dataclass(frozen=True)
class Problem:
    """What a check yields: the lint's name and category come from its registration, and so does its level
    unless ``level`` is given (for lints whose severity depends on the object, e.g. granted or not)."""

    object: str
    detail: str
    remedy: str
    kind: str = "object"
    level: str | None = None


Check = Callable[[psycopg.Connection[Any], Scope], Iterable[Problem]]


@dataclass(frozen=True)
class Lint:
    """A registered lint: its name, category, the most severe level it reports, and the check function."""

    name: str
    category: str
    level: str
    title: str
    check: Check = field(repr=False)

    def findings(self, conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
        """Run the check; each problem becomes a finding of this lint."""
        for problem in self.check(conn, scope):
            yield Finding(self.name, problem.level or self.level, self.category, problem.object, problem.detail,
                          problem.remedy, problem.kind)

    @property
    def description(self) -> str:
        return " ".join((self.check.__doc__ or self.title).split())


LINTS: list[Lint] = []


def _lint(name: str, category: str, level: str, title: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        LINTS.append(Lint(name, category, level, title, check))
        return check

    return register


def lint_names() -> list[str]:
    """Return the names of every registered lint, in registry order."""
    return [lint.name for lint in LINTS]


# -- shared SQL --------------------------------------------------------------------------------------------
def _rows(conn: psycopg.Connection[Any], query: str, scope: Scope) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, scope.params).fetchall()


# Relations of the scanned schemas that no extension owns (alias c, namespace n).
_IN_SCOPE = """
    n.nspname = any(%(schemas)s)
    and not exists (select 1 from pg_catalog.pg_depend d
                    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid
                      and d.deptype = 'e')"""

# API roles that hold any privilege on relation c and may use its schema n ("granted", see module docstring).
_GRANTEES = """
    array(select r.rolname::text from pg_catalog.pg_roles r
          where r.rolname = any(%(api)s)
            and pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
            and (pg_catalog.has_table_privilege(r.oid, c.oid,
                   'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                 or pg_catalog.has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
          order by 1)"""

_POLICIES = f"""
    select n.nspname as schema, c.relname as table, p.polname as policy, p.polcmd::text as cmd,
           p.polpermissive as permissive, c.relrowsecurity as rls,
           pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
           pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check,
           array(select case when r = 0 then 'public' else pg_catalog.pg_get_userbyid(r)::text end
                 from pg_catalog.unnest(p.polroles) as r order by 1) as roles,
           pg_catalog.obj_description(p.oid, 'pg_policy') as comment
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where {_IN_SCOPE}
    order by 1, 2, 3"""

_COMMANDS = {"r": "select", "a": "insert", "w": "update", "d": "delete", "*": "all"}


def _q(*parts: str) -> str:
    return ".".join(parts)


def _who(roles: list[str]) -> str:
    return ", ".join(roles) if roles else "no API role"
