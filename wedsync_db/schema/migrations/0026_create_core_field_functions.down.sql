-- 0026_create_core_field_functions (down): drops the read and prefill functions and the decrypt grant.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

revoke execute on function private.decrypt_pii(bytea) from authenticated, service_role;
drop function public.form_prefill(uuid, uuid);
drop function private.form_prefill(uuid, uuid);
drop function public.core_field_values_for_couple(uuid);
