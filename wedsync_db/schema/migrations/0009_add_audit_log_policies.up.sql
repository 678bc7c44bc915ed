-- 0009_add_audit_log_policies
-- What and why: row level security policies and API grants for the audit trail (audit_log).
-- Each policy is per command and actor group, named <table>_<command>_<who>, always TO authenticated
-- (or anon, authenticated where visitors may read), with auth.uid() wrapped in a sub-select and
-- membership looked up through the private helpers (0008). Grants: API roles start with nothing
-- (the create migration revoked everything); here each role gets back only the commands its policies
-- allow, UPDATE only on the columns the app may change; service_role gets what the backend needs.
-- The same rules are stated, not as SQL, in schema/access_matrix.yaml.
-- Lock impact: CREATE POLICY and GRANT take ACCESS EXCLUSIVE on each table briefly (new, empty tables).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- audit_log -------------------------------------------------------------------------------------------
-- Lets in: team admins and owners of the supplier the audited row belongs to.
create policy audit_log_select_team_admin on public.audit_log
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy audit_log_select_team_admin on public.audit_log is
'Lets in: team admins and owners of the supplier the audited row belongs to.';
