-- 0002_create_private_schema (down): drops the shared trigger functions and the two schemas.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function private.write_audit_log();
drop function private.set_updated_at();
drop schema partitions;
drop schema private;
