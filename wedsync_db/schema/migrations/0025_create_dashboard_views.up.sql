-- 0025_create_dashboard_views
-- What and why: materialized views for the supplier dashboards (clients by status, responses per
-- form, messages per day). Materialized views ignore RLS, so they live in schema `private` with no
-- grant to anon or authenticated; callers reach them only through public.dashboard_*() functions
-- (security invoker) that call private security definer readers returning only the rows of the
-- caller's suppliers (team viewer and up). Each view has a unique index so that
-- public.refresh_dashboards() can refresh it concurrently (backend only).
-- Lock impact: new objects; the initial build reads clients, form_responses and messages (empty here).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create materialized view private.dashboard_clients_by_status as
select
    c.supplier_id,
    c.status,
    count(*) as client_count
from public.clients as c
where c.deleted_at is null
group by c.supplier_id, c.status;
create unique index unique_dashboard_clients_by_status_supplier_id_status
on private.dashboard_clients_by_status (supplier_id, status);

create materialized view private.dashboard_responses_per_form as
select
    fv.supplier_id,
    fv.form_id,
    count(*) filter (where fr.status = 'submitted') as submitted_count,
    count(*) filter (where fr.status = 'draft') as draft_count,
    max(fr.submitted_at) as last_submitted_at
from public.form_responses as fr
inner join public.form_versions as fv on fr.form_version_id = fv.id
where fr.deleted_at is null
group by fv.supplier_id, fv.form_id;
create unique index unique_dashboard_responses_per_form_supplier_id_form_id
on private.dashboard_responses_per_form (supplier_id, form_id);

create materialized view private.dashboard_messages_per_day as
select
    m.supplier_id,
    m.channel,
    (m.created_at at time zone 'UTC')::date as day,  -- noqa: RF04
    count(*) as message_count
from public.messages as m
where m.deleted_at is null
group by m.supplier_id, m.channel, (m.created_at at time zone 'UTC')::date;
create unique index unique_dashboard_messages_per_day_supplier_id_day_channel
on private.dashboard_messages_per_day (supplier_id, day, channel);

revoke all on private.dashboard_clients_by_status from public, anon, authenticated;
revoke all on private.dashboard_responses_per_form from public, anon, authenticated;
revoke all on private.dashboard_messages_per_day from public, anon, authenticated;

create function private.read_dashboard_clients_by_status()
returns table (supplier_id uuid, status public.client_status, client_count bigint)
language sql
stable
security definer
set search_path = ''
as $$
    select d.supplier_id, d.status, d.client_count
    from private.dashboard_clients_by_status as d
    where d.supplier_id = any(array(select private.my_supplier_ids('viewer')))
$$;

create function private.read_dashboard_responses_per_form()
returns table (
    supplier_id uuid, form_id uuid, submitted_count bigint, draft_count bigint, last_submitted_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
    select d.supplier_id, d.form_id, d.submitted_count, d.draft_count, d.last_submitted_at
    from private.dashboard_responses_per_form as d
    where d.supplier_id = any(array(select private.my_supplier_ids('viewer')))
$$;

create function private.read_dashboard_messages_per_day()
returns table (supplier_id uuid, channel public.message_channel, day date, message_count bigint)
language sql
stable
security definer
set search_path = ''
as $$
    select d.supplier_id, d.channel, d.day, d.message_count
    from private.dashboard_messages_per_day as d
    where d.supplier_id = any(array(select private.my_supplier_ids('viewer')))
$$;

create function public.dashboard_clients_by_status()
returns table (supplier_id uuid, status public.client_status, client_count bigint)
language sql
stable
set search_path = ''
as $$
    select r.supplier_id, r.status, r.client_count from private.read_dashboard_clients_by_status() as r
$$;
comment on function public.dashboard_clients_by_status() is 'Clients per status for the caller''s suppliers.';

create function public.dashboard_responses_per_form()
returns table (
    supplier_id uuid, form_id uuid, submitted_count bigint, draft_count bigint, last_submitted_at timestamptz
)
language sql
stable
set search_path = ''
as $$
    select r.supplier_id, r.form_id, r.submitted_count, r.draft_count, r.last_submitted_at
    from private.read_dashboard_responses_per_form() as r
$$;
comment on function public.dashboard_responses_per_form() is 'Responses per form for the caller''s suppliers.';

create function public.dashboard_messages_per_day()
returns table (supplier_id uuid, channel public.message_channel, day date, message_count bigint)
language sql
stable
set search_path = ''
as $$
    select r.supplier_id, r.channel, r.day, r.message_count from private.read_dashboard_messages_per_day() as r
$$;
comment on function public.dashboard_messages_per_day() is 'Messages per day and channel for the caller''s suppliers.';

-- Refreshes every dashboard view (concurrently by default: readers are not blocked).
create function public.refresh_dashboards(p_concurrently boolean default true)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    if p_concurrently then
        refresh materialized view concurrently private.dashboard_clients_by_status;
        refresh materialized view concurrently private.dashboard_responses_per_form;
        refresh materialized view concurrently private.dashboard_messages_per_day;
    else
        refresh materialized view private.dashboard_clients_by_status;
        refresh materialized view private.dashboard_responses_per_form;
        refresh materialized view private.dashboard_messages_per_day;
    end if;
end;
$$;
comment on function public.refresh_dashboards(boolean) is 'Backend only: refreshes the dashboard materialized views.';

revoke execute on function private.read_dashboard_clients_by_status() from public;
revoke execute on function private.read_dashboard_responses_per_form() from public;
revoke execute on function private.read_dashboard_messages_per_day() from public;
grant execute on function private.read_dashboard_clients_by_status() to authenticated;
grant execute on function private.read_dashboard_responses_per_form() to authenticated;
grant execute on function private.read_dashboard_messages_per_day() to authenticated;
revoke execute on function public.dashboard_clients_by_status() from public, anon;
revoke execute on function public.dashboard_responses_per_form() from public, anon;
revoke execute on function public.dashboard_messages_per_day() from public, anon;
grant execute on function public.dashboard_clients_by_status() to authenticated;
grant execute on function public.dashboard_responses_per_form() to authenticated;
grant execute on function public.dashboard_messages_per_day() to authenticated;
revoke execute on function public.refresh_dashboards(boolean) from public, anon, authenticated;
grant execute on function public.refresh_dashboards(boolean) to service_role;
