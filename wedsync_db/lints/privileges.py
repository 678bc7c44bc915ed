"""Privilege lints: grants, views, functions, extensions, reg* columns and foreign keys into auth."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import psycopg

from wedsync_db.lints.registry import (
    _GRANTEES,
    _IN_SCOPE,
    API_SCHEMA,
    ERROR,
    SECURITY,
    WARN,
    Problem,
    Scope,
    _lint,
    _q,
    _rows,
    _who,
)


# -- grants ------------------------------------------------------------------------------------------------
def _granted_relations(conn: psycopg.Connection[Any], scope: Scope, relkind: str) -> list[dict[str, Any]]:
    return [row for row in _rows(conn, f"""
        select n.nspname as schema, c.relname as name, c.relkind::text as relkind,
               coalesce(array_to_string(c.reloptions, ','), '') as options, {_GRANTEES} as grantees
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = '{relkind}' and {_IN_SCOPE}
        order by 1, 2""", scope)]


@_lint("security_definer_view", SECURITY, ERROR, "View running with its owner's rights")
def security_definer_view(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A view without ``security_invoker = true`` (splinter 0010): it reads its tables as the view's owner, so the
    tables' RLS does not apply to the caller. ERROR when an API role may read it; WARN otherwise (harmless until
    someone grants it)."""
    for row in _granted_relations(conn, scope, "v"):
        if not re.search(r"(^|,)security_invoker=(true|on|1|yes)(,|$)", row["options"].lower()):
            name = _q(row["schema"], row["name"])
            yield Problem(name,
                          f"View {name} runs with its owner's rights (no security_invoker); API roles holding "
                          f"privileges: {_who(row['grantees'])}.",
                          f"alter view {name} set (security_invoker = true);", "view",
                          level=ERROR if row["grantees"] else WARN)


@_lint("materialized_view_granted", SECURITY, ERROR, "Materialized view readable by API roles")
def materialized_view_granted(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A materialized view an API role may read (splinter 0016, any scanned schema): materialized views have no
    RLS, so the role sees every tenant's rows. ERROR (DESIGN.md: only through something that filters by caller)."""
    yield from _granted_without_rls(conn, scope, "m", "Materialized view {} is readable by {} and has no RLS.",
                                    "expose it through a security-invoker function or view that filters by the "
                                    "caller.", "materialized view")


@_lint("foreign_table_granted", SECURITY, ERROR, "Foreign table reachable by API roles")
def foreign_table_granted(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A foreign table an API role holds privileges on (splinter 0017): foreign tables cannot have RLS.
    ERROR: same hole as a materialized view."""
    yield from _granted_without_rls(conn, scope, "f", "Foreign table {} is reachable by {} and cannot have RLS.",
                                    "", "foreign table")


def _granted_without_rls(conn: psycopg.Connection[Any], scope: Scope, relkind: str, message: str,
                         remedy: str, object_type: str) -> Iterable[Problem]:
    """A problem per relation of ``relkind`` (a kind that cannot have RLS) on which an API role holds privileges.

    ``message`` has two ``{}``: the relation and who holds privileges; the fix revokes them, then says ``remedy``.
    """
    for row in _granted_relations(conn, scope, relkind):
        if row["grantees"]:
            name = _q(row["schema"], row["name"])
            fix = f"revoke all on {name} from anon, authenticated;" + (f" {remedy}" if remedy else "")
            yield Problem(name, message.format(name, _who(row["grantees"])), fix, object_type)


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
def api_role_has_truncate(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A table on which anon or authenticated holds TRUNCATE. TRUNCATE ignores RLS and row triggers, so one call
    empties every tenant's rows. ERROR."""
    for row in _privilege_holders(conn, scope, "TRUNCATE"):
        if row["holders"]:
            name = _q(row["schema"], row["name"])
            yield Problem(name,
                          f"{_who(row['holders'])} may TRUNCATE {name}, which skips row level security.",
                          f"revoke truncate on {name} from {', '.join(row['holders'])};", "table")


@_lint("api_role_has_references_or_trigger", SECURITY, WARN, "REFERENCES or TRIGGER granted to an API role")
def api_role_has_references_or_trigger(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A relation on which anon or authenticated holds REFERENCES or TRIGGER (Supabase's default 'grant all'
    gives both). Neither is needed by the API; REFERENCES lets a role probe key values through a foreign key and
    TRIGGER lets it attach code. WARN: API roles cannot create tables today, so not exploitable on its own."""
    holders: dict[str, set[str]] = {}
    for privilege in ("REFERENCES", "TRIGGER"):
        for row in _privilege_holders(conn, scope, privilege):
            for role in row["holders"]:
                holders.setdefault(_q(row["schema"], row["name"]), set()).add(f"{role} {privilege}")
    for name, grants in sorted(holders.items()):
        yield Problem(name,
                      f"{name} grants {', '.join(sorted(grants))}.",
                      f"revoke references, trigger on {name} from anon, authenticated;", "table")


# -- functions ---------------------------------------------------------------------------------------------
_FUNCTIONS = """
    select n.nspname as schema, p.proname as name,
           n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
             as signature,
           p.prokind::text as prokind, p.prosecdef as definer,
           exists (select 1 from pg_catalog.unnest(p.proconfig) as s where s like 'search\\_path=%%') as fixed_path,
           (select pg_catalog.substr(s, 13) from pg_catalog.unnest(p.proconfig) as s where s like 'search\\_path=%%')
             as search_path,
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

# What a security definer function should fix its search_path to: pg_temp named, and named last
# (security_definer_search_path_temp_not_last says why).
_DEFINER_PATH = "pg_catalog, pg_temp"
_PATH_ENTRY = re.compile(r'"(?:[^"]|"")*"|[^,\s]+')


@_lint("function_search_path_mutable", SECURITY, ERROR, "Function without a fixed search_path")
def function_search_path_mutable(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A function or procedure without ``set search_path`` (splinter 0011; aggregates are skipped: they cannot
    carry settings). ERROR for SECURITY DEFINER ones (a caller's search_path can substitute objects that then run
    with the owner's rights); WARN for the others (our rule: every function fixes its search_path)."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if row["prokind"] != "a" and not row["fixed_path"]:
            path = _DEFINER_PATH if row["definer"] else "''"
            yield Problem(row["signature"],
                          f"{'Security definer f' if row['definer'] else 'F'}unction {row['signature']} has no "
                          "fixed search_path.",
                          f"alter function {row['signature']} set search_path = {path}; and qualify every name in "
                          "its body.", "function", level=ERROR if row["definer"] else WARN)


def _path_entries(setting: str) -> list[str]:
    """Return the schemas of a ``search_path`` setting as stored in proconfig (quotes removed, empty names dropped)."""
    entries = []
    for token in _PATH_ENTRY.findall(setting):
        name = token[1:-1].replace('""', '"') if token.startswith('"') else token.lower()
        if name:
            entries.append(name)
    return entries


@_lint("security_definer_search_path_temp_not_last", SECURITY, WARN,
       "Security definer function searches pg_temp before its own schemas")
def security_definer_search_path_temp_not_last(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A SECURITY DEFINER function whose fixed search_path does not end with pg_temp, named once (pgrls SEC015).
    When pg_temp is not listed, PostgreSQL searches the caller's temporary schema *first* for relation and type
    names, even with ``search_path = ''``: a caller who can create temporary objects shadows an unqualified type
    or table in the body (e.g. a ``pg_temp.jsonb`` domain whose CHECK calls the caller's function, which then runs
    with the owner's rights: seen here against a ``search_path = ''`` definer function). PostgreSQL's manual asks
    definer functions to list pg_temp last. WARN, not ERROR: it needs a session that runs its own SQL, which the
    API roles do not get through PostgREST, but any database login (and TEMP is granted to PUBLIC) does.
    Functions without a fixed search_path are function_search_path_mutable's."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if not row["definer"] or row["search_path"] is None:
            continue
        entries = _path_entries(row["search_path"])
        if entries[-1:] != ["pg_temp"] or entries.count("pg_temp") > 1:
            shown = ", ".join(entries) or "''"
            yield Problem(row["signature"],
                          f"Security definer function {row['signature']} has search_path = {shown}, so the caller's "
                          "pg_temp is searched before it for tables and types.",
                          f"alter function {row['signature']} set search_path = {_DEFINER_PATH}; (pg_temp last; "
                          "keep every name in the body qualified).", "function")


@_lint("security_definer_function_executable_by_anon", SECURITY, ERROR, "Security definer function callable by anon")
def security_definer_function_executable_by_anon(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """A SECURITY DEFINER function (not a trigger function) that anon may execute and whose schema anon may use,
    unless listed in ``allow_public_definer`` (splinter 0028; EXECUTE goes to PUBLIC by default). ERROR: it runs
    with its owner's rights, RLS bypassed, for callers who have not signed in."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if row["definer"] and not row["is_trigger"] and "anon" in row["executors"] \
                and not scope.allows_definer(_q(row["schema"], row["name"]), row["signature"]):
            yield Problem(row["signature"],
                          f"Security definer function {row['signature']} can be executed by anon.",
                          f"revoke execute on function {row['signature']} from public, anon; or list it as a "
                          "public definer function when that is intended.", "function")


@_lint("security_definer_function_executable_by_authenticated", SECURITY, WARN,
       "Security definer function in public callable by authenticated")
def security_definer_function_executable_by_authenticated(conn: psycopg.Connection[Any],
                                                          scope: Scope) -> Iterable[Problem]:
    """A SECURITY DEFINER function (not a trigger function) in schema public that authenticated may execute, so
    any signed-in user can call it over /rpc (splinter 0029), unless listed in ``allow_public_definer``. WARN: it
    may be intended, but its body must check the caller itself. Helpers in private (called from policies) are not
    reported: PostgREST does not serve private."""
    for row in _rows(conn, _FUNCTIONS, scope):
        if row["schema"] == API_SCHEMA and row["definer"] and not row["is_trigger"] \
                and "authenticated" in row["executors"] \
                and not scope.allows_definer(_q(row["schema"], row["name"]), row["signature"]):
            yield Problem(row["signature"],
                          f"Security definer function {row['signature']} can be called by any signed-in user.",
                          f"Move it to schema private, or revoke execute on function {row['signature']} from public, "
                          "authenticated; or list it as a public definer function.", "function")


# -- extensions, types, auth -------------------------------------------------------------------------------
@_lint("extension_in_public", SECURITY, WARN, "Extension installed in schema public")
def extension_in_public(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """An extension (other than plpgsql) installed in schema public (splinter 0014): its objects become API
    surface and its functions shadow names on the search_path. WARN."""
    for (name,) in conn.execute("""
            select e.extname from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
            where n.nspname = 'public' and e.extname <> 'plpgsql' order by 1"""):
        yield Problem(name, f"Extension {name} is installed in schema public.",
                      f"alter extension {name} set schema extensions;", "extension")


@_lint("extension_version_outdated", SECURITY, WARN, "Extension behind the version the server ships")
def extension_version_outdated(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
    """An installed extension (any schema) whose version is not the default version of the server's packages
    (splinter 0022): the fixes of the newer update scripts, security ones included, are not applied. WARN. Versions
    the server no longer ships a script for (left behind by pg_upgrade) are skipped, as splinter does."""
    for name, installed, default in conn.execute("""
            select e.name, e.installed_version, e.default_version from pg_catalog.pg_available_extensions e
            where e.installed_version is not null and e.installed_version is distinct from e.default_version
              and exists (select 1 from pg_catalog.pg_available_extension_versions v
                          where v.name = e.name and v.version = e.installed_version)
            order by 1"""):
        yield Problem(name, f"Extension {name} is at version {installed}; the server ships {default}.",
                      f"alter extension {name} update;", "extension")


@_lint("unsupported_reg_types", SECURITY, WARN, "Column of a reg* type that pg_upgrade cannot carry")
def unsupported_reg_types(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
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
        yield Problem(name,
                      f"Column {name} has type {row['type']}, which pg_upgrade cannot carry.",
                      "Store the object's name as text instead.", "column")


@_lint("foreign_key_to_auth_unique", SECURITY, WARN, "Foreign key to a non-primary unique key in schema auth")
def foreign_key_to_auth_unique(conn: psycopg.Connection[Any], scope: Scope) -> Iterable[Problem]:
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
        yield Problem(name,
                      f"Foreign key {name} ({row['definition']}) references a non-primary unique key in auth.",
                      "Reference auth.users (id) instead.", "constraint")
