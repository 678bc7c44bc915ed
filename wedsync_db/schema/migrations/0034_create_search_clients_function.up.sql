-- 0034_create_search_clients_function
-- What and why: public.search_clients(supplier, query), the client search box as an RPC. Under RLS a user's
-- filter whose operator is not LEAKPROOF cannot become an index condition (PostgreSQL's security-barrier
-- rule), and the full-text match operator @@ is not leakproof: through the table, a whale's search read
-- every one of its clients and filtered them (7.9 ms, 4.8x the service_role plan at the large profile).
-- This SECURITY DEFINER function applies the same rule as clients_select_team itself (the caller is a
-- live team member, viewer and up, of a live supplier; the client is not soft-deleted) and then lets the
-- planner use index_clients_on_search_vector. A caller outside the team gets no rows, as through RLS.
-- Lock impact: creates a function only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function public.search_clients(p_supplier_id uuid, p_query text, p_limit integer default 20)
returns table (
    id uuid,
    partner_one_name text,
    partner_two_name text,
    email text,
    wedding_date date,
    status public.client_status
)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    if not p_supplier_id = any(array(select private.my_supplier_ids('viewer'))) then
        return;  -- not on this supplier's team: nothing, exactly as clients_select_team would show
    end if;
    return query
        select c.id, c.partner_one_name, c.partner_two_name, c.email, c.wedding_date, c.status
        from public.clients as c
        where
            c.supplier_id = p_supplier_id
            and c.deleted_at is null
            and c.search_vector @@ pg_catalog.websearch_to_tsquery('simple', p_query)
        order by c.wedding_date desc
        limit least(greatest(p_limit, 0), 100);
end;
$$;
comment on function public.search_clients(uuid, text, integer) is
'Client search box: full-text search of one supplier''s live clients, for its team members (viewer and up).';

revoke execute on function public.search_clients(uuid, text, integer) from public, anon;
grant execute on function public.search_clients(uuid, text, integer) to authenticated, service_role;
