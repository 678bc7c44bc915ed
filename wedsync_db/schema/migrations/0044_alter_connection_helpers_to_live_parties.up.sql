-- 0044_alter_connection_helpers_to_live_parties
-- What and why: soft delete closes the subtree. An active connection opens a couple's shared data to a
-- supplier's team and lets messages cross it, but the helpers behind that (my_connected_couple_ids,
-- my_shared_field_groups, is_active_connection) ignored a soft-deleted couple (and is_active_connection a
-- soft-deleted supplier), so a connected team kept reading an archived couple's core fields and could write
-- to it. Now a connection opens something only while both of its parties are live.
-- Lock impact: replaces three functions (no table locks).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
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
        inner join public.couples as c on scc.couple_id = c.id
        where
            c.deleted_at is null
            and scc.status = 'active'
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
        inner join public.couples as c on scc.couple_id = c.id
        where
            c.deleted_at is null
            and scc.status = 'active'
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
            inner join public.couples as c on scc.couple_id = c.id
            inner join public.suppliers as s on scc.supplier_id = s.id
            where
                c.deleted_at is null
                and s.deleted_at is null
                and scc.supplier_id = p_supplier_id
                and scc.couple_id = p_couple_id
                and scc.status = 'active'
                and scc.deleted_at is null
        )
    );
end;
$$;
