-- 0101_drop_unused_archived_id_lists (down): the two lists of archived ids again: bodies as 0070 and 0046
-- wrote them, comments and grants as 0045 and 0046, search_path as 0057 set it.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.my_archived_parent_ids()
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
comment on function private.my_archived_parent_ids() is
'Archived (soft-deleted) forms, form versions, journeys and journey nodes of the suppliers the caller reaches; '
'a version or node whose parent is archived counts as archived.';
revoke execute on function private.my_archived_parent_ids() from public;
grant execute on function private.my_archived_parent_ids() to authenticated;

create function private.my_archived_counterpart_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
        select c.id
        from public.supplier_client_connections as scc
        inner join public.couples as c on scc.couple_id = c.id
        where c.deleted_at is not null and scc.supplier_id in (select private.my_supplier_ids('viewer'))
        union
        select s.id
        from public.supplier_client_connections as scc
        inner join public.suppliers as s on scc.supplier_id = s.id
        where s.deleted_at is not null and scc.couple_id in (select private.my_couple_ids());
end;
$$;
comment on function private.my_archived_counterpart_ids() is
'Archived couples connected to the caller''s suppliers and archived suppliers connected to the caller''s couples.';
revoke execute on function private.my_archived_counterpart_ids() from public;
grant execute on function private.my_archived_counterpart_ids() to authenticated;
