-- 0087_alter_service_review_policies_probe_archived_parties (down): the policies as 0081 wrote them.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy service_reviews_update_team on public.service_reviews
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and (couple_id is null or couple_id <> all(array(select private.my_archived_counterpart_ids())))
);

alter policy service_reviews_update_partner on public.service_reviews
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy service_reviews_select_partner on public.service_reviews
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and supplier_id <> all(array(select private.my_archived_counterpart_ids()))
);

alter policy service_reviews_select_team on public.service_reviews
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and (couple_id is null or couple_id <> all(array(select private.my_archived_counterpart_ids())))
);
