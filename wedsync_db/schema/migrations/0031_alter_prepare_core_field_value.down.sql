-- 0031_alter_prepare_core_field_value (down): restores private.prepare_core_field_value as created by 0013.
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
