-- 0081_add_service_review_policies (down): drops the policies and grants of service_reviews and the anon grant
-- of the suppliers' rating.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy service_reviews_delete_partner on public.service_reviews;
drop policy service_reviews_update_team on public.service_reviews;
drop policy service_reviews_update_partner on public.service_reviews;
drop policy service_reviews_insert_partner on public.service_reviews;
drop policy service_reviews_select_partner on public.service_reviews;
drop policy service_reviews_select_team on public.service_reviews;
revoke all on table public.service_reviews from anon, authenticated, service_role;
revoke select (rating_average, rating_count) on table public.suppliers from anon;
