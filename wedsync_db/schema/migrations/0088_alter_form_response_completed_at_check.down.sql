-- 0088_alter_form_response_completed_at_check (down): the check of 0084 (rows whose completed_at is null while
-- complete are stamped with updated_at first, so that it holds).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.form_responses drop constraint check_form_responses_completed_at_only_when_complete;
alter table public.form_responses disable trigger user;
update public.form_responses set completed_at = updated_at
where completion = 1 and completed_at is null;
alter table public.form_responses enable trigger user;
alter table public.form_responses add constraint check_form_responses_completed_at_when_complete check (
    (completed_at is not null) = (completion = 1)
);
