-- 0014_add_core_field_value_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy field_states_select_connected_team on public.field_states;
drop policy field_states_select_partner on public.field_states;
revoke all on table public.field_states from anon, authenticated, service_role;
drop policy core_field_value_history_select_connected_team on public.core_field_value_history;
drop policy core_field_value_history_select_partner on public.core_field_value_history;
revoke all on table public.core_field_value_history from anon, authenticated, service_role;
drop policy core_field_values_delete_partner on public.core_field_values;
drop policy core_field_values_update_partner on public.core_field_values;
drop policy core_field_values_insert_partner on public.core_field_values;
drop policy core_field_values_select_connected_team on public.core_field_values;
drop policy core_field_values_select_partner on public.core_field_values;
revoke update (value, is_not_applicable) on table public.core_field_values from anon, authenticated;
revoke all on table public.core_field_values from anon, authenticated, service_role;
