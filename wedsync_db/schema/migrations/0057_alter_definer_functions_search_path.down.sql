-- 0057_alter_definer_functions_search_path (down): the same 41 security definer functions fix
-- search_path = '' again, as their migrations created them.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- schema private
alter function private.accept_team_invitation(uuid) set search_path = '';
alter function private.add_supplier_owner() set search_path = '';
alter function private.decrypt_pii(bytea) set search_path = '';
alter function private.decrypt_visible_core_field_value(uuid) set search_path = '';
alter function private.erase_couple(uuid) set search_path = '';
alter function private.fill_review_from_purchase() set search_path = '';
alter function private.form_prefill(uuid, uuid) set search_path = '';
alter function private.guard_form_response() set search_path = '';
alter function private.guard_sold_template_delete() set search_path = '';
alter function private.guard_supplier_keeps_owner() set search_path = '';
alter function private.hide_reviews_of_uncompleted_purchase() set search_path = '';
alter function private.is_active_connection(uuid, uuid) set search_path = '';
alter function private.my_archived_counterpart_ids() set search_path = '';
alter function private.my_archived_parent_ids() set search_path = '';
alter function private.my_connected_couple_ids(public.team_role) set search_path = '';
alter function private.my_connected_supplier_ids() set search_path = '';
alter function private.my_couple_ids() set search_path = '';
alter function private.my_reviewable_purchase_ids() set search_path = '';
alter function private.my_shared_field_groups() set search_path = '';
alter function private.my_supplier_ids(public.team_role) set search_path = '';
alter function private.my_teammate_user_ids() set search_path = '';
alter function private.prepare_core_field_value() set search_path = '';
alter function private.purge_audit_log(timestamptz, interval) set search_path = '';
alter function private.read_dashboard_analytics_per_day(date, date) set search_path = '';
alter function private.read_dashboard_clients_by_status() set search_path = '';
alter function private.read_dashboard_messages_per_day() set search_path = '';
alter function private.read_dashboard_responses_per_form() set search_path = '';
alter function private.record_core_field_value_change() set search_path = '';
alter function private.refresh_template_rating() set search_path = '';
alter function private.respond_to_couple_invitation(uuid, boolean) set search_path = '';
alter function private.seed_field_states() set search_path = '';
alter function private.supplier_has_team(uuid) set search_path = '';
alter function private.supplier_is_live(uuid) set search_path = '';
alter function private.template_content(uuid) set search_path = '';
alter function private.write_audit_log() set search_path = '';

-- schema public
alter function public.create_monthly_partitions(text, date, integer) set search_path = '';
alter function public.drop_expired_partitions(text, interval, timestamptz) set search_path = '';
alter function public.erase_couple(uuid) set search_path = '';
alter function public.purge_audit_log(timestamptz, interval) set search_path = '';
alter function public.refresh_dashboards(boolean) set search_path = '';
alter function public.search_clients(uuid, text, integer) set search_path = '';
