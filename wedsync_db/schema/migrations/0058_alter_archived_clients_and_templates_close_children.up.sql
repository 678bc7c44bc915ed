-- 0058_alter_archived_clients_and_templates_close_children
-- What and why: soft delete closes the subtree, for the two parents 0045 left out.
--   * A journey instance runs for one client (a cascading key): the team kept reading, and could start, the
--     instances of an archived client. The instance policies now also require the client to be live (a key
--     lookup through clients' own policy: whoever may touch the instance may read its client).
--   * Reviews belong to a template (a cascading key): anyone kept reading the reviews of an archived template.
--     Reviews are read by visitors, so rather than a per-row lookup in their policy, archiving a template
--     archives its live reviews (trigger close_reviews_of_archived_template, like the refund rule of 0053),
--     and a review cannot be written for an archived template (constraint reviews_template_live, checked after
--     RLS so that it reveals nothing). Restoring a
--     template does not restore its reviews: a backend decision, as for refunds.
-- Lock impact: ACCESS EXCLUSIVE briefly on journey_instances (policies), templates and reviews (triggers); the
-- backfill touches only live reviews of already archived templates.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down); reviews the up
-- archived stay archived.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy journey_instances_select_team on public.journey_instances
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_instances_insert_team on public.journey_instances
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

alter policy journey_instances_update_team on public.journey_instances
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
    and exists (
        select 1 from public.clients as c
        where c.id = journey_instances.client_id and c.deleted_at is null
    )
);

create function private.close_reviews_of_archived_template()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update public.reviews as rv
    set deleted_at = pg_catalog.now()
    where rv.template_id = new.id and rv.deleted_at is null;
    return null;
end;
$$;
comment on function private.close_reviews_of_archived_template() is
'Trigger: archiving a template archives its live reviews (soft delete closes the subtree).';
revoke execute on function private.close_reviews_of_archived_template() from public;

create trigger close_reviews_of_archived_template after update of deleted_at on public.templates
for each row
when (old.deleted_at is null and new.deleted_at is not null)
execute function private.close_reviews_of_archived_template();

create function private.guard_review_template_live()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if exists (select 1 from public.templates as t where t.id = new.template_id and t.deleted_at is not null) then
        raise exception 'template % is archived', new.template_id
        using errcode = 'check_violation', constraint = 'reviews_template_live';
    end if;
    return null;
end;
$$;
comment on function private.guard_review_template_live() is
'Trigger: refuses a live review of an archived template (constraint reviews_template_live).';
revoke execute on function private.guard_review_template_live() from public;

-- After insert: RLS judges the row first, so the refusal tells nothing to a caller RLS would turn away.
create trigger guard_review_template_live after insert on public.reviews
for each row
when (new.deleted_at is null)
execute function private.guard_review_template_live();

update public.reviews as rv
set deleted_at = now()
from public.templates as t
where t.id = rv.template_id and t.deleted_at is not null and rv.deleted_at is null;
