-- 0059_alter_guard_supplier_keeps_owner_locks_supplier
-- What and why: team_members_supplier_keeps_owner (0036) counted a supplier's other accepted owners without a
-- lock, so two owners demoting or removing each other in overlapping requests each saw the other and both
-- committed: a live supplier with no owner (write skew, reproduced through the API by
-- tests/integrity/test_owner_kept_concurrently.py). The guard now locks the supplier's row (for no key update)
-- before counting: owner changes of one supplier take turns, and the later one, recounting after the earlier
-- commit, is refused.
-- Lock impact: replaces one function; at run time, an owner change holds the supplier row's lock to commit.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
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
    -- Owner changes of one supplier take turns: without the lock, two owners demoting each other at once each
    -- still count the other (write skew) and both commit. After the lock, this count sees the earlier commit.
    perform 1 from public.suppliers as s where s.id = old.supplier_id for no key update;
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
