-- 0014_add_core_field_value_policies
-- What and why: row level security policies and API grants for a couple's core field values, their
-- history and states (core_field_values, core_field_value_history, field_states).
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

-- core_field_values -----------------------------------------------------------------------------------
grant select, insert, delete on table public.core_field_values to authenticated;
grant update (value, is_not_applicable) on table public.core_field_values to authenticated;
grant select, insert, update, delete on table public.core_field_values to service_role;

-- Lets in: the partners of the row's couple.
create policy core_field_values_select_partner on public.core_field_values
for select
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy core_field_values_select_partner on public.core_field_values is
'Lets in: the partners of the row''s couple.';

-- Lets in: team members (viewer and up) of a supplier actively connected to the couple, for field groups shared
-- on that connection only.
create policy core_field_values_select_connected_team on public.core_field_values
for select
to authenticated
using (
    deleted_at is null
    and couple_id = any(array(select private.my_connected_couple_ids('viewer')))
    and (couple_id, field_group_id) in (
        select
            s.couple_id,
            s.field_group_id
        from private.my_shared_field_groups() as s
    )
);
comment on policy core_field_values_select_connected_team on public.core_field_values is
'Lets in: team members (viewer and up) of a supplier actively connected to the couple, for field '
'groups shared on that connection only.';

-- Lets in: the partners of the row's couple.
create policy core_field_values_insert_partner on public.core_field_values
for insert
to authenticated
with check (couple_id = any(array(select private.my_couple_ids())));
comment on policy core_field_values_insert_partner on public.core_field_values is
'Lets in: the partners of the row''s couple.';

-- Lets in: the partners of the row's couple.
create policy core_field_values_update_partner on public.core_field_values
for update
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())))
with check (couple_id = any(array(select private.my_couple_ids())));
comment on policy core_field_values_update_partner on public.core_field_values is
'Lets in: the partners of the row''s couple.';

-- Lets in: the partners of the row's couple.
create policy core_field_values_delete_partner on public.core_field_values
for delete
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy core_field_values_delete_partner on public.core_field_values is
'Lets in: the partners of the row''s couple.';

-- core_field_value_history ----------------------------------------------------------------------------
grant select on table public.core_field_value_history to authenticated;
grant select on table public.core_field_value_history to service_role;

-- Lets in: the partners of the row's couple.
create policy core_field_value_history_select_partner on public.core_field_value_history
for select
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy core_field_value_history_select_partner on public.core_field_value_history is
'Lets in: the partners of the row''s couple.';

-- Lets in: team members (viewer and up) of a supplier actively connected to the couple, for field groups shared
-- on that connection only.
create policy core_field_value_history_select_connected_team on public.core_field_value_history
for select
to authenticated
using (
    deleted_at is null
    and couple_id = any(array(select private.my_connected_couple_ids('viewer')))
    and (couple_id, field_group_id) in (
        select
            s.couple_id,
            s.field_group_id
        from private.my_shared_field_groups() as s
    )
);
comment on policy core_field_value_history_select_connected_team on public.core_field_value_history is
'Lets in: team members (viewer and up) of a supplier actively connected to the couple, for field '
'groups shared on that connection only.';

-- field_states ----------------------------------------------------------------------------------------
grant select on table public.field_states to authenticated;
grant select on table public.field_states to service_role;

-- Lets in: the partners of the row's couple.
create policy field_states_select_partner on public.field_states
for select
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy field_states_select_partner on public.field_states is
'Lets in: the partners of the row''s couple.';

-- Lets in: team members (viewer and up) of a supplier actively connected to the couple, for field groups shared
-- on that connection only.
create policy field_states_select_connected_team on public.field_states
for select
to authenticated
using (
    deleted_at is null
    and couple_id = any(array(select private.my_connected_couple_ids('viewer')))
    and (couple_id, field_group_id) in (
        select
            s.couple_id,
            s.field_group_id
        from private.my_shared_field_groups() as s
    )
);
comment on policy field_states_select_connected_team on public.field_states is
'Lets in: team members (viewer and up) of a supplier actively connected to the couple, for field '
'groups shared on that connection only.';
