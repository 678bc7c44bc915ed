-- 0004_create_audit_log (down): drops the audit table (its triggers go with it) and the guard function.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.audit_log;
drop function private.refuse_audit_log_change();
