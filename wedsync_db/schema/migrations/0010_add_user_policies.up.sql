-- 0010_add_user_policies
-- What and why: row level security policies and API grants for the account tables (suppliers,
-- team_members, couples, user_profiles).
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

-- suppliers -------------------------------------------------------------------------------------------
grant select on table public.suppliers to anon;
grant select, insert, delete on table public.suppliers to authenticated;
grant update (
    business_name, slug, category, email, phone, website_url, description, location, is_published
) on table public.suppliers to authenticated;
grant select, insert, update, delete on table public.suppliers to service_role;

-- Lets in: anyone, anonymous visitors included, for live suppliers published in the directory.
create policy suppliers_select_published on public.suppliers
for select
to anon, authenticated
using (deleted_at is null and is_published);
comment on policy suppliers_select_published on public.suppliers is
'Lets in: anyone, anonymous visitors included, for live suppliers published in the directory.';

-- Lets in: team members (viewer and up) of the supplier.
create policy suppliers_select_team on public.suppliers
for select
to authenticated
using (deleted_at is null and id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy suppliers_select_team on public.suppliers is
'Lets in: team members (viewer and up) of the supplier.';

-- Lets in: partners of a couple with an active connection to the supplier.
create policy suppliers_select_connected_couple on public.suppliers
for select
to authenticated
using (deleted_at is null and id = any(array(select private.my_connected_supplier_ids())));
comment on policy suppliers_select_connected_couple on public.suppliers is
'Lets in: partners of a couple with an active connection to the supplier.';

-- Lets in: the user who created the supplier (needed to read the row back on insert, before the owner row
-- exists).
create policy suppliers_select_creator on public.suppliers
for select
to authenticated
using (deleted_at is null and created_by = (select auth.uid()));
comment on policy suppliers_select_creator on public.suppliers is
'Lets in: the user who created the supplier (needed to read the row back on insert, before the owner '
'row exists).';

-- Lets in: any signed-in user creating a supplier in their own name (they become its owner).
create policy suppliers_insert_authenticated on public.suppliers
for insert
to authenticated
with check (created_by = (select auth.uid()));
comment on policy suppliers_insert_authenticated on public.suppliers is
'Lets in: any signed-in user creating a supplier in their own name (they become its owner).';

-- Lets in: team admins and owners of the supplier.
create policy suppliers_update_admin on public.suppliers
for update
to authenticated
using (deleted_at is null and id = any(array(select private.my_supplier_ids('admin'))))
with check (id = any(array(select private.my_supplier_ids('admin'))));
comment on policy suppliers_update_admin on public.suppliers is
'Lets in: team admins and owners of the supplier.';

-- Lets in: owners of the supplier.
create policy suppliers_delete_owner on public.suppliers
for delete
to authenticated
using (deleted_at is null and id = any(array(select private.my_supplier_ids('owner'))));
comment on policy suppliers_delete_owner on public.suppliers is
'Lets in: owners of the supplier.';

-- team_members ----------------------------------------------------------------------------------------
grant select, insert, delete on table public.team_members to authenticated;
grant update (role) on table public.team_members to authenticated;
grant select, insert, update, delete on table public.team_members to service_role;

-- Lets in: team members (viewer and up) of the same supplier.
create policy team_members_select_team on public.team_members
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy team_members_select_team on public.team_members is
'Lets in: team members (viewer and up) of the same supplier.';

-- Lets in: the member themself.
create policy team_members_select_self on public.team_members
for select
to authenticated
using (deleted_at is null and user_id = (select auth.uid()));
comment on policy team_members_select_self on public.team_members is
'Lets in: the member themself.';

-- Lets in: team admins and owners adding a non-owner member.
create policy team_members_insert_admin on public.team_members
for insert
to authenticated
with check (role <> 'owner' and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy team_members_insert_admin on public.team_members is
'Lets in: team admins and owners adding a non-owner member.';

-- Lets in: team owners adding any member, owners included.
create policy team_members_insert_owner on public.team_members
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('owner'))));
comment on policy team_members_insert_owner on public.team_members is
'Lets in: team owners adding any member, owners included.';

-- Lets in: team admins and owners changing a non-owner row into a non-owner role.
create policy team_members_update_admin on public.team_members
for update
to authenticated
using (deleted_at is null and role <> 'owner' and supplier_id = any(array(select private.my_supplier_ids('admin'))))
with check (role <> 'owner' and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy team_members_update_admin on public.team_members is
'Lets in: team admins and owners changing a non-owner row into a non-owner role.';

-- Lets in: team owners changing any row, owners' rows included.
create policy team_members_update_owner on public.team_members
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('owner'))))
with check (supplier_id = any(array(select private.my_supplier_ids('owner'))));
comment on policy team_members_update_owner on public.team_members is
'Lets in: team owners changing any row, owners'' rows included.';

-- Lets in: team admins and owners removing a non-owner member.
create policy team_members_delete_admin on public.team_members
for delete
to authenticated
using (deleted_at is null and role <> 'owner' and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy team_members_delete_admin on public.team_members is
'Lets in: team admins and owners removing a non-owner member.';

-- Lets in: team owners removing any member, owners included.
create policy team_members_delete_owner on public.team_members
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('owner'))));
comment on policy team_members_delete_owner on public.team_members is
'Lets in: team owners removing any member, owners included.';

-- couples ---------------------------------------------------------------------------------------------
grant select, insert, delete on table public.couples to authenticated;
grant update (display_name) on table public.couples to authenticated;
grant select, insert, update, delete on table public.couples to service_role;

-- Lets in: the couple's partners.
create policy couples_select_partner on public.couples
for select
to authenticated
using (deleted_at is null and (select auth.uid()) in (partner_one_user_id, partner_two_user_id));
comment on policy couples_select_partner on public.couples is
'Lets in: the couple''s partners.';

-- Lets in: any signed-in user creating a couple with themself as partner one.
create policy couples_insert_partner on public.couples
for insert
to authenticated
with check (partner_one_user_id = (select auth.uid()));
comment on policy couples_insert_partner on public.couples is
'Lets in: any signed-in user creating a couple with themself as partner one.';

-- Lets in: the couple's partners.
create policy couples_update_partner on public.couples
for update
to authenticated
using (deleted_at is null and (select auth.uid()) in (partner_one_user_id, partner_two_user_id))
with check ((select auth.uid()) in (partner_one_user_id, partner_two_user_id));
comment on policy couples_update_partner on public.couples is
'Lets in: the couple''s partners.';

-- Lets in: the couple's partners.
create policy couples_delete_partner on public.couples
for delete
to authenticated
using (deleted_at is null and (select auth.uid()) in (partner_one_user_id, partner_two_user_id));
comment on policy couples_delete_partner on public.couples is
'Lets in: the couple''s partners.';

-- user_profiles ---------------------------------------------------------------------------------------
grant select, insert, delete on table public.user_profiles to authenticated;
grant update (
    full_name, display_name, avatar_url, phone, locale, timezone
) on table public.user_profiles to authenticated;
grant select, insert, update, delete on table public.user_profiles to service_role;

-- Lets in: the profile's user.
create policy user_profiles_select_self on public.user_profiles
for select
to authenticated
using (deleted_at is null and user_id = (select auth.uid()));
comment on policy user_profiles_select_self on public.user_profiles is
'Lets in: the profile''s user.';

-- Lets in: users on the team of a supplier the profile's user is on.
create policy user_profiles_select_teammate on public.user_profiles
for select
to authenticated
using (deleted_at is null and user_id = any(array(select private.my_teammate_user_ids())));
comment on policy user_profiles_select_teammate on public.user_profiles is
'Lets in: users on the team of a supplier the profile''s user is on.';

-- Lets in: the profile's user.
create policy user_profiles_insert_self on public.user_profiles
for insert
to authenticated
with check (user_id = (select auth.uid()));
comment on policy user_profiles_insert_self on public.user_profiles is
'Lets in: the profile''s user.';

-- Lets in: the profile's user.
create policy user_profiles_update_self on public.user_profiles
for update
to authenticated
using (deleted_at is null and user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy user_profiles_update_self on public.user_profiles is
'Lets in: the profile''s user.';

-- Lets in: the profile's user.
create policy user_profiles_delete_self on public.user_profiles
for delete
to authenticated
using (deleted_at is null and user_id = (select auth.uid()));
comment on policy user_profiles_delete_self on public.user_profiles is
'Lets in: the profile''s user.';
