-- 0027_create_gdpr_erase_function
-- What and why: GDPR erasure of one couple. public.erase_couple(couple_id) (backend only) runs
-- private.erase_couple, which, in one transaction:
--   * deletes the couple's core field values, their history and states, form responses, messages,
--     connections, the partners' notifications and user_profiles, and the couples row itself;
--   * pseudonymises what suppliers keep: clients linked to the couple (names become 'erased',
--     contact fields, notes and tags are cleared, the link is removed), journey instance state,
--     activities/analytics rows that mention the couple (link and metadata cleared);
--   * keeps the non-personal part of financial records: template purchases made by a partner keep
--     amount, currency, title and references, but lose buyer_user_id, billing_name, billing_email;
--   * finally pseudonymises the audit trail: every audit row about an erased or pseudonymised row
--     keeps only non-personal keys (ids, foreign keys, statuses, amounts, timestamps), and the
--     partners are removed as actors. Audit rows are changed through the maintenance switch that
--     the append-only guard honours for the migration role only.
-- Returns the number of rows touched per table, as jsonb.
-- Lock impact: creates functions only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- Keeps only non-personal keys of an audited row image and drops any value equal to an erased user id.
create function private.redact_audit_values(p_values jsonb, p_user_ids uuid[])
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select case
        when p_values is null then null
        else coalesce(
            (
                select pg_catalog.jsonb_object_agg(e.key, e.value)
                from pg_catalog.jsonb_each(p_values) as e (key, value)
                where
                    (
                        e.key in (
                            'id', 'status', 'version', 'action', 'channel', 'sender', 'kind', 'amount', 'currency',
                            'price', 'rating', 'is_published', 'is_not_applicable', 'created_at', 'updated_at',
                            'deleted_at', 'submitted_at', 'purchased_at', 'responded_at', 'revoked_at'
                        )
                        or e.key ~ '_id$'
                    )
                    and not (
                        pg_catalog.jsonb_typeof(e.value) = 'string'
                        and (e.value #>> '{}') = any(p_user_ids::text[])
                    )
            ),
            '{}'::jsonb
        ) || pg_catalog.jsonb_build_object('erased', true)
    end
$$;
comment on function private.redact_audit_values(jsonb, uuid[]) is
'GDPR: the non-personal keys of an audited row image (ids, statuses, amounts, timestamps).';
revoke execute on function private.redact_audit_values(jsonb, uuid[]) from public;

create function private.erase_couple(p_couple_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_user_ids uuid[];
    v_row_ids uuid[] := array[p_couple_id];
    v_ids uuid[];
    v_counts jsonb := '{}';
    v_count bigint;
begin
    select array_remove(array[c.partner_one_user_id, c.partner_two_user_id], null)
    into v_user_ids
    from public.couples as c
    where c.id = p_couple_id;
    if v_user_ids is null then
        raise exception 'erase_couple: couple % does not exist', p_couple_id using errcode = 'no_data_found';
    end if;

    -- Pseudonymise what suppliers keep.
    with changed as (
        update public.clients
        set
            partner_one_name = 'erased',
            partner_two_name = null,
            email = null,
            phone = null,
            notes = null,
            tags = '{}',
            venue_name = null,
            couple_id = null
        where couple_id = p_couple_id
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');
    v_counts := v_counts || pg_catalog.jsonb_build_object('clients', coalesce(cardinality(v_ids), 0));

    with changed as (
        update public.journey_instances set state = '{}', last_error = null
        where client_id = any(v_row_ids)
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with changed as (
        update public.activities set metadata = '{}', couple_id = null, actor_user_id = null
        where couple_id = p_couple_id or actor_user_id = any(v_user_ids)
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with changed as (
        update public.analytics_events set properties = '{}', couple_id = null, actor_user_id = null
        where couple_id = p_couple_id or actor_user_id = any(v_user_ids)
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    -- Financial records: keep the sale, drop the person.
    with changed as (
        update public.template_purchases set buyer_user_id = null, billing_name = null, billing_email = null
        where buyer_user_id = any(v_user_ids)
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');
    v_counts := v_counts || pg_catalog.jsonb_build_object('template_purchases', coalesce(cardinality(v_ids), 0));

    -- Delete the couple's own data (children first, so every row's id is collected for the audit).
    with gone as (delete from public.core_field_values where couple_id = p_couple_id returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');
    v_counts := v_counts || pg_catalog.jsonb_build_object('core_field_values', coalesce(cardinality(v_ids), 0));

    with gone as (delete from public.core_field_value_history where couple_id = p_couple_id returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with gone as (delete from public.field_states where couple_id = p_couple_id returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with gone as (delete from public.form_responses where couple_id = p_couple_id returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');
    v_counts := v_counts || pg_catalog.jsonb_build_object('form_responses', coalesce(cardinality(v_ids), 0));

    with gone as (delete from public.messages where couple_id = p_couple_id returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');
    v_counts := v_counts || pg_catalog.jsonb_build_object('messages', coalesce(cardinality(v_ids), 0));

    with gone as (delete from public.supplier_client_connections where couple_id = p_couple_id returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with gone as (delete from public.notifications where user_id = any(v_user_ids) returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with gone as (delete from public.user_profiles where user_id = any(v_user_ids) returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    delete from public.couples where id = p_couple_id;

    -- Pseudonymise the audit trail, this transaction's new rows included.
    perform pg_catalog.set_config('wedsync.audit_maintenance', 'on', true);
    update public.audit_log as a
    set
        old_values = private.redact_audit_values(a.old_values, v_user_ids),
        new_values = private.redact_audit_values(a.new_values, v_user_ids),
        actor_user_id = case when a.actor_user_id = any(v_user_ids) then null else a.actor_user_id end
    where a.row_id = any(v_row_ids);
    get diagnostics v_count = row_count;
    update public.audit_log as a
    set actor_user_id = null
    where a.actor_user_id = any(v_user_ids);
    perform pg_catalog.set_config('wedsync.audit_maintenance', 'off', true);
    v_counts := v_counts || pg_catalog.jsonb_build_object('audit_log', v_count);
    return v_counts;
end;
$$;
comment on function private.erase_couple(uuid) is 'Implementation of public.erase_couple (security definer).';
revoke execute on function private.erase_couple(uuid) from public;

create function public.erase_couple(p_couple_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
    return private.erase_couple(p_couple_id);
end;
$$;
comment on function public.erase_couple(uuid) is
'Backend only (GDPR): erases or pseudonymises one couple''s personal data everywhere, audit trail included.';
revoke execute on function public.erase_couple(uuid) from public, anon, authenticated;
grant execute on function public.erase_couple(uuid) to service_role;
