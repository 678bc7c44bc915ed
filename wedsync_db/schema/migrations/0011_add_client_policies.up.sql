-- 0011_add_client_policies
-- What and why: row level security policies and API grants for clients and connections (clients,
-- supplier_client_connections).
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

-- clients ---------------------------------------------------------------------------------------------
grant select, insert, delete on table public.clients to authenticated;
grant update (
    couple_id, partner_one_name, partner_two_name, email, phone, wedding_date, venue_name, guest_count,
    budget, status, lead_source, notes, tags
) on table public.clients to authenticated;
grant select, insert, update, delete on table public.clients to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy clients_select_team on public.clients
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy clients_select_team on public.clients is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy clients_insert_team on public.clients
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy clients_insert_team on public.clients is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy clients_update_team on public.clients
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy clients_update_team on public.clients is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy clients_delete_team on public.clients
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy clients_delete_team on public.clients is
'Lets in: team members (admin and up) of the row''s supplier.';

-- supplier_client_connections -------------------------------------------------------------------------
grant select, insert, delete on table public.supplier_client_connections to authenticated;
grant update (status, shared_field_group_keys) on table public.supplier_client_connections to authenticated;
grant select, insert, update, delete on table public.supplier_client_connections to service_role;

-- Lets in: team members (viewer and up) of the connection's supplier.
create policy supplier_client_connections_select_team on public.supplier_client_connections
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy supplier_client_connections_select_team on public.supplier_client_connections is
'Lets in: team members (viewer and up) of the connection''s supplier.';

-- Lets in: the partners of the connection's couple.
create policy supplier_client_connections_select_partner on public.supplier_client_connections
for select
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy supplier_client_connections_select_partner on public.supplier_client_connections is
'Lets in: the partners of the connection''s couple.';

-- Lets in: team members (member and up) inviting a couple (status invited only).
create policy supplier_client_connections_insert_team on public.supplier_client_connections
for insert
to authenticated
with check (status = 'invited' and supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy supplier_client_connections_insert_team on public.supplier_client_connections is
'Lets in: team members (member and up) inviting a couple (status invited only).';

-- Lets in: the partners of the connection's couple (accept, decline, revoke, choose shared field groups).
create policy supplier_client_connections_update_partner on public.supplier_client_connections
for update
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())))
with check (couple_id = any(array(select private.my_couple_ids())));
comment on policy supplier_client_connections_update_partner on public.supplier_client_connections is
'Lets in: the partners of the connection''s couple (accept, decline, revoke, choose shared field '
'groups).';

-- Lets in: team admins and owners of the connection's supplier.
create policy supplier_client_connections_delete_team on public.supplier_client_connections
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy supplier_client_connections_delete_team on public.supplier_client_connections is
'Lets in: team admins and owners of the connection''s supplier.';
