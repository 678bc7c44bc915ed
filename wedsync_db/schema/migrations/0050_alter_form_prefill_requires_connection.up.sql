-- 0050_alter_form_prefill_requires_connection
-- What and why: private.form_prefill (0026) let in any partner of any couple: a user who created a couple
-- of their own could call public.form_prefill(<any form>, <own couple>) and read any supplier's field
-- mappings (its internal form field keys and which core fields they map to), with no relation to that
-- supplier. A partner is now let in only when the couple has an active connection to the form's supplier
-- (private.is_active_connection, which also requires both parties live); anyone else who is not on the
-- form's team (viewer and up) gets 42501 as before. The team and service_role branches are unchanged, and
-- so is what the function returns.
-- Lock impact: create or replace function only (no table lock).
-- Down checked: tests/integrity/test_migration_round_trips.py (up, down, catalog compared with the state
-- before, up again); the down restores the body and comment of 0026 verbatim.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.form_prefill(p_form_id uuid, p_couple_id uuid)
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
    -- A partner asks only about a form of a supplier the couple is actively connected to: the mappings
    -- (form field keys and the core fields behind them) are the supplier's, opened to the couple by the
    -- connection it accepted.
    if coalesce(pg_catalog.current_setting('role', true), '') <> 'service_role'
        and not (
            p_couple_id = any(array(select private.my_couple_ids()))
            and private.is_active_connection(v_supplier_id, p_couple_id)
        )
        and v_supplier_id <> all(array(select private.my_supplier_ids('viewer'))) then
        raise exception 'form_prefill: the caller is neither a partner of a couple actively connected to the '
            'form''s supplier nor on the form''s team'
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
comment on function private.form_prefill(uuid, uuid) is
'Implementation of public.form_prefill (security definer): partners of a couple actively connected to the '
'form''s supplier, or its team (viewer and up).';
