-- 0012_add_core_field_catalog_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy core_fields_select_authenticated on public.core_fields;
revoke all on table public.core_fields from anon, authenticated, service_role;
drop policy core_field_groups_select_authenticated on public.core_field_groups;
revoke all on table public.core_field_groups from anon, authenticated, service_role;
