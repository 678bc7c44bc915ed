-- 0070_alter_archived_parents_reach_own_responses (down): the helper of 0045 (search path of 0057).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.my_archived_parent_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
        with reach as (
            select private.my_supplier_ids('viewer') as supplier_id
            union
            select private.my_connected_supplier_ids()
        ),

        archived_forms as (
            select f.id from public.forms as f
            where f.supplier_id in (select r.supplier_id from reach as r) and f.deleted_at is not null
        ),

        archived_journeys as (
            select j.id from public.customer_journeys as j
            where j.supplier_id in (select r.supplier_id from reach as r) and j.deleted_at is not null
        )

        select af.id from archived_forms as af
        union all
        select v.id from public.form_versions as v
        where
            v.supplier_id in (select r.supplier_id from reach as r)
            and (v.deleted_at is not null or v.form_id in (select af.id from archived_forms as af))
        union all
        select aj.id from archived_journeys as aj
        union all
        select n.id from public.journey_nodes as n
        where
            n.supplier_id in (select r.supplier_id from reach as r)
            and (n.deleted_at is not null or n.journey_id in (select aj.id from archived_journeys as aj));
end;
$$;
