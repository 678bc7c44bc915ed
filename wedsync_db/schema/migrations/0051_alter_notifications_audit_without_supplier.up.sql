-- 0051_alter_notifications_audit_without_supplier
-- What and why: a notification is private to its recipient (policy notifications_select_recipient), but
-- its audit rows were written under the notification's supplier_id (trigger argument 'supplier_id' of
-- 0017), and admins and owners of a supplier read that supplier's audit rows (audit_log_select_team_admin): an
-- admin read a team member's private notification (title, body, data) through audit_log. Notifications
-- are now audited as user-level rows, with no supplier ('none', as user_profiles, couples and the couple's
-- core field values, history and states already are): only service_role reads them. The audit rows already
-- written for notifications lose their supplier_id for the same reason (the only change to the trail,
-- made with the audit maintenance switch for this transaction; their content is unchanged).
-- Other user-private tables checked: user_profiles, couples, core_field_values, core_field_value_history
-- and field_states are audited with 'none'; every table audited under a supplier is readable in full by
-- that supplier's team through its own policies (template_purchases under the seller, whose team reads the
-- purchase), so its audit rows show admins nothing their team cannot already read.
-- Lock impact: ACCESS EXCLUSIVE on notifications briefly (trigger replaced); one update of the
-- notifications' audit rows, found through index_audit_log_on_table_name_and_row_id_and_created_at
-- (row locks on those rows only).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down). The down
-- restores the trigger argument; it cannot give the rewritten audit rows their supplier_id back, and
-- should not.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger write_audit_log on public.notifications;
create trigger write_audit_log after insert or update or delete on public.notifications
for each row execute function private.write_audit_log('notifications', 'none');

select set_config('wedsync.audit_maintenance', 'on', true);
update public.audit_log set supplier_id = null
where table_name = 'notifications' and supplier_id is not null;
select set_config('wedsync.audit_maintenance', 'off', true);
