-- 0072_alter_archived_checks_per_row_and_joint_reads_estimated (down): the policies read the per-statement
-- closures again; the per-row probes and the inbox index go.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy field_mappings_insert_team on public.field_mappings
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy field_mappings_select_team on public.field_mappings
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy field_mappings_update_team on public.field_mappings
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_insert_partner on public.form_responses
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_select_partner on public.form_responses
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy form_responses_select_team on public.form_responses
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
    and couple_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy form_responses_update_partner on public.form_responses
using (
    deleted_at is null
    and status = 'draft'
    and couple_id = any(array(select private.my_couple_ids()))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_insert_team on public.form_versions
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_select_connected_couple on public.form_versions
using (
    deleted_at is null
    and status = 'published'
    and supplier_id = any(array(select private.my_connected_supplier_ids()))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_select_team on public.form_versions
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_versions_update_team on public.form_versions
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and form_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_instances_insert_team on public.journey_instances
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_instances_select_team on public.journey_instances
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_instances_update_team on public.journey_instances
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_modules_insert_team on public.journey_modules
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_modules_select_team on public.journey_modules
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_modules_update_team on public.journey_modules
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_node_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_nodes_insert_team on public.journey_nodes
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_nodes_select_team on public.journey_nodes
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_nodes_update_team on public.journey_nodes
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy messages_select_partner on public.messages
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy messages_select_team on public.messages
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and couple_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy supplier_client_connections_select_partner on public.supplier_client_connections
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy supplier_client_connections_select_team on public.supplier_client_connections
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and couple_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy supplier_client_connections_update_partner on public.supplier_client_connections
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);
drop index public.index_messages_on_supplier_id_and_created_at;

drop function private.couple_is_archived(uuid);
drop function private.supplier_is_archived(uuid);
drop function private.form_is_archived(uuid);
drop function private.form_version_is_archived(uuid);
drop function private.journey_is_archived(uuid);
drop function private.journey_node_is_archived(uuid);
