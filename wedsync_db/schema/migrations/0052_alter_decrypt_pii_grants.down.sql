-- 0052_alter_decrypt_pii_grants (down): core_field_values_for_couple calls private.decrypt_pii again, which
-- authenticated may execute (0026).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

grant execute on function private.decrypt_pii(bytea) to authenticated;

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
        coalesce(v.value, private.decrypt_pii(v.value_encrypted)),
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
'The caller-visible core field values of a couple (RLS applies), sensitive ones decrypted.';

drop function private.decrypt_visible_core_field_value(uuid);
