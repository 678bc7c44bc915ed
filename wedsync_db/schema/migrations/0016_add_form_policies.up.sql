-- 0016_add_form_policies
-- What and why: row level security policies and API grants for forms (forms, form_versions,
-- form_responses, field_mappings).
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

-- forms -----------------------------------------------------------------------------------------------
grant select, insert, delete on table public.forms to authenticated;
grant update (title, description, category, settings) on table public.forms to authenticated;
grant select, insert, update, delete on table public.forms to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy forms_select_team on public.forms
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy forms_select_team on public.forms is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy forms_insert_team on public.forms
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy forms_insert_team on public.forms is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy forms_update_team on public.forms
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy forms_update_team on public.forms is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy forms_delete_team on public.forms
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy forms_delete_team on public.forms is
'Lets in: team members (admin and up) of the row''s supplier.';

-- form_versions ---------------------------------------------------------------------------------------
grant select, insert, delete on table public.form_versions to authenticated;
grant update (title, schema, status) on table public.form_versions to authenticated;
grant select, insert, update, delete on table public.form_versions to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy form_versions_select_team on public.form_versions
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy form_versions_select_team on public.form_versions is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: partners of a couple actively connected to the form's supplier, for published versions only.
create policy form_versions_select_connected_couple on public.form_versions
for select
to authenticated
using (
    deleted_at is null
    and status = 'published'
    and supplier_id = any(array(select private.my_connected_supplier_ids()))
);
comment on policy form_versions_select_connected_couple on public.form_versions is
'Lets in: partners of a couple actively connected to the form''s supplier, for published versions '
'only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy form_versions_insert_team on public.form_versions
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy form_versions_insert_team on public.form_versions is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy form_versions_update_team on public.form_versions
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy form_versions_update_team on public.form_versions is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy form_versions_delete_team on public.form_versions
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy form_versions_delete_team on public.form_versions is
'Lets in: team members (admin and up) of the row''s supplier.';

-- form_responses --------------------------------------------------------------------------------------
grant select, insert, delete on table public.form_responses to authenticated;
grant update (answers, status) on table public.form_responses to authenticated;
grant select, insert, update, delete on table public.form_responses to service_role;

-- Lets in: team members (viewer and up) of the form's supplier.
create policy form_responses_select_team on public.form_responses
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy form_responses_select_team on public.form_responses is
'Lets in: team members (viewer and up) of the form''s supplier.';

-- Lets in: the partners of the answering couple.
create policy form_responses_select_partner on public.form_responses
for select
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy form_responses_select_partner on public.form_responses is
'Lets in: the partners of the answering couple.';

-- Lets in: partners of a couple answering a form of a supplier it is actively connected to.
create policy form_responses_insert_partner on public.form_responses
for insert
to authenticated
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
);
comment on policy form_responses_insert_partner on public.form_responses is
'Lets in: partners of a couple answering a form of a supplier it is actively connected to.';

-- Lets in: partners of the answering couple, while the response is a draft and the connection is active.
create policy form_responses_update_partner on public.form_responses
for update
to authenticated
using (deleted_at is null and status = 'draft' and couple_id = any(array(select private.my_couple_ids())))
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
);
comment on policy form_responses_update_partner on public.form_responses is
'Lets in: partners of the answering couple, while the response is a draft and the connection is '
'active.';

-- Lets in: partners of the answering couple, while the response is a draft.
create policy form_responses_delete_partner on public.form_responses
for delete
to authenticated
using (deleted_at is null and status = 'draft' and couple_id = any(array(select private.my_couple_ids())));
comment on policy form_responses_delete_partner on public.form_responses is
'Lets in: partners of the answering couple, while the response is a draft.';

-- field_mappings --------------------------------------------------------------------------------------
grant select, insert, delete on table public.field_mappings to authenticated;
grant update (form_field_key, core_field_id, allow_override) on table public.field_mappings to authenticated;
grant select, insert, update, delete on table public.field_mappings to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy field_mappings_select_team on public.field_mappings
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy field_mappings_select_team on public.field_mappings is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy field_mappings_insert_team on public.field_mappings
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy field_mappings_insert_team on public.field_mappings is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy field_mappings_update_team on public.field_mappings
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy field_mappings_update_team on public.field_mappings is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy field_mappings_delete_team on public.field_mappings
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy field_mappings_delete_team on public.field_mappings is
'Lets in: team members (admin and up) of the row''s supplier.';
