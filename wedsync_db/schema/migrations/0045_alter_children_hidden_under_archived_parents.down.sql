-- 0045_alter_children_hidden_under_archived_parents (down): restores the child policies of 0016 and 0020,
-- then drops the helper.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy journey_instances_update_team on public.journey_instances
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy journey_instances_insert_team on public.journey_instances
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy journey_instances_select_team on public.journey_instances
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

alter policy journey_modules_update_team on public.journey_modules
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy journey_modules_insert_team on public.journey_modules
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy journey_modules_select_team on public.journey_modules
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

alter policy journey_nodes_update_team on public.journey_nodes
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy journey_nodes_insert_team on public.journey_nodes
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy journey_nodes_select_team on public.journey_nodes
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

alter policy field_mappings_update_team on public.field_mappings
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy field_mappings_insert_team on public.field_mappings
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy field_mappings_select_team on public.field_mappings
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

alter policy form_responses_update_partner on public.form_responses
using (deleted_at is null and status = 'draft' and couple_id = any(array(select private.my_couple_ids())))
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
);

alter policy form_responses_insert_partner on public.form_responses
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
);

alter policy form_responses_select_partner on public.form_responses
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));

alter policy form_responses_select_team on public.form_responses
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

alter policy form_versions_update_team on public.form_versions
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy form_versions_insert_team on public.form_versions
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));

alter policy form_versions_select_connected_couple on public.form_versions
using (
    deleted_at is null
    and status = 'published'
    and supplier_id = any(array(select private.my_connected_supplier_ids()))
);

alter policy form_versions_select_team on public.form_versions
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

drop function private.my_archived_parent_ids();
