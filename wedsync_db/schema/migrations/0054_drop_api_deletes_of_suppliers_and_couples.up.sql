-- 0054_drop_api_deletes_of_suppliers_and_couples
-- What and why: nobody destroys another party's data. A supplier and a couple are the roots of row graphs
-- that hold other parties' rows, and their foreign keys cascade:
--   * an owner's DELETE of its supplier (suppliers_delete_owner) removed, with the supplier's own rows, the
--     messages couples wrote to it, the couples' form responses and their connections;
--   * one partner's DELETE of the couple (couples_delete_partner) removed the other partner's data (core
--     field values, history, states, responses) and the connected suppliers' messages to the couple.
-- Rule: hard deletion of a supplier or a couple is not an API command any more. Authenticated loses the
-- DELETE grant on both tables and the two policies are dropped, so such a request is refused with 42501.
-- Deletion becomes a backend action that decides about the other parties' rows: a couple's erasure is
-- public.erase_couple (GDPR, service_role), which removes the couple's data and spares other parties' user
-- data (0042); closing a supplier is done by service_role, by archiving (deleted_at, which hides the
-- supplier's subtree from its team while couples keep reading their messages and responses) and, once the
-- couples have been told and their copies exported, by hard delete. Leaving is still an API action: a
-- member leaves a team (team_members_delete_self), partner two declines a couple (decline_couple_invitation),
-- a couple revokes a connection.
-- Lock impact: ACCESS EXCLUSIVE on suppliers and couples briefly (grant and policy changes, no rewrite).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down); the down
-- restores the grants and the policies as 0010 and 0037 left them.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy suppliers_delete_owner on public.suppliers;
revoke delete on table public.suppliers from authenticated;

drop policy couples_delete_partner on public.couples;
revoke delete on table public.couples from authenticated;
