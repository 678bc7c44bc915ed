-- 0030_alter_guard_form_response (down): restores private.guard_form_response as created by 0015.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.guard_form_response()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op = 'UPDATE' and old.status = 'submitted' then
        raise exception 'form response % is submitted and can never change', old.id
            using errcode = 'integrity_constraint_violation',
            constraint = 'form_responses_submitted_immutable';
    end if;
    if tg_op = 'INSERT' and not exists (
        select 1 from public.form_versions as fv
        where fv.id = new.form_version_id and fv.status = 'published'
    ) then
        raise exception 'form version % is not published: it cannot be answered', new.form_version_id
            using errcode = 'integrity_constraint_violation',
            constraint = 'form_responses_published_version';
    end if;
    if new.status = 'submitted' then
        new.submitted_at := pg_catalog.now();
        new.submitted_by := coalesce(auth.uid(), new.submitted_by);
    end if;
    return new;
end;
$$;
comment on function private.guard_form_response() is
'Trigger: responses answer published versions (form_responses_published_version) and are immutable once '
'submitted (form_responses_submitted_immutable); stamps submitted_at.';
