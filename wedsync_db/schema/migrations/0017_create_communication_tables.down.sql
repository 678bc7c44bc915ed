-- 0017_create_communication_tables (down): drops the four communication tables.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.notifications;
drop table public.messages;
drop table public.sms_templates;
drop table public.email_templates;
