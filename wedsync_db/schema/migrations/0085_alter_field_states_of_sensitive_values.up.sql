-- 0085_alter_field_states_of_sensitive_values
-- What and why: field states of sensitive (encrypted) core field values follow the rules of plain ones.
--   * The state was computed from the stored row, where a sensitive value is only ciphertext: every encrypted
--     value was 'completed', an empty ("", null, {}, []) or partly filled ({"postcode": ""}) one included. The
--     after trigger record_core_field_value_change now computes the state on the plaintext, the value as the
--     couple wrote it before the before trigger encrypted it (decrypted again with the PII key: ~0.5 ms per write
--     of a sensitive value), by the same private.core_field_state rules: not_applicable, pending, partial, completed.
--   * Setting a sensitive value to null kept the old ciphertext (the stored value of a sensitive field is always
--     null, so the before trigger saw "no value" and left value_encrypted alone): the value stayed, readable
--     through core_field_values_for_couple, and its state stayed completed. New trigger
--     clear_sensitive_core_field_value (before update OF value, so only when the statement sets value, and only to
--     null) clears value_encrypted of a sensitive field; an update that does not name value (marking the field not
--     applicable, say) keeps it. The history row of that update has new_value_encrypted null: the clearing is
--     recorded, with the old ciphertext beside it as for any change.
--   * An API insert of a sensitive field without a value stores no ciphertext either (it could only be forged).
-- Existing states of sensitive values are recomputed (this needs wedsync.pii_key when such values exist).
-- Lock impact: replaces two trigger functions and adds a trigger on core_field_values (ACCESS EXCLUSIVE briefly);
-- the backfill updates field_states rows of sensitive values whose state changes.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down); states the up
-- recomputed stay recomputed.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

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
    elsif tg_op = 'INSERT' and private.caller_is_under_rls() then
        -- An API insert without a value stores no ciphertext (it could only be a forged one).
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
            else private.core_field_state(
                coalesce(v_row.value, private.decrypt_pii(v_row.value_encrypted)), false, v_row.is_not_applicable
            )
        end
    )
    on conflict (couple_id, core_field_id) do update set state = excluded.state
    where fs.state is distinct from excluded.state;
    return null;
end;
$$;

create function private.clear_sensitive_core_field_value()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if exists (select 1 from public.core_fields as f where f.id = new.core_field_id and f.is_sensitive) then
        new.value_encrypted := null;
    end if;
    return new;
end;
$$;
comment on function private.clear_sensitive_core_field_value() is
'Trigger: setting a sensitive core field value to null clears its ciphertext.';
revoke execute on function private.clear_sensitive_core_field_value() from public;

-- Runs before prepare_core_field_value (triggers fire in name order), only when the statement sets value to null.
create trigger clear_sensitive_core_field_value before update of value on public.core_field_values
for each row
when (new.value is null)
execute function private.clear_sensitive_core_field_value();

update public.field_states as fs
set state = private.core_field_state(private.decrypt_pii(v.value_encrypted), false, v.is_not_applicable)
from public.core_field_values as v
where
    v.couple_id = fs.couple_id
    and v.core_field_id = fs.core_field_id
    and v.value_encrypted is not null
    and v.deleted_at is null
    and fs.state
    is distinct from private.core_field_state(private.decrypt_pii(v.value_encrypted), false, v.is_not_applicable);
