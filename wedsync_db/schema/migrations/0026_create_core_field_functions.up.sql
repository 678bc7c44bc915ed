-- 0026_create_core_field_functions
-- What and why: reading core field values with sensitive ones decrypted, and value inheritance.
-- public.core_field_values_for_couple(couple) returns the values the CALLER may see (security
-- invoker: the core_field_values policies decide: partners see all, connected teams only shared
-- groups), sensitive values decrypted with wedsync.pii_key.
-- public.form_prefill(form, couple) returns, for every field mapping of the form, the value to show:
--   * 'override': the mapping allows overrides and the couple's latest response to this form
--     (draft or submitted) already holds a non-null answer for that form field: the couple's answer
--     is kept;
--   * 'core_field': otherwise, the couple's core field value, but only when the value's field group is
--     shared on the ACTIVE connection between the form's supplier and the couple (the couple's
--     sharing choice holds whoever asks, since the prefilled answers are sent to the supplier);
--   * 'empty': nothing to prefill.
-- It may be called by a partner of the couple or a team member (viewer and up) of the form's
-- supplier; anyone else gets 42501. The work is done by a security definer function in `private`
-- (it must read the supplier's mappings on behalf of the couple); the public one is a thin invoker.
-- Lock impact: creates functions only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function public.core_field_values_for_couple(p_couple_id uuid)
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

create function private.form_prefill(p_form_id uuid, p_couple_id uuid)
returns table (form_field_key text, core_field_key text, value jsonb, source text)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_supplier_id uuid;
begin
    select fm.supplier_id into v_supplier_id
    from public.forms as fm
    where fm.id = p_form_id and fm.deleted_at is null;
    if v_supplier_id is null then
        return;
    end if;
    if coalesce(pg_catalog.current_setting('role', true), '') <> 'service_role'
        and p_couple_id <> all(array(select private.my_couple_ids()))
        and v_supplier_id <> all(array(select private.my_supplier_ids('viewer'))) then
        raise exception 'form_prefill: the caller is neither a partner of the couple nor on the form''s team'
            using errcode = 'insufficient_privilege';
    end if;
    return query
    with latest_response as (
        select fr.answers
        from public.form_responses as fr
        inner join public.form_versions as fv on fr.form_version_id = fv.id
        where fv.form_id = p_form_id and fr.couple_id = p_couple_id and fr.deleted_at is null
        order by fr.updated_at desc
        limit 1
    ),

    shared_groups as (
        select g.id
        from public.supplier_client_connections as scc
        inner join public.core_field_groups as g on g.key = any(scc.shared_field_group_keys)
        where
            scc.supplier_id = v_supplier_id
            and scc.couple_id = p_couple_id
            and scc.status = 'active'
            and scc.deleted_at is null
    )

    select
        m.form_field_key,
        f.key,
        case
            when m.allow_override and lr.answers -> m.form_field_key is not null
                and lr.answers -> m.form_field_key <> 'null'::jsonb then lr.answers -> m.form_field_key
            when sg.id is not null and not coalesce(v.is_not_applicable, false)
                then coalesce(v.value, private.decrypt_pii(v.value_encrypted))
        end,
        case
            when m.allow_override and lr.answers -> m.form_field_key is not null
                and lr.answers -> m.form_field_key <> 'null'::jsonb then 'override'
            when sg.id is not null and not coalesce(v.is_not_applicable, false)
                and coalesce(v.value, private.decrypt_pii(v.value_encrypted)) is not null then 'core_field'
            else 'empty'
        end
    from public.field_mappings as m
    inner join public.core_fields as f on m.core_field_id = f.id
    left join public.core_field_values as v
        on v.couple_id = p_couple_id and m.core_field_id = v.core_field_id and v.deleted_at is null
    left join shared_groups as sg on f.field_group_id = sg.id
    left join latest_response as lr on true
    where m.form_id = p_form_id and m.deleted_at is null
    order by m.form_field_key;
end;
$$;
comment on function private.form_prefill(uuid, uuid) is 'Implementation of public.form_prefill (security definer).';
revoke execute on function private.form_prefill(uuid, uuid) from public;
grant execute on function private.form_prefill(uuid, uuid) to authenticated, service_role;

create function public.form_prefill(p_form_id uuid, p_couple_id uuid)
returns table (form_field_key text, core_field_key text, value jsonb, source text)
language sql
stable
set search_path = ''
as $$
    select p.form_field_key, p.core_field_key, p.value, p.source from private.form_prefill(p_form_id, p_couple_id) as p
$$;
comment on function public.form_prefill(uuid, uuid) is
'Prefilled values of a form for a couple: couple override, else shared core field value, else empty.';

grant execute on function private.decrypt_pii(bytea) to authenticated, service_role;
revoke execute on function public.core_field_values_for_couple(uuid) from public, anon;
revoke execute on function public.form_prefill(uuid, uuid) from public, anon;
grant execute on function public.core_field_values_for_couple(uuid) to authenticated, service_role;
grant execute on function public.form_prefill(uuid, uuid) to authenticated, service_role;
