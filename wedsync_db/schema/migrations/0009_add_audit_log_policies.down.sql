-- 0009_add_audit_log_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy audit_log_select_team_admin on public.audit_log;
