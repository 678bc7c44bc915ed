-- 0041_alter_anon_column_grants (down): restores anon's table-wide SELECT on suppliers and reviews.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

revoke select (
    id, supplier_id, template_id, purchase_id, rating, title, body, created_at, updated_at, deleted_at
) on table public.reviews from anon;
grant select on table public.reviews to anon;

revoke select (
    id, business_name, slug, category, email, phone, website_url, description, location, is_published,
    created_at, updated_at, deleted_at
) on table public.suppliers from anon;
grant select on table public.suppliers to anon;
