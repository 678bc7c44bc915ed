-- 0031_alter_prepare_core_field_value
-- What and why: an unknown core_field_id on core_field_values was refused as 23502 "null value in
-- column field_group_id": the BEFORE trigger private.prepare_core_field_value copies
-- field_group_id from core_fields, found nothing, and left it null, so the NOT NULL check fired
-- before the foreign key could. The trigger now raises foreign_key_violation (23503) naming
-- fk_core_field_values_core_field_id_core_fields, with the message, detail, schema and table a
-- real foreign key error carries, so psycopg's Diagnostic.constraint_name reports the rule that
-- was broken. A null core_field_id is left to its NOT NULL constraint (23502 on core_field_id),
-- as before. Nothing else changes (group copy, version, author, encryption).
-- Lock impact: create or replace function only (no table lock).
-- Down checked: tests/integrity/test_migration_round_trips.py (up, down, catalog compared with the
-- state before, up again); the down restores the body and comment of 0013 verbatim.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.prepare_core_field_value()
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
comment on function private.prepare_core_field_value() is
'Trigger: refuses an unknown core field (fk_core_field_values_core_field_id_core_fields), copies '
'field_group_id, bumps version, sets updated_by, encrypts sensitive values.';
