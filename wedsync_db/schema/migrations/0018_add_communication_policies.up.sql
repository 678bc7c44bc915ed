-- 0018_add_communication_policies
-- What and why: row level security policies and API grants for communication (email_templates,
-- sms_templates, messages, notifications).
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

-- email_templates -------------------------------------------------------------------------------------
grant select, insert, delete on table public.email_templates to authenticated;
grant update (
    name, subject, body_html, body_text, category, variables
) on table public.email_templates to authenticated;
grant select, insert, update, delete on table public.email_templates to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy email_templates_select_team on public.email_templates
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy email_templates_select_team on public.email_templates is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy email_templates_insert_team on public.email_templates
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy email_templates_insert_team on public.email_templates is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy email_templates_update_team on public.email_templates
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy email_templates_update_team on public.email_templates is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy email_templates_delete_team on public.email_templates
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy email_templates_delete_team on public.email_templates is
'Lets in: team members (admin and up) of the row''s supplier.';

-- sms_templates ---------------------------------------------------------------------------------------
grant select, insert, delete on table public.sms_templates to authenticated;
grant update (name, channel, body, whatsapp_template_name, variables) on table public.sms_templates to authenticated;
grant select, insert, update, delete on table public.sms_templates to service_role;

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy sms_templates_select_team on public.sms_templates
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy sms_templates_select_team on public.sms_templates is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy sms_templates_insert_team on public.sms_templates
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy sms_templates_insert_team on public.sms_templates is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy sms_templates_update_team on public.sms_templates
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy sms_templates_update_team on public.sms_templates is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy sms_templates_delete_team on public.sms_templates
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy sms_templates_delete_team on public.sms_templates is
'Lets in: team members (admin and up) of the row''s supplier.';

-- messages --------------------------------------------------------------------------------------------
grant select, insert on table public.messages to authenticated;
grant select, insert, update, delete on table public.messages to service_role;

-- Lets in: team members (viewer and up) of the message's supplier.
create policy messages_select_team on public.messages
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy messages_select_team on public.messages is
'Lets in: team members (viewer and up) of the message''s supplier.';

-- Lets in: the partners of the message's couple.
create policy messages_select_partner on public.messages
for select
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy messages_select_partner on public.messages is
'Lets in: the partners of the message''s couple.';

-- Lets in: team members (member and up) writing as the supplier to an actively connected couple.
create policy messages_insert_team on public.messages
for insert
to authenticated
with check (
    sender = 'supplier'
    and sender_user_id = (select auth.uid())
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and private.is_active_connection(supplier_id, couple_id)
);
comment on policy messages_insert_team on public.messages is
'Lets in: team members (member and up) writing as the supplier to an actively connected couple.';

-- Lets in: partners writing as the couple to an actively connected supplier.
create policy messages_insert_partner on public.messages
for insert
to authenticated
with check (
    sender = 'couple'
    and sender_user_id = (select auth.uid())
    and couple_id = any(array(select private.my_couple_ids()))
    and private.is_active_connection(supplier_id, couple_id)
);
comment on policy messages_insert_partner on public.messages is
'Lets in: partners writing as the couple to an actively connected supplier.';

-- notifications ---------------------------------------------------------------------------------------
grant select on table public.notifications to authenticated;
grant update (read_at) on table public.notifications to authenticated;
grant select, insert, update, delete on table public.notifications to service_role;

-- Lets in: the notification's recipient.
create policy notifications_select_recipient on public.notifications
for select
to authenticated
using (deleted_at is null and user_id = (select auth.uid()));
comment on policy notifications_select_recipient on public.notifications is
'Lets in: the notification''s recipient.';

-- Lets in: the notification's recipient (marking it read).
create policy notifications_update_recipient on public.notifications
for update
to authenticated
using (deleted_at is null and user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy notifications_update_recipient on public.notifications is
'Lets in: the notification''s recipient (marking it read).';
