-- 0044_alter_connection_helpers_to_live_parties (down): restores the three helpers of 0033.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.my_connected_couple_ids(p_min_role public.team_role default 'viewer')
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        select distinct scc.couple_id
        from public.supplier_client_connections as scc
        where
            scc.status = 'active'
            and scc.deleted_at is null
            and scc.supplier_id in (select private.my_supplier_ids(p_min_role));
end;
$$;

create or replace function private.my_shared_field_groups()
returns table (couple_id uuid, field_group_id uuid)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        select distinct scc.couple_id, g.id
        from public.supplier_client_connections as scc
        inner join public.core_field_groups as g on g.key = any(scc.shared_field_group_keys)
        where
            scc.status = 'active'
            and scc.deleted_at is null
            and g.deleted_at is null
            and scc.supplier_id in (select private.my_supplier_ids('viewer'));
end;
$$;

create or replace function private.is_active_connection(p_supplier_id uuid, p_couple_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    return (
        select exists (
            select 1
            from public.supplier_client_connections as scc
            where
                scc.supplier_id = p_supplier_id
                and scc.couple_id = p_couple_id
                and scc.status = 'active'
                and scc.deleted_at is null
        )
    );
end;
$$;
