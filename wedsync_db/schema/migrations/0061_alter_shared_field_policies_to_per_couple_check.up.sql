-- 0061_alter_shared_field_policies_to_per_couple_check
-- What and why: a point lookup must cost what its rows cost, not what the caller's book costs. The select
-- policies of the connected team on core_field_values, core_field_value_history and field_states compared
-- each row with private.my_connected_couple_ids('viewer') and private.my_shared_field_groups(), which
-- materialise every active connection (and every shared group) of the caller's suppliers once per
-- statement; private.decrypt_visible_core_field_value repeated them once per encrypted row. The whale's
-- couple page paid for its 30k connections on every request (tenant curve at large in the commit message).
-- Now private.shares_field_group(couple, group) probes the connections of the row's couple only (index on
-- supplier_client_connections (couple_id, status)). Same rule, word for word: a team member (viewer and up,
-- accepted, of a live supplier: private.my_supplier_ids) of a supplier actively connected (connection
-- active and live) to the live couple, for a live field group the couple shared on that connection; the
-- old pair of conditions reduces to this one because every row of my_shared_field_groups() is also a
-- couple of my_connected_couple_ids('viewer'). Trade-off: a team's read of these tables without a couple
-- filter now calls the check per row of the table instead of scanning its book's couples by index; the apps
-- always filter by couple.
-- Lock impact: ACCESS EXCLUSIVE briefly on the three tables (policy changes); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.shares_field_group(p_couple_id uuid, p_field_group_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1
        from public.supplier_client_connections as scc
        inner join public.couples as c on scc.couple_id = c.id
        inner join public.core_field_groups as g on g.key = any(scc.shared_field_group_keys)
        where
            scc.couple_id = p_couple_id
            and g.id = p_field_group_id
            and c.deleted_at is null
            and scc.status = 'active'
            and scc.deleted_at is null
            and g.deleted_at is null
            and scc.supplier_id in (select private.my_supplier_ids('viewer'))
    );
end;
$$;
comment on function private.shares_field_group(uuid, uuid) is
'Whether a supplier of the caller (viewer and up) is actively connected to the live couple, which shares '
'the live field group on that connection.';
revoke execute on function private.shares_field_group(uuid, uuid) from public;
grant execute on function private.shares_field_group(uuid, uuid) to authenticated;

alter policy core_field_values_select_connected_team on public.core_field_values
using (deleted_at is null and private.shares_field_group(couple_id, field_group_id));

alter policy core_field_value_history_select_connected_team on public.core_field_value_history
using (deleted_at is null and private.shares_field_group(couple_id, field_group_id));

alter policy field_states_select_connected_team on public.field_states
using (deleted_at is null and private.shares_field_group(couple_id, field_group_id));

create or replace function private.decrypt_visible_core_field_value(p_value_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    -- The role the request runs as (security definer changes current_user, not the role setting).
    v_caller text := coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user);
    v_row public.core_field_values;
begin
    select * into v_row from public.core_field_values as v where v.id = p_value_id;
    if not found or v_row.value_encrypted is null then
        return null;
    end if;
    -- Callers under RLS get the plaintext of a row only when a select policy of core_field_values lets them
    -- read that row: core_field_values_select_partner or core_field_values_select_connected_team.
    if not exists (select 1 from pg_catalog.pg_roles as r where r.rolname = v_caller and r.rolbypassrls)
        and not (
            v_row.deleted_at is null
            and (
                v_row.couple_id = any(array(select private.my_couple_ids()))
                or private.shares_field_group(v_row.couple_id, v_row.field_group_id)
            )
        ) then
        return null;
    end if;
    return private.decrypt_pii(v_row.value_encrypted);
end;
$$;
