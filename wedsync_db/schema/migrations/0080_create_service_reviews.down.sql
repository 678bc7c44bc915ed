-- 0080_create_service_reviews (down): drops service_reviews, its functions, and the rating of suppliers.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.service_reviews;
drop trigger stamp_supplier_rating_insert on public.suppliers;
drop function private.stamp_supplier_rating_insert();
drop function private.refresh_supplier_rating();
drop function private.guard_service_review_sides();
drop function private.stamp_service_review();
drop function private.guard_service_review_worked_with();
drop function private.has_worked_with(uuid, uuid);
alter table public.suppliers drop constraint check_suppliers_rating_count_not_negative;
alter table public.suppliers drop constraint check_suppliers_rating_average_range;
alter table public.suppliers drop column rating_count;
alter table public.suppliers drop column rating_average;
