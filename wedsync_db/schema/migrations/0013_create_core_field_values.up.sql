-- 0013_create_core_field_values
-- What and why: the couple's single source of truth. core_field_values holds one value per couple
-- and core field, entered once by the couple; every change is kept in core_field_value_history
-- (who, when, old, new, version) and field_states tracks each field's completion state
-- (completed, partial, pending, not_applicable). History and states are written only by the
-- triggers here. Values of is_sensitive core fields are stored encrypted: the before trigger moves
-- them into value_encrypted with pgp_sym_encrypt and the key from the setting wedsync.pii_key
-- (private.pii_key() raises a clear error when it is unset); value is then null.
-- field_group_id is copied from core_fields so that the connected-supplier policy can match the
-- couple's shared field groups without a join; a composite foreign key keeps it consistent.
-- A new couple gets a pending field_states row for every core field (trigger on couples).
-- Lock impact: new tables; adds a trigger to couples (SHARE ROW EXCLUSIVE on couples, brief).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.core_field_values (
    id uuid not null default gen_random_uuid(),
    couple_id uuid not null,
    core_field_id uuid not null,
    field_group_id uuid not null,
    value jsonb,  -- noqa: RF04
    value_encrypted bytea,
    is_not_applicable boolean not null default false,
    version integer not null default 1,  -- noqa: RF04
    updated_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_core_field_values primary key (id),
    constraint fk_core_field_values_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete cascade,
    constraint fk_core_field_values_core_field_id_core_fields foreign key (core_field_id, field_group_id)
    references public.core_fields (id, field_group_id),
    constraint fk_core_field_values_field_group_id_core_field_groups foreign key (field_group_id)
    references public.core_field_groups (id),
    constraint fk_core_field_values_updated_by_users foreign key (updated_by)
    references auth.users (id) on delete set null,
    constraint unique_core_field_values_couple_id_core_field_id unique (couple_id, core_field_id),
    constraint check_core_field_values_version_positive check (version >= 1),
    constraint check_core_field_values_one_storage check (value is null or value_encrypted is null)
);
comment on table public.core_field_values is
'A couple''s value for one core field; sensitive fields are in value_encrypted (pgp_sym_encrypt).';
-- couple_id is covered by the unique constraint; the connected-supplier policy filters on (couple_id, field_group_id).
create index index_core_field_values_on_couple_id_and_field_group_id
on public.core_field_values (couple_id, field_group_id) where deleted_at is null;
create index index_core_field_values_on_core_field_id_and_field_group_id
on public.core_field_values (core_field_id, field_group_id);
create index index_core_field_values_on_field_group_id on public.core_field_values (field_group_id);
create index index_core_field_values_on_updated_by on public.core_field_values (updated_by);

create table public.core_field_value_history (
    id uuid not null default gen_random_uuid(),
    core_field_value_id uuid,
    couple_id uuid not null,
    core_field_id uuid not null,
    field_group_id uuid not null,
    version integer not null,  -- noqa: RF04
    action public.audit_action not null,  -- noqa: RF04
    old_value jsonb,
    new_value jsonb,
    old_value_encrypted bytea,
    new_value_encrypted bytea,
    changed_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_core_field_value_history primary key (id),
    constraint fk_core_field_value_history_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete cascade,
    constraint fk_core_field_value_history_core_field_id_core_fields foreign key (core_field_id)
    references public.core_fields (id),
    constraint fk_core_field_value_history_field_group_id_core_field_groups foreign key (field_group_id)
    references public.core_field_groups (id),
    constraint fk_core_field_value_history_changed_by_users foreign key (changed_by)
    references auth.users (id) on delete set null
);
comment on table public.core_field_value_history is
'Every change to a core field value (who, when, old, new, version).';
create index index_core_field_value_history_on_couple_id_and_field_group_id
on public.core_field_value_history (couple_id, field_group_id);
create index index_core_field_value_history_on_core_field_id on public.core_field_value_history (core_field_id);
create index index_core_field_value_history_on_field_group_id on public.core_field_value_history (field_group_id);
create index index_core_field_value_history_on_changed_by on public.core_field_value_history (changed_by);
create index index_core_field_value_history_on_core_field_value_id
on public.core_field_value_history (core_field_value_id);

create table public.field_states (
    id uuid not null default gen_random_uuid(),
    couple_id uuid not null,
    core_field_id uuid not null,
    field_group_id uuid not null,
    state public.field_state not null default 'pending',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_field_states primary key (id),
    constraint fk_field_states_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete cascade,
    constraint fk_field_states_core_field_id_core_fields foreign key (core_field_id, field_group_id)
    references public.core_fields (id, field_group_id),
    constraint fk_field_states_field_group_id_core_field_groups foreign key (field_group_id)
    references public.core_field_groups (id),
    constraint unique_field_states_couple_id_core_field_id unique (couple_id, core_field_id)
);
comment on table public.field_states is 'Completion state of each core field for a couple; maintained by trigger.';
create index index_field_states_on_couple_id_and_field_group_id on public.field_states (couple_id, field_group_id);
create index index_field_states_on_core_field_id_and_field_group_id
on public.field_states (core_field_id, field_group_id);
create index index_field_states_on_field_group_id on public.field_states (field_group_id);

-- The PII key. Kept in a setting (alter database ... set wedsync.pii_key, or set by the backend per
-- session); functions that encrypt or decrypt call this and fail loudly when it is missing.
create function private.pii_key()
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
    v_key text := nullif(pg_catalog.current_setting('wedsync.pii_key', true), '');
begin
    if v_key is null then
        raise exception 'wedsync.pii_key is not set: sensitive core field values cannot be encrypted or decrypted'
            using errcode = 'invalid_parameter_value',
            hint = 'alter database <db> set wedsync.pii_key = ''<secret>'' (or set it in the backend session)';
    end if;
    return v_key;
end;
$$;
comment on function private.pii_key() is
'The symmetric key for PII columns, from setting wedsync.pii_key; raises if unset.';
revoke execute on function private.pii_key() from public;

-- Decrypts a sensitive value (used by the read functions of 0026 and by triggers).
create function private.decrypt_pii(p_value bytea)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
    select case when p_value is not null then extensions.pgp_sym_decrypt(p_value, private.pii_key())::jsonb end
$$;
comment on function private.decrypt_pii(bytea) is 'pgp_sym_decrypt of a PII column with wedsync.pii_key, as jsonb.';
revoke execute on function private.decrypt_pii(bytea) from public;

-- State of a value: not_applicable when the couple said so; pending when empty; partial when a JSON
-- object or array has some empty members; completed otherwise.
create function private.core_field_state(p_value jsonb, p_is_encrypted boolean, p_is_not_applicable boolean)
returns public.field_state
language sql
immutable
set search_path = ''
as $$
    select case
        when p_is_not_applicable then 'not_applicable'::public.field_state
        when p_is_encrypted then 'completed'::public.field_state
        when p_value is null or p_value = 'null'::jsonb or p_value = '""'::jsonb
            or p_value = '{}'::jsonb or p_value = '[]'::jsonb then 'pending'::public.field_state
        when pg_catalog.jsonb_typeof(p_value) = 'object' and exists (
            select 1 from pg_catalog.jsonb_each(p_value) as e (key, value)
            where e.value = 'null'::jsonb or e.value = '""'::jsonb
        ) then 'partial'::public.field_state
        when pg_catalog.jsonb_typeof(p_value) = 'array' and exists (
            select 1 from pg_catalog.jsonb_array_elements(p_value) as e (value)
            where e.value = 'null'::jsonb or e.value = '""'::jsonb
        ) then 'partial'::public.field_state
        else 'completed'::public.field_state
    end
$$;
comment on function private.core_field_state(jsonb, boolean, boolean) is 'Completion state of one core field value.';
revoke execute on function private.core_field_state(jsonb, boolean, boolean) from public;

-- Before insert/update of a value: group, version, author, encryption.
create function private.prepare_core_field_value()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_group uuid;
    v_sensitive boolean;
begin
    select f.field_group_id, f.is_sensitive into v_group, v_sensitive
    from public.core_fields as f
    where f.id = new.core_field_id;
    new.field_group_id := v_group;
    if v_sensitive and new.value is not null then
        new.value_encrypted := extensions.pgp_sym_encrypt(new.value::text, private.pii_key());
        new.value := null;
    elsif not v_sensitive then
        new.value_encrypted := null;
    end if;
    if tg_op = 'UPDATE' then
        new.version := old.version + 1;
    else
        new.version := 1;
    end if;
    new.updated_by := coalesce(auth.uid(), new.updated_by);
    return new;
end;
$$;
comment on function private.prepare_core_field_value() is
'Trigger: copies field_group_id, bumps version, sets updated_by, encrypts sensitive values.';
revoke execute on function private.prepare_core_field_value() from public;

-- After any change of a value: one history row and the field state.
create function private.record_core_field_value_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_row public.core_field_values;
begin
    if tg_op = 'DELETE' then
        -- The couple itself is being deleted (cascade): its history and states go with it.
        if not exists (select 1 from public.couples as c where c.id = old.couple_id) then
            return null;
        end if;
        v_row := old;
    else
        v_row := new;
    end if;
    insert into public.core_field_value_history (
        core_field_value_id, couple_id, core_field_id, field_group_id, version, action,
        old_value, new_value, old_value_encrypted, new_value_encrypted, changed_by
    )
    values (
        v_row.id, v_row.couple_id, v_row.core_field_id, v_row.field_group_id,
        case when tg_op = 'DELETE' then old.version + 1 else new.version end,
        pg_catalog.lower(tg_op)::public.audit_action,
        case when tg_op <> 'INSERT' then old.value end,
        case when tg_op <> 'DELETE' then new.value end,
        case when tg_op <> 'INSERT' then old.value_encrypted end,
        case when tg_op <> 'DELETE' then new.value_encrypted end,
        auth.uid()
    );
    insert into public.field_states as fs (couple_id, core_field_id, field_group_id, state)
    values (
        v_row.couple_id, v_row.core_field_id, v_row.field_group_id,
        case
            when tg_op = 'DELETE' or v_row.deleted_at is not null then 'pending'::public.field_state
            else private.core_field_state(v_row.value, v_row.value_encrypted is not null, v_row.is_not_applicable)
        end
    )
    on conflict (couple_id, core_field_id) do update set state = excluded.state
    where fs.state is distinct from excluded.state;
    return null;
end;
$$;
comment on function private.record_core_field_value_change() is
'Trigger: appends core_field_value_history and upserts field_states after a value changes.';
revoke execute on function private.record_core_field_value_change() from public;

-- A new couple starts with every core field pending.
create function private.seed_field_states()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into public.field_states (couple_id, core_field_id, field_group_id, state)
    select new.id, f.id, f.field_group_id, 'pending'
    from public.core_fields as f
    where f.deleted_at is null
    on conflict (couple_id, core_field_id) do nothing;
    return null;
end;
$$;
comment on function private.seed_field_states() is
'Trigger: inserts a pending field_states row per core field for a new couple.';
revoke execute on function private.seed_field_states() from public;

create trigger prepare_core_field_value before insert or update on public.core_field_values
for each row execute function private.prepare_core_field_value();
create trigger record_core_field_value_change after insert or update or delete on public.core_field_values
for each row execute function private.record_core_field_value_change();
create trigger seed_field_states after insert on public.couples
for each row execute function private.seed_field_states();

create trigger set_updated_at before update on public.core_field_values
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.core_field_values
for each row execute function private.write_audit_log('core_field_values', 'none');
create trigger set_updated_at before update on public.core_field_value_history
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.core_field_value_history
for each row execute function private.write_audit_log('core_field_value_history', 'none');
create trigger set_updated_at before update on public.field_states
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.field_states
for each row execute function private.write_audit_log('field_states', 'none');

alter table public.core_field_values enable row level security;
alter table public.core_field_values force row level security;
alter table public.core_field_value_history enable row level security;
alter table public.core_field_value_history force row level security;
alter table public.field_states enable row level security;
alter table public.field_states force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.core_field_values from anon, authenticated, service_role;
revoke all on table public.core_field_value_history from anon, authenticated, service_role;
revoke all on table public.field_states from anon, authenticated, service_role;
