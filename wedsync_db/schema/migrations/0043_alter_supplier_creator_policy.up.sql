-- 0043_alter_supplier_creator_policy
-- What and why: suppliers_select_creator exists so that the user creating a supplier can read it back in
-- the same INSERT ... RETURNING, before trigger add_supplier_owner has made them its owner. It admitted the
-- creator for ever, so a creator removed from the team kept reading the supplier. Now it admits the creator
-- only while the supplier has no team row at all: that is the moment of the insert; afterwards the creator
-- reads the supplier as any member does, through the team, and loses it on leaving.
-- Lock impact: ACCESS EXCLUSIVE on suppliers briefly (policy change); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.supplier_has_team(p_supplier_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return exists (select 1 from public.team_members as tm where tm.supplier_id = p_supplier_id);
end;
$$;
comment on function private.supplier_has_team(uuid) is
'Whether any team_members row (live or not) exists for the supplier: false only while it is being created.';
revoke execute on function private.supplier_has_team(uuid) from public;
grant execute on function private.supplier_has_team(uuid) to authenticated;

alter policy suppliers_select_creator on public.suppliers
using (deleted_at is null and created_by = (select auth.uid()) and not private.supplier_has_team(id));
comment on policy suppliers_select_creator on public.suppliers is
'Lets in: the user creating the supplier, in its INSERT ... RETURNING only (before the owner row exists).';
