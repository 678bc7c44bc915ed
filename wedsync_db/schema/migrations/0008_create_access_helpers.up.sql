-- 0008_create_access_helpers
-- What and why: the membership and connection lookups every policy uses. They are STABLE SECURITY
-- DEFINER functions in the unexposed schema `private` with an empty search_path and fully qualified
-- names: they read team_members, couples and connections without going through those tables' own
-- policies (no policy recursion), and policies call them as `col = any(array(select private.f()))`
-- so the planner runs each once per statement (an InitPlan) and can use the tenant-key index.
-- auth.uid() is read inside each helper, i.e. once per statement.
-- Meaning of "team" in every helper: a live (deleted_at is null) team_members row of the caller, with a
-- role at least p_min_role, on a live supplier. "Active connection": status 'active', not deleted.
-- Lock impact: creates functions only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.my_supplier_ids(p_min_role public.team_role default 'viewer')
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select tm.supplier_id
    from public.team_members as tm
    inner join public.suppliers as s on tm.supplier_id = s.id
    where
        tm.user_id = auth.uid()
        and tm.deleted_at is null
        and s.deleted_at is null
        and tm.role >= p_min_role
$$;
comment on function private.my_supplier_ids(public.team_role) is
'Suppliers on whose team the caller is, with at least the given role.';

create function private.my_couple_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select c.id
    from public.couples as c
    where
        (c.partner_one_user_id = auth.uid() or c.partner_two_user_id = auth.uid())
        and c.deleted_at is null
$$;
comment on function private.my_couple_ids() is 'Couples of which the caller is a partner.';

create function private.my_connected_couple_ids(p_min_role public.team_role default 'viewer')
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select distinct scc.couple_id
    from public.supplier_client_connections as scc
    where
        scc.status = 'active'
        and scc.deleted_at is null
        and scc.supplier_id in (select private.my_supplier_ids(p_min_role))
$$;
comment on function private.my_connected_couple_ids(public.team_role) is
'Couples actively connected to a supplier on whose team the caller is (with at least the given role).';

create function private.my_connected_supplier_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select distinct scc.supplier_id
    from public.supplier_client_connections as scc
    inner join public.suppliers as s on scc.supplier_id = s.id
    where
        scc.status = 'active'
        and scc.deleted_at is null
        and s.deleted_at is null
        and scc.couple_id in (select private.my_couple_ids())
$$;
comment on function private.my_connected_supplier_ids() is
'Suppliers actively connected to a couple of which the caller is a partner.';

create function private.my_shared_field_groups()
returns table (couple_id uuid, field_group_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
    select distinct scc.couple_id, g.id
    from public.supplier_client_connections as scc
    inner join public.core_field_groups as g on g.key = any(scc.shared_field_group_keys)
    where
        scc.status = 'active'
        and scc.deleted_at is null
        and g.deleted_at is null
        and scc.supplier_id in (select private.my_supplier_ids('viewer'))
$$;
comment on function private.my_shared_field_groups() is
'(couple, field group) pairs shared on an active connection with a supplier on whose team the caller is.';

create function private.my_teammate_user_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select distinct tm.user_id
    from public.team_members as tm
    where
        tm.deleted_at is null
        and tm.supplier_id in (select private.my_supplier_ids('viewer'))
$$;
comment on function private.my_teammate_user_ids() is
'Users on the team of a supplier the caller is on (the caller included).';

create function private.is_active_connection(p_supplier_id uuid, p_couple_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select exists (
        select 1
        from public.supplier_client_connections as scc
        where
            scc.supplier_id = p_supplier_id
            and scc.couple_id = p_couple_id
            and scc.status = 'active'
            and scc.deleted_at is null
    )
$$;
comment on function private.is_active_connection(uuid, uuid) is
'True when the supplier and the couple have an active connection.';

revoke execute on function private.my_supplier_ids(public.team_role) from public;
revoke execute on function private.my_couple_ids() from public;
revoke execute on function private.my_connected_couple_ids(public.team_role) from public;
revoke execute on function private.my_connected_supplier_ids() from public;
revoke execute on function private.my_shared_field_groups() from public;
revoke execute on function private.my_teammate_user_ids() from public;
revoke execute on function private.is_active_connection(uuid, uuid) from public;
grant execute on function private.my_supplier_ids(public.team_role) to authenticated;
grant execute on function private.my_couple_ids() to authenticated;
grant execute on function private.my_connected_couple_ids(public.team_role) to authenticated;
grant execute on function private.my_connected_supplier_ids() to authenticated;
grant execute on function private.my_shared_field_groups() to authenticated;
grant execute on function private.my_teammate_user_ids() to authenticated;
grant execute on function private.is_active_connection(uuid, uuid) to authenticated;
