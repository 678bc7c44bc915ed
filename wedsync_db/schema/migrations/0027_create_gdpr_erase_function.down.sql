-- 0027_create_gdpr_erase_function (down): drops the erase functions.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function public.erase_couple(uuid);
drop function private.erase_couple(uuid);
drop function private.redact_audit_values(jsonb, uuid[]);
