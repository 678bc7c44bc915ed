-- 0003_create_enum_types
-- What and why: the domain vocabularies (team roles, statuses, channels, field states) as enum types,
-- so a typo is a type error rather than a silently invisible row. team_role is ordered weakest first
-- (viewer < member < admin < owner): the access helpers compare roles with >=.
-- Lock impact: creates types only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create type public.team_role as enum ('viewer', 'member', 'admin', 'owner');
create type public.supplier_category as enum (
    'photographer', 'videographer', 'venue', 'caterer', 'florist', 'planner', 'musician', 'dj',
    'baker', 'hair_and_makeup', 'officiant', 'stationer', 'transport', 'other'
);
create type public.client_status as enum ('enquiry', 'proposal', 'booked', 'completed', 'cancelled', 'archived');
create type public.connection_status as enum ('invited', 'active', 'declined', 'revoked');
create type public.core_field_type as enum (
    'text', 'long_text', 'email', 'phone', 'date', 'time', 'integer', 'currency', 'address'
);
create type public.field_state as enum ('completed', 'partial', 'pending', 'not_applicable');
create type public.form_version_status as enum ('draft', 'published');
create type public.response_status as enum ('draft', 'submitted');
create type public.journey_status as enum ('draft', 'active', 'paused', 'archived');
create type public.journey_module_type as enum ('email', 'sms', 'form', 'task');
create type public.journey_instance_status as enum ('active', 'paused', 'completed', 'cancelled', 'failed');
create type public.sms_channel as enum ('sms', 'whatsapp');
create type public.message_channel as enum ('email', 'sms', 'whatsapp', 'in_app');
create type public.message_sender as enum ('supplier', 'couple', 'system');
create type public.message_status as enum ('queued', 'sent', 'delivered', 'failed');
create type public.metric_period as enum ('day', 'week', 'month');
create type public.template_kind as enum ('form', 'journey', 'email', 'sms', 'bundle');
create type public.template_status as enum ('draft', 'published', 'archived');
create type public.purchase_status as enum ('pending', 'completed', 'refunded');
create type public.audit_action as enum ('insert', 'update', 'delete');
