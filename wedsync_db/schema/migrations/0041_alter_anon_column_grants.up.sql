-- 0041_alter_anon_column_grants
-- What and why: user ids are handles for attacks (an invitation, a message, a guess at a profile), so
-- anonymous visitors no longer read the columns that hold them: suppliers.created_by and
-- reviews.author_user_id. Visitors keep every other column of the directory and of reviews.
-- Lock impact: ACCESS EXCLUSIVE on suppliers and reviews briefly (grants only).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

revoke select on table public.suppliers from anon;
grant select (
    id, business_name, slug, category, email, phone, website_url, description, location, is_published,
    created_at, updated_at, deleted_at
) on table public.suppliers to anon;

revoke select on table public.reviews from anon;
grant select (
    id, supplier_id, template_id, purchase_id, rating, title, body, created_at, updated_at, deleted_at
) on table public.reviews to anon;
