-- 0056_add_insert_stamps_of_server_columns (down): API inserts keep the rating, publication, inviter,
-- response and delivery columns they send.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger stamp_message_insert on public.messages;
drop function private.stamp_message_insert();
drop trigger stamp_connection_insert on public.supplier_client_connections;
drop function private.stamp_connection_insert();
drop trigger stamp_template_insert on public.templates;
drop function private.stamp_template_insert();
drop function private.caller_is_under_rls();
