-- 0005_create_user_tables
-- What and why: the account tables. suppliers (wedding vendors), team_members (who works for a
-- supplier, with a role viewer < member < admin < owner), couples (up to two partner users) and
-- user_profiles (one per auth user). Creating a supplier makes its creator the owner (trigger).
-- RLS is enabled and forced here; the policies and grants come in 0010.
-- Lock impact: creates new tables; the foreign keys to auth.users take a SHARE ROW EXCLUSIVE lock
-- on auth.users for the duration of this transaction (short: no rows are validated here).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.suppliers (
    id uuid not null default gen_random_uuid(),
    business_name text not null,
    slug text not null,
    category public.supplier_category not null default 'other',
    email text,
    phone text,
    website_url text,
    description text,
    location text,  -- noqa: RF04
    is_published boolean not null default false,
    created_by uuid default auth.uid(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_suppliers primary key (id),
    constraint fk_suppliers_created_by_users foreign key (created_by) references auth.users (id) on delete set null,
    constraint unique_suppliers_slug unique (slug),
    constraint check_suppliers_business_name_length check (char_length(business_name) between 1 and 200),
    constraint check_suppliers_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    constraint check_suppliers_email_format check (email ~* '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    constraint check_suppliers_phone_format check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    constraint check_suppliers_website_url_format check (website_url ~* '^https?://')
);
comment on table public.suppliers is
'Wedding vendor accounts (the tenants). Published ones are listed in the directory.';
create index index_suppliers_on_created_by on public.suppliers (created_by);
-- Directory browse: published suppliers of a category by name.
create index index_suppliers_on_category_and_business_name_where_published
on public.suppliers (category, business_name) where is_published and deleted_at is null;

create table public.team_members (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    user_id uuid not null,
    role public.team_role not null default 'member',  -- noqa: RF04
    invited_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_team_members primary key (id),
    constraint fk_team_members_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_team_members_user_id_users foreign key (user_id) references auth.users (id) on delete cascade,
    constraint fk_team_members_invited_by_users foreign key (invited_by) references auth.users (id) on delete set null,
    constraint unique_team_members_supplier_id_user_id unique (supplier_id, user_id)
);
comment on table public.team_members is
'Users working for a supplier, with their role (viewer < member < admin < owner).';
-- The membership lookup of every policy: a user's suppliers and roles.
create index index_team_members_on_user_id_and_supplier_id on public.team_members (user_id, supplier_id, role);
create index index_team_members_on_invited_by on public.team_members (invited_by);

create table public.couples (
    id uuid not null default gen_random_uuid(),
    partner_one_user_id uuid not null,
    partner_two_user_id uuid,
    display_name text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_couples primary key (id),
    constraint fk_couples_partner_one_user_id_users foreign key (partner_one_user_id)
    references auth.users (id) on delete cascade,
    constraint fk_couples_partner_two_user_id_users foreign key (partner_two_user_id)
    references auth.users (id) on delete set null,
    constraint check_couples_partner_two_user_id_distinct check (partner_two_user_id <> partner_one_user_id),
    constraint check_couples_display_name_length check (char_length(display_name) between 1 and 200)
);
comment on table public.couples is 'A couple planning a wedding: one or two partner users (WedMe accounts).';
create index index_couples_on_partner_one_user_id on public.couples (partner_one_user_id);
create index index_couples_on_partner_two_user_id on public.couples (partner_two_user_id);

create table public.user_profiles (
    id uuid not null default gen_random_uuid(),
    user_id uuid not null,
    full_name text,
    display_name text,
    avatar_url text,
    phone text,
    locale text not null default 'en-GB',  -- noqa: RF04
    timezone text not null default 'Europe/London',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_user_profiles primary key (id),
    constraint fk_user_profiles_user_id_users foreign key (user_id) references auth.users (id) on delete cascade,
    constraint unique_user_profiles_user_id unique (user_id),
    constraint check_user_profiles_phone_format check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    constraint check_user_profiles_locale_format check (locale ~ '^[a-z]{2}(-[A-Z]{2})?$')
);
comment on table public.user_profiles is 'Extended profile of one auth user.';

-- The creator of a supplier becomes its owner.
create function private.add_supplier_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.created_by is not null then
        insert into public.team_members (supplier_id, user_id, role)
        values (new.id, new.created_by, 'owner')
        on conflict (supplier_id, user_id) do nothing;
    end if;
    return null;
end;
$$;
comment on function private.add_supplier_owner() is 'Trigger: inserts the owner team_members row for a new supplier.';
revoke execute on function private.add_supplier_owner() from public;

create trigger add_supplier_owner after insert on public.suppliers
for each row execute function private.add_supplier_owner();

create trigger set_updated_at before update on public.suppliers
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.suppliers
for each row execute function private.write_audit_log('suppliers', 'id');
create trigger set_updated_at before update on public.team_members
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.team_members
for each row execute function private.write_audit_log('team_members', 'supplier_id');
create trigger set_updated_at before update on public.couples
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.couples
for each row execute function private.write_audit_log('couples', 'none');
create trigger set_updated_at before update on public.user_profiles
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.user_profiles
for each row execute function private.write_audit_log('user_profiles', 'none');

alter table public.suppliers enable row level security;
alter table public.suppliers force row level security;
alter table public.team_members enable row level security;
alter table public.team_members force row level security;
alter table public.couples enable row level security;
alter table public.couples force row level security;
alter table public.user_profiles enable row level security;
alter table public.user_profiles force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.suppliers from anon, authenticated, service_role;
revoke all on table public.team_members from anon, authenticated, service_role;
revoke all on table public.couples from anon, authenticated, service_role;
revoke all on table public.user_profiles from anon, authenticated, service_role;
