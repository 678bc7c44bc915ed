-- 0051_alter_notifications_audit_without_supplier (down): notifications are audited under their supplier_id
-- again (0017). Audit rows the up wrote without a supplier stay so: their supplier is not recorded anywhere
-- else, and giving admins back a member's private notification is not a state to restore.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger write_audit_log on public.notifications;
create trigger write_audit_log after insert or update or delete on public.notifications
for each row execute function private.write_audit_log('notifications', 'supplier_id');
