-- 0028_create_audit_retention_function (down): drops the retention functions.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function public.purge_audit_log(timestamptz, interval);
drop function private.purge_audit_log(timestamptz, interval);
