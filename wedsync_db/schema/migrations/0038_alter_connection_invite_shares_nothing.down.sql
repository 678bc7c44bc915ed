-- 0038_alter_connection_invite_shares_nothing (down): restores the insert policy of 0011.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy supplier_client_connections_insert_team on public.supplier_client_connections
with check (status = 'invited' and supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy supplier_client_connections_insert_team on public.supplier_client_connections is
'Lets in: team members (member and up) inviting a couple (status invited only).';
