-- 0038_alter_connection_invite_shares_nothing
-- What and why: which of a couple's field groups a connected supplier may read is the couple's choice
-- alone. A supplier's invitation could carry any shared_field_group_keys, and a couple accepting it (a
-- status change) kept the supplier's choice; now an invitation shares nothing, and only the couple's
-- partners (policy supplier_client_connections_update_partner) set the shared groups.
-- Lock impact: ACCESS EXCLUSIVE on supplier_client_connections briefly (policy change only).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy supplier_client_connections_insert_team on public.supplier_client_connections
with check (
    status = 'invited'
    and shared_field_group_keys = '{}'
    and supplier_id = any(array(select private.my_supplier_ids('member')))
);
comment on policy supplier_client_connections_insert_team on public.supplier_client_connections is
'Lets in: team members (member and up) inviting a couple (status invited, sharing no field group).';
