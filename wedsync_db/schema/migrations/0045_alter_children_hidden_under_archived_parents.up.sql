-- 0045_alter_children_hidden_under_archived_parents
-- What and why: soft delete closes the subtree. Archiving a form, a form version, a journey or a journey
-- node (deleted_at, set by the backend) hid that row from API roles but not its children: the versions and
-- field mappings of an archived form stayed readable by the team and by connected couples, a couple could
-- still answer it, and the nodes, modules and instances of an archived journey stayed live. Now every
-- policy of those child tables also requires the parent to be live: private.my_archived_parent_ids()
-- returns the archived forms, versions, journeys and nodes of the suppliers the caller reaches (a version
-- or node counts as archived when its own parent is), once per statement; archived parents are few, so
-- the `<> all(array(...))` filter costs little.
-- Lock impact: ACCESS EXCLUSIVE on the six child tables briefly (policy changes); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.my_archived_parent_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
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
comment on function private.my_archived_parent_ids() is
'Archived (soft-deleted) forms, form versions, journeys and journey nodes of the suppliers the caller reaches; '
'a version or node whose parent is archived counts as archived.';
revoke execute on function private.my_archived_parent_ids() from public;
grant execute on function private.my_archived_parent_ids() to authenticated;

alter policy form_versions_select_team on public.form_versions
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_select_connected_couple on public.form_versions
using (
    deleted_at is null
    and status = 'published'
    and supplier_id = any(array(select private.my_connected_supplier_ids()))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_insert_team on public.form_versions
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_update_team on public.form_versions
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_select_team on public.form_responses
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_select_partner on public.form_responses
using (
    deleted_at is null and couple_id = any(array(select private.my_couple_ids()))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_insert_partner on public.form_responses
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_update_partner on public.form_responses
using (
    deleted_at is null and status = 'draft' and couple_id = any(array(select private.my_couple_ids()))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy field_mappings_select_team on public.field_mappings
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy field_mappings_insert_team on public.field_mappings
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy field_mappings_update_team on public.field_mappings
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_nodes_select_team on public.journey_nodes
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_nodes_insert_team on public.journey_nodes
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_nodes_update_team on public.journey_nodes
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_modules_select_team on public.journey_modules
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_modules_insert_team on public.journey_modules
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_modules_update_team on public.journey_modules
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_instances_select_team on public.journey_instances
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_instances_insert_team on public.journey_instances
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_instances_update_team on public.journey_instances
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);
