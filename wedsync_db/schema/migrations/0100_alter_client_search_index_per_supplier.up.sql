-- 0100_alter_client_search_index_per_supplier
-- What and why: search_clients (0034) asks for one supplier's clients matching the search words. The GIN index
-- held the words alone, so the planner intersected every client of the world who matched (a common first name:
-- hundreds at `large`, thousands at `xl`) with a bitmap of all the supplier's clients (52k for the biggest
-- tenant at `large`): 7 ms for the biggest tenant at `large`, and growing with both the world and the tenant.
-- A GIN index over (supplier_id, search_vector), with btree_gin's operator class for the uuid, lets GIN's own
-- scan skip through both posting lists to this supplier's matches: 0.8 ms, 23 index pages, at `large`.
-- The words-only index goes: nothing else searches clients' words. Dropped in the same transaction as the new
-- one is built (the runner has no non-transactional migrations, so not concurrently: squawk-ignore below).
-- Lock impact: creates an extension; builds the index under a SHARE lock on clients (writes wait; ~6 s at
-- `large`), then drops the old one (ACCESS EXCLUSIVE, brief).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '600s';

create extension if not exists btree_gin with schema extensions;

create index index_clients_on_supplier_id_and_search_vector
on public.clients using gin (supplier_id, search_vector);

-- squawk-ignore require-concurrent-index-deletion
drop index public.index_clients_on_search_vector;
