-- 0015_create_form_tables
-- What and why: forms (a supplier's form), form_versions (the schema of one version; immutable once
-- published, enforced by trigger for every role), form_responses (a couple's answers to one
-- version: draft editable by the couple, immutable once submitted) and field_mappings (form field
-- key to core field, with the allow-override flag used by public.form_prefill, 0026).
-- Composite foreign keys (child_id, supplier_id) -> parent (id, supplier_id) keep every child in its
-- parent's tenant, so no row can point across suppliers even when written by service_role.
-- Tenant partitioning of form_responses: not done, see schema/README.md ("Tenant partitioning").
-- Lock impact: new tables only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.forms (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    title text not null,
    description text,
    category text,
    settings jsonb not null default '{}',  -- noqa: RF04
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_forms primary key (id),
    constraint fk_forms_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint unique_forms_id_supplier_id unique (id, supplier_id),
    constraint check_forms_title_length check (char_length(title) between 1 and 200)
);
comment on table public.forms is 'A supplier''s form; its content lives in form_versions.';
create index index_forms_on_supplier_id_and_created_at on public.forms (supplier_id, created_at desc);

create table public.form_versions (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    form_id uuid not null,
    version_number integer not null,
    title text not null,
    schema jsonb not null,  -- noqa: RF04
    status public.form_version_status not null default 'draft',
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_form_versions primary key (id),
    constraint fk_form_versions_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_form_versions_form_id_forms foreign key (form_id, supplier_id)
    references public.forms (id, supplier_id) on delete cascade,
    constraint unique_form_versions_form_id_version_number unique (form_id, version_number),
    constraint unique_form_versions_id_supplier_id unique (id, supplier_id),
    constraint check_form_versions_version_number_positive check (version_number >= 1),
    constraint check_form_versions_schema_is_object check (jsonb_typeof(schema) = 'object')
);
comment on table public.form_versions is 'One version of a form''s schema; immutable once published.';
create index index_form_versions_on_form_id_and_supplier_id on public.form_versions (form_id, supplier_id);
create index index_form_versions_on_supplier_id on public.form_versions (supplier_id);
create index index_form_versions_on_schema on public.form_versions using gin (schema jsonb_path_ops);

create table public.form_responses (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    form_version_id uuid not null,
    couple_id uuid not null,
    client_id uuid,
    status public.response_status not null default 'draft',
    answers jsonb not null default '{}',
    submitted_at timestamptz,
    submitted_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_form_responses primary key (id),
    constraint fk_form_responses_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_form_responses_form_version_id_form_versions foreign key (form_version_id, supplier_id)
    references public.form_versions (id, supplier_id),
    constraint fk_form_responses_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete cascade,
    constraint fk_form_responses_client_id_clients foreign key (client_id)
    references public.clients (id) on delete set null,
    constraint fk_form_responses_submitted_by_users foreign key (submitted_by)
    references auth.users (id) on delete set null,
    constraint check_form_responses_answers_is_object check (jsonb_typeof(answers) = 'object'),
    constraint check_form_responses_submitted_at_present check ((status = 'submitted') = (submitted_at is not null))
);
comment on table public.form_responses is 'A couple''s answers to one form version; immutable once submitted.';
create index index_form_responses_on_form_version_id_and_supplier_id
on public.form_responses (form_version_id, supplier_id);
-- Response inbox, newest first (covers the supplier FK).
create index index_form_responses_on_supplier_id_and_created_at on public.form_responses (supplier_id, created_at desc);
create index index_form_responses_on_couple_id_and_form_version_id
on public.form_responses (couple_id, form_version_id);
create index index_form_responses_on_client_id on public.form_responses (client_id);
create index index_form_responses_on_submitted_by on public.form_responses (submitted_by);
create index index_form_responses_on_answers on public.form_responses using gin (answers jsonb_path_ops);

create table public.field_mappings (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    form_id uuid not null,
    form_field_key text not null,
    core_field_id uuid not null,
    allow_override boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_field_mappings primary key (id),
    constraint fk_field_mappings_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_field_mappings_form_id_forms foreign key (form_id, supplier_id)
    references public.forms (id, supplier_id) on delete cascade,
    constraint fk_field_mappings_core_field_id_core_fields foreign key (core_field_id)
    references public.core_fields (id),
    constraint unique_field_mappings_form_id_form_field_key unique (form_id, form_field_key)
);
comment on table public.field_mappings is
'Maps a form field to a core field (value inheritance), optionally overridable.';
create index index_field_mappings_on_form_id_and_supplier_id on public.field_mappings (form_id, supplier_id);
create index index_field_mappings_on_supplier_id on public.field_mappings (supplier_id);
create index index_field_mappings_on_core_field_id on public.field_mappings (core_field_id);

-- A published version never changes (deletion stays possible while no response points at it).
create function private.guard_form_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if old.status = 'published' then
        raise exception 'form version % is published and can never change', old.id
            using errcode = 'integrity_constraint_violation',
            constraint = 'form_versions_published_immutable',
            hint = 'Create a new draft version instead.';
    end if;
    if new.status = 'published' then
        new.published_at := pg_catalog.now();
    end if;
    return new;
end;
$$;
comment on function private.guard_form_version() is
'Trigger: refuses any update of a published form version (form_versions_published_immutable).';
revoke execute on function private.guard_form_version() from public;

create function private.stamp_form_version_publication()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if new.status = 'published' then
        new.published_at := pg_catalog.now();
    end if;
    return new;
end;
$$;
comment on function private.stamp_form_version_publication() is
'Trigger: stamps published_at on insert of a published version.';
revoke execute on function private.stamp_form_version_publication() from public;

-- Responses answer published versions only; a submitted response never changes.
create function private.guard_form_response()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op = 'UPDATE' and old.status = 'submitted' then
        raise exception 'form response % is submitted and can never change', old.id
            using errcode = 'integrity_constraint_violation',
            constraint = 'form_responses_submitted_immutable';
    end if;
    if tg_op = 'INSERT' and not exists (
        select 1 from public.form_versions as fv
        where fv.id = new.form_version_id and fv.status = 'published'
    ) then
        raise exception 'form version % is not published: it cannot be answered', new.form_version_id
            using errcode = 'integrity_constraint_violation',
            constraint = 'form_responses_published_version';
    end if;
    if new.status = 'submitted' then
        new.submitted_at := pg_catalog.now();
        new.submitted_by := coalesce(auth.uid(), new.submitted_by);
    end if;
    return new;
end;
$$;
comment on function private.guard_form_response() is
'Trigger: responses answer published versions (form_responses_published_version) and are immutable once '
'submitted (form_responses_submitted_immutable); stamps submitted_at.';
revoke execute on function private.guard_form_response() from public;

create trigger guard_form_version before update on public.form_versions
for each row execute function private.guard_form_version();
create trigger stamp_form_version_publication before insert on public.form_versions
for each row execute function private.stamp_form_version_publication();
create trigger guard_form_response before insert or update on public.form_responses
for each row execute function private.guard_form_response();

create trigger set_updated_at before update on public.forms
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.forms
for each row execute function private.write_audit_log('forms', 'supplier_id');
create trigger set_updated_at before update on public.form_versions
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.form_versions
for each row execute function private.write_audit_log('form_versions', 'supplier_id');
create trigger set_updated_at before update on public.form_responses
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.form_responses
for each row execute function private.write_audit_log('form_responses', 'supplier_id');
create trigger set_updated_at before update on public.field_mappings
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.field_mappings
for each row execute function private.write_audit_log('field_mappings', 'supplier_id');

alter table public.forms enable row level security;
alter table public.forms force row level security;
alter table public.form_versions enable row level security;
alter table public.form_versions force row level security;
alter table public.form_responses enable row level security;
alter table public.form_responses force row level security;
alter table public.field_mappings enable row level security;
alter table public.field_mappings force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.forms from anon, authenticated, service_role;
revoke all on table public.form_versions from anon, authenticated, service_role;
revoke all on table public.form_responses from anon, authenticated, service_role;
revoke all on table public.field_mappings from anon, authenticated, service_role;
