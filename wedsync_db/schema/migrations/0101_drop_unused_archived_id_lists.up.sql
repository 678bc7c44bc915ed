-- 0101_drop_unused_archived_id_lists
-- What and why: since 0072 (and 0087 for service_reviews) every policy judges soft delete per row, probing the
-- row's own parent or party (private.*_is_archived). No policy, function or view calls the two per-statement
-- lists of archived ids any more, but they stayed executable by `authenticated`: definer functions that read
-- forms, journeys, suppliers and couples past RLS, with nothing left that needs them. An unused definer
-- function is attack surface, so they go. No client can break: they live in private, which PostgREST does not
-- serve (squawk-ignore ban-drop-function below).
-- Lock impact: drops two functions (a catalog lock on each; no table is touched).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- squawk-ignore ban-drop-function
drop function private.my_archived_parent_ids();

-- squawk-ignore ban-drop-function
drop function private.my_archived_counterpart_ids();
