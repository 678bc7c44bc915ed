-- 0005_create_user_tables (down): drops the four account tables (triggers go with them) and the owner trigger function.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.user_profiles;
drop table public.couples;
drop table public.team_members;
drop table public.suppliers;
drop function private.add_supplier_owner();
