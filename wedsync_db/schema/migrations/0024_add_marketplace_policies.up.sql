-- 0024_add_marketplace_policies
-- What and why: row level security policies and API grants for the marketplace (templates,
-- template_purchases, reviews).
-- Each policy is per command and actor group, named <table>_<command>_<who>, always TO authenticated
-- (or anon, authenticated where visitors may read), with auth.uid() wrapped in a sub-select and
-- membership looked up through the private helpers (0008). Grants: API roles start with nothing
-- (the create migration revoked everything); here each role gets back only the commands its policies
-- allow, UPDATE only on the columns the app may change; service_role gets what the backend needs.
-- The same rules are stated, not as SQL, in schema/access_matrix.yaml.
-- Lock impact: CREATE POLICY and GRANT take ACCESS EXCLUSIVE on each table briefly (new, empty tables).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- templates -------------------------------------------------------------------------------------------
grant select on table public.templates to anon;
grant select, insert, delete on table public.templates to authenticated;
grant update (
    kind, title, description, category, price, currency, content, status
) on table public.templates to authenticated;
grant select, insert, update, delete on table public.templates to service_role;

-- Lets in: anyone, anonymous visitors included, for live published templates.
create policy templates_select_published on public.templates
for select
to anon, authenticated
using (deleted_at is null and status = 'published');
comment on policy templates_select_published on public.templates is
'Lets in: anyone, anonymous visitors included, for live published templates.';

-- Lets in: team members (viewer and up) of the row's supplier; live rows only.
create policy templates_select_team on public.templates
for select
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy templates_select_team on public.templates is
'Lets in: team members (viewer and up) of the row''s supplier; live rows only.';

-- Lets in: team members (member and up) of the row's supplier.
create policy templates_insert_team on public.templates
for insert
to authenticated
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy templates_insert_team on public.templates is
'Lets in: team members (member and up) of the row''s supplier.';

-- Lets in: team members (member and up) of the row's supplier, which the row cannot leave.
create policy templates_update_team on public.templates
for update
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member'))))
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy templates_update_team on public.templates is
'Lets in: team members (member and up) of the row''s supplier, which the row cannot leave.';

-- Lets in: team members (admin and up) of the row's supplier.
create policy templates_delete_team on public.templates
for delete
to authenticated
using (deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy templates_delete_team on public.templates is
'Lets in: team members (admin and up) of the row''s supplier.';

-- template_purchases ----------------------------------------------------------------------------------
grant select on table public.template_purchases to authenticated;
grant select, insert, update on table public.template_purchases to service_role;

-- Lets in: team members (viewer and up) of the buying supplier.
create policy template_purchases_select_buyer_team on public.template_purchases
for select
to authenticated
using (deleted_at is null and buyer_supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy template_purchases_select_buyer_team on public.template_purchases is
'Lets in: team members (viewer and up) of the buying supplier.';

-- Lets in: team members (viewer and up) of the selling supplier.
create policy template_purchases_select_seller_team on public.template_purchases
for select
to authenticated
using (deleted_at is null and seller_supplier_id = any(array(select private.my_supplier_ids('viewer'))));
comment on policy template_purchases_select_seller_team on public.template_purchases is
'Lets in: team members (viewer and up) of the selling supplier.';

-- reviews ---------------------------------------------------------------------------------------------
grant select on table public.reviews to anon;
grant select, insert, delete on table public.reviews to authenticated;
grant update (rating, title, body) on table public.reviews to authenticated;
grant select, insert, update, delete on table public.reviews to service_role;

-- Lets in: anyone, anonymous visitors included, for live reviews.
create policy reviews_select_everyone on public.reviews
for select
to anon, authenticated
using (deleted_at is null);
comment on policy reviews_select_everyone on public.reviews is
'Lets in: anyone, anonymous visitors included, for live reviews.';

-- Lets in: team members (member and up) of the supplier that bought the template, once per completed purchase.
create policy reviews_insert_buyer_team on public.reviews
for insert
to authenticated
with check (
    author_user_id = (select auth.uid())
    and purchase_id = any(array(select private.my_reviewable_purchase_ids()))
);
comment on policy reviews_insert_buyer_team on public.reviews is
'Lets in: team members (member and up) of the supplier that bought the template, once per completed '
'purchase.';

-- Lets in: the review's author.
create policy reviews_update_author on public.reviews
for update
to authenticated
using (deleted_at is null and author_user_id = (select auth.uid()))
with check (author_user_id = (select auth.uid()));
comment on policy reviews_update_author on public.reviews is
'Lets in: the review''s author.';

-- Lets in: the review's author.
create policy reviews_delete_author on public.reviews
for delete
to authenticated
using (deleted_at is null and author_user_id = (select auth.uid()));
comment on policy reviews_delete_author on public.reviews is
'Lets in: the review''s author.';
