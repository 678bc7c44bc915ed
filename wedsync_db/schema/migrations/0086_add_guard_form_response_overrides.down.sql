-- 0086_add_guard_form_response_overrides (down): drops the override guard.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger guard_form_response_overrides on public.form_responses;
drop function private.guard_form_response_overrides();
