-- 0055_add_guard_sold_template_delete
-- What and why: nobody destroys another party's data. Deleting a template (templates_delete_team, admins of
-- the seller) cascaded its reviews (fk_reviews_template_id_templates ... on delete cascade), which the
-- buyers' teams wrote, and took away the content the buyers paid for (public.template_content reads the
-- template). Rule: a template that has been sold (a template_purchases row refers to it, whatever its
-- status) cannot be deleted through the API; the seller archives it instead (status = 'archived': out of
-- the marketplace, content still open to buyers, reviews kept). Trigger guard_sold_template_delete
-- (before delete) raises 23000 naming templates_sold_kept for callers under RLS; RLS filters DELETE
-- targets before BEFORE triggers run, so it judges only templates the caller may delete and says nothing
-- about other suppliers'. service_role (which bypasses RLS) may still delete, as an erasure of the seller
-- decided by the backend; the purchases keep their copied title, amount and currency.
-- Lock impact: ACCESS EXCLUSIVE on templates briefly (new trigger); adds one function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.guard_sold_template_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    -- The role the request runs as (security definer changes current_user, not the role setting).
    v_caller text := coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user);
begin
    if not exists (select 1 from pg_catalog.pg_roles as r where r.rolname = v_caller and r.rolbypassrls)
        and exists (select 1 from public.template_purchases as tp where tp.template_id = old.id) then
        raise exception 'template % has been sold: archive it (status archived) instead of deleting it', old.id
            using errcode = 'integrity_constraint_violation',
            constraint = 'templates_sold_kept',
            hint = 'Buyers keep its content and their reviews; only the backend may delete a sold template.';
    end if;
    return old;
end;
$$;
comment on function private.guard_sold_template_delete() is
'Trigger: a sold template is archived, not deleted, by API callers (templates_sold_kept).';
revoke execute on function private.guard_sold_template_delete() from public;

create trigger guard_sold_template_delete before delete on public.templates
for each row execute function private.guard_sold_template_delete();
