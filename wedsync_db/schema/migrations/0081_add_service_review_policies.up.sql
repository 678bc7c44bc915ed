-- 0081_add_service_review_policies
-- What and why: row level security policies and API grants of service_reviews (0080), and the suppliers'
-- rating summary in the directory listing.
-- Who: the reviewing couple's partners read, write (once per couple and supplier, while the couple has or had
-- an active connection: private.has_worked_with), edit and withdraw the review; the reviewed supplier's team
-- reads it (viewer and up) and replies (member and up). Reviews are not public: a couple's review can hold
-- details of its wedding, and publishing it would need the couple's own choice (a later is_public flag); what the
-- directory shows is the rating summary, suppliers.rating_average and rating_count, granted to anon here like
-- the other listing columns (0041). Joint rows of an archived party are hidden from the other party (0046's
-- rule); a review whose couple was erased (couple_id null) stays with the supplier's team.
-- UPDATE is column-granted (rating, title, body, reply_body); which side may change which column is the trigger
-- guard_service_review_sides (0080).
-- Lock impact: CREATE POLICY and GRANT take ACCESS EXCLUSIVE briefly on service_reviews (new) and suppliers
-- (grant only).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

grant select (rating_average, rating_count) on table public.suppliers to anon;

grant select, insert, delete on table public.service_reviews to authenticated;
grant update (rating, title, body, reply_body) on table public.service_reviews to authenticated;
grant select, insert, update, delete on table public.service_reviews to service_role;

-- Lets in: team members (viewer and up) of the reviewed supplier, while the reviewing couple is live (or erased).
create policy service_reviews_select_team on public.service_reviews
for select
to authenticated
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and (couple_id is null or couple_id <> all(array(select private.my_archived_counterpart_ids())))
);
comment on policy service_reviews_select_team on public.service_reviews is
'Lets in: team members (viewer and up) of the reviewed supplier, while the reviewing couple is live (or erased).';

-- Lets in: partners of the reviewing couple, while the reviewed supplier is live.
create policy service_reviews_select_partner on public.service_reviews
for select
to authenticated
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);
comment on policy service_reviews_select_partner on public.service_reviews is
'Lets in: partners of the reviewing couple, while the reviewed supplier is live.';

-- Lets in: a partner of the couple, as the author, when the couple has or had an active connection to the supplier.
create policy service_reviews_insert_partner on public.service_reviews
for insert
to authenticated
with check (
    author_user_id = (select auth.uid())
    and couple_id = any(array(select private.my_couple_ids()))
    and private.has_worked_with(supplier_id, couple_id)
);
comment on policy service_reviews_insert_partner on public.service_reviews is
'Lets in: a partner of the couple, as the author, when the couple has or had an active connection to the '
'supplier.';

-- Lets in: partners of the reviewing couple, while the reviewed supplier is live (the review's own columns).
create policy service_reviews_update_partner on public.service_reviews
for update
to authenticated
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);
comment on policy service_reviews_update_partner on public.service_reviews is
'Lets in: partners of the reviewing couple, while the reviewed supplier is live (the review''s own columns).';

-- Lets in: team members (member and up) of the reviewed supplier, while the couple is live or erased (the reply).
create policy service_reviews_update_team on public.service_reviews
for update
to authenticated
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and (couple_id is null or couple_id <> all(array(select private.my_archived_counterpart_ids())))
)
with check (supplier_id = any(array(select private.my_supplier_ids('member'))));
comment on policy service_reviews_update_team on public.service_reviews is
'Lets in: team members (member and up) of the reviewed supplier, while the couple is live or erased (the reply).';

-- Lets in: partners of the reviewing couple (they withdraw their review).
create policy service_reviews_delete_partner on public.service_reviews
for delete
to authenticated
using (deleted_at is null and couple_id = any(array(select private.my_couple_ids())));
comment on policy service_reviews_delete_partner on public.service_reviews is
'Lets in: partners of the reviewing couple (they withdraw their review).';
