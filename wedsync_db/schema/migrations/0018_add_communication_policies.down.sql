-- 0018_add_communication_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy notifications_update_recipient on public.notifications;
drop policy notifications_select_recipient on public.notifications;
revoke update (read_at) on table public.notifications from anon, authenticated;
revoke all on table public.notifications from anon, authenticated, service_role;
drop policy messages_insert_partner on public.messages;
drop policy messages_insert_team on public.messages;
drop policy messages_select_partner on public.messages;
drop policy messages_select_team on public.messages;
revoke all on table public.messages from anon, authenticated, service_role;
drop policy sms_templates_delete_team on public.sms_templates;
drop policy sms_templates_update_team on public.sms_templates;
drop policy sms_templates_insert_team on public.sms_templates;
drop policy sms_templates_select_team on public.sms_templates;
revoke update (
    name, channel, body, whatsapp_template_name, variables
) on table public.sms_templates from anon, authenticated;
revoke all on table public.sms_templates from anon, authenticated, service_role;
drop policy email_templates_delete_team on public.email_templates;
drop policy email_templates_update_team on public.email_templates;
drop policy email_templates_insert_team on public.email_templates;
drop policy email_templates_select_team on public.email_templates;
revoke update (
    name, subject, body_html, body_text, category, variables
) on table public.email_templates from anon, authenticated;
revoke all on table public.email_templates from anon, authenticated, service_role;
