-- 0007_create_core_field_catalog
-- What and why: the master list of standard wedding fields (core_fields) in field groups
-- (core_field_groups). A couple shares data with a supplier group by group
-- (supplier_client_connections.shared_field_group_keys holds group keys). Seeded here; the list is
-- maintained by the backend only. is_sensitive fields are stored encrypted (see 0013).
-- Lock impact: creates and fills two new tables.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.core_field_groups (
    id uuid not null default gen_random_uuid(),
    key text not null,  -- noqa: RF04
    name text not null,  -- noqa: RF04
    description text,
    position integer not null default 0,  -- noqa: RF04
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_core_field_groups primary key (id),
    constraint unique_core_field_groups_key unique (key),
    constraint check_core_field_groups_key_format check (key ~ '^[a-z][a-z0-9_]*$')
);
comment on table public.core_field_groups is
'Groups of core fields; the unit a couple shares with a connected supplier.';

create table public.core_fields (
    id uuid not null default gen_random_uuid(),
    field_group_id uuid not null,
    key text not null,  -- noqa: RF04
    label text not null,  -- noqa: RF04
    data_type public.core_field_type not null,
    is_sensitive boolean not null default false,
    position integer not null default 0,  -- noqa: RF04
    help_text text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_core_fields primary key (id),
    constraint fk_core_fields_field_group_id_core_field_groups foreign key (field_group_id)
    references public.core_field_groups (id),
    constraint unique_core_fields_key unique (key),
    constraint unique_core_fields_id_field_group_id unique (id, field_group_id),
    constraint check_core_fields_key_format check (key ~ '^[a-z][a-z0-9_]*$')
);
comment on table public.core_fields is 'Master list of standard wedding fields, entered once by the couple.';
create index index_core_fields_on_field_group_id_and_position on public.core_fields (field_group_id, position);

insert into public.core_field_groups (key, name, description, position)
values
('couple_details', 'Couple details', 'The partners'' names.', 1),
('contact_details', 'Contact details', 'Email addresses, phone numbers and home address.', 2),
('wedding_details', 'Wedding details', 'Date, time, guest count and style.', 3),
('venues', 'Venues', 'Ceremony and reception venues.', 4),
('budget', 'Budget', 'The overall wedding budget.', 5),
('preferences', 'Preferences', 'Colours, music and dietary requirements.', 6);

insert into public.core_fields (field_group_id, key, label, data_type, is_sensitive, position)
select
    g.id,
    f.key,
    f.label,
    f.data_type::public.core_field_type,
    f.is_sensitive,
    f.position
from (
    values
    ('couple_details', 'partner_one_name', 'Partner one''s name', 'text', false, 1),
    ('couple_details', 'partner_two_name', 'Partner two''s name', 'text', false, 2),
    ('contact_details', 'partner_one_email', 'Partner one''s email', 'email', false, 1),
    ('contact_details', 'partner_two_email', 'Partner two''s email', 'email', false, 2),
    ('contact_details', 'partner_one_phone', 'Partner one''s phone', 'phone', true, 3),
    ('contact_details', 'partner_two_phone', 'Partner two''s phone', 'phone', true, 4),
    ('contact_details', 'home_address', 'Home address', 'address', true, 5),
    ('wedding_details', 'wedding_date', 'Wedding date', 'date', false, 1),
    ('wedding_details', 'ceremony_time', 'Ceremony time', 'time', false, 2),
    ('wedding_details', 'guest_count', 'Guest count', 'integer', false, 3),
    ('wedding_details', 'wedding_style', 'Wedding style', 'text', false, 4),
    ('venues', 'ceremony_venue_name', 'Ceremony venue', 'text', false, 1),
    ('venues', 'ceremony_venue_address', 'Ceremony venue address', 'address', false, 2),
    ('venues', 'reception_venue_name', 'Reception venue', 'text', false, 3),
    ('venues', 'reception_venue_address', 'Reception venue address', 'address', false, 4),
    ('budget', 'total_budget', 'Total budget', 'currency', false, 1),
    ('preferences', 'colour_scheme', 'Colour scheme', 'text', false, 1),
    ('preferences', 'music_preferences', 'Music preferences', 'long_text', false, 2),
    ('preferences', 'dietary_requirements', 'Dietary requirements', 'long_text', true, 3)
) as f (group_key, key, label, data_type, is_sensitive, position)
inner join public.core_field_groups as g on f.group_key = g.key;

create trigger set_updated_at before update on public.core_field_groups
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.core_field_groups
for each row execute function private.write_audit_log('core_field_groups', 'none');
create trigger set_updated_at before update on public.core_fields
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.core_fields
for each row execute function private.write_audit_log('core_fields', 'none');

alter table public.core_field_groups enable row level security;
alter table public.core_field_groups force row level security;
alter table public.core_fields enable row level security;
alter table public.core_fields force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.core_field_groups from anon, authenticated, service_role;
revoke all on table public.core_fields from anon, authenticated, service_role;
