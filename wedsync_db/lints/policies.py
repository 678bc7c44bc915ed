"""Row level security lints: RLS flags on tables and partitions, and the policies on them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import psycopg

from wedsync_db.lints.registry import (
    _COMMANDS,
    _GRANTEES,
    _IN_SCOPE,
    _POLICIES,
    API_ROLES,
    ERROR,
    INFO,
    PERFORMANCE,
    SECURITY,
    WARN,
    Problem,
    Scope,
    _lint,
    _q,
    _rows,
    _who,
)

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
def rls_disabled(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A table (not a leaf partition) with RLS off and no policies. ERROR whether or not API roles hold grants
    today: our rule is RLS on every table, and Supabase's default privileges grant ALL on every new table in public
    to anon and authenticated, so an RLS-less table is one default away from being world-readable.
    (A table with policies but RLS off is reported by policy_exists_rls_disabled instead.)"""
    for row in _rows(conn, _TABLES, scope):
        if not row["rls"] and not row["has_policies"]:
            name = _q(row["schema"], row["table"])
            yield Problem(name,
                          f"Table {name} has row level security off; API roles holding privileges: "
                          f"{_who(row['grantees'])}.",
                          f"alter table {name} enable row level security; alter table {name} force row level "
                          "security; then add policies for the roles that need rows.", "table")


@_lint("rls_not_forced", SECURITY, ERROR, "Row level security enabled but not forced")
def rls_not_forced(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A table with RLS enabled but not FORCEd, so its owner (and security-definer code owned by it) skips the
    policies. ERROR when API roles hold privileges on the table (a definer function or view owned by the table owner
    then reads every row on their behalf); WARN otherwise (our rule: forced RLS on every table)."""
    for row in _rows(conn, _TABLES, scope):
        if row["rls"] and not row["forced"]:
            name = _q(row["schema"], row["table"])
            level = ERROR if row["grantees"] else WARN
            yield Problem(name,
                          f"Table {name} has row level security enabled but not forced, so its owner bypasses the "
                          f"policies; API roles holding privileges: {_who(row['grantees'])}.",
                          f"alter table {name} force row level security;", "table", level=level)


@_lint("policy_exists_rls_disabled", SECURITY, ERROR, "Policies exist but row level security is off")
def policy_exists_rls_disabled(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
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
        yield Problem(name,
                      f"Table {name} has policies ({', '.join(row['policies'])}) but row level security is off, "
                      "so they are ignored.",
                      f"alter table {name} enable row level security; alter table {name} force row level security;",
                      "table")


@_lint("rls_enabled_no_policy", SECURITY, INFO, "Row level security enabled without any policy")
def rls_enabled_no_policy(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A table with RLS on and no policy (splinter 0008): deny-all for every role but the bypassers. INFO: it is
    safe and often intended (backend-only tables), but worth a look when API roles hold grants on it."""
    for row in _rows(conn, _TABLES, scope):
        if row["rls"] and not row["has_policies"]:
            name = _q(row["schema"], row["table"])
            yield Problem(name,
                          f"Table {name} has row level security on and no policy: only service_role and the owner "
                          f"see rows; API roles holding privileges: {_who(row['grantees'])}.",
                          "Add policies for the roles that need rows, or revoke the API roles' privileges.", "table")


@_lint("partition_without_rls_granted", SECURITY, ERROR, "Leaf partition reachable by API roles without RLS")
def partition_without_rls_granted(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
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
            yield Problem(name,
                          f"Partition {name} of {row['root_schema']}.{row['root']} has row level security off but "
                          f"{_who(row['grantees'])} hold privileges on it: selecting from the partition directly "
                          "skips the parent's policies.",
                          f"revoke all on table {name} from anon, authenticated; (or enable and force row level "
                          "security on the partition with its own policies)", "table")


# -- policies ----------------------------------------------------------------------------------------------
@_lint("policy_without_comment", SECURITY, ERROR, "Policy without a comment")
def policy_without_comment(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A policy with no ``comment on policy``. ERROR by project rule (STYLE.md: the lint fails any policy without
    a comment): the comment says who the policy lets in, and reviews, reports and reproducers print it."""
    for row in _rows(conn, _POLICIES, scope):
        if not (row["comment"] or "").strip():
            name = _q(row["schema"], row["table"], row["policy"])
            yield Problem(name,
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
def policy_auth_call_not_wrapped(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A policy whose USING or WITH CHECK calls auth.uid(), auth.jwt(), auth.role(), auth.email() or
    current_setting() outside a scalar sub-select (splinter 0003, checked per call, not per policy): PostgreSQL then
    evaluates it for every row instead of once as an InitPlan. WARN: correct but slow on large tables."""
    for row in _rows(conn, _POLICIES, scope):
        calls = sorted(set(_unwrapped_calls(row["qual"]) + _unwrapped_calls(row["with_check"])))
        if calls:
            name = _q(row["schema"], row["table"], row["policy"])
            yield Problem(name,
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} calls {', '.join(calls)} "
                          "directly, once per row.",
                          "Wrap each call in a sub-select: (select auth.uid()), (select auth.jwt() ->> 'x').",
                          "policy")


_USER_METADATA = re.compile(r"user_meta_?data")


@_lint("policy_references_user_metadata", SECURITY, ERROR, "Policy trusts user-editable metadata")
def policy_references_user_metadata(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A policy whose expression mentions user_metadata (the JWT claim) or raw_user_meta_data (auth.users), which
    the end user can edit (splinter 0015, any spelling). ERROR: a user can grant itself access."""
    for row in _rows(conn, _POLICIES, scope):
        if _USER_METADATA.search(f"{row['qual'] or ''} {row['with_check'] or ''}"):
            name = _q(row["schema"], row["table"], row["policy"])
            yield Problem(name,
                          f"Policy {row['policy']} on {row['schema']}.{row['table']} reads user metadata, which "
                          "users can change themselves.",
                          "Decide access from app_metadata (set by the backend) or from our own tables.", "policy")


def _always_true(expr: str | None) -> bool:
    return re.sub(r"\s+", "", (expr or "").lower()) in {"true", "(true)", "1=1", "(1=1)"}


@_lint("policy_always_true", SECURITY, ERROR, "Permissive policy that lets every row through")
def policy_always_true(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
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
            yield Problem(name,
                          f"Policy {row['policy']} ({_COMMANDS[cmd]} to {', '.join(row['roles'])}) on "
                          f"{row['schema']}.{row['table']}: {'; '.join(reasons)}.",
                          "Restrict the expression to the rows the role may touch (e.g. its own or its team's).",
                          "policy", level=level)


@_lint("multiple_permissive_policies", PERFORMANCE, INFO, "Several permissive policies per role and command")
def multiple_permissive_policies(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
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
            yield Problem(table,
                          f"Table {table} has several permissive policies per role and command ({'; '.join(parts)}).",
                          "Merge them into one policy per role and command when the OR shows up in plans.", "table")
