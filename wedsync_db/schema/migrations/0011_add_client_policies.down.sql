-- 0011_add_client_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy supplier_client_connections_delete_team on public.supplier_client_connections;
drop policy supplier_client_connections_update_partner on public.supplier_client_connections;
drop policy supplier_client_connections_insert_team on public.supplier_client_connections;
drop policy supplier_client_connections_select_partner on public.supplier_client_connections;
drop policy supplier_client_connections_select_team on public.supplier_client_connections;
revoke update (status, shared_field_group_keys) on table public.supplier_client_connections from anon, authenticated;
revoke all on table public.supplier_client_connections from anon, authenticated, service_role;
drop policy clients_delete_team on public.clients;
drop policy clients_update_team on public.clients;
drop policy clients_insert_team on public.clients;
drop policy clients_select_team on public.clients;
revoke update (
    couple_id, partner_one_name, partner_two_name, email, phone, wedding_date, venue_name, guest_count,
    budget, status, lead_source, notes, tags
) on table public.clients from anon, authenticated;
revoke all on table public.clients from anon, authenticated, service_role;
