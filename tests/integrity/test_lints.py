"""Catalog lints (wedsync_db.lints): each lint fires on a deliberately broken object and falls silent once it is fixed.

Every lint test starts from ``widgets``, a table that passes every lint, breaks exactly one thing, asserts that
exactly that lint fires (and nothing else in the database), then repairs it and asserts the database is clean
again (the negative control), as pgTAP's ``check_test`` tests the checker itself. ``assert_fires_until_fixed``
does those four steps for a test with one break and one repair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, LiteralString

import psycopg
import pytest
from rich.console import Console

from wedsync_db import lints
from wedsync_db.lints import ERROR, INFO, WARN, Finding, exit_code, run_lints

Conn = psycopg.Connection[Any]


def make_widgets(conn: Conn, name: str = "widgets") -> None:
    """Create public.<name>: named by the scheme, primary key, indexed FK, forced RLS, one commented policy."""
    conn.execute(f"""
        create table public.{name} (
            id uuid not null default gen_random_uuid(),
            owner_id uuid not null,
            label text,
            constraint pk_{name} primary key (id),
            constraint fk_{name}_owner_id_users foreign key (owner_id) references auth.users (id)
        );
        create index index_{name}_on_owner_id on public.{name} (owner_id);
        alter table public.{name} enable row level security;
        alter table public.{name} force row level security;
        revoke all on table public.{name} from anon, authenticated, service_role;
        grant select on table public.{name} to authenticated;
        create policy {name}_select_owner on public.{name} for select to authenticated
          using (owner_id = (select auth.uid()));
        comment on policy {name}_select_owner on public.{name} is 'Lets in: the row''s owner.';
    """)


def add_policy(conn: Conn, name: str, definition: str, table: str = "widgets") -> None:
    conn.execute(f"create policy {name} on public.{table} {definition}")
    conn.execute(f"comment on policy {name} on public.{table} is 'Lets in: test.'")


def only_finding(conn: Conn, **options: Any) -> Finding:
    """Run every lint and return the single finding, failing with the full list when there is not exactly one."""
    findings = run_lints(conn, **options)
    assert len(findings) == 1, "\n".join(f"{f.level} {f.lint} {f.object}: {f.detail}" for f in findings)
    return findings[0]


def assert_fires(conn: Conn, lint: str, obj: str, level: str, **options: Any) -> Finding:
    """Exactly one finding in the database: ``lint`` at ``level`` naming ``obj``."""
    finding = only_finding(conn, **options)
    assert (finding.lint, finding.object, finding.level) == (lint, obj, level), finding
    return finding


def assert_clean(conn: Conn, **options: Any) -> None:
    findings = run_lints(conn, **options)
    assert findings == [], "\n".join(f"{f.level} {f.lint} {f.object}: {f.detail}" for f in findings)


def assert_fires_until_fixed(conn: Conn, *, breaks: LiteralString, lint: str, obj: str, level: str,
                             fixes: LiteralString, **options: Any) -> Finding:
    """Run ``breaks``, assert exactly one finding (``lint`` at ``level`` naming ``obj``), run ``fixes``, then
    assert the database is clean again (the negative control). Returns the finding so the caller can check its
    detail."""
    conn.execute(breaks)
    finding = assert_fires(conn, lint, obj, level, **options)
    conn.execute(fixes)
    assert_clean(conn, **options)
    return finding


@pytest.fixture
def widgets(blank_db: Conn) -> Conn:
    """A blank platform database holding the lint-clean public.widgets."""
    make_widgets(blank_db)
    assert_clean(blank_db)
    return blank_db


def test_blank_platform_database_has_no_findings(blank_db: Conn) -> None:
    """The platform emulation alone (auth, extensions, default privileges) gives no finding in public/private."""
    assert_clean(blank_db)


# -- RLS -------------------------------------------------------------------------------------------------------
def test_table_without_rls_is_reported(blank_db: Conn) -> None:
    """rls_disabled: a table with RLS off and no policy is an ERROR naming the API roles that hold grants."""
    finding = assert_fires_until_fixed(blank_db, breaks="""
        create table public.gadgets (id uuid not null, constraint pk_gadgets primary key (id));
        revoke all on table public.gadgets from anon, authenticated, service_role;
        grant select on table public.gadgets to anon""",
        lint="rls_disabled", obj="public.gadgets", level=ERROR, fixes="""
        alter table public.gadgets enable row level security;
        alter table public.gadgets force row level security;
        create policy gadgets_select_anon on public.gadgets for select to anon using (id is not null);
        comment on policy gadgets_select_anon on public.gadgets is 'Lets in: anyone.'""")
    assert "anon" in finding.detail


def test_table_without_forced_rls_is_reported(widgets: Conn) -> None:
    """rls_not_forced: RLS enabled but not forced is an ERROR with API grants and a WARN without."""
    widgets.execute("alter table public.widgets no force row level security")
    assert_fires(widgets, "rls_not_forced", "public.widgets", ERROR)
    widgets.execute("revoke all on table public.widgets from authenticated")
    assert_fires(widgets, "rls_not_forced", "public.widgets", WARN)
    widgets.execute("alter table public.widgets force row level security")
    assert_clean(widgets)


def test_policies_on_table_with_rls_off_are_reported(widgets: Conn) -> None:
    """policy_exists_rls_disabled: policies on a table whose RLS is off are ignored, an ERROR."""
    finding = assert_fires_until_fixed(widgets, breaks="alter table public.widgets disable row level security",
                                       lint="policy_exists_rls_disabled", obj="public.widgets", level=ERROR,
                                       fixes="alter table public.widgets enable row level security")
    assert "widgets_select_owner" in finding.detail


def test_table_with_rls_and_no_policy_is_reported_as_info(widgets: Conn) -> None:
    """rls_enabled_no_policy: RLS on and no policy (deny-all) is only INFO."""
    widgets.execute("drop policy widgets_select_owner on public.widgets")
    assert_fires(widgets, "rls_enabled_no_policy", "public.widgets", INFO)
    add_policy(widgets, "widgets_select_owner", "for select to authenticated using (owner_id = (select auth.uid()))")
    assert_clean(widgets)


def test_leaf_partition_granted_to_api_roles_without_rls_is_reported(blank_db: Conn) -> None:
    """partition_without_rls_granted: a leaf readable by anon without its own RLS skips the parent's policies."""
    blank_db.execute("""
        create table public.events (
            id uuid not null, created_at timestamptz not null, owner_id uuid not null,
            constraint pk_events primary key (id, created_at)
        ) partition by range (created_at);
        create index index_events_on_owner_id on public.events (owner_id);
        alter table public.events enable row level security;
        alter table public.events force row level security;
        revoke all on table public.events from anon, authenticated, service_role;
        grant select on table public.events to authenticated;
        create policy events_select_owner on public.events for select to authenticated
          using (owner_id = (select auth.uid()));
        comment on policy events_select_owner on public.events is 'Lets in: the owner.';
        create table public.events_2025 partition of public.events
          for values from ('2025-01-01') to ('2026-01-01');
        revoke all on table public.events_2025 from anon, authenticated, service_role""")
    assert_clean(blank_db)  # a leaf without API privileges is protected by reaching it only through its parent
    finding = assert_fires_until_fixed(blank_db, breaks="grant select on table public.events_2025 to anon",
                                       lint="partition_without_rls_granted", obj="public.events_2025", level=ERROR,
                                       fixes="revoke select on table public.events_2025 from anon")
    assert "public.events" in finding.detail and "anon" in finding.detail


# -- policies --------------------------------------------------------------------------------------------------
def test_policy_without_comment_is_reported(widgets: Conn) -> None:
    """policy_without_comment: a policy without `comment on policy` is an ERROR (project rule)."""
    assert_fires_until_fixed(widgets, breaks="comment on policy widgets_select_owner on public.widgets is null",
                             lint="policy_without_comment", obj="public.widgets.widgets_select_owner", level=ERROR,
                             fixes="comment on policy widgets_select_owner on public.widgets is 'Lets in: the owner.'")


def test_policy_calling_auth_uid_per_row_is_reported(widgets: Conn) -> None:
    """policy_auth_call_not_wrapped: a bare auth.uid() is a WARN even beside a wrapped one and with auth on the
    caller's search_path (deparsing runs under search_path = '', which is restored afterwards)."""
    widgets.execute("alter policy widgets_select_owner on public.widgets "
                    "using (owner_id = auth.uid() or owner_id = (select auth.uid()))")
    widgets.execute("set search_path = auth, public")
    finding = assert_fires(widgets, "policy_auth_call_not_wrapped", "public.widgets.widgets_select_owner", WARN)
    assert "auth.uid" in finding.detail
    assert widgets.execute("show search_path").fetchone() == ("auth, public",)
    widgets.execute("alter policy widgets_select_owner on public.widgets "
                    "using (owner_id = (select auth.uid()) and label = (select auth.jwt() ->> 'label'))")
    assert_clean(widgets)


def test_policy_calling_current_setting_per_row_is_reported(widgets: Conn) -> None:
    """policy_auth_call_not_wrapped: current_setting() outside a sub-select is evaluated per row too."""
    finding = assert_fires_until_fixed(
        widgets,
        breaks="alter policy widgets_select_owner on public.widgets "
        "using (label = current_setting('app.label', true))",
        lint="policy_auth_call_not_wrapped", obj="public.widgets.widgets_select_owner", level=WARN,
        fixes="alter policy widgets_select_owner on public.widgets "
        "using (label = (select current_setting('app.label', true)))")
    assert "current_setting" in finding.detail


def test_policy_reading_user_metadata_is_reported(widgets: Conn) -> None:
    """policy_references_user_metadata: user_metadata in the JWT is user-editable, so trusting it is an ERROR."""
    assert_fires_until_fixed(
        widgets,
        breaks="alter policy widgets_select_owner on public.widgets "
        "using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin')",
        lint="policy_references_user_metadata", obj="public.widgets.widgets_select_owner", level=ERROR,
        fixes="alter policy widgets_select_owner on public.widgets "
        "using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin')")


def test_write_policy_that_is_always_true_is_reported(widgets: Conn) -> None:
    """policy_always_true: UPDATE USING (true) for authenticated lets anyone change any row, an ERROR."""
    widgets.execute("grant update on table public.widgets to authenticated")
    add_policy(widgets, "widgets_update_anyone", "for update to authenticated using (true)")
    assert_fires(widgets, "policy_always_true", "public.widgets.widgets_update_anyone", ERROR)
    widgets.execute("alter policy widgets_update_anyone on public.widgets "
                    "using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()))")
    assert_clean(widgets)


def test_insert_policy_without_check_is_reported(widgets: Conn) -> None:
    """policy_always_true: an INSERT policy whose WITH CHECK is (1 = 1) lets anyone plant any row, an ERROR."""
    add_policy(widgets, "widgets_insert_anyone", "for insert to authenticated with check (1 = 1)")
    assert_fires(widgets, "policy_always_true", "public.widgets.widgets_insert_anyone", ERROR)
    widgets.execute("alter policy widgets_insert_anyone on public.widgets with check (owner_id = (select auth.uid()))")
    assert_clean(widgets)


def test_anon_readable_always_true_policy_is_reported_as_warning(widgets: Conn) -> None:
    """policy_always_true: SELECT USING (true) to anon exposes every row to the world: WARN (may be intended)."""
    widgets.execute("grant select on table public.widgets to anon")
    add_policy(widgets, "widgets_select_anyone", "for select to anon using (true)")
    assert_fires(widgets, "policy_always_true", "public.widgets.widgets_select_anyone", WARN)
    widgets.execute("alter policy widgets_select_anyone on public.widgets using (label is not null)")
    assert_clean(widgets)


def test_several_permissive_policies_for_one_role_and_command_are_reported_as_info(widgets: Conn) -> None:
    """multiple_permissive_policies: two SELECT policies for authenticated are OR-ed per row: INFO only."""
    add_policy(widgets, "widgets_select_labelled", "for select to authenticated using (label is not null)")
    finding = assert_fires(widgets, "multiple_permissive_policies", "public.widgets", INFO)
    assert "widgets_select_labelled" in finding.detail and "widgets_select_owner" in finding.detail
    widgets.execute("alter policy widgets_select_labelled on public.widgets to anon")
    assert_clean(widgets)


# -- relations granted to API roles ----------------------------------------------------------------------------
def test_security_definer_view_is_reported(widgets: Conn) -> None:
    """security_definer_view: a view without security_invoker, granted to API roles, skips RLS: an ERROR."""
    finding = assert_fires_until_fixed(
        widgets, breaks="create view public.widget_labels as select id, label from public.widgets",
        lint="security_definer_view", obj="public.widget_labels", level=ERROR,
        fixes="alter view public.widget_labels set (security_invoker = true)")
    assert "anon" in finding.detail  # Supabase's default privileges granted it


def test_materialized_view_granted_to_api_roles_is_reported(widgets: Conn) -> None:
    """materialized_view_granted: a matview readable by API roles has no RLS at all: an ERROR."""
    assert_fires_until_fixed(
        widgets,
        breaks="create materialized view public.widget_counts as select owner_id, count(*) "
        "from public.widgets group by owner_id",
        lint="materialized_view_granted", obj="public.widget_counts", level=ERROR,
        fixes="revoke all on public.widget_counts from anon, authenticated")


def test_foreign_table_granted_to_api_roles_is_reported(widgets: Conn) -> None:
    """foreign_table_granted: a foreign table cannot have RLS, so an API grant on it is an ERROR."""
    assert_fires_until_fixed(widgets, breaks="""
        create foreign data wrapper lint_test_fdw;
        create server lint_test_server foreign data wrapper lint_test_fdw;
        create foreign table public.remote_widgets (id uuid) server lint_test_server;
        revoke all on public.remote_widgets from anon, authenticated, service_role;
        grant select on public.remote_widgets to authenticated""",
        lint="foreign_table_granted", obj="public.remote_widgets", level=ERROR,
        fixes="revoke select on public.remote_widgets from authenticated")


def test_truncate_granted_to_api_role_is_reported(widgets: Conn) -> None:
    """api_role_has_truncate: TRUNCATE skips RLS, so granting it to authenticated is an ERROR."""
    finding = assert_fires_until_fixed(widgets, breaks="grant truncate on table public.widgets to authenticated",
                                       lint="api_role_has_truncate", obj="public.widgets", level=ERROR,
                                       fixes="revoke truncate on table public.widgets from authenticated")
    assert "authenticated" in finding.detail


def test_references_or_trigger_granted_to_api_role_is_reported(widgets: Conn) -> None:
    """api_role_has_references_or_trigger: REFERENCES/TRIGGER for anon are useless to the API: a WARN."""
    finding = assert_fires_until_fixed(widgets, breaks="grant references, trigger on table public.widgets to anon",
                                       lint="api_role_has_references_or_trigger", obj="public.widgets", level=WARN,
                                       fixes="revoke references, trigger on table public.widgets from anon")
    assert "anon REFERENCES" in finding.detail and "anon TRIGGER" in finding.detail


# -- functions -------------------------------------------------------------------------------------------------
def test_function_without_fixed_search_path_is_reported(blank_db: Conn) -> None:
    """function_search_path_mutable: WARN for an invoker function, ERROR for a security definer one."""
    blank_db.execute("create function public.answer() returns integer language sql stable as 'select 42'")
    assert_fires(blank_db, "function_search_path_mutable", "public.answer()", WARN)
    blank_db.execute("""
        alter function public.answer() security definer;
        revoke execute on function public.answer() from public, anon, authenticated""")
    finding = assert_fires(blank_db, "function_search_path_mutable", "public.answer()", ERROR)
    assert "pg_catalog, pg_temp" in finding.remedy  # a definer function's fix must not trade this for pg_temp-first
    blank_db.execute("alter function public.answer() set search_path = pg_catalog, pg_temp")
    assert_clean(blank_db)


def test_security_definer_function_executable_by_anon_is_reported(blank_db: Conn) -> None:
    """security_definer_function_executable_by_anon: ERROR unless listed in allow_public_definer."""
    blank_db.execute("""
        create function public.answer() returns integer language sql stable security definer
          set search_path = pg_catalog, pg_temp
          as 'select 42';
        revoke execute on function public.answer() from public, authenticated""")
    assert_fires(blank_db, "security_definer_function_executable_by_anon", "public.answer()", ERROR)
    assert_clean(blank_db, allow_public_definer=frozenset({"public.answer"}))
    assert_clean(blank_db, allow_public_definer=frozenset({"public.answer()"}))
    blank_db.execute("revoke execute on function public.answer() from anon")
    assert_clean(blank_db)


def test_security_definer_function_in_public_callable_by_authenticated_is_reported(blank_db: Conn) -> None:
    """security_definer_function_executable_by_authenticated: a definer function on /rpc is a WARN; the same
    function in private (a policy helper, not served by PostgREST) is not reported."""
    assert_fires_until_fixed(blank_db, breaks="""
        create function public.answer() returns integer language sql stable security definer
          set search_path = pg_catalog, pg_temp
          as 'select 42';
        revoke execute on function public.answer() from public, anon""",
        lint="security_definer_function_executable_by_authenticated", obj="public.answer()", level=WARN, fixes="""
        create schema private;
        grant usage on schema private to authenticated;
        alter function public.answer() set schema private""")


def test_trigger_functions_are_not_reported_as_callable(blank_db: Conn) -> None:
    """Security definer trigger functions cannot be called directly, so the executable-by lints skip them."""
    blank_db.execute("""
        create function public.touch() returns trigger language plpgsql security definer
          set search_path = pg_catalog, pg_temp
          as 'begin return new; end'""")
    assert_clean(blank_db)


def test_security_definer_function_searching_pg_temp_first_is_reported(blank_db: Conn) -> None:
    """security_definer_search_path_temp_not_last: a definer function with search_path = '', or with pg_temp not
    last or named twice, searches the caller's pg_temp first: a WARN; pg_temp named once and last silences it, and an
    invoker function with search_path = '' is not reported."""
    blank_db.execute("""
        create function public.answer() returns integer language sql stable security definer set search_path = ''
          as 'select 42';
        revoke execute on function public.answer() from public, anon, authenticated""")
    finding = assert_fires(blank_db, "security_definer_search_path_temp_not_last", "public.answer()", WARN)
    assert "search_path = ''" in finding.detail and "pg_catalog, pg_temp" in finding.remedy
    for path in ("pg_temp, pg_catalog", "pg_temp, pg_catalog, pg_temp"):
        blank_db.execute(f"alter function public.answer() set search_path = {path}")
        assert_fires(blank_db, "security_definer_search_path_temp_not_last", "public.answer()", WARN)
    blank_db.execute("alter function public.answer() set search_path = pg_catalog, pg_temp")
    assert_clean(blank_db)
    blank_db.execute("alter function public.answer() security invoker set search_path = ''")
    assert_clean(blank_db)


def test_pg_temp_shadows_a_type_in_a_definer_function_unless_listed_last(blank_db: Conn) -> None:
    """What security_definer_search_path_temp_not_last guards against, for real: with search_path = '' a caller's
    pg_temp.jsonb domain replaces the body's jsonb and its CHECK runs the caller's function as the owner; with
    pg_temp last the body's jsonb is pg_catalog's."""
    owner = blank_db.execute("select current_user").fetchone()[0]
    blank_db.execute("""
        create function public.as_json(p text) returns text language sql security definer set search_path = ''
          as 'select p::jsonb::text';
        grant execute on function public.as_json(text) to authenticated""")

    def runs_callers_code_as() -> str | None:
        blank_db.execute("set role authenticated")
        try:
            blank_db.execute("""
                create function pg_temp.snoop(pg_catalog.jsonb) returns boolean language plpgsql
                  as $$ begin raise exception 'ran as %', current_user; end $$;
                create domain pg_temp.jsonb as pg_catalog.jsonb check (pg_temp.snoop(value))""")
            try:
                blank_db.execute("select public.as_json('{}')")
                return None
            except psycopg.errors.RaiseException as error:
                return str(error.diag.message_primary).removeprefix("ran as ")
            finally:
                blank_db.execute("drop domain pg_temp.jsonb; drop function pg_temp.snoop(pg_catalog.jsonb)")
        finally:
            blank_db.execute("reset role")

    assert runs_callers_code_as() == owner
    blank_db.execute("alter function public.as_json(text) set search_path = pg_catalog, pg_temp")
    assert runs_callers_code_as() is None


# -- extensions, types, auth -----------------------------------------------------------------------------------
def test_extension_in_public_is_reported(blank_db: Conn) -> None:
    """extension_in_public: an extension installed in public is a WARN."""
    assert_fires_until_fixed(blank_db, breaks="alter extension pgcrypto set schema public",
                             lint="extension_in_public", obj="pgcrypto", level=WARN,
                             fixes="alter extension pgcrypto set schema extensions")


def test_extension_behind_its_default_version_is_reported(blank_db: Conn) -> None:
    """extension_version_outdated: hstore installed at 1.7 while the server ships a newer default is a WARN."""
    if blank_db.execute("select 1 from pg_catalog.pg_available_extension_versions "
                        "where name = 'hstore' and version = '1.7'").fetchone() is None:
        pytest.skip("the server does not ship hstore 1.7 (postgresql contrib)")
    finding = assert_fires_until_fixed(blank_db, breaks="create extension hstore with schema extensions version '1.7'",
                                       lint="extension_version_outdated", obj="hstore", level=WARN,
                                       fixes="alter extension hstore update")
    assert "1.7" in finding.detail


def test_column_of_reg_type_is_reported(widgets: Conn) -> None:
    """unsupported_reg_types: a stored regproc column blocks pg_upgrade: a WARN."""
    assert_fires_until_fixed(widgets, breaks="alter table public.widgets add column parser regproc",
                             lint="unsupported_reg_types", obj="public.widgets.parser", level=WARN,
                             fixes="alter table public.widgets alter column parser type text")


def test_foreign_key_to_non_primary_unique_key_in_auth_is_reported(widgets: Conn) -> None:
    """foreign_key_to_auth_unique: referencing auth.users (phone) rather than (id) is a WARN."""
    assert_fires_until_fixed(widgets, breaks="""
        alter table public.widgets add column owner_phone text,
          add constraint fk_widgets_owner_phone_users foreign key (owner_phone) references auth.users (phone);
        create index index_widgets_on_owner_phone on public.widgets (owner_phone)""",
        lint="foreign_key_to_auth_unique", obj="public.widgets.fk_widgets_owner_phone_users", level=WARN,
        fixes="alter table public.widgets drop constraint fk_widgets_owner_phone_users")


# -- tenancy ---------------------------------------------------------------------------------------------------
def make_tenant_table(conn: Conn, name: str, *, supplier: str = "not null", partitioned: bool = False) -> None:
    """Create lint-clean public.<name> with a supplier_id referencing public.suppliers (a tenant table when NOT
    NULL) and a unique (id, supplier_id) for composite references; partitioned by range on created_at if asked."""
    key = "id, created_at" if partitioned else "id"
    conn.execute(f"""
        create table public.{name} (
            id uuid not null default gen_random_uuid(),
            created_at timestamptz not null default now(),
            supplier_id uuid {supplier},
            constraint pk_{name} primary key ({key}),
            constraint unique_{name}_{key.replace(", ", "_")}_supplier_id unique ({key}, supplier_id),
            constraint fk_{name}_supplier_id_suppliers foreign key (supplier_id)
              references public.suppliers (id) on delete cascade
        ){" partition by range (created_at)" if partitioned else ""};
        create index index_{name}_on_supplier_id on public.{name} (supplier_id);
        alter table public.{name} enable row level security;
        alter table public.{name} force row level security;
        revoke all on table public.{name} from anon, authenticated, service_role;
    """)
    add_policy(conn, f"{name}_select_team", "for select to authenticated using (supplier_id is not null)", name)


def one_id(conn: Conn, query: LiteralString, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def tenant_tables(blank_db: Conn) -> Conn:
    """A blank platform database holding public.suppliers and two lint-clean tenant tables, projects and tasks."""
    blank_db.execute("""
        create table public.suppliers (id uuid not null default gen_random_uuid(),
                                       constraint pk_suppliers primary key (id));
        alter table public.suppliers enable row level security;
        alter table public.suppliers force row level security;
        revoke all on table public.suppliers from anon, authenticated, service_role""")
    add_policy(blank_db, "suppliers_select_everyone", "for select to authenticated using (id is not null)",
               "suppliers")
    make_tenant_table(blank_db, "projects")
    make_tenant_table(blank_db, "tasks")
    assert_clean(blank_db)
    return blank_db


def test_reference_into_another_tenant_table_by_id_alone_is_reported(tenant_tables: Conn) -> None:
    """tenant_reference_crosses_tenants: a single-column key from one tenant table into another lets a row of
    supplier A point at a row of supplier B: an ERROR, silent once the key is (project_id, supplier_id)."""
    finding = assert_fires_until_fixed(tenant_tables, breaks="""
        alter table public.tasks add column project_id uuid,
          add constraint fk_tasks_project_id_projects foreign key (project_id) references public.projects (id)
          on delete set null;
        create index index_tasks_on_project_id on public.tasks (project_id)""",
        lint="tenant_reference_crosses_tenants", obj="public.tasks.fk_tasks_project_id_projects", level=ERROR,
        fixes="""
        alter table public.tasks drop constraint fk_tasks_project_id_projects,
          add constraint fk_tasks_project_id_projects foreign key (project_id, supplier_id)
          references public.projects (id, supplier_id) on delete set null (project_id);
        drop index public.index_tasks_on_project_id;
        create index index_tasks_on_project_id_and_supplier_id on public.tasks (project_id, supplier_id)""")
    assert "public.projects (id)" in finding.detail and "(project_id, supplier_id)" in finding.remedy
    # The repaired key refuses a task of supplier A that points at supplier B's project.
    a, b = (one_id(tenant_tables, "insert into public.suppliers default values returning id") for _ in "ab")
    project_b = one_id(tenant_tables, "insert into public.projects (supplier_id) values (%s) returning id", (b,))
    with pytest.raises(psycopg.errors.ForeignKeyViolation) as refused:
        tenant_tables.execute("insert into public.tasks (supplier_id, project_id) values (%s, %s)", (a, project_b))
    assert refused.value.diag.constraint_name == "fk_tasks_project_id_projects"


def test_tenant_reference_lint_pairs_supplier_id_and_judges_only_tenant_tables(tenant_tables: Conn) -> None:
    """tenant_reference_crosses_tenants: a self-reference by id and a composite key pairing the parent's
    supplier_id with another column are reported; a table whose supplier_id may be null is no tenant table; a
    partitioned parent's key is reported once, not once per partition."""
    tenant_tables.execute("""
        alter table public.tasks add column parent_id uuid, add column owner_supplier_id uuid,
          add constraint fk_tasks_parent_id_tasks foreign key (parent_id) references public.tasks (id),
          add constraint fk_tasks_owner_supplier_id_suppliers foreign key (owner_supplier_id)
            references public.suppliers (id),
          add constraint fk_tasks_parent_id_owner_supplier_id_projects foreign key (parent_id, owner_supplier_id)
            references public.projects (id, supplier_id);
        create index index_tasks_on_parent_id_and_owner_supplier_id on public.tasks (parent_id, owner_supplier_id);
        create index index_tasks_on_owner_supplier_id on public.tasks (owner_supplier_id)""")
    make_tenant_table(tenant_tables, "notes", supplier="")
    make_tenant_table(tenant_tables, "events", partitioned=True)
    tenant_tables.execute("""
        create table public.events_2025 partition of public.events for values from ('2025-01-01') to ('2026-01-01');
        alter table public.events_2025 enable row level security;
        alter table public.events_2025 force row level security;
        revoke all on table public.events_2025 from anon, authenticated, service_role;
        alter table public.notes add column project_id uuid,
          add constraint fk_notes_project_id_projects foreign key (project_id) references public.projects (id);
        create index index_notes_on_project_id on public.notes (project_id);
        alter table public.events add column project_id uuid,
          add constraint fk_events_project_id_projects foreign key (project_id) references public.projects (id);
        create index index_events_on_project_id on public.events (project_id)""")
    findings = run_lints(tenant_tables)
    assert {(f.lint, f.object, f.level) for f in findings} == {
        ("tenant_reference_crosses_tenants", "public.tasks.fk_tasks_parent_id_tasks", ERROR),
        ("tenant_reference_crosses_tenants", "public.tasks.fk_tasks_parent_id_owner_supplier_id_projects", ERROR),
        ("tenant_reference_crosses_tenants", "public.events.fk_events_project_id_projects", ERROR),
    }, "\n".join(f"{f.level} {f.lint} {f.object}: {f.detail}" for f in findings)


# -- performance -----------------------------------------------------------------------------------------------
def test_foreign_key_without_index_is_reported(widgets: Conn) -> None:
    """unindexed_foreign_key: neither a partial index nor one led by another column covers a foreign key."""
    assert_fires_until_fixed(widgets, breaks="""
        alter table public.widgets add column creator_id uuid,
          add constraint fk_widgets_creator_id_users foreign key (creator_id) references auth.users (id);
        create index index_widgets_on_creator_id_where_labelled on public.widgets (creator_id)
          where label is not null;
        create index index_widgets_on_label_and_creator_id on public.widgets (label, creator_id)""",
        lint="unindexed_foreign_key", obj="public.widgets.fk_widgets_creator_id_users", level=WARN,
        fixes="create index index_widgets_on_creator_id_and_label on public.widgets (creator_id, label)")


def test_duplicate_index_is_reported(widgets: Conn) -> None:
    """duplicate_index: two identical indexes (names aside) on one table are a WARN."""
    finding = assert_fires_until_fixed(
        widgets, breaks="create index index_widgets_on_owner_id_again on public.widgets (owner_id)",
        lint="duplicate_index", obj="public.index_widgets_on_owner_id_again", level=WARN,
        fixes="drop index public.index_widgets_on_owner_id_again")
    assert "index_widgets_on_owner_id," in finding.detail


def test_table_without_primary_key_is_reported(widgets: Conn) -> None:
    """no_primary_key: a table without a primary key is a WARN."""
    assert_fires_until_fixed(widgets, breaks="alter table public.widgets drop constraint pk_widgets",
                             lint="no_primary_key", obj="public.widgets", level=WARN,
                             fixes="alter table public.widgets add constraint pk_widgets primary key (id)")


# -- naming ----------------------------------------------------------------------------------------------------
def test_name_cut_at_63_bytes_is_reported(widgets: Conn) -> None:
    """name_too_long: a name PostgreSQL cut mid-word at 63 bytes is an ERROR; one at the limit ending in a whole
    word is a WARN (the catalog cannot tell it from a deliberate 63-byte name)."""
    widgets.execute("alter table public.widgets add column "
                    "number_of_guests_who_asked_for_a_vegetarian_meal_at_the_reception_venue integer")
    cut = "number_of_guests_who_asked_for_a_vegetarian_meal_at_the_recepti"
    assert_fires(widgets, "name_too_long", f"public.widgets.{cut}", ERROR)
    at_limit = "guests_who_asked_for_a_vegetarian_meal_at_the_ceremony_or_label"  # 63 bytes, ends in a column word
    assert len(at_limit) == 63
    widgets.execute(f"alter table public.widgets rename column {cut} to {at_limit}")
    assert_fires(widgets, "name_too_long", f"public.widgets.{at_limit}", WARN)
    widgets.execute(f"alter table public.widgets rename column {at_limit} to vegetarian_guest_count")
    assert_clean(widgets)


def test_index_not_named_by_scheme_is_reported(widgets: Conn) -> None:
    """index_name_not_conventional: an index not named index_<table>_on_<columns> is a WARN."""
    assert_fires_until_fixed(widgets, breaks="create index widgets_label_idx on public.widgets (label)",
                             lint="index_name_not_conventional", obj="public.widgets_label_idx", level=WARN,
                             fixes="alter index public.widgets_label_idx rename to index_widgets_on_label")


def test_constraint_not_named_by_scheme_is_reported(widgets: Conn) -> None:
    """constraint_name_not_conventional: pk_/fk_/unique_/check_<table>_... are required: a WARN otherwise."""
    assert_fires_until_fixed(
        widgets, breaks="alter table public.widgets add constraint label_not_blank check (label <> '')",
        lint="constraint_name_not_conventional", obj="public.widgets.label_not_blank", level=WARN,
        fixes="alter table public.widgets rename constraint label_not_blank to check_widgets_label_not_blank")
    assert_fires_until_fixed(
        widgets, breaks="alter table public.widgets rename constraint fk_widgets_owner_id_users to widgets_owner_fkey",
        lint="constraint_name_not_conventional", obj="public.widgets.widgets_owner_fkey", level=WARN,
        fixes="alter table public.widgets rename constraint widgets_owner_fkey to fk_widgets_owner_id_users")


def test_policy_not_named_by_scheme_is_reported(widgets: Conn) -> None:
    """policy_name_not_conventional: a policy not named <table>_<its command>_<who> is a WARN."""
    assert_fires_until_fixed(
        widgets, breaks="alter policy widgets_select_owner on public.widgets rename to widgets_update_owner",
        lint="policy_name_not_conventional", obj="public.widgets.widgets_update_owner", level=WARN,
        fixes="alter policy widgets_update_owner on public.widgets rename to widgets_select_owner")


# -- running: suppression, selection, exit code ------------------------------------------------------------------
def test_ignore_suppresses_a_documented_exception(widgets: Conn) -> None:
    """run_lints(ignore=...) drops findings by exact `lint:object` key or by wildcard; others stay."""
    widgets.execute("alter table public.widgets no force row level security")
    widgets.execute("grant truncate on table public.widgets to anon")
    assert_fires(widgets, "api_role_has_truncate", "public.widgets", ERROR, ignore={"rls_not_forced:public.widgets"})
    assert_clean(widgets, ignore={"rls_not_forced:public.widgets", "api_role_has_truncate:public.*"})


def test_only_runs_the_named_lints_and_rejects_unknown_names(widgets: Conn) -> None:
    """run_lints(only=...) runs just those lints; an unknown lint name is a ValueError listing the known ones."""
    widgets.execute("alter table public.widgets no force row level security")
    assert run_lints(widgets, only=["no_primary_key"]) == []
    assert [f.lint for f in run_lints(widgets, only=["rls_not_forced"])] == ["rls_not_forced"]
    with pytest.raises(ValueError, match="no_such_lint"):
        run_lints(widgets, only=["no_such_lint"])


def test_lints_run_inside_the_callers_transaction_without_leaking_search_path(blank_db_url: str) -> None:
    """In a non-autocommit session run_lints uses a savepoint and leaves the caller's search_path in place."""
    with psycopg.connect(blank_db_url) as conn:
        conn.execute("set local search_path = public, extensions")
        assert run_lints(conn) == []
        assert conn.execute("show search_path").fetchone() == ("public, extensions",)
        conn.rollback()


def test_exit_code_is_nonzero_only_with_errors() -> None:
    """exit_code: 1 when any finding is an ERROR; WARN and INFO alone give 0."""
    warn = Finding("duplicate_index", WARN, lints.PERFORMANCE, "public.i", "d", "r", "index")
    error = Finding("rls_disabled", ERROR, lints.SECURITY, "public.t", "d", "r", "table")
    assert (exit_code([]), exit_code([warn]), exit_code([warn, error])) == (0, 0, 1)


def test_every_lint_is_documented_and_tested() -> None:
    """Each registered lint has a docstring stating its level and is asserted by a test in this module."""
    source = Path(__file__).read_text()
    names = lints.lint_names()
    assert len(names) == len(set(names))
    for lint in lints.LINTS:
        assert lint.level in lint.description, f"{lint.name}: docstring must justify its level"
        assert f'"{lint.name}"' in source, f"{lint.name}: no test fires it"


# -- renderers -------------------------------------------------------------------------------------------------
SAMPLE = [
    Finding("rls_disabled", ERROR, lints.SECURITY, "public.gadgets", "RLS off.", "enable it", "table"),
    Finding("policy_auth_call_not_wrapped", WARN, lints.PERFORMANCE, "public.w.w_select_owner", "per row, “é”",
            "wrap", "policy"),
    Finding("function_search_path_mutable", INFO, lints.SECURITY, "public.answer(integer, text)", "d", "r",
            "function"),
]


def test_json_output_round_trips() -> None:
    """findings_json output parses back into equal findings."""
    text = lints.findings_json(SAMPLE)
    assert lints.findings_from_json(text) == SAMPLE
    assert json.loads(text)[0]["lint"] == "rls_disabled"


def test_sarif_output_has_the_required_fields() -> None:
    """findings_sarif: version 2.1.0, one rule per lint, results with ruleId, level, message, logical locations."""
    log = json.loads(lints.findings_sarif(SAMPLE))
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == lints.lint_names()
    assert all(rule["fullDescription"]["text"] and rule["shortDescription"]["text"] for rule in rules)
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]
    for result, finding in zip(run["results"], SAMPLE, strict=True):
        assert result["ruleId"] == finding.lint
        assert rules[result["ruleIndex"]]["id"] == finding.lint
        assert finding.detail in result["message"]["text"]
        location = result["locations"][0]["logicalLocations"][0]
        assert location["fullyQualifiedName"] == finding.object and location["name"]
    assert run["results"][2]["locations"][0]["logicalLocations"][0]["kind"] == "function"


def test_table_output_lists_every_finding() -> None:
    """findings_table renders one row per finding with level, lint, object, detail and remedy."""
    table = lints.findings_table(SAMPLE)
    assert table.row_count == len(SAMPLE)
    console = Console(width=200, record=True)
    console.print(table)
    text = console.export_text()
    assert "rls_disabled" in text and "public.gadgets" in text and "1 ERROR, 1 WARN, 1 INFO" in text


# -- the migrated schema ---------------------------------------------------------------------------------------
def _report(findings: list[Finding]) -> str:
    return "\n".join(f"{f.level} {f.lint} {f.object}: {f.detail}" for f in findings)


@pytest.mark.schema_lints
def test_migrated_schema_has_no_error_findings(db: Conn) -> None:
    """The fully migrated schema passes every lint at level ERROR (what `wedsync-db lint` exits non-zero on)."""
    errors = [f for f in run_lints(db) if f.level == ERROR]
    assert errors == [], "ERROR findings in the migrated schema:\n" + _report(errors)


@pytest.mark.schema_lints
def test_migrated_schema_has_no_reference_across_tenants(db: Conn, monkeypatch: pytest.MonkeyPatch) -> None:
    """tenant_reference_crosses_tenants is silent on the migrated schema, and each BY_DESIGN entry still names a
    key that crosses tenants (so the exemption list cannot outlive its reason)."""
    only = ["tenant_reference_crosses_tenants"]
    assert run_lints(db, only=only) == [], _report(run_lints(db, only=only))
    by_design = sorted(lints.tenancy.BY_DESIGN)
    monkeypatch.setattr(lints.tenancy, "BY_DESIGN", {})
    assert sorted(f.object for f in run_lints(db, only=only)) == by_design


HYGIENE_LINTS = ("unindexed_foreign_key", "duplicate_index", "no_primary_key", "function_search_path_mutable",
                 "index_name_not_conventional", "constraint_name_not_conventional", "policy_name_not_conventional")


@pytest.mark.schema_lints
def test_migrated_schema_follows_the_hygiene_rules(db: Conn) -> None:
    """Every FK indexed, no duplicate index, a PK and fixed search_path everywhere, names by the scheme (WARN lints
    that are project rules in STYLE.md/DESIGN.md)."""
    findings = run_lints(db, only=HYGIENE_LINTS)
    assert findings == [], "hygiene findings in the migrated schema:\n" + _report(findings)
