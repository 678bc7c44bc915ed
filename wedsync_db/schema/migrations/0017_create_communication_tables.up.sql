-- 0017_create_communication_tables
-- What and why: email_templates and sms_templates (channel sms or whatsapp) are a supplier's
-- reusable templates; messages is the sent history between a supplier and a couple (a thread is one
-- supplier-couple pair, never edited through the API); notifications are in-app notices to one user,
-- created by the backend, which the recipient may only mark read.
-- Tenant partitioning of messages: not done, see schema/README.md ("Tenant partitioning").
-- Lock impact: new tables only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.email_templates (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    name text not null,  -- noqa: RF04
    subject text not null,
    body_html text,
    body_text text not null,
    category text,
    variables jsonb not null default '[]',  -- noqa: RF04
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_email_templates primary key (id),
    constraint fk_email_templates_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint unique_email_templates_id_supplier_id unique (id, supplier_id),
    constraint check_email_templates_subject_length check (char_length(subject) between 1 and 255)
);
comment on table public.email_templates is 'A supplier''s reusable email template.';
create index index_email_templates_on_supplier_id_and_name on public.email_templates (supplier_id, name);

create table public.sms_templates (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    name text not null,  -- noqa: RF04
    channel public.sms_channel not null default 'sms',
    body text not null,
    whatsapp_template_name text,
    variables jsonb not null default '[]',  -- noqa: RF04
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_sms_templates primary key (id),
    constraint fk_sms_templates_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint unique_sms_templates_id_supplier_id unique (id, supplier_id),
    constraint check_sms_templates_body_length check (char_length(body) between 1 and 1600),
    constraint check_sms_templates_whatsapp_template_name_present check (
        channel <> 'whatsapp' or whatsapp_template_name is not null
    )
);
comment on table public.sms_templates is 'A supplier''s reusable SMS or WhatsApp template.';
create index index_sms_templates_on_supplier_id_and_name on public.sms_templates (supplier_id, name);

create table public.messages (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    couple_id uuid not null,
    client_id uuid,
    sender public.message_sender not null,
    sender_user_id uuid,
    channel public.message_channel not null default 'in_app',
    subject text,
    body text not null,
    status public.message_status not null default 'queued',
    sent_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_messages primary key (id),
    constraint fk_messages_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_messages_couple_id_couples foreign key (couple_id) references public.couples (id) on delete cascade,
    constraint fk_messages_client_id_clients foreign key (client_id) references public.clients (id) on delete set null,
    constraint fk_messages_sender_user_id_users foreign key (sender_user_id)
    references auth.users (id) on delete set null,
    constraint check_messages_body_length check (char_length(body) between 1 and 20000)
);
comment on table public.messages is 'Messages between a supplier and a couple (one thread per pair); never edited.';
-- Message thread of one supplier and one couple, in order (covers the supplier FK).
create index index_messages_on_supplier_id_and_couple_id_and_created_at
on public.messages (supplier_id, couple_id, created_at);
create index index_messages_on_couple_id_and_created_at on public.messages (couple_id, created_at);
create index index_messages_on_client_id on public.messages (client_id);
create index index_messages_on_sender_user_id on public.messages (sender_user_id);

create table public.notifications (
    id uuid not null default gen_random_uuid(),
    user_id uuid not null,
    supplier_id uuid,
    kind text not null,
    title text not null,
    body text,
    link text,
    data jsonb not null default '{}',  -- noqa: RF04
    read_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_notifications primary key (id),
    constraint fk_notifications_user_id_users foreign key (user_id) references auth.users (id) on delete cascade,
    constraint fk_notifications_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade
);
comment on table public.notifications is 'In-app notification to one user; the recipient may only mark it read.';
create index index_notifications_on_user_id_and_created_at on public.notifications (user_id, created_at desc);
-- Unread notifications of one user, newest first.
create index index_notifications_on_user_id_and_created_at_where_unread
on public.notifications (user_id, created_at desc) where read_at is null and deleted_at is null;
create index index_notifications_on_supplier_id on public.notifications (supplier_id);

create trigger set_updated_at before update on public.email_templates
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.email_templates
for each row execute function private.write_audit_log('email_templates', 'supplier_id');
create trigger set_updated_at before update on public.sms_templates
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.sms_templates
for each row execute function private.write_audit_log('sms_templates', 'supplier_id');
create trigger set_updated_at before update on public.messages
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.messages
for each row execute function private.write_audit_log('messages', 'supplier_id');
create trigger set_updated_at before update on public.notifications
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.notifications
for each row execute function private.write_audit_log('notifications', 'supplier_id');

alter table public.email_templates enable row level security;
alter table public.email_templates force row level security;
alter table public.sms_templates enable row level security;
alter table public.sms_templates force row level security;
alter table public.messages enable row level security;
alter table public.messages force row level security;
alter table public.notifications enable row level security;
alter table public.notifications force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.email_templates from anon, authenticated, service_role;
revoke all on table public.sms_templates from anon, authenticated, service_role;
revoke all on table public.messages from anon, authenticated, service_role;
revoke all on table public.notifications from anon, authenticated, service_role;
