-- 0059_alter_guard_supplier_keeps_owner_locks_supplier (down): the guard of 0036 (search path of 0057).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.guard_supplier_keeps_owner()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if old.role <> 'owner' or old.accepted_at is null or old.deleted_at is not null then
        return null;
    end if;
    if
        tg_op = 'UPDATE'
        and new.role = 'owner' and new.accepted_at is not null and new.deleted_at is null
        and new.supplier_id = old.supplier_id
    then
        return null;
    end if;
    if not exists (select 1 from public.suppliers as s where s.id = old.supplier_id and s.deleted_at is null) then
        return null;
    end if;
    if not exists (
        select 1 from public.team_members as tm
        where
            tm.supplier_id = old.supplier_id
            and tm.role = 'owner'
            and tm.accepted_at is not null
            and tm.deleted_at is null
    ) then
        raise exception 'supplier % would be left without an owner', old.supplier_id
        using
            errcode = 'check_violation',
            constraint = 'team_members_supplier_keeps_owner',
            hint = 'Make another accepted member an owner first.';
    end if;
    return null;
end;
$$;
