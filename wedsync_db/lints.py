"""Catalog lints: security, performance and naming checks read from pg_catalog (our own take on Supabase's splinter).

Each lint is a small function registered in ``LINTS``; it takes a connection and the ``Scope`` and returns
``Finding`` rows. ``run_lints`` runs them in one transaction under ``search_path = ''`` (so policy expressions
deparse fully qualified: ``auth.uid()``, never a bare ``uid()``), filters suppressions, and sorts the result.
Renderers turn findings into a rich table, JSON or SARIF 2.1.0; ``exit_code`` is 1 when any finding is an ERROR.

Words used in docstrings:
- *API roles*: ``anon`` and ``authenticated`` (``service_role`` bypasses RLS by design and is not linted).
- *granted*: an API role holds any privilege on the object (table- or column-level) **and** USAGE on its schema,
  so SQL run as that role can reach it. In ``public`` (the schema PostgREST serves) this is exactly "exposed to the
  API"; in ``private`` it means reachable from policies and functions running as the caller.
- *exposed*: granted and in schema ``public`` (we do not rely on ``pgrst.db_schemas``).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row
from rich.table import Table

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


Check = Callable[[psycopg.Connection[Any], Scope], Iterable[Finding]]


@dataclass(frozen=True)
class Lint:
    """A registered lint: its name, category, the most severe level it reports, and the check function."""

    name: str
    category: str
    level: str
    title: str
    check: Check = field(repr=False)

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


# -- RLS ---------------------------------------------------------------------------------------------------
_TABLES = f"""
    select n.nspname as schema, c.relname as table, c.relkind::text as relkind, c.relrowsecurity as rls,
           c.relforcerowsecurity as forced,
           exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid) as has_policies,
           {_GRANTEES} as grantees
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition and {_IN_SCOPE}
    order by 1, 2"""


@_lint("rls_disabled", SECURITY, ERROR, "Table without row level security")
def rls_disabled(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table (not a leaf partition) with RLS off and no policies. ERROR whether or not API roles hold grants
    today: our rule is RLS on every table, and Supabase's default privileges grant ALL on every new table in public
    to anon and authenticated, so an RLS-less table is one default away from being world-readable.
    (A table with policies but RLS off is reported by policy_exists_rls_disabled instead.)"""
    for row in _rows(conn, _TABLES, scope):
        if not row["rls"] and not row["has_policies"]:
            name = _q(row["schema"], row["table"])
            yield Finding("rls_disabled", ERROR, SECURITY, name,
                          f"Table {name} has row level security off; API roles holding privileges: "
                          f"{_who(row['grantees'])}.",
                          f"alter table {name} enable row level security; alter table {name} force row level "
                          "security; then add policies for the roles that need rows.", "table")


@_lint("rls_not_forced", SECURITY, ERROR, "Row level security enabled but not forced")
def rls_not_forced(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table with RLS enabled but not FORCEd, so its owner (and security-definer code owned by it) skips the
    policies. ERROR when API roles hold privileges on the table (a definer function or view owned by the table owner
    then reads every row on their behalf); WARN otherwise (our rule: forced RLS on every table)."""
    for row in _rows(conn, _TABLES, scope):
        if row["rls"] and not row["forced"]:
            name = _q(row["schema"], row["table"])
            level = ERROR if row["grantees"] else WARN
            yield Finding("rls_not_forced", level, SECURITY, name,
                          f"Table {name} has row level security enabled but not forced, so its owner bypasses the "
                          f"policies; API roles holding privileges: {_who(row['grantees'])}.",
                          f"alter table {name} force row level security;", "table")


@_lint("policy_exists_rls_disabled", SECURITY, ERROR, "Policies exist but row level security is off")
def policy_exists_rls_disabled(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table (leaf partitions included) that has policies while RLS is off (splinter 0007): the policies look
    like protection but are ignored. ERROR: every role with a grant sees every row."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table,
               array(select p.polname::text from pg_catalog.pg_policy p where p.polrelid = c.oid order by 1) as policies
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and not c.relrowsecurity and {_IN_SCOPE}
          and exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)
        order by 1, 2""", scope)
    for row in rows:
        name = _q(row["schema"], row["table"])
        yield Finding("policy_exists_rls_disabled", ERROR, SECURITY, name,
                      f"Table {name} has policies ({', '.join(row['policies'])}) but row level security is off, "
                      "so they are ignored.",
                      f"alter table {name} enable row level security; alter table {name} force row level security;",
                      "table")


@_lint("rls_enabled_no_policy", SECURITY, INFO, "Row level security enabled without any policy")
def rls_enabled_no_policy(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table with RLS on and no policy (splinter 0008): deny-all for every role but the bypassers. INFO: it is
    safe and often intended (backend-only tables), but worth a look when API roles hold grants on it."""
    for row in _rows(conn, _TABLES, scope):
        if row["rls"] and not row["has_policies"]:
            name = _q(row["schema"], row["table"])
            yield Finding("rls_enabled_no_policy", INFO, SECURITY, name,
                          f"Table {name} has row level security on and no policy: only service_role and the owner "
                          f"see rows; API roles holding privileges: {_who(row['grantees'])}.",
                          "Add policies for the roles that need rows, or revoke the API roles' privileges.", "table")


@_lint("partition_without_rls_granted", SECURITY, ERROR, "Leaf partition reachable by API roles without RLS")
def partition_without_rls_granted(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A leaf partition (of a partitioned table in the scanned schemas, wherever the leaf lives) with RLS off on
    which an API role holds a privilege and schema USAGE. The parent's policies apply only to queries through the
    parent; a query naming the leaf directly is checked against the leaf's own RLS, so this leaks every row.
    ERROR. Leaves without API privileges are fine and not reported: the parent carries the policies."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, rn.nspname as root_schema, rc.relname as root,
               {_GRANTEES} as grantees
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        join pg_catalog.pg_class rc on rc.oid = pg_catalog.pg_partition_root(c.oid)
        join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
        where c.relispartition and c.relkind in ('r', 'p') and not c.relrowsecurity
          and rn.nspname = any(%(schemas)s)
        order by 1, 2""", scope)
    for row in rows:
        if row["grantees"]:
            name = _q(row["schema"], row["table"])
            yield Finding("partition_without_rls_granted", ERROR, SECURITY, name,
                          f"Partition {name} of {row['root_schema']}.{row['root']} has row level security off but "
                          f"{_who(row['grantees'])} hold privileges on it: selecting from the partition directly "
                          "skips the parent's policies.",
                          f"revoke all on table {name} from anon, authenticated; (or enable and force row level "
                          "security on the partition with its own policies)", "table")


# -- policies ----------------------------------------------------------------------------------------------
@_lint("policy_without_comment", SECURITY, ERROR, "Policy without a comment")
def policy_without_comment(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A policy with no ``comment on policy``. ERROR by project rule (STYLE.md: the lint fails any policy without
    a comment): the comment says who the policy lets in, and reviews, reports and reproducers print it."""
    for row in _rows(conn, _POLICIES, scope):
        if not (row["comment"] or "").strip():
            name = _q(row["schema"], row["table"], row["policy"])
            yield Finding("policy_without_comment", ERROR, SECURITY, name,
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} has no comment.",
                          f"comment on policy {row['policy']} on {row['schema']}.{row['table']} is 'Lets in: ...';",
                          "policy")


_AUTH_CALL = re.compile(r"\b(?:auth\.(?:uid|jwt|role|email)\(\)|(?:pg_catalog\.)?current_setting\()")


def _unwrapped_calls(text: str | None) -> list[str]:
    """Return the auth.*() / current_setting( calls in deparsed text that are not the head of a sub-select."""
    found: list[str] = []
    text = text or ""
    for match in _AUTH_CALL.finditer(text):
        before = text[: match.start()].rstrip(" \t\n(")
        if not before.upper().endswith("SELECT"):
            found.append(match.group(0).removeprefix("pg_catalog.").rstrip("("))
    return found


@_lint("policy_auth_call_not_wrapped", PERFORMANCE, WARN, "auth.uid()/auth.jwt()/current_setting() per row")
def policy_auth_call_not_wrapped(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A policy whose USING or WITH CHECK calls auth.uid(), auth.jwt(), auth.role(), auth.email() or
    current_setting() outside a scalar sub-select (splinter 0003, checked per call, not per policy): PostgreSQL then
    evaluates it for every row instead of once as an InitPlan. WARN: correct but slow on large tables."""
    for row in _rows(conn, _POLICIES, scope):
        calls = sorted(set(_unwrapped_calls(row["qual"]) + _unwrapped_calls(row["with_check"])))
        if calls:
            name = _q(row["schema"], row["table"], row["policy"])
            yield Finding("policy_auth_call_not_wrapped", WARN, PERFORMANCE, name,
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} calls {', '.join(calls)} "
                          "directly, once per row.",
                          "Wrap each call in a sub-select: (select auth.uid()), (select auth.jwt() ->> 'x').",
                          "policy")


_USER_METADATA = re.compile(r"user_meta_?data")


@_lint("policy_references_user_metadata", SECURITY, ERROR, "Policy trusts user-editable metadata")
def policy_references_user_metadata(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A policy whose expression mentions user_metadata (the JWT claim) or raw_user_meta_data (auth.users), which
    the end user can edit (splinter 0015, any spelling). ERROR: a user can grant itself access."""
    for row in _rows(conn, _POLICIES, scope):
        if _USER_METADATA.search(f"{row['qual'] or ''} {row['with_check'] or ''}"):
            name = _q(row["schema"], row["table"], row["policy"])
            yield Finding("policy_references_user_metadata", ERROR, SECURITY, name,
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} reads user metadata, which "
                          "users can change themselves.",
                          "Decide access from app_metadata (set by the backend) or from our own tables.", "policy")


def _always_true(expr: str | None) -> bool:
    return re.sub(r"\s+", "", (expr or "").lower()) in {"true", "(true)", "1=1", "(1=1)"}


@_lint("policy_always_true", SECURITY, ERROR, "Permissive policy that lets every row through")
def policy_always_true(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A permissive policy for PUBLIC, anon or authenticated whose check is always true (splinter 0024): USING
    true/absent on UPDATE, DELETE or ALL, or WITH CHECK true/absent on INSERT (and true on UPDATE or ALL).
    ERROR for those writes (any caller may change or plant any row). A SELECT USING (true) visible to anon or PUBLIC
    is WARN: sometimes intended (public directory data) but it deserves a deliberate, documented exception."""
    for row in _rows(conn, _POLICIES, scope):
        roles = set(row["roles"])
        if not row["permissive"] or not roles & {"public", *API_ROLES}:
            continue
        cmd, reasons = row["cmd"], []
        if cmd in ("w", "d", "*") and (row["qual"] is None or _always_true(row["qual"])):
            reasons.append("USING is always true")
        if (cmd == "a" and (row["with_check"] is None or _always_true(row["with_check"]))) or (
            cmd in ("w", "*") and _always_true(row["with_check"])
        ):
            reasons.append("WITH CHECK is always true")
        level = ERROR
        if not reasons and cmd == "r" and roles & {"public", "anon"} and (row["qual"] is None
                                                                           or _always_true(row["qual"])):
            reasons.append("every row is readable without signing in")
            level = WARN
        if reasons:
            name = _q(row["schema"], row["table"], row["policy"])
            yield Finding("policy_always_true", level, SECURITY, name,
                          f"Policy {row['policy']} ({_COMMANDS[cmd]} to {', '.join(row['roles'])}) on "
                          f"{row['schema']}.{row['table']}: {'; '.join(reasons)}.",
                          "Restrict the expression to the rows the role may touch (e.g. its own or its team's).",
                          "policy")


@_lint("multiple_permissive_policies", PERFORMANCE, INFO, "Several permissive policies per role and command")
def multiple_permissive_policies(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table where more than one permissive policy applies to the same API role and command (splinter 0006;
    PUBLIC counts for both API roles, ALL for every command): each is evaluated and OR-ed per row. INFO, not WARN:
    our schema has several on purpose (e.g. team and couple read paths), one policy per 'who'."""
    by_table: dict[str, dict[tuple[str, str], list[str]]] = {}
    for row in _rows(conn, _POLICIES, scope):
        if not row["permissive"]:
            continue
        roles = set(API_ROLES) if "public" in row["roles"] else set(row["roles"]) & set(API_ROLES)
        commands = ("select", "insert", "update", "delete") if row["cmd"] == "*" else (_COMMANDS[row["cmd"]],)
        for role in roles:
            for command in commands:
                slot = by_table.setdefault(_q(row["schema"], row["table"]), {}).setdefault((role, command), [])
                slot.append(row["policy"])
    for table, slots in sorted(by_table.items()):
        many = {slot: names for slot, names in sorted(slots.items()) if len(names) > 1}
        if many:
            parts = [f"{role} {command}: {', '.join(names)}" for (role, command), names in many.items()]
            yield Finding("multiple_permissive_policies", INFO, PERFORMANCE, table,
                          f"Table {table} has several permissive policies per role and command ({'; '.join(parts)}).",
                          "Merge them into one policy per role and command when the OR shows up in plans.", "table")


# -- grants ------------------------------------------------------------------------------------------------
def _granted_relations(conn: psycopg.Connection[Any], scope: Scope, relkind: str) -> list[dict[str, Any]]:
    return [row for row in _rows(conn, f"""
        select n.nspname as schema, c.relname as name, c.relkind::text as relkind,
               coalesce(array_to_string(c.reloptions, ','), '') as options, {_GRANTEES} as grantees
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = '{relkind}' and {_IN_SCOPE}
        order by 1, 2""", scope)]


@_lint("security_definer_view", SECURITY, ERROR, "View running with its owner's rights")
def security_definer_view(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A view without ``security_invoker = true`` (splinter 0010): it reads its tables as the view's owner, so the
    tables' RLS does not apply to the caller. ERROR when an API role may read it; WARN otherwise (harmless until
    someone grants it)."""
    for row in _granted_relations(conn, scope, "v"):
        if not re.search(r"(^|,)security_invoker=(true|on|1|yes)(,|$)", row["options"].lower()):
            name = _q(row["schema"], row["name"])
            yield Finding("security_definer_view", ERROR if row["grantees"] else WARN, SECURITY, name,
                          f"View {name} runs with its owner's rights (no security_invoker); API roles holding "
                          f"privileges: {_who(row['grantees'])}.",
                          f"alter view {name} set (security_invoker = true);", "view")


@_lint("materialized_view_granted", SECURITY, ERROR, "Materialized view readable by API roles")
def materialized_view_granted(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A materialized view an API role may read (splinter 0016, any scanned schema): materialized views have no
    RLS, so the role sees every tenant's rows. ERROR (DESIGN.md: only through something that filters by caller)."""
    for row in _granted_relations(conn, scope, "m"):
        if row["grantees"]:
            name = _q(row["schema"], row["name"])
            yield Finding("materialized_view_granted", ERROR, SECURITY, name,
                          f"Materialized view {name} is readable by {_who(row['grantees'])} and has no RLS.",
                          f"revoke all on {name} from anon, authenticated; expose it through a security-invoker "
                          "function or view that filters by the caller.", "materialized view")


@_lint("foreign_table_granted", SECURITY, ERROR, "Foreign table reachable by API roles")
def foreign_table_granted(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A foreign table an API role holds privileges on (splinter 0017): foreign tables cannot have RLS.
    ERROR: same hole as a materialized view."""
    for row in _granted_relations(conn, scope, "f"):
        if row["grantees"]:
            name = _q(row["schema"], row["name"])
            yield Finding("foreign_table_granted", ERROR, SECURITY, name,
                          f"Foreign table {name} is reachable by {_who(row['grantees'])} and cannot have RLS.",
                          f"revoke all on {name} from anon, authenticated;", "foreign table")


def _privilege_holders(conn: psycopg.Connection[Any], scope: Scope, privilege: str) -> list[dict[str, Any]]:
    return _rows(conn, f"""
        select n.nspname as schema, c.relname as name,
               array(select r.rolname::text from pg_catalog.pg_roles r
                     where r.rolname = any(%(api)s) and pg_catalog.has_table_privilege(r.oid, c.oid, '{privilege}')
                     order by 1) as holders
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'f') and {_IN_SCOPE}
        order by 1, 2""", scope)


@_lint("api_role_has_truncate", SECURITY, ERROR, "TRUNCATE granted to an API role")
def api_role_has_truncate(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table on which anon or authenticated holds TRUNCATE. TRUNCATE ignores RLS and row triggers, so one call
    empties every tenant's rows. ERROR."""
    for row in _privilege_holders(conn, scope, "TRUNCATE"):
        if row["holders"]:
            name = _q(row["schema"], row["name"])
            yield Finding("api_role_has_truncate", ERROR, SECURITY, name,
                          f"{_who(row['holders'])} may TRUNCATE {name}, which skips row level security.",
                          f"revoke truncate on {name} from {', '.join(row['holders'])};", "table")


@_lint("api_role_has_references_or_trigger", SECURITY, WARN, "REFERENCES or TRIGGER granted to an API role")
def api_role_has_references_or_trigger(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A relation on which anon or authenticated holds REFERENCES or TRIGGER (Supabase's default 'grant all'
    gives both). Neither is needed by the API; REFERENCES lets a role probe key values through a foreign key and
    TRIGGER lets it attach code. WARN: API roles cannot create tables today, so not exploitable on its own."""
    holders: dict[str, set[str]] = {}
    for privilege in ("REFERENCES", "TRIGGER"):
        for row in _privilege_holders(conn, scope, privilege):
            for role in row["holders"]:
                holders.setdefault(_q(row["schema"], row["name"]), set()).add(f"{role} {privilege}")
    for name, grants in sorted(holders.items()):
        yield Finding("api_role_has_references_or_trigger", WARN, SECURITY, name,
                      f"{name} grants {', '.join(sorted(grants))}.",
                      f"revoke references, trigger on {name} from anon, authenticated;", "table")


# -- functions ---------------------------------------------------------------------------------------------
_FUNCTIONS = """
    select n.nspname as schema, p.proname as name,
           n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
             as signature,
           p.prokind::text as prokind, p.prosecdef as definer,
           exists (select 1 from pg_catalog.unnest(p.proconfig) as s where s like 'search\\_path=%%') as fixed_path,
           p.prorettype in ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype)
             as is_trigger,
           array(select r.rolname::text from pg_catalog.pg_roles r
                 where r.rolname = any(%(api)s) and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
                   and pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE') order by 1) as executors
    from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = any(%(schemas)s)
      and not exists (select 1 from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objid = p.oid
                        and d.deptype = 'e')
    order by 3"""


@_lint("function_search_path_mutable", SECURITY, ERROR, "Function without a fixed search_path")
def function_search_path_mutable(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A function or procedure without ``set search_path`` (splinter 0011; aggregates are skipped: they cannot
    carry settings). ERROR for SECURITY DEFINER ones (a caller's search_path can substitute objects that then run
    with the owner's rights); WARN for the others (our rule: every function fixes its search_path)."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if row["prokind"] != "a" and not row["fixed_path"]:
            yield Finding("function_search_path_mutable", ERROR if row["definer"] else WARN, SECURITY,
                          row["signature"],
                          f"{'Security definer f' if row['definer'] else 'F'}unction {row['signature']} has no "
                          "fixed search_path.",
                          f"alter function {row['signature']} set search_path = ''; and qualify every name in its "
                          "body.", "function")


@_lint("security_definer_function_executable_by_anon", SECURITY, ERROR, "Security definer function callable by anon")
def security_definer_function_executable_by_anon(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A SECURITY DEFINER function (not a trigger function) that anon may execute and whose schema anon may use,
    unless listed in ``allow_public_definer`` (splinter 0028; EXECUTE goes to PUBLIC by default). ERROR: it runs
    with its owner's rights, RLS bypassed, for callers who have not signed in."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if row["definer"] and not row["is_trigger"] and "anon" in row["executors"] \
                and not scope.allows_definer(_q(row["schema"], row["name"]), row["signature"]):
            yield Finding("security_definer_function_executable_by_anon", ERROR, SECURITY, row["signature"],
                          f"Security definer function {row['signature']} can be executed by anon.",
                          f"revoke execute on function {row['signature']} from public, anon; or list it as a "
                          "public definer function when that is intended.", "function")


@_lint("security_definer_function_executable_by_authenticated", SECURITY, WARN,
       "Security definer function in public callable by authenticated")
def security_definer_function_executable_by_authenticated(conn: psycopg.Connection[Any],
                                                          scope: Scope) -> Iterable[Finding]:
    """A SECURITY DEFINER function (not a trigger function) in schema public that authenticated may execute, so
    any signed-in user can call it over /rpc (splinter 0029), unless listed in ``allow_public_definer``. WARN: it
    may be intended, but its body must check the caller itself. Helpers in private (called from policies) are not
    reported: PostgREST does not serve private."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if row["schema"] == API_SCHEMA and row["definer"] and not row["is_trigger"] \
                and "authenticated" in row["executors"] \
                and not scope.allows_definer(_q(row["schema"], row["name"]), row["signature"]):
            yield Finding("security_definer_function_executable_by_authenticated", WARN, SECURITY, row["signature"],
                          f"Security definer function {row['signature']} can be called by any signed-in user.",
                          f"Move it to schema private, or revoke execute on function {row['signature']} from public, "
                          "authenticated; or list it as a public definer function.", "function")


# -- extensions, types, auth -------------------------------------------------------------------------------
@_lint("extension_in_public", SECURITY, WARN, "Extension installed in schema public")
def extension_in_public(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """An extension (other than plpgsql) installed in schema public (splinter 0014): its objects become API
    surface and its functions shadow names on the search_path. WARN."""
    for (name,) in conn.execute("""
            select e.extname from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
            where n.nspname = 'public' and e.extname <> 'plpgsql' order by 1"""):
        yield Finding("extension_in_public", WARN, SECURITY, name, f"Extension {name} is installed in schema public.",
                      f"alter extension {name} set schema extensions;", "extension")


@_lint("unsupported_reg_types", SECURITY, WARN, "Column of a reg* type that pg_upgrade cannot carry")
def unsupported_reg_types(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A stored column (table, partitioned table or materialized view) of type regcollation, regconfig,
    regdictionary, regnamespace, regoper, regoperator, regproc or regprocedure (splinter 0018): they store OIDs, which
    change across pg_upgrade, so the upgrade refuses the database. WARN. (Casts like 'simple'::regconfig inside
    expressions are fine.)"""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, a.attname as column, t.typname as type
        from pg_catalog.pg_attribute a
        join pg_catalog.pg_class c on c.oid = a.attrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        join pg_catalog.pg_type t on t.oid = a.atttypid
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'm') and {_IN_SCOPE}
          and t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace
          and t.typname in ('regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper', 'regoperator',
                            'regproc', 'regprocedure')
        order by 1, 2, 3""", scope)
    for row in rows:
        name = _q(row["schema"], row["table"], row["column"])
        yield Finding("unsupported_reg_types", WARN, SECURITY, name,
                      f"Column {name} has type {row['type']}, which pg_upgrade cannot carry.",
                      "Store the object's name as text instead.", "column")


@_lint("foreign_key_to_auth_unique", SECURITY, WARN, "Foreign key to a non-primary unique key in schema auth")
def foreign_key_to_auth_unique(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A foreign key referencing a table in schema auth through a unique key that is not its primary key
    (splinter 0021): Supabase Auth may change or drop those keys in an upgrade. WARN: a future migration breaks."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, con.conname as constraint,
               pg_catalog.pg_get_constraintdef(con.oid) as definition
        from pg_catalog.pg_constraint con
        join pg_catalog.pg_class c on c.oid = con.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        join pg_catalog.pg_class fc on fc.oid = con.confrelid
        join pg_catalog.pg_index fi on fi.indexrelid = con.conindid
        where con.contype = 'f' and con.conparentid = 0 and not fi.indisprimary
          and fc.relnamespace = 'auth'::pg_catalog.regnamespace and {_IN_SCOPE}
        order by 1, 2, 3""", scope)
    for row in rows:
        name = _q(row["schema"], row["table"], row["constraint"])
        yield Finding("foreign_key_to_auth_unique", WARN, SECURITY, name,
                      f"Foreign key {name} ({row['definition']}) references a non-primary unique key in auth.",
                      "Reference auth.users (id) instead.", "constraint")


# -- performance -------------------------------------------------------------------------------------------
@_lint("unindexed_foreign_key", PERFORMANCE, WARN, "Foreign key without a covering index")
def unindexed_foreign_key(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A foreign key (declared on a table or partitioned parent) with no valid, non-partial btree index whose
    leading key columns are exactly its columns, in any order (splinter 0001 is order-sensitive; for equality
    lookups the order does not matter). Deletes and key updates on the referenced table then scan the whole
    referencing table under lock. WARN (our rule: every foreign key gets an index)."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, con.conname as constraint,
               array(select a.attname::text from pg_catalog.unnest(con.conkey) with ordinality k(attnum, ord)
                     join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                     order by k.ord) as columns
        from pg_catalog.pg_constraint con
        join pg_catalog.pg_class c on c.oid = con.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where con.contype = 'f' and con.conparentid = 0 and not c.relispartition and {_IN_SCOPE}
          and not exists (
              select 1 from pg_catalog.pg_index i
              join pg_catalog.pg_class ic on ic.oid = i.indexrelid
              join pg_catalog.pg_am am on am.oid = ic.relam
              where i.indrelid = con.conrelid and i.indisvalid and i.indpred is null and am.amname = 'btree'
                and pg_catalog.cardinality(con.conkey) <= i.indnkeyatts
                and (select array_agg(k.attnum order by k.attnum)
                     from pg_catalog.unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
                     where k.ord <= pg_catalog.cardinality(con.conkey))
                    = (select array_agg(k order by k) from pg_catalog.unnest(con.conkey) k))
        order by 1, 2, 3""", scope)
    for row in rows:
        table, columns = _q(row["schema"], row["table"]), ", ".join(row["columns"])
        yield Finding("unindexed_foreign_key", WARN, PERFORMANCE, _q(row["schema"], row["table"], row["constraint"]),
                      f"Foreign key {row['constraint']} on {table} ({columns}) has no index starting with its columns.",
                      f"create index index_{row['table']}_on_{'_and_'.join(row['columns'])} on {table} ({columns});",
                      "constraint")


@_lint("duplicate_index", PERFORMANCE, WARN, "Identical indexes on one table")
def duplicate_index(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """Two or more indexes on one table (partitions skipped: their parent is checked) with the same definition
    once the name is removed: same method, keys, expressions, predicate, uniqueness and INCLUDE list (splinter
    0009). Every write maintains both for nothing. WARN."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table,
               array_agg(ic.relname::text order by ic.relname) as indexes
        from pg_catalog.pg_index i
        join pg_catalog.pg_class ic on ic.oid = i.indexrelid
        join pg_catalog.pg_class c on c.oid = i.indrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where not c.relispartition and {_IN_SCOPE}
        group by 1, 2, replace(pg_catalog.pg_get_indexdef(i.indexrelid),
                               ' INDEX ' || quote_ident(ic.relname) || ' ON ', ' INDEX ON ')
        having count(*) > 1
        order by 1, 2, 3""", scope)
    for row in rows:
        table = _q(row["schema"], row["table"])
        yield Finding("duplicate_index", WARN, PERFORMANCE, _q(row["schema"], row["indexes"][-1]),
                      f"Indexes {', '.join(row['indexes'])} on {table} are identical.",
                      "Drop all but one (drop the extra index, or the constraint that made it).", "index")


@_lint("no_primary_key", PERFORMANCE, WARN, "Table without a primary key")
def no_primary_key(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A table or partitioned parent (leaf partitions skipped) without a primary key (splinter 0004, which is INFO).
    WARN: our rule is a uuid primary key on every table; logical replication, Realtime and the audit log's row_id
    need one."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and not c.relispartition and {_IN_SCOPE}
          and not exists (select 1 from pg_catalog.pg_constraint con where con.conrelid = c.oid and con.contype = 'p')
        order by 1, 2""", scope)
    for row in rows:
        name = _q(row["schema"], row["table"])
        yield Finding("no_primary_key", WARN, PERFORMANCE, name, f"Table {name} has no primary key.",
                      f"alter table {name} add constraint pk_{row['table']} primary key (id);", "table")


# -- naming ------------------------------------------------------------------------------------------------
@_lint("name_too_long", NAMING, ERROR, "Name at PostgreSQL's 63-byte limit (maybe truncated)")
def name_too_long(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A relation, column, constraint, policy, trigger, function or type whose name is 63 bytes long. PostgreSQL
    truncates longer identifiers to 63 bytes with only a NOTICE, so two long names can collide and the catalog no
    longer matches the migration's text (our rule: names at most 63 characters). The catalog cannot tell a name of
    exactly 63 bytes from a cut one, so: ERROR when the name ends in a fragment that is no word of the scanned
    schemas' tables, columns, types and enum labels (cut mid-word: ``..._and_versi``); WARN when it ends in a whole
    word (probably written that way, but check the migration for a truncation NOTICE)."""
    rows = _rows(conn, f"""
        select kind, object, name from (
          select case c.relkind when 'i' then 'index' when 'I' then 'index' when 'S' then 'sequence'
                                when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind,
                 n.nspname || '.' || c.relname as object, c.relname::text as name
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {_IN_SCOPE}
          union all
          select 'column', n.nspname || '.' || c.relname || '.' || a.attname, a.attname::text
          from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and {_IN_SCOPE}
          union all
          select 'constraint', n.nspname || '.' || c.relname || '.' || con.conname, con.conname::text
          from pg_catalog.pg_constraint con join pg_catalog.pg_class c on c.oid = con.conrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {_IN_SCOPE}
          union all
          select 'policy', n.nspname || '.' || c.relname || '.' || p.polname, p.polname::text
          from pg_catalog.pg_policy p join pg_catalog.pg_class c on c.oid = p.polrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {_IN_SCOPE}
          union all
          select 'trigger', n.nspname || '.' || c.relname || '.' || t.tgname, t.tgname::text
          from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where not t.tgisinternal and {_IN_SCOPE}
          union all
          select 'function', n.nspname || '.' || p.proname, p.proname::text
          from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
          where n.nspname = any(%(schemas)s)
          union all
          select 'type', n.nspname || '.' || t.typname, t.typname::text
          from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
          where n.nspname = any(%(schemas)s) and t.typtype in ('e', 'd', 'c', 'r', 'm')
        ) as names
        where pg_catalog.octet_length(name) >= {MAX_NAME_BYTES}
        order by 2""", scope)
    if not rows:
        return
    words = _vocabulary(conn, scope)
    for row in rows:
        cut = row["name"].rsplit("_", 1)[-1] not in words
        yield Finding("name_too_long", ERROR if cut else WARN, NAMING, row["object"],
                      f"The {row['kind']} name {row['name']!r} is {len(row['name'].encode())} bytes, PostgreSQL's "
                      + ("limit, and ends mid-word: it was truncated." if cut else
                         "limit: check that the migration did not write a longer name."),
                      "Choose a name of at most 62 bytes (abbreviate the column list).", row["kind"])


def _vocabulary(conn: psycopg.Connection[Any], scope: Scope) -> set[str]:
    """Return the words (split on '_') of the table, column and type names and enum labels of the scanned schemas."""
    rows = _rows(conn, f"""
        select c.relname::text as name from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f') and {_IN_SCOPE}
        union select a.attname::text from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and {_IN_SCOPE}
        union select t.typname::text from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
        where n.nspname = any(%(schemas)s)
        union select e.enumlabel::text from pg_catalog.pg_enum e join pg_catalog.pg_type t on t.oid = e.enumtypid
        join pg_catalog.pg_namespace n on n.oid = t.typnamespace where n.nspname = any(%(schemas)s)""", scope)
    rows = [row for row in rows if len(row["name"].encode()) < MAX_NAME_BYTES]  # a cut name vouches for nothing
    words = {"and", "on", "where", "not", "is", "null", "in", "by"}  # the glue words of index_<table>_on_..._where_...
    for row in rows:
        words.update(row["name"].lower().split("_"))
    return words


@_lint("index_name_not_conventional", NAMING, WARN, "Index name not index_<table>_on_<columns>")
def index_name_not_conventional(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """An index (not one backing a primary key, unique or exclusion constraint, not on a partition) whose name does
    not start with ``index_<table>_on_`` (a standalone unique index may also be ``unique_<table>_...``). WARN."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, ic.relname as index, i.indisunique as is_unique
        from pg_catalog.pg_index i
        join pg_catalog.pg_class ic on ic.oid = i.indexrelid
        join pg_catalog.pg_class c on c.oid = i.indrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where not c.relispartition and c.relkind in ('r', 'p', 'm') and {_IN_SCOPE}
          and not exists (select 1 from pg_catalog.pg_constraint con
                          where con.conindid = i.indexrelid and con.conrelid = c.oid and con.contype in ('p', 'u', 'x'))
        order by 1, 3""", scope)
    for row in rows:
        table, index = row["table"], row["index"]
        ok = index.startswith(f"index_{table}_on_") and len(index) > len(f"index_{table}_on_")
        ok = ok or (row["is_unique"] and index.startswith(f"unique_{table}_"))
        if not ok:
            yield Finding("index_name_not_conventional", WARN, NAMING, _q(row["schema"], index),
                          f"Index {index} on {row['schema']}.{table} does not follow index_{table}_on_<columns>.",
                          f"alter index {row['schema']}.{index} rename to index_{table}_on_<columns>[_where_<condition>];",
                          "index")


def _constraint_name_pattern(contype: str, table: str, columns: list[str], foreign: str | None) -> str | None:
    """Return the regular expression a constraint's name must match, or None for kinds we do not name."""
    t, first = re.escape(table), re.escape(columns[0]) if columns else r"\w+"
    # A composite foreign or unique key may name only its leading column(s): fk_form_versions_form_id_forms
    # for (form_id, supplier_id) references forms, as the schema does.
    return {
        "p": rf"pk_{t}",
        "f": rf"fk_{t}_{first}(_\w+)?_{re.escape(foreign or '')}",
        "u": rf"unique_{t}_{first}(_\w+)?",
        "c": rf"check_{t}_\w+",
        "x": rf"exclude_{t}_\w+",
    }.get(contype)


_CONSTRAINT_SHAPE = {"p": "pk_{t}", "f": "fk_{t}_{c}_{f}", "u": "unique_{t}_{c}", "c": "check_{t}_<column>_<what>",
                     "x": "exclude_{t}_<what>"}


@_lint("constraint_name_not_conventional", NAMING, WARN, "Constraint name not pk_/fk_/unique_/check_<table>_...")
def constraint_name_not_conventional(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A constraint on a table (partitions skipped) not named by the scheme: ``pk_<table>``,
    ``fk_<table>_<column>_<foreign table>``, ``unique_<table>_<columns>`` (a composite key may name just its leading
    column, so the check is: starts with the table and first column; an FK ends with the referenced table),
    ``check_<table>_<what>`` or ``exclude_<table>_<what>``. WARN: names are how errors point at the rule."""
    rows = _rows(conn, f"""
        select n.nspname as schema, c.relname as table, con.conname as constraint, con.contype::text as contype,
               array(select a.attname::text from pg_catalog.unnest(con.conkey) with ordinality k(attnum, ord)
                     join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                     order by k.ord) as columns,
               fc.relname as foreign_table
        from pg_catalog.pg_constraint con
        join pg_catalog.pg_class c on c.oid = con.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        left join pg_catalog.pg_class fc on fc.oid = con.confrelid
        where not c.relispartition and c.relkind in ('r', 'p') and con.conislocal and {_IN_SCOPE}
        order by 1, 2, 3""", scope)
    for row in rows:
        pattern = _constraint_name_pattern(row["contype"], row["table"], row["columns"], row["foreign_table"])
        name = row["constraint"]
        if pattern is not None and not re.fullmatch(pattern, name):
            shown = _CONSTRAINT_SHAPE[row["contype"]].format(t=row["table"], c="_".join(row["columns"]),
                                                             f=row["foreign_table"])
            yield Finding("constraint_name_not_conventional", WARN, NAMING,
                          _q(row["schema"], row["table"], name),
                          f"Constraint {name} on {row['schema']}.{row['table']} does not follow {shown}.",
                          f"alter table {row['schema']}.{row['table']} rename constraint {name} to {shown};",
                          "constraint")


@_lint("policy_name_not_conventional", NAMING, WARN, "Policy name not <table>_<command>_<who>")
def policy_name_not_conventional(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Finding]:
    """A policy not named ``<table>_<command>_<who>`` with the policy's own command (select, insert, update, delete
    or all) and a non-empty who. WARN."""
    for row in _rows(conn, _POLICIES, scope):
        prefix = f"{row['table']}_{_COMMANDS[row['cmd']]}_"
        if not (row["policy"].startswith(prefix) and len(row["policy"]) > len(prefix)):
            yield Finding("policy_name_not_conventional", WARN, NAMING,
                          _q(row["schema"], row["table"], row["policy"]),
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} should be named {prefix}<who>.",
                          f"alter policy {row['policy']} on {row['schema']}.{row['table']} rename to {prefix}<who>;",
                          "policy")


# -- running -----------------------------------------------------------------------------------------------
_SEVERITY = {ERROR: 0, WARN: 1, INFO: 2}


def run_lints(
    conn: psycopg.Connection[Any],
    *,
    schemas: tuple[str, ...] = ("public", "private"),
    allow_public_definer: frozenset[str] = frozenset(),
    only: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
) -> list[Finding]:
    """Run the lints (all, or those named in ``only``) and return their findings, most severe first.

    :param ignore: suppression keys ``lint_name:object`` (shell-style wildcards allowed, e.g.
        ``policy_always_true:public.reviews.*``) for documented exceptions.
    :raises ValueError: when ``only`` names an unknown lint.
    """
    selected = LINTS
    if only is not None:
        wanted = set(only)
        unknown = wanted - set(lint_names())
        if unknown:
            raise ValueError(f"unknown lint(s): {', '.join(sorted(unknown))}; known: {', '.join(lint_names())}")
        selected = [lint for lint in LINTS if lint.name in wanted]
    scope = Scope(tuple(schemas), frozenset(allow_public_definer))
    patterns = list(ignore)
    findings: list[Finding] = []
    with conn.transaction():
        saved = conn.execute("select pg_catalog.current_setting('search_path')").fetchone()
        # Deparse everything fully qualified: with auth on the search_path, auth.uid() would print as uid().
        conn.execute("set local search_path = ''")
        try:
            for lint in selected:
                findings.extend(lint.check(conn, scope))
        finally:
            # SET LOCAL inside a savepoint outlives its release: put the caller's value back for its transaction.
            if saved is not None and conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
                conn.execute("select pg_catalog.set_config('search_path', %s, true)", (saved[0],))
    kept = [f for f in findings if not any(fnmatch.fnmatchcase(f.key, pattern) for pattern in patterns)]
    return sorted(kept, key=lambda f: (_SEVERITY[f.level], f.category, f.lint, f.object))


def exit_code(findings: Iterable[Finding]) -> int:
    """Return 1 when any finding is an ERROR, else 0 (the exit status of ``wedsync-db lint``)."""
    return 1 if any(f.level == ERROR for f in findings) else 0


# -- rendering ---------------------------------------------------------------------------------------------
_STYLE = {ERROR: "bold red", WARN: "yellow", INFO: "cyan"}


def findings_table(findings: Iterable[Finding]) -> Table:
    """Return a rich table with one row per finding (level, lint, object, detail, remedy)."""
    rows = list(findings)
    table = Table(title=f"Catalog lints: {_summary(rows)}", show_lines=False)
    for column in ("level", "lint", "object", "detail", "remedy"):
        table.add_column(column, overflow="fold")
    for f in rows:
        table.add_row(f"[{_STYLE[f.level]}]{f.level}[/]", f.lint, f.object, f.detail, f.remedy)
    return table


def _summary(findings: list[Finding]) -> str:
    counts = {level: sum(1 for f in findings if f.level == level) for level in LEVELS}
    return ", ".join(f"{counts[level]} {level}" for level in LEVELS)


def findings_json(findings: Iterable[Finding]) -> str:
    """Return the findings as a JSON array of objects (the Finding fields), stable and indented."""
    return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False)


def findings_from_json(text: str) -> list[Finding]:
    """Parse what ``findings_json`` wrote back into findings."""
    return [Finding(**item) for item in json.loads(text)]


_SARIF_LEVEL = {ERROR: "error", WARN: "warning", INFO: "note"}


def findings_sarif(findings: Iterable[Finding]) -> str:
    """Return a SARIF 2.1.0 log: one rule per registered lint, one result per finding (logical locations only)."""
    index = {lint.name: i for i, lint in enumerate(LINTS)}
    rules = [
        {
            "id": lint.name,
            "name": lint.name,
            "shortDescription": {"text": lint.title},
            "fullDescription": {"text": lint.description},
            "defaultConfiguration": {"level": _SARIF_LEVEL[lint.level]},
            "properties": {"category": lint.category, "tags": [lint.category.lower()]},
        }
        for lint in LINTS
    ]
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.lint,
            "level": _SARIF_LEVEL[f.level],
            "message": {"text": f"{f.detail} Remedy: {f.remedy}"},
            "locations": [{"logicalLocations": [{
                "name": f.object.rsplit(".", 1)[-1] if f.kind != "function" else f.object.split(".", 1)[-1],
                "fullyQualifiedName": f.object,
                "kind": "function" if f.kind == "function" else "resource",
            }]}],
            "partialFingerprints": {"wedsyncLintKey/v1": f.key},
            "properties": {"category": f.category, "objectKind": f.kind},
        }
        if f.lint in index:
            result["ruleIndex"] = index[f.lint]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "wedsync-db lint", "rules": rules}}, "results": results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
