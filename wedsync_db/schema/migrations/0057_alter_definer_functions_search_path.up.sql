-- 0057_alter_definer_functions_search_path
-- What and why: every security definer function of public and private fixed search_path = '', which
-- leaves the caller's pg_temp searched FIRST for relations and types (PostgreSQL searches pg_temp before
-- pg_catalog unless pg_temp is listed): a database login that can create temporary objects (TEMP is
-- granted to PUBLIC) shadowed an unqualified type of a body, e.g. a pg_temp.jsonb domain whose CHECK ran
-- the caller's function as the owner (pgrls SEC015; tests/integrity/test_lints.py
-- test_pg_temp_shadows_a_type_in_a_definer_function_unless_listed_last reproduces it). Now each of the 41
-- sets search_path = pg_catalog, pg_temp, as PostgreSQL's manual asks (pg_temp named, and last), so no
-- temporary object shadows anything a body names. The bodies were written for '' and qualify every
-- relation and type outside pg_catalog (read in the migrated catalog before this was written), so they
-- resolve exactly as before. The list was generated once from the catalog at 0056 (every prosecdef
-- function of public and private) and is static text; security_definer_search_path_temp_not_last reports
-- any definer function added later without the same path.
-- Lock impact: functions only (ALTER FUNCTION updates pg_proc; no table lock).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down); the down
-- sets search_path = '' on the same 41 functions.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- The postgres grammar of sqlfluff 4.5 parses a list value in create function ... set, not in alter function
-- ... set (it stops at the comma): its parse check (PRS) is off for the list below. squawk parses it.
-- noqa: disable=PRS
-- schema private
alter function private.accept_team_invitation(uuid) set search_path = pg_catalog, pg_temp;
alter function private.add_supplier_owner() set search_path = pg_catalog, pg_temp;
alter function private.decrypt_pii(bytea) set search_path = pg_catalog, pg_temp;
alter function private.decrypt_visible_core_field_value(uuid) set search_path = pg_catalog, pg_temp;
alter function private.erase_couple(uuid) set search_path = pg_catalog, pg_temp;
alter function private.fill_review_from_purchase() set search_path = pg_catalog, pg_temp;
alter function private.form_prefill(uuid, uuid) set search_path = pg_catalog, pg_temp;
alter function private.guard_form_response() set search_path = pg_catalog, pg_temp;
alter function private.guard_sold_template_delete() set search_path = pg_catalog, pg_temp;
alter function private.guard_supplier_keeps_owner() set search_path = pg_catalog, pg_temp;
alter function private.hide_reviews_of_uncompleted_purchase() set search_path = pg_catalog, pg_temp;
alter function private.is_active_connection(uuid, uuid) set search_path = pg_catalog, pg_temp;
alter function private.my_archived_counterpart_ids() set search_path = pg_catalog, pg_temp;
alter function private.my_archived_parent_ids() set search_path = pg_catalog, pg_temp;
alter function private.my_connected_couple_ids(public.team_role) set search_path = pg_catalog, pg_temp;
alter function private.my_connected_supplier_ids() set search_path = pg_catalog, pg_temp;
alter function private.my_couple_ids() set search_path = pg_catalog, pg_temp;
alter function private.my_reviewable_purchase_ids() set search_path = pg_catalog, pg_temp;
alter function private.my_shared_field_groups() set search_path = pg_catalog, pg_temp;
alter function private.my_supplier_ids(public.team_role) set search_path = pg_catalog, pg_temp;
alter function private.my_teammate_user_ids() set search_path = pg_catalog, pg_temp;
alter function private.prepare_core_field_value() set search_path = pg_catalog, pg_temp;
alter function private.purge_audit_log(timestamptz, interval) set search_path = pg_catalog, pg_temp;
alter function private.read_dashboard_analytics_per_day(date, date) set search_path = pg_catalog, pg_temp;
alter function private.read_dashboard_clients_by_status() set search_path = pg_catalog, pg_temp;
alter function private.read_dashboard_messages_per_day() set search_path = pg_catalog, pg_temp;
alter function private.read_dashboard_responses_per_form() set search_path = pg_catalog, pg_temp;
alter function private.record_core_field_value_change() set search_path = pg_catalog, pg_temp;
alter function private.refresh_template_rating() set search_path = pg_catalog, pg_temp;
alter function private.respond_to_couple_invitation(uuid, boolean) set search_path = pg_catalog, pg_temp;
alter function private.seed_field_states() set search_path = pg_catalog, pg_temp;
alter function private.supplier_has_team(uuid) set search_path = pg_catalog, pg_temp;
alter function private.supplier_is_live(uuid) set search_path = pg_catalog, pg_temp;
alter function private.template_content(uuid) set search_path = pg_catalog, pg_temp;
alter function private.write_audit_log() set search_path = pg_catalog, pg_temp;

-- schema public
alter function public.create_monthly_partitions(text, date, integer) set search_path = pg_catalog, pg_temp;
alter function public.drop_expired_partitions(text, interval, timestamptz) set search_path = pg_catalog, pg_temp;
alter function public.erase_couple(uuid) set search_path = pg_catalog, pg_temp;
alter function public.purge_audit_log(timestamptz, interval) set search_path = pg_catalog, pg_temp;
alter function public.refresh_dashboards(boolean) set search_path = pg_catalog, pg_temp;
alter function public.search_clients(uuid, text, integer) set search_path = pg_catalog, pg_temp;
-- noqa: enable=PRS
