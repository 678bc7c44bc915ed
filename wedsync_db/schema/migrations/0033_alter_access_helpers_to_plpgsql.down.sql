-- Restores the SQL-language access helpers of 0008, body for body.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.my_supplier_ids(p_min_role public.team_role default 'viewer')
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

create or replace function private.my_couple_ids()
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

create or replace function private.my_connected_couple_ids(p_min_role public.team_role default 'viewer')
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

create or replace function private.my_connected_supplier_ids()
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

create or replace function private.my_shared_field_groups()
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

create or replace function private.my_teammate_user_ids()
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

create or replace function private.is_active_connection(p_supplier_id uuid, p_couple_id uuid)
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
