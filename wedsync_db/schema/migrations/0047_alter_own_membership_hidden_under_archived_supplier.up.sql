-- 0047_alter_own_membership_hidden_under_archived_supplier
-- What and why: soft delete closes the subtree. A user kept reading their own team_members row (supplier id,
-- role) after the supplier was archived; every other path to an archived supplier's rows was already closed.
-- Now team_members_select_self also requires the supplier to be live, through private.supplier_is_live(id):
-- a security definer lookup, because an invited user cannot read the supplier row itself.
-- Lock impact: ACCESS EXCLUSIVE on team_members briefly (policy change); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.supplier_is_live(p_supplier_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return exists (select 1 from public.suppliers as s where s.id = p_supplier_id and s.deleted_at is null);
end;
$$;
comment on function private.supplier_is_live(uuid) is 'Whether the supplier exists and is not archived.';
revoke execute on function private.supplier_is_live(uuid) from public;
grant execute on function private.supplier_is_live(uuid) to authenticated;

alter policy team_members_select_self on public.team_members
using (deleted_at is null and user_id = (select auth.uid()) and private.supplier_is_live(supplier_id));
comment on policy team_members_select_self on public.team_members is
'Lets in: the member themself (an invitation included), while the supplier is live.';
