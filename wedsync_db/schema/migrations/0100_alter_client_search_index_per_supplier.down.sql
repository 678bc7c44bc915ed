-- 0100_alter_client_search_index_per_supplier (down): the words-only GIN index again; btree_gin goes.
set local lock_timeout = '5s';
set local statement_timeout = '600s';

create index index_clients_on_search_vector on public.clients using gin (search_vector);

drop index public.index_clients_on_supplier_id_and_search_vector;

drop extension if exists btree_gin;
