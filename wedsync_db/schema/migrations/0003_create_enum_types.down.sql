-- 0003_create_enum_types (down): drops every enum type the up created.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop type public.audit_action;
drop type public.purchase_status;
drop type public.template_status;
drop type public.template_kind;
drop type public.metric_period;
drop type public.message_status;
drop type public.message_sender;
drop type public.message_channel;
drop type public.sms_channel;
drop type public.journey_instance_status;
drop type public.journey_module_type;
drop type public.journey_status;
drop type public.response_status;
drop type public.form_version_status;
drop type public.field_state;
drop type public.core_field_type;
drop type public.connection_status;
drop type public.client_status;
drop type public.supplier_category;
drop type public.team_role;
