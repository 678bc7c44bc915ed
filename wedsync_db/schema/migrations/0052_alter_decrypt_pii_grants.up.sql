-- 0052_alter_decrypt_pii_grants
-- What and why: authenticated held EXECUTE on private.decrypt_pii(bytea) (0026), a security definer that
-- decrypts any ciphertext with wedsync.pii_key for whoever calls it, because the security invoker
-- public.core_field_values_for_couple called it directly. Any path that hands an API caller a ciphertext
-- (a column grant, a view, a realtime payload, a function added later) then became a path to its
-- plaintext. Now authenticated loses EXECUTE on it, and core_field_values_for_couple (still security
-- invoker: RLS decides which rows it returns) decrypts through
-- private.decrypt_visible_core_field_value(value id), which decrypts only a row the caller may read by the
-- two select policies of core_field_values (repeated there), and returns null otherwise. form_prefill
-- decrypts inside its own security definer function (0026, 0050) and needs no grant. service_role keeps
-- EXECUTE on decrypt_pii (the backend).
-- Lock impact: functions only (no table lock).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down); the down
-- restores core_field_values_for_couple of 0026 verbatim and the grant.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.decrypt_visible_core_field_value(p_value_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
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
comment on function private.decrypt_visible_core_field_value(uuid) is
'The decrypted value of a sensitive core field value the caller may read (the select policies of '
'core_field_values, repeated), else null.';
revoke execute on function private.decrypt_visible_core_field_value(uuid) from public;
grant execute on function private.decrypt_visible_core_field_value(uuid) to authenticated, service_role;

create or replace function public.core_field_values_for_couple(p_couple_id uuid)
returns table (
    core_field_id uuid,
    core_field_key text,
    field_group_key text,
    value jsonb,
    is_not_applicable boolean,
    version integer,
    updated_at timestamptz
)
language sql
stable
set search_path = ''
as $$
    select
        v.core_field_id,
        f.key,
        g.key,
        coalesce(v.value, private.decrypt_visible_core_field_value(v.id)),
        v.is_not_applicable,
        v.version,
        v.updated_at
    from public.core_field_values as v
    inner join public.core_fields as f on v.core_field_id = f.id
    inner join public.core_field_groups as g on v.field_group_id = g.id
    where v.couple_id = p_couple_id and v.deleted_at is null
    order by g.position, f.position
$$;
comment on function public.core_field_values_for_couple(uuid) is
'The caller-visible core field values of a couple (RLS applies), sensitive ones decrypted by '
'private.decrypt_visible_core_field_value.';

revoke execute on function private.decrypt_pii(bytea) from authenticated;
