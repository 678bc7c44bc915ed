-- 0012_add_core_field_catalog_policies
-- What and why: row level security policies and API grants for the core field master list
-- (core_field_groups, core_fields).
-- Each policy is per command and actor group, named <table>_<command>_<who>, always TO authenticated
-- (or anon, authenticated where visitors may read), with auth.uid() wrapped in a sub-select and
-- membership looked up through the private helpers (0008). Grants: API roles start with nothing
-- (the create migration revoked everything); here each role gets back only the commands its policies
-- allow, UPDATE only on the columns the app may change; service_role gets what the backend needs.
-- The same rules are stated, not as SQL, in schema/access_matrix.yaml.
-- Lock impact: CREATE POLICY and GRANT take ACCESS EXCLUSIVE on each table briefly (new, empty tables).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- core_field_groups -----------------------------------------------------------------------------------
grant select on table public.core_field_groups to authenticated;
grant select, insert, update, delete on table public.core_field_groups to service_role;

-- Lets in: every signed-in user (the master list is public to the app).
create policy core_field_groups_select_authenticated on public.core_field_groups
for select
to authenticated
using (deleted_at is null);
comment on policy core_field_groups_select_authenticated on public.core_field_groups is
'Lets in: every signed-in user (the master list is public to the app).';

-- core_fields -----------------------------------------------------------------------------------------
grant select on table public.core_fields to authenticated;
grant select, insert, update, delete on table public.core_fields to service_role;

-- Lets in: every signed-in user (the master list is public to the app).
create policy core_fields_select_authenticated on public.core_fields
for select
to authenticated
using (deleted_at is null);
comment on policy core_fields_select_authenticated on public.core_fields is
'Lets in: every signed-in user (the master list is public to the app).';
