set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function public.search_clients(uuid, text, integer);
