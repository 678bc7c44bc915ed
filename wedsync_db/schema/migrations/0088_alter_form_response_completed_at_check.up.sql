-- 0088_alter_form_response_completed_at_check
-- What and why: check_form_responses_completed_at_when_complete (0084) required completed_at exactly when
-- completion = 1, and the columns' defaults (completion 1, completed_at null) broke it: a load that skips triggers
-- (the seed's replica mode, a bulk copy that does not know the new columns) could not insert a response without
-- computing completed_at itself. The rule the database guarantees is kept by derive_form_response_completion on
-- every write; the check now states what must never be stored: completed_at on an incomplete response
-- (check_form_responses_completed_at_only_when_complete). The seeded worlds and every trigger-written row still
-- have completed_at exactly when complete (tests/fixtures_tests/test_product_rules.py,
-- tests/integrity/test_completion_property.py).
-- Lock impact: ACCESS EXCLUSIVE briefly on form_responses; the new check scans it once (it holds for every row
-- the old one allowed).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- squawk-ignore ban-drop-constraint
alter table public.form_responses drop constraint check_form_responses_completed_at_when_complete;
-- squawk-ignore constraint-missing-not-valid
alter table public.form_responses add constraint check_form_responses_completed_at_only_when_complete check (
    completed_at is null or completion = 1
);
