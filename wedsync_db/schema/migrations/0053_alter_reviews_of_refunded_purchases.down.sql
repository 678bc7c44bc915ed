-- 0053_alter_reviews_of_refunded_purchases (down): reviews_update_author of 0024 (the author, whatever the
-- purchase's status); refunds no longer hide reviews. Reviews the up hid stay hidden: un-hiding them is a
-- backend decision, not a schema change.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy reviews_update_author on public.reviews
using (deleted_at is null and author_user_id = (select auth.uid()))
with check (author_user_id = (select auth.uid()));
comment on policy reviews_update_author on public.reviews is
'Lets in: the review''s author.';

drop trigger hide_reviews_of_uncompleted_purchase on public.template_purchases;
drop function private.hide_reviews_of_uncompleted_purchase();
