-- 0072_alter_archived_checks_per_row_and_joint_reads_estimated
-- What and why: point lookups cost the size of the world, and the biggest tenant's inbox cost its whole book.
-- 1. private.my_archived_parent_ids() and private.my_archived_counterpart_ids() (0045, 0046, 0070) listed, once
--    per statement, every archived parent or party within the caller's reach; building that list read every
--    archived couple and supplier of the database, so a one-row read of a connection, a message thread or a
--    response cost 20-80 ms at `large` for the smallest tenant as for the biggest. The policies now ask about the
--    row's own parent or party (private.couple_is_archived(couple_id), form_version_is_archived(...), ...): one
--    index probe per row judged, so a read costs in proportion to the rows it judges. Same rule: a row under an
--    archived form, version, journey or node, or with an archived couple or supplier, stays hidden.
-- 2. On the three tables read by a team and by a couple (messages, form_responses, supplier_client_connections)
--    the select policies test membership as `supplier_id in (select private.my_supplier_ids('viewer'))` (a hashed
--    SubPlan, run once per statement) instead of `= any(array(select ...))`. The two policies are OR-ed, and the
--    planner estimated each `= any($param)` at 10/ndistinct of the tenant key, so a team's inbox request
--    (`supplier_id=eq.S&order=created_at.desc&limit=50`) looked like ~150 rows: it read the whole tenant by bitmap
--    and sorted it (1.6-3 s for the biggest tenant at `large`). A SubPlan is estimated at one half, so the planner
--    walks the new index in created_at order and stops at the limit (5 ms). Requests to these tables name the
--    tenant or couple key, as the app's catalog does (wedsync_db/perf/catalog.py).
-- 3. index_messages_on_supplier_id_and_created_at serves the inbox across all couples, newest first.
-- Lock impact: ACCESS EXCLUSIVE briefly on the nine tables whose policies change; the index is built under a
-- SHARE lock on messages (writes wait; seconds at `large`). Adds six functions.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '600s';

create function private.couple_is_archived(p_couple_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1 from public.couples as c where c.id = p_couple_id and c.deleted_at is not null
    );
end;
$$;
comment on function private.couple_is_archived(uuid) is
'Whether the couple is soft-deleted. A per-row probe for policies: soft delete closes the subtree.';
revoke execute on function private.couple_is_archived(uuid) from public;
grant execute on function private.couple_is_archived(uuid) to authenticated;

create function private.supplier_is_archived(p_supplier_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1 from public.suppliers as s where s.id = p_supplier_id and s.deleted_at is not null
    );
end;
$$;
comment on function private.supplier_is_archived(uuid) is
'Whether the supplier is soft-deleted. A per-row probe for policies: soft delete closes the subtree.';
revoke execute on function private.supplier_is_archived(uuid) from public;
grant execute on function private.supplier_is_archived(uuid) to authenticated;

create function private.form_is_archived(p_form_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1 from public.forms as f where f.id = p_form_id and f.deleted_at is not null
    );
end;
$$;
comment on function private.form_is_archived(uuid) is
'Whether the form is soft-deleted. A per-row probe for policies: soft delete closes the subtree.';
revoke execute on function private.form_is_archived(uuid) from public;
grant execute on function private.form_is_archived(uuid) to authenticated;

create function private.form_version_is_archived(p_form_version_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1 from public.form_versions as v inner join public.forms as f on v.form_id = f.id
        where v.id = p_form_version_id and (v.deleted_at is not null or f.deleted_at is not null)
    );
end;
$$;
comment on function private.form_version_is_archived(uuid) is
'Whether the form version, or its form, is soft-deleted. A per-row probe for policies: soft delete closes the subtree.';
revoke execute on function private.form_version_is_archived(uuid) from public;
grant execute on function private.form_version_is_archived(uuid) to authenticated;

create function private.journey_is_archived(p_journey_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1 from public.customer_journeys as j where j.id = p_journey_id and j.deleted_at is not null
    );
end;
$$;
comment on function private.journey_is_archived(uuid) is
'Whether the customer journey is soft-deleted. A per-row probe for policies: soft delete closes the subtree.';
revoke execute on function private.journey_is_archived(uuid) from public;
grant execute on function private.journey_is_archived(uuid) to authenticated;

create function private.journey_node_is_archived(p_journey_node_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return exists (
        select 1 from public.journey_nodes as n inner join public.customer_journeys as j on n.journey_id = j.id
        where n.id = p_journey_node_id and (n.deleted_at is not null or j.deleted_at is not null)
    );
end;
$$;
comment on function private.journey_node_is_archived(uuid) is
'Whether the journey node, or its journey, is soft-deleted. A per-row probe for policies (soft delete closes
 the subtree).';
revoke execute on function private.journey_node_is_archived(uuid) from public;
grant execute on function private.journey_node_is_archived(uuid) to authenticated;

create index index_messages_on_supplier_id_and_created_at
on public.messages (supplier_id, created_at desc)
where deleted_at is null;

alter policy field_mappings_insert_team on public.field_mappings
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.form_is_archived(form_id)
);

alter policy field_mappings_select_team on public.field_mappings
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and not private.form_is_archived(form_id)
);

alter policy field_mappings_update_team on public.field_mappings
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.form_is_archived(form_id)
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.form_is_archived(form_id)
);

alter policy form_responses_insert_partner on public.form_responses
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
    and not private.form_version_is_archived(form_version_id)
);

alter policy form_responses_select_partner on public.form_responses
using (
    deleted_at is null
    and couple_id in (select private.my_couple_ids())
    and not private.form_version_is_archived(form_version_id)
    and not private.supplier_is_archived(supplier_id)
);

alter policy form_responses_select_team on public.form_responses
using (
    deleted_at is null
    and supplier_id in (select private.my_supplier_ids('viewer'))
    and not private.form_version_is_archived(form_version_id)
    and not private.couple_is_archived(couple_id)
);

alter policy form_responses_update_partner on public.form_responses
using (
    deleted_at is null
    and status = 'draft'
    and couple_id = any(array(select private.my_couple_ids()))
    and not private.form_version_is_archived(form_version_id)
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
    and not private.form_version_is_archived(form_version_id)
);

alter policy form_versions_insert_team on public.form_versions
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.form_is_archived(form_id)
);

alter policy form_versions_select_connected_couple on public.form_versions
using (
    deleted_at is null
    and status = 'published'
    and supplier_id = any(array(select private.my_connected_supplier_ids()))
    and not private.form_is_archived(form_id)
);

alter policy form_versions_select_team on public.form_versions
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and not private.form_is_archived(form_id)
);

alter policy form_versions_update_team on public.form_versions
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.form_is_archived(form_id)
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.form_is_archived(form_id)
);

alter policy journey_instances_insert_team on public.journey_instances
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_is_archived(journey_id)
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_instances_select_team on public.journey_instances
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and not private.journey_is_archived(journey_id)
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_instances_update_team on public.journey_instances
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_is_archived(journey_id)
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_is_archived(journey_id)
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_modules_insert_team on public.journey_modules
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_node_is_archived(journey_node_id)
);

alter policy journey_modules_select_team on public.journey_modules
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and not private.journey_node_is_archived(journey_node_id)
);

alter policy journey_modules_update_team on public.journey_modules
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_node_is_archived(journey_node_id)
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_node_is_archived(journey_node_id)
);

alter policy journey_nodes_insert_team on public.journey_nodes
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_is_archived(journey_id)
);

alter policy journey_nodes_select_team on public.journey_nodes
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and not private.journey_is_archived(journey_id)
);

alter policy journey_nodes_update_team on public.journey_nodes
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_is_archived(journey_id)
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.journey_is_archived(journey_id)
);

alter policy messages_select_partner on public.messages
using (
    deleted_at is null
    and couple_id in (select private.my_couple_ids())
    and not private.supplier_is_archived(supplier_id)
);

alter policy messages_select_team on public.messages
using (
    deleted_at is null
    and supplier_id in (select private.my_supplier_ids('viewer'))
    and not private.couple_is_archived(couple_id)
);

alter policy supplier_client_connections_select_partner on public.supplier_client_connections
using (
    deleted_at is null
    and couple_id in (select private.my_couple_ids())
    and not private.supplier_is_archived(supplier_id)
);

alter policy supplier_client_connections_select_team on public.supplier_client_connections
using (
    deleted_at is null
    and supplier_id in (select private.my_supplier_ids('viewer'))
    and not private.couple_is_archived(couple_id)
);

alter policy supplier_client_connections_update_partner on public.supplier_client_connections
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and not private.supplier_is_archived(supplier_id)
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and not private.supplier_is_archived(supplier_id)
);
