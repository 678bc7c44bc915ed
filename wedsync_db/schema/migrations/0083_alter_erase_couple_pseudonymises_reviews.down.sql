-- 0083_alter_erase_couple_pseudonymises_reviews (down): erase_couple as 0042 wrote it and 0057 left it.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.erase_couple(p_couple_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_user_ids uuid[];
    v_personal_ids uuid[];
    v_row_ids uuid[] := array[p_couple_id];
    v_ids uuid[];
    v_counts jsonb := '{}';
    v_count bigint;
begin
    -- The couple's people: partner one, and partner two only if they accepted the partnership.
    select array_remove(
        array[c.partner_one_user_id, case when c.partner_two_accepted_at is not null then c.partner_two_user_id end],
        null
    )
    into v_user_ids
    from public.couples as c
    where c.id = p_couple_id;
    if v_user_ids is null then
        raise exception 'erase_couple: couple % does not exist', p_couple_id using errcode = 'no_data_found';
    end if;
    -- Their user-level data (profile, notifications, what they did as an actor) is erased only for those
    -- who are on no supplier's team: a partner who works for a supplier keeps what the team relies on.
    select coalesce(array_agg(u.id), '{}')
    into v_personal_ids
    from unnest(v_user_ids) as u (id)
    where not exists (
        select 1 from public.team_members as tm
        where tm.user_id = u.id and tm.accepted_at is not null and tm.deleted_at is null
    );

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
        where couple_id = p_couple_id or actor_user_id = any(v_personal_ids)
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with changed as (
        update public.analytics_events set properties = '{}', couple_id = null, actor_user_id = null
        where couple_id = p_couple_id or actor_user_id = any(v_personal_ids)
        returning id
    )

    select array_agg(id) into v_ids from changed;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    -- Financial records: keep the sale, drop the person.
    with changed as (
        update public.template_purchases set buyer_user_id = null, billing_name = null, billing_email = null
        where buyer_user_id = any(v_personal_ids)
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

    with gone as (delete from public.notifications where user_id = any(v_personal_ids) returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    with gone as (delete from public.user_profiles where user_id = any(v_personal_ids) returning id)
    select array_agg(id) into v_ids from gone;
    v_row_ids := v_row_ids || coalesce(v_ids, '{}');

    delete from public.couples where id = p_couple_id;

    -- Pseudonymise the audit trail, this transaction's new rows included.
    perform pg_catalog.set_config('wedsync.audit_maintenance', 'on', true);
    update public.audit_log as a
    set
        old_values = private.redact_audit_values(a.old_values, v_user_ids),
        new_values = private.redact_audit_values(a.new_values, v_user_ids),
        actor_user_id = case when a.actor_user_id = any(v_personal_ids) then null else a.actor_user_id end
    where a.row_id = any(v_row_ids);
    get diagnostics v_count = row_count;
    update public.audit_log as a
    set actor_user_id = null
    where a.actor_user_id = any(v_personal_ids);
    perform pg_catalog.set_config('wedsync.audit_maintenance', 'off', true);
    v_counts := v_counts || pg_catalog.jsonb_build_object('audit_log', v_count);
    return v_counts;
end;
$$;
