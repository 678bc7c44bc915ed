-- 0013_create_core_field_values (down): drops the couples trigger, the three tables and their functions.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger seed_field_states on public.couples;
drop table public.field_states;
drop table public.core_field_value_history;
drop table public.core_field_values;
drop function private.seed_field_states();
drop function private.record_core_field_value_change();
drop function private.prepare_core_field_value();
drop function private.core_field_state(jsonb, boolean, boolean);
drop function private.decrypt_pii(bytea);
drop function private.pii_key();
