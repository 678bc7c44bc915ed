-- 0087_alter_service_review_policies_probe_archived_parties
-- What and why: the policies of service_reviews (0081) hid a review of an archived party through
-- private.my_archived_counterpart_ids(), which lists archived couples and suppliers reached through a connection;
-- a review outlives its connection (a team admin may delete the connection), so a review of an archived couple
-- whose connection was deleted stayed visible to the team. They now probe the row's own party, as 0072 made the
-- other joint tables do: not private.couple_is_archived(couple_id) for the team (null for an erased couple: not
-- archived), not private.supplier_is_archived(supplier_id) for the couple. Same rule as access_matrix.yaml's
-- parties_live, now without the connection as a condition; one index probe per row judged.
-- Lock impact: ACCESS EXCLUSIVE briefly on service_reviews (policy changes).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy service_reviews_select_team on public.service_reviews
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('viewer')))
    and not private.couple_is_archived(couple_id)
);

alter policy service_reviews_select_partner on public.service_reviews
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and not private.supplier_is_archived(supplier_id)
);

alter policy service_reviews_update_partner on public.service_reviews
using (
    deleted_at is null
    and couple_id = any(array(select private.my_couple_ids()))
    and not private.supplier_is_archived(supplier_id)
)
with check (
    couple_id = any(array(select private.my_couple_ids()))
    and not private.supplier_is_archived(supplier_id)
);

alter policy service_reviews_update_team on public.service_reviews
using (
    deleted_at is null
    and supplier_id = any(array(select private.my_supplier_ids('member')))
    and not private.couple_is_archived(couple_id)
);
