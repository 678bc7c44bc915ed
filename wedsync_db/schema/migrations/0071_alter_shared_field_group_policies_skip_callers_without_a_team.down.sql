-- 0071_alter_shared_field_group_policies_skip_callers_without_a_team (down): the policies of 0061, then drops
-- the helper.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy field_states_select_connected_team on public.field_states
using (deleted_at is null and private.shares_field_group(couple_id, field_group_id));

alter policy core_field_value_history_select_connected_team on public.core_field_value_history
using (deleted_at is null and private.shares_field_group(couple_id, field_group_id));

alter policy core_field_values_select_connected_team on public.core_field_values
using (deleted_at is null and private.shares_field_group(couple_id, field_group_id));

drop function private.caller_is_on_a_team();
