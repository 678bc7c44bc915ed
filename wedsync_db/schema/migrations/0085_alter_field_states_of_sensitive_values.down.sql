-- 0085_alter_field_states_of_sensitive_values (down): the trigger functions as 0031 and 0057 left them; drops
-- the clearing trigger.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger clear_sensitive_core_field_value on public.core_field_values;
drop function private.clear_sensitive_core_field_value();

create or replace function private.prepare_core_field_value()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_group uuid;
    v_sensitive boolean;
begin
    select f.field_group_id, f.is_sensitive into v_group, v_sensitive
    from public.core_fields as f
    where f.id = new.core_field_id;
    if not found and new.core_field_id is not null then
        -- What the composite foreign key would say, had the missing group not failed NOT NULL first.
        raise exception 'insert or update on table "core_field_values" violates foreign key constraint '
            '"fk_core_field_values_core_field_id_core_fields"'
            using errcode = 'foreign_key_violation',
            constraint = 'fk_core_field_values_core_field_id_core_fields',
            schema = 'public',
            table = 'core_field_values',
            column = 'core_field_id',
            detail = pg_catalog.format(
                'Key (core_field_id)=(%s) is not present in table "core_fields".', new.core_field_id
            );
    end if;
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

create or replace function private.record_core_field_value_change()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
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
