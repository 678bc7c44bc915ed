-- 0070_alter_archived_parents_reach_own_responses
-- What and why: a couple kept reading its own form responses under an archived form of a supplier it is no
-- longer actively connected to: private.my_archived_parent_ids() (0045) listed the archived parents of the
-- caller's teams and actively connected suppliers only. It now also reaches the suppliers of the caller's
-- couples' responses, so soft delete closes the subtree whatever the connection's status (found by the
-- escalation search's final reads on the seeded ci world).
-- Lock impact: replaces one function (no table locks).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
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
            union
            select fr.supplier_id from public.form_responses as fr
            where fr.couple_id in (select private.my_couple_ids())
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
