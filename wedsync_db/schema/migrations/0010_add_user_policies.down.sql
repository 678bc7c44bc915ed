-- 0010_add_user_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy user_profiles_delete_self on public.user_profiles;
drop policy user_profiles_update_self on public.user_profiles;
drop policy user_profiles_insert_self on public.user_profiles;
drop policy user_profiles_select_teammate on public.user_profiles;
drop policy user_profiles_select_self on public.user_profiles;
revoke update (
    full_name, display_name, avatar_url, phone, locale, timezone
) on table public.user_profiles from anon, authenticated;
revoke all on table public.user_profiles from anon, authenticated, service_role;
drop policy couples_delete_partner on public.couples;
drop policy couples_update_partner on public.couples;
drop policy couples_insert_partner on public.couples;
drop policy couples_select_partner on public.couples;
revoke update (display_name) on table public.couples from anon, authenticated;
revoke all on table public.couples from anon, authenticated, service_role;
drop policy team_members_delete_owner on public.team_members;
drop policy team_members_delete_admin on public.team_members;
drop policy team_members_update_owner on public.team_members;
drop policy team_members_update_admin on public.team_members;
drop policy team_members_insert_owner on public.team_members;
drop policy team_members_insert_admin on public.team_members;
drop policy team_members_select_self on public.team_members;
drop policy team_members_select_team on public.team_members;
revoke update (role) on table public.team_members from anon, authenticated;
revoke all on table public.team_members from anon, authenticated, service_role;
drop policy suppliers_delete_owner on public.suppliers;
drop policy suppliers_update_admin on public.suppliers;
drop policy suppliers_insert_authenticated on public.suppliers;
drop policy suppliers_select_creator on public.suppliers;
drop policy suppliers_select_connected_couple on public.suppliers;
drop policy suppliers_select_team on public.suppliers;
drop policy suppliers_select_published on public.suppliers;
revoke update (
    business_name, slug, category, email, phone, website_url, description, location, is_published
) on table public.suppliers from anon, authenticated;
revoke all on table public.suppliers from anon, authenticated, service_role;
