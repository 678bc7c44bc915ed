-- 0071_alter_shared_field_group_policies_skip_callers_without_a_team
-- What and why: since 0061 the connected team's select policies on core_field_values,
-- core_field_value_history and field_states call private.shares_field_group(couple, group) for every row they
-- judge. A read that no couple filter narrows (a couple's own screens, any caller's whole-table read) paid one
-- call per row of the table, though a caller on no team can never pass it: 7.9M calls and 0.5-0.7 s per read of
-- those tables on the seeded ci world. Now the policies first ask, once per statement, whether the caller is
-- on any team (private.caller_is_on_a_team(), an InitPlan), so couples and strangers skip the per-row check.
-- Same rule: shares_field_group already requires a team of the caller.
-- Lock impact: ACCESS EXCLUSIVE briefly on the three tables (policy changes); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.caller_is_on_a_team()
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (select 1 from private.my_supplier_ids('viewer'));
end;
$$;
comment on function private.caller_is_on_a_team() is
'Whether the caller has an accepted, live membership of a live supplier (any role).';
revoke execute on function private.caller_is_on_a_team() from public;
grant execute on function private.caller_is_on_a_team() to authenticated;

alter policy core_field_values_select_connected_team on public.core_field_values
using (
    deleted_at is null
    and (select private.caller_is_on_a_team())
    and private.shares_field_group(couple_id, field_group_id)
);

alter policy core_field_value_history_select_connected_team on public.core_field_value_history
using (
    deleted_at is null
    and (select private.caller_is_on_a_team())
    and private.shares_field_group(couple_id, field_group_id)
);

alter policy field_states_select_connected_team on public.field_states
using (
    deleted_at is null
    and (select private.caller_is_on_a_team())
    and private.shares_field_group(couple_id, field_group_id)
);
