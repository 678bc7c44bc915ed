-- 0061_alter_shared_field_policies_to_per_couple_check (down): the policies of 0014 and the decryption
-- check of 0052 (search path of 0057); drop private.shares_field_group.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy core_field_values_select_connected_team on public.core_field_values
using (
    deleted_at is null
    and couple_id = any(array(select private.my_connected_couple_ids('viewer')))
    and (couple_id, field_group_id) in (
        select
            s.couple_id,
            s.field_group_id
        from private.my_shared_field_groups() as s
    )
);

alter policy core_field_value_history_select_connected_team on public.core_field_value_history
using (
    deleted_at is null
    and couple_id = any(array(select private.my_connected_couple_ids('viewer')))
    and (couple_id, field_group_id) in (
        select
            s.couple_id,
            s.field_group_id
        from private.my_shared_field_groups() as s
    )
);

alter policy field_states_select_connected_team on public.field_states
using (
    deleted_at is null
    and couple_id = any(array(select private.my_connected_couple_ids('viewer')))
    and (couple_id, field_group_id) in (
        select
            s.couple_id,
            s.field_group_id
        from private.my_shared_field_groups() as s
    )
);

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
                or (
                    v_row.couple_id = any(array(select private.my_connected_couple_ids('viewer')))
                    and (v_row.couple_id, v_row.field_group_id) in (
                        select
                            s.couple_id,
                            s.field_group_id
                        from private.my_shared_field_groups() as s
                    )
                )
            )
        ) then
        return null;
    end if;
    return private.decrypt_pii(v_row.value_encrypted);
end;
$$;

drop function private.shares_field_group(uuid, uuid);
