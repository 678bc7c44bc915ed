-- 0084_add_form_response_completion (down): drops the completion of form responses and its trigger.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger derive_form_response_completion on public.form_responses;
drop function private.derive_form_response_completion();
drop function private.is_answered(jsonb);
alter table public.form_responses drop constraint check_form_responses_completed_at_when_complete;
alter table public.form_responses drop constraint check_form_responses_completion_range;
alter table public.form_responses drop constraint check_form_responses_required_answered_count_range;
alter table public.form_responses drop column completed_at;
alter table public.form_responses drop column completion;
alter table public.form_responses drop column required_answered_count;
alter table public.form_responses drop column required_field_count;
