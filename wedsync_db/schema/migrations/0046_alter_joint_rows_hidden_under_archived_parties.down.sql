-- 0046_alter_joint_rows_hidden_under_archived_parties (down): restores the policies of 0011, 0018 and 0045,
-- then drops the helper.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy form_responses_select_partner on public.form_responses
using (
    deleted_at is null and couple_id = any(array(select private.my_couple_ids()))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy form_responses_select_team on public.form_responses
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy messages_select_partner on public.messages
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));

alter policy messages_select_team on public.messages
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

alter policy supplier_client_connections_update_partner on public.supplier_client_connections
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())))
with check (couple_id = any(array(select private.my_couple_ids())));

alter policy supplier_client_connections_select_partner on public.supplier_client_connections
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));

alter policy supplier_client_connections_select_team on public.supplier_client_connections
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));

drop function private.my_archived_counterpart_ids();
