-- 0020_add_journey_policies (down): drops the policies and revokes the grants the up added.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy journey_instances_delete_team on public.journey_instances;
drop policy journey_instances_update_team on public.journey_instances;
drop policy journey_instances_insert_team on public.journey_instances;
drop policy journey_instances_select_team on public.journey_instances;
revoke update (
    status, current_node_id, next_run_at, state, last_error, completed_at
) on table public.journey_instances from anon, authenticated;
revoke all on table public.journey_instances from anon, authenticated, service_role;
drop policy journey_modules_delete_team on public.journey_modules;
drop policy journey_modules_update_team on public.journey_modules;
drop policy journey_modules_insert_team on public.journey_modules;
drop policy journey_modules_select_team on public.journey_modules;
revoke update (
    position, module_type, email_template_id, sms_template_id, form_id, task_title, task_description,
    conditions
) on table public.journey_modules from anon, authenticated;
revoke all on table public.journey_modules from anon, authenticated, service_role;
drop policy journey_nodes_delete_team on public.journey_nodes;
drop policy journey_nodes_update_team on public.journey_nodes;
drop policy journey_nodes_insert_team on public.journey_nodes;
drop policy journey_nodes_select_team on public.journey_nodes;
revoke update (name, position, offset_days, send_time) on table public.journey_nodes from anon, authenticated;
revoke all on table public.journey_nodes from anon, authenticated, service_role;
drop policy customer_journeys_delete_team on public.customer_journeys;
drop policy customer_journeys_update_team on public.customer_journeys;
drop policy customer_journeys_insert_team on public.customer_journeys;
drop policy customer_journeys_select_team on public.customer_journeys;
revoke update (name, description, status, settings) on table public.customer_journeys from anon, authenticated;
revoke all on table public.customer_journeys from anon, authenticated, service_role;
