-- 0007_create_core_field_catalog (down): drops the master list and its groups (seed rows go with them).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.core_fields;
drop table public.core_field_groups;
