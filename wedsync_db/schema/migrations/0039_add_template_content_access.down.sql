-- 0039_add_template_content_access (down): drops the content functions and restores the table-wide
-- SELECT grants of 0024.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop function public.template_content(uuid);
drop function private.template_content(uuid);

revoke select (
    id, supplier_id, kind, title, description, category, price, currency, status, published_at,
    rating_average, rating_count, search_vector, created_at, updated_at, deleted_at
) on table public.templates from anon, authenticated;
grant select on table public.templates to anon, authenticated;
