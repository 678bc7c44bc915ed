-- 0023_create_marketplace_tables (down): drops the three marketplace tables and their functions.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop table public.reviews;
drop table public.template_purchases;
drop table public.templates;
drop function private.refresh_template_rating();
drop function private.fill_review_from_purchase();
drop function private.my_reviewable_purchase_ids();
