-- 0020_add_journey_policies
-- What and why: row level security policies and API grants for customer journeys (customer_journeys,
-- journey_nodes, journey_modules, journey_instances).
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

-- customer_journeys -----------------------------------------------------------------------------------
grant select, insert, delete on table public.customer_journeys to authenticated;
grant update (name, description, status, settings) on table public.customer_journeys to authenticated;
grant select, insert, update, delete on table public.customer_journeys to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy customer_journeys_select_team on public.customer_journeys
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy customer_journeys_select_team on public.customer_journeys is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy customer_journeys_insert_team on public.customer_journeys
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy customer_journeys_insert_team on public.customer_journeys is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy customer_journeys_update_team on public.customer_journeys
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy customer_journeys_update_team on public.customer_journeys is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy customer_journeys_delete_team on public.customer_journeys
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy customer_journeys_delete_team on public.customer_journeys is
'Lets in: team members (admin and up) of the row''s supplier.';

-- journey_nodes ---------------------------------------------------------------------------------------
grant select, insert, delete on table public.journey_nodes to authenticated;
grant update (name, position, offset_days, send_time) on table public.journey_nodes to authenticated;
grant select, insert, update, delete on table public.journey_nodes to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy journey_nodes_select_team on public.journey_nodes
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy journey_nodes_select_team on public.journey_nodes is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy journey_nodes_insert_team on public.journey_nodes
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy journey_nodes_insert_team on public.journey_nodes is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy journey_nodes_update_team on public.journey_nodes
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy journey_nodes_update_team on public.journey_nodes is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy journey_nodes_delete_team on public.journey_nodes
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy journey_nodes_delete_team on public.journey_nodes is
'Lets in: team members (admin and up) of the row''s supplier.';

-- journey_modules -------------------------------------------------------------------------------------
grant select, insert, delete on table public.journey_modules to authenticated;
grant update (
    position, module_type, email_template_id, sms_template_id, form_id, task_title, task_description,
    conditions
) on table public.journey_modules to authenticated;
grant select, insert, update, delete on table public.journey_modules to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy journey_modules_select_team on public.journey_modules
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy journey_modules_select_team on public.journey_modules is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy journey_modules_insert_team on public.journey_modules
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy journey_modules_insert_team on public.journey_modules is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy journey_modules_update_team on public.journey_modules
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy journey_modules_update_team on public.journey_modules is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy journey_modules_delete_team on public.journey_modules
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy journey_modules_delete_team on public.journey_modules is
'Lets in: team members (admin and up) of the row''s supplier.';

-- journey_instances -----------------------------------------------------------------------------------
grant select, insert, delete on table public.journey_instances to authenticated;
grant update (
    status, current_node_id, next_run_at, state, last_error, completed_at
) on table public.journey_instances to authenticated;
grant select, insert, update, delete on table public.journey_instances to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy journey_instances_select_team on public.journey_instances
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy journey_instances_select_team on public.journey_instances is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy journey_instances_insert_team on public.journey_instances
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy journey_instances_insert_team on public.journey_instances is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy journey_instances_update_team on public.journey_instances
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy journey_instances_update_team on public.journey_instances is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy journey_instances_delete_team on public.journey_instances
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy journey_instances_delete_team on public.journey_instances is
'Lets in: team members (admin and up) of the row''s supplier.';
