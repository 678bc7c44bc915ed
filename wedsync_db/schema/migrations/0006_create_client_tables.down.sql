-- 0006_create_client_tables (down): drops connections and clients, then the status trigger function.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.supplier_client_connections;
drop table public.clients;
drop function private.stamp_connection_status();
