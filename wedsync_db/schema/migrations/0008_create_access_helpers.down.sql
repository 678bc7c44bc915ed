-- 0008_create_access_helpers (down): drops the helper functions (their grants go with them).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function private.is_active_connection(uuid, uuid);
drop function private.my_teammate_user_ids();
drop function private.my_shared_field_groups();
drop function private.my_connected_supplier_ids();
drop function private.my_connected_couple_ids(public.team_role);
drop function private.my_couple_ids();
drop function private.my_supplier_ids(public.team_role);
