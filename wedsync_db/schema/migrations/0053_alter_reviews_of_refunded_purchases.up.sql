-- 0053_alter_reviews_of_refunded_purchases
-- What and why: a review is let in once per completed purchase (reviews_insert_buyer_team), but it
-- survived a refund and stayed editable: buy, review, get the money back, and the rating (or a review
-- bombing) stays, and can still be rewritten. Decision: a review speaks for a purchase that was paid and
-- kept, so a purchase leaving 'completed' (refunded, or back to pending) hides its review from everyone,
-- its author included, and takes it out of the template's rating:
--   * trigger hide_reviews_of_uncompleted_purchase (after update of status on template_purchases) soft-deletes
--     the purchase's live review (deleted_at = now()): every API policy requires deleted_at is null, and
--     refresh_template_rating counts live reviews only. The row is kept (nobody destroys another party's
--     data); should a refund be reversed, restoring the review is a backend action (deleted_at = null).
--   * reviews_update_author also requires the purchase to still be reviewable by the author
--     (private.my_reviewable_purchase_ids(): completed, live, and the author still a member or higher of
--     the buying supplier), in USING and WITH CHECK, so no path edits a review of an unpaid purchase.
-- Reviews of purchases that are not completed today are hidden the same way (backfill below).
-- Lock impact: ACCESS EXCLUSIVE on reviews briefly (policy change) and on template_purchases (new
-- trigger); the backfill updates only reviews whose purchase is not completed.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down); the down
-- restores the policy of 0024 and drops the trigger; reviews the up hid stay hidden (a backend decision).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.hide_reviews_of_uncompleted_purchase()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    update public.reviews as rv
    set deleted_at = pg_catalog.now()
    where rv.purchase_id = new.id and rv.deleted_at is null;
    return null;
end;
$$;
comment on function private.hide_reviews_of_uncompleted_purchase() is
'Trigger: soft-deletes the review of a purchase that is no longer completed (refunded or pending).';
revoke execute on function private.hide_reviews_of_uncompleted_purchase() from public;

create trigger hide_reviews_of_uncompleted_purchase after update of status on public.template_purchases
for each row
when (old.status = 'completed' and new.status <> 'completed')
execute function private.hide_reviews_of_uncompleted_purchase();

update public.reviews as rv
set deleted_at = now()
from public.template_purchases as tp
where rv.purchase_id = tp.id and rv.deleted_at is null and tp.status <> 'completed';

-- Lets in: the review's author, while the purchase is completed and the author is a member (or higher) of the
-- buying supplier.
alter policy reviews_update_author on public.reviews
using (
    deleted_at is null
    and author_user_id = (select auth.uid())
    and purchase_id = any(array(select private.my_reviewable_purchase_ids()))
)
with check (
    author_user_id = (select auth.uid())
    and purchase_id = any(array(select private.my_reviewable_purchase_ids()))
);
comment on policy reviews_update_author on public.reviews is
'Lets in: the review''s author, while the purchase is completed and the author is a member (or higher) of the '
'buying supplier.';
