-- What: enable the extensions the seed names (uuid-ossp, pgcrypto, pg_stat_statements) in schema extensions.
-- Why: Supabase projects have them enabled already, so on Supabase (and on our platform emulation) this
--      is a no-op; on a bare server that skipped the platform it makes the schema's dependencies explicit.
-- Lock impact: none (catalog-only, no table locks).
-- Down: comment-only. The extensions belong to the platform, and dropping them would break every
--       later migration's functions; checked by the migration round-trip test (catalog unchanged).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
