-- 0019_create_journey_tables
-- What and why: customer_journeys (automated workflows) contain ordered journey_nodes placed on a
-- timeline relative to the wedding date (offset_days, negative = before), which contain
-- journey_modules (email, sms, form or task) with optional conditions on form answers
-- (conditions: a JSON array of {form_id, field_key, op, value}). journey_instances keep the
-- execution state of one journey for one client, with next_run_at for the scheduler's
-- "due to run" query. Composite FKs keep every child in its parent's supplier.
-- Lock impact: new tables only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.customer_journeys (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    name text not null,  -- noqa: RF04
    description text,
    status public.journey_status not null default 'draft',
    settings jsonb not null default '{}',  -- noqa: RF04
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_customer_journeys primary key (id),
    constraint fk_customer_journeys_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint unique_customer_journeys_id_supplier_id unique (id, supplier_id)
);
comment on table public.customer_journeys is 'An automated workflow of timeline nodes and modules.';
create index index_customer_journeys_on_supplier_id_and_status on public.customer_journeys (supplier_id, status);

create table public.journey_nodes (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    journey_id uuid not null,
    name text not null,  -- noqa: RF04
    position integer not null,  -- noqa: RF04
    offset_days integer not null default 0,
    send_time time,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_journey_nodes primary key (id),
    constraint fk_journey_nodes_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_journey_nodes_journey_id_customer_journeys foreign key (journey_id, supplier_id)
    references public.customer_journeys (id, supplier_id) on delete cascade,
    constraint unique_journey_nodes_journey_id_position unique (journey_id, position),
    constraint unique_journey_nodes_id_supplier_id unique (id, supplier_id),
    constraint check_journey_nodes_offset_days_range check (offset_days between -1095 and 1095)
);
comment on table public.journey_nodes is 'A point on a journey''s timeline, offset_days from the wedding date.';
create index index_journey_nodes_on_journey_id_and_supplier_id on public.journey_nodes (journey_id, supplier_id);
create index index_journey_nodes_on_supplier_id on public.journey_nodes (supplier_id);

create table public.journey_modules (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    journey_node_id uuid not null,
    position integer not null,  -- noqa: RF04
    module_type public.journey_module_type not null,
    email_template_id uuid,
    sms_template_id uuid,
    form_id uuid,
    task_title text,
    task_description text,
    conditions jsonb not null default '[]',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_journey_modules primary key (id),
    constraint fk_journey_modules_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_journey_modules_journey_node_id_journey_nodes foreign key (journey_node_id, supplier_id)
    references public.journey_nodes (id, supplier_id) on delete cascade,
    constraint fk_journey_modules_email_template_id_email_templates foreign key (email_template_id, supplier_id)
    references public.email_templates (id, supplier_id),
    constraint fk_journey_modules_sms_template_id_sms_templates foreign key (sms_template_id, supplier_id)
    references public.sms_templates (id, supplier_id),
    constraint fk_journey_modules_form_id_forms foreign key (form_id, supplier_id)
    references public.forms (id, supplier_id),
    constraint unique_journey_modules_journey_node_id_position unique (journey_node_id, position),
    constraint check_journey_modules_conditions_is_array check (jsonb_typeof(conditions) = 'array'),
    constraint check_journey_modules_module_type_target check (
        (module_type = 'email' and email_template_id is not null)
        or (module_type = 'sms' and sms_template_id is not null)
        or (module_type = 'form' and form_id is not null)
        or (module_type = 'task' and task_title is not null)
    )
);
comment on table public.journey_modules is
'An action (email, sms, form, task) in a journey node, with conditions on form answers.';
create index index_journey_modules_on_journey_node_id_and_supplier_id
on public.journey_modules (journey_node_id, supplier_id);
create index index_journey_modules_on_supplier_id on public.journey_modules (supplier_id);
create index index_journey_modules_on_email_template_id_and_supplier_id
on public.journey_modules (email_template_id, supplier_id);
create index index_journey_modules_on_sms_template_id_and_supplier_id
on public.journey_modules (sms_template_id, supplier_id);
create index index_journey_modules_on_form_id_and_supplier_id on public.journey_modules (form_id, supplier_id);
create index index_journey_modules_on_conditions on public.journey_modules using gin (conditions jsonb_path_ops);

create table public.journey_instances (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    journey_id uuid not null,
    client_id uuid not null,
    current_node_id uuid,
    status public.journey_instance_status not null default 'active',
    next_run_at timestamptz,
    state jsonb not null default '{}',
    last_error text,
    started_at timestamptz not null default now(),
    completed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_journey_instances primary key (id),
    constraint fk_journey_instances_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_journey_instances_journey_id_customer_journeys foreign key (journey_id, supplier_id)
    references public.customer_journeys (id, supplier_id) on delete cascade,
    constraint fk_journey_instances_client_id_clients foreign key (client_id, supplier_id)
    references public.clients (id, supplier_id) on delete cascade,
    constraint fk_journey_instances_current_node_id_journey_nodes foreign key (current_node_id)
    references public.journey_nodes (id) on delete set null
);
comment on table public.journey_instances is 'Execution state of one journey for one client.';
create index index_journey_instances_on_journey_id_and_supplier_id
on public.journey_instances (journey_id, supplier_id);
create index index_journey_instances_on_client_id_and_supplier_id on public.journey_instances (client_id, supplier_id);
create index index_journey_instances_on_supplier_id_and_status on public.journey_instances (supplier_id, status);
create index index_journey_instances_on_current_node_id on public.journey_instances (current_node_id);
-- The scheduler's "due to run" query: active instances by next_run_at.
create index index_journey_instances_on_next_run_at_where_active
on public.journey_instances (next_run_at) where status = 'active' and deleted_at is null;
create unique index unique_journey_instances_journey_id_client_id
on public.journey_instances (journey_id, client_id) where deleted_at is null;

create trigger set_updated_at before update on public.customer_journeys
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.customer_journeys
for each row execute function private.write_audit_log('customer_journeys', 'supplier_id');
create trigger set_updated_at before update on public.journey_nodes
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.journey_nodes
for each row execute function private.write_audit_log('journey_nodes', 'supplier_id');
create trigger set_updated_at before update on public.journey_modules
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.journey_modules
for each row execute function private.write_audit_log('journey_modules', 'supplier_id');
create trigger set_updated_at before update on public.journey_instances
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.journey_instances
for each row execute function private.write_audit_log('journey_instances', 'supplier_id');

alter table public.customer_journeys enable row level security;
alter table public.customer_journeys force row level security;
alter table public.journey_nodes enable row level security;
alter table public.journey_nodes force row level security;
alter table public.journey_modules enable row level security;
alter table public.journey_modules force row level security;
alter table public.journey_instances enable row level security;
alter table public.journey_instances force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.customer_journeys from anon, authenticated, service_role;
revoke all on table public.journey_nodes from anon, authenticated, service_role;
revoke all on table public.journey_modules from anon, authenticated, service_role;
revoke all on table public.journey_instances from anon, authenticated, service_role;
