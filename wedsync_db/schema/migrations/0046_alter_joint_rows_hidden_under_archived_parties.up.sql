-- 0046_alter_joint_rows_hidden_under_archived_parties
-- What and why: soft delete closes the subtree. A connection, a message or a form response belongs to a
-- supplier and a couple at once; archiving either party (deleted_at, set by the backend) must hide the row
-- from the other one too. The team still read its connections, messages and responses of an archived
-- couple, and the couple those of an archived supplier. Now the team's policies also require the couple to
-- be live and the couple's policies the supplier: private.my_archived_counterpart_ids() returns the archived
-- couples connected (in any status) to the caller's suppliers and the archived suppliers connected to the
-- caller's couples, once per statement; archived parties are few.
-- Lock impact: ACCESS EXCLUSIVE briefly on supplier_client_connections, messages and form_responses
-- (policy changes); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.my_archived_counterpart_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return query
        select c.id
        from public.supplier_client_connections as scc
        inner join public.couples as c on scc.couple_id = c.id
        where c.deleted_at is not null and scc.supplier_id in (select private.my_supplier_ids('viewer'))
        union
        select s.id
        from public.supplier_client_connections as scc
        inner join public.suppliers as s on scc.supplier_id = s.id
        where s.deleted_at is not null and scc.couple_id in (select private.my_couple_ids());
end;
$$;
comment on function private.my_archived_counterpart_ids() is
'Archived couples connected to the caller''s suppliers and archived suppliers connected to the caller''s couples.';
revoke execute on function private.my_archived_counterpart_ids() from public;
grant execute on function private.my_archived_counterpart_ids() to authenticated;

alter policy supplier_client_connections_select_team on public.supplier_client_connections
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and couple_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy supplier_client_connections_select_partner on public.supplier_client_connections
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy supplier_client_connections_update_partner on public.supplier_client_connections
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy messages_select_team on public.messages
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and couple_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy messages_select_partner on public.messages
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy form_responses_select_team on public.form_responses
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
    and couple_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy form_responses_select_partner on public.form_responses
using (
    deleted_at is null and couple_id = any(array(select private.my_couple_ids()))
    and form_version_id <> all(array(select private.my_archived_parent_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);
