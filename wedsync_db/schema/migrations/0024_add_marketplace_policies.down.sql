-- 0024_add_marketplace_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy reviews_delete_author on public.reviews;
drop policy reviews_update_author on public.reviews;
drop policy reviews_insert_buyer_team on public.reviews;
drop policy reviews_select_everyone on public.reviews;
revoke update (rating, title, body) on table public.reviews from anon, authenticated;
revoke all on table public.reviews from anon, authenticated, service_role;
drop policy template_purchases_select_seller_team on public.template_purchases;
drop policy template_purchases_select_buyer_team on public.template_purchases;
revoke all on table public.template_purchases from anon, authenticated, service_role;
drop policy templates_delete_team on public.templates;
drop policy templates_update_team on public.templates;
drop policy templates_insert_team on public.templates;
drop policy templates_select_team on public.templates;
drop policy templates_select_published on public.templates;
revoke update (
    kind, title, description, category, price, currency, content, status
) on table public.templates from anon, authenticated;
revoke all on table public.templates from anon, authenticated, service_role;
