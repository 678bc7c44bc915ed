-- 0006_create_client_tables
-- What and why: clients (a supplier's record of a couple it works with, optionally linked to the
-- couple's WedMe account) and supplier_client_connections (the junction that gives a supplier access
-- to a couple's shared data: invited by the supplier, accepted/declined/revoked by the couple, who also
-- chooses which core field groups the connection shares). Policies and grants come in 0011.
-- Lock impact: creates new tables; FKs lock suppliers/couples in SHARE ROW EXCLUSIVE for this transaction.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.clients (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    couple_id uuid,
    partner_one_name text not null,
    partner_two_name text,
    email text,
    phone text,
    wedding_date date,
    venue_name text,
    guest_count integer,
    budget numeric(12, 2),
    status public.client_status not null default 'enquiry',
    lead_source text,
    notes text,
    tags text[] not null default '{}',
    search_vector tsvector generated always as (
        to_tsvector(
            'simple'::regconfig,
            coalesce(partner_one_name, '') || ' ' || coalesce(partner_two_name, '') || ' '
            || coalesce(email, '') || ' ' || coalesce(venue_name, '')
        )
    ) stored,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_clients primary key (id),
    constraint fk_clients_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_clients_couple_id_couples foreign key (couple_id) references public.couples (id) on delete set null,
    constraint unique_clients_id_supplier_id unique (id, supplier_id),
    constraint check_clients_email_format check (email ~* '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    constraint check_clients_phone_format check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    constraint check_clients_wedding_date_plausible check (
        wedding_date between date '2000-01-01' and date '2100-12-31'
    ),
    constraint check_clients_guest_count_not_negative check (guest_count >= 0),
    constraint check_clients_budget_not_negative check (budget >= 0)
);
comment on table public.clients is 'A supplier''s client record (a couple it works with); full-text searchable.';
-- Covers the supplier FK and "clients by status".
create index index_clients_on_supplier_id_and_status on public.clients (supplier_id, status);
-- A supplier's upcoming weddings (hot lookup, live rows only).
create index index_clients_on_supplier_id_and_wedding_date_where_not_deleted
on public.clients (supplier_id, wedding_date) where deleted_at is null;
create index index_clients_on_couple_id on public.clients (couple_id);
-- Client search: search_vector @@ websearch_to_tsquery('simple', ...).
create index index_clients_on_search_vector on public.clients using gin (search_vector);

create table public.supplier_client_connections (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    couple_id uuid not null,
    status public.connection_status not null default 'invited',
    shared_field_group_keys text[] not null default '{}',
    invited_by uuid default auth.uid(),
    responded_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_supplier_client_connections primary key (id),
    constraint fk_supplier_client_connections_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_supplier_client_connections_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete cascade,
    constraint fk_supplier_client_connections_invited_by_users foreign key (invited_by)
    references auth.users (id) on delete set null,
    constraint unique_supplier_client_connections_supplier_id_couple_id unique (supplier_id, couple_id),
    constraint check_supplier_client_connections_shared_keys_no_nulls check (
        array_position(shared_field_group_keys, null) is null
    )
);
comment on table public.supplier_client_connections is
'Supplier-to-couple link; ACTIVE ones grant the supplier''s team the field groups listed in shared_field_group_keys.';
create index index_supplier_client_connections_on_couple_id_and_status
on public.supplier_client_connections (couple_id, status);
create index index_supplier_client_connections_on_invited_by on public.supplier_client_connections (invited_by);

-- Stamps responded_at / revoked_at when the couple changes the status.
create function private.stamp_connection_status()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if new.status is distinct from old.status then
        if new.status in ('active', 'declined') then
            new.responded_at := pg_catalog.now();
        elsif new.status = 'revoked' then
            new.revoked_at := pg_catalog.now();
        end if;
    end if;
    return new;
end;
$$;
comment on function private.stamp_connection_status() is 'Trigger: stamps responded_at/revoked_at on status changes.';
revoke execute on function private.stamp_connection_status() from public;

create trigger stamp_connection_status before update on public.supplier_client_connections
for each row execute function private.stamp_connection_status();

create trigger set_updated_at before update on public.clients
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.clients
for each row execute function private.write_audit_log('clients', 'supplier_id');
create trigger set_updated_at before update on public.supplier_client_connections
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.supplier_client_connections
for each row execute function private.write_audit_log('supplier_client_connections', 'supplier_id');

alter table public.clients enable row level security;
alter table public.clients force row level security;
alter table public.supplier_client_connections enable row level security;
alter table public.supplier_client_connections force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.clients from anon, authenticated, service_role;
revoke all on table public.supplier_client_connections from anon, authenticated, service_role;
