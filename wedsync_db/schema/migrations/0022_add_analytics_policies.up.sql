-- 0022_add_analytics_policies
-- What and why: row level security policies and API grants for analytics (activities,
-- analytics_events, performance_metrics).
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

-- activities ------------------------------------------------------------------------------------------
grant select, insert on table public.activities to authenticated;
grant select, insert, update, delete on table public.activities to service_role;

-- Lets in: team members (viewer and up) of the activity's supplier.
create policy activities_select_team on public.activities
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy activities_select_team on public.activities is
'Lets in: team members (viewer and up) of the activity''s supplier.';

-- Lets in: team members (member and up) logging their own action.
create policy activities_insert_team on public.activities
for insert
to authenticated
with check (
    actor_user_id = (select auth.uid())
    and supplier_id = any(array(select private.my_supplier_ids('member')))
);
comment on policy activities_insert_team on public.activities is
'Lets in: team members (member and up) logging their own action.';

-- analytics_events ------------------------------------------------------------------------------------
grant select, insert on table public.analytics_events to authenticated;
grant select, insert, update, delete on table public.analytics_events to service_role;

-- Lets in: team admins and owners of the event's supplier.
create policy analytics_events_select_team_admin on public.analytics_events
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy analytics_events_select_team_admin on public.analytics_events is
'Lets in: team admins and owners of the event''s supplier.';

-- Lets in: team members (member and up) recording their own event.
create policy analytics_events_insert_team on public.analytics_events
for insert
to authenticated
with check (
    actor_user_id = (select auth.uid())
    and supplier_id = any(array(select private.my_supplier_ids('member')))
);
comment on policy analytics_events_insert_team on public.analytics_events is
'Lets in: team members (member and up) recording their own event.';

-- performance_metrics ---------------------------------------------------------------------------------
grant select on table public.performance_metrics to authenticated;
grant select, insert, update, delete on table public.performance_metrics to service_role;

-- Lets in: team admins and owners of the metric's supplier.
create policy performance_metrics_select_team_admin on public.performance_metrics
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy performance_metrics_select_team_admin on public.performance_metrics is
'Lets in: team admins and owners of the metric''s supplier.';
