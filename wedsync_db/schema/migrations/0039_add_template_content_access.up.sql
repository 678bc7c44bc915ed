-- 0039_add_template_content_access
-- What and why: a marketplace template's listing (title, description, price, rating) is public once
-- published, but its content is what buyers pay for. Row level security cannot hide one column of a
-- visible row, so API roles lose SELECT on templates.content (column grants for every other column) and
-- read it through public.template_content(template), which returns it to the author's team, to team
-- members of a supplier with a completed purchase of it, and, for a free published template, to any
-- signed-in user; anyone else gets 42501.
-- Lock impact: ACCESS EXCLUSIVE on templates briefly (grants only); adds two functions.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

revoke select on table public.templates from anon, authenticated;
grant select (
    id, supplier_id, kind, title, description, category, price, currency, status, published_at,
    rating_average, rating_count, search_vector, created_at, updated_at, deleted_at
) on table public.templates to anon, authenticated;

create function private.template_content(p_template_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    v_template public.templates;
begin
    select t.* into v_template from public.templates as t where t.id = p_template_id and t.deleted_at is null;
    if
        found
        and (
            v_template.supplier_id in (select private.my_supplier_ids('viewer'))
            or (v_template.status = 'published' and v_template.price = 0)
            or exists (
                select 1
                from public.template_purchases as p
                where
                    p.template_id = p_template_id
                    and p.status = 'completed'
                    and p.deleted_at is null
                    and p.buyer_supplier_id in (select private.my_supplier_ids('viewer'))
            )
        )
    then
        return v_template.content;
    end if;
    raise exception 'template_content: template % is not open to the caller', p_template_id
    using errcode = 'insufficient_privilege', hint = 'Its content opens to the author''s team and to buyers.';
end;
$$;
comment on function private.template_content(uuid) is
'Implementation of public.template_content (security definer).';
revoke execute on function private.template_content(uuid) from public;
grant execute on function private.template_content(uuid) to authenticated, service_role;

create function public.template_content(p_template_id uuid)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
    select private.template_content(p_template_id)
$$;
comment on function public.template_content(uuid) is
'The content of a template, for its author''s team, buyers'' teams and (free and published) any signed-in user.';
revoke execute on function public.template_content(uuid) from public, anon;
grant execute on function public.template_content(uuid) to authenticated, service_role;
