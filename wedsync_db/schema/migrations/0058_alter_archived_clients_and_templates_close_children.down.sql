-- 0058_alter_archived_clients_and_templates_close_children (down): drops the review triggers and restores the
-- journey instance policies of 0045. Reviews the up archived stay archived.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger guard_review_template_live on public.reviews;
drop function private.guard_review_template_live();
drop trigger close_reviews_of_archived_template on public.templates;
drop function private.close_reviews_of_archived_template();

alter policy journey_instances_update_team on public.journey_instances
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
)
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_instances_insert_team on public.journey_instances
with check (
    supplier_id = any(array(select private.my_supplier_ids('member')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);

alter policy journey_instances_select_team on public.journey_instances
using (
    deleted_at is null and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and journey_id <> all(array(select private.my_archived_parent_ids()))
);
