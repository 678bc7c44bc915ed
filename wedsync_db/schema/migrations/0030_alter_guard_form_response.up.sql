-- 0030_alter_guard_form_response
-- What and why: closes a side channel. private.guard_form_response (security definer, BEFORE
-- INSERT on form_responses) raised form_responses_published_version (23000) before row level
-- security was checked, so a couple with no connection to a supplier could learn whether any
-- form version id of that supplier exists and is published (draft: 23000, published: 42501).
-- Now the guard judges only rows that could be stored anyway:
--   * the version must belong to new.supplier_id (otherwise the composite foreign key
--     fk_form_responses_form_version_id_form_versions refuses it with 23503, whatever its status);
--   * a caller under RLS (anon, authenticated) must be a partner of new.couple_id, and the couple
--     must be actively connected to new.supplier_id (the WITH CHECK of
--     form_responses_insert_partner); otherwise the guard returns the row unchanged and the policy
--     refuses it with 42501, whatever the version's status.
-- Callers that bypass RLS (service_role, the migration role) get the guard as before, and so do
-- legitimate partners: a draft version of their connected supplier is still refused with
-- form_responses_published_version. The update path (submitted responses are immutable) is
-- unchanged: RLS filters UPDATE targets before BEFORE triggers run, so it reveals nothing.
-- Lock impact: create or replace function only (no table lock; the trigger keeps pointing at it).
-- Down checked: tests/integrity/test_migration_round_trips.py (up, down, catalog compared with the
-- state before, up again); the down restores the body and comment of 0015 verbatim.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function private.guard_form_response()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    -- The role the request runs as (security definer changes current_user, not the role setting).
    v_caller text := coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), session_user);
    v_status public.form_version_status;
begin
    if tg_op = 'UPDATE' and old.status = 'submitted' then
        raise exception 'form response % is submitted and can never change', old.id
            using errcode = 'integrity_constraint_violation',
            constraint = 'form_responses_submitted_immutable';
    end if;
    if tg_op = 'INSERT' then
        -- A caller under RLS who may not insert this row learns nothing here: the insert policy
        -- refuses it (42501) whatever the version's status.
        if not exists (select 1 from pg_catalog.pg_roles as r where r.rolname = v_caller and r.rolbypassrls)
            and not (
                new.couple_id = any(array(select private.my_couple_ids()))
                and private.is_active_connection(new.supplier_id, new.couple_id)
            ) then
            return new;
        end if;
        -- Only versions of the row's supplier are judged; any other id is refused by the
        -- composite foreign key (23503), whatever its status.
        select fv.status into v_status
        from public.form_versions as fv
        where fv.id = new.form_version_id and fv.supplier_id = new.supplier_id;
        if found and v_status <> 'published' then
            raise exception 'form version % is not published: it cannot be answered', new.form_version_id
                using errcode = 'integrity_constraint_violation',
                constraint = 'form_responses_published_version';
        end if;
    end if;
    if new.status = 'submitted' then
        new.submitted_at := pg_catalog.now();
        new.submitted_by := coalesce(auth.uid(), new.submitted_by);
    end if;
    return new;
end;
$$;
comment on function private.guard_form_response() is
'Trigger: responses answer published versions of their supplier (form_responses_published_version), judged '
'only for callers the insert policy lets in or who bypass RLS, so the status of other suppliers'' versions '
'never shows; responses are immutable once submitted (form_responses_submitted_immutable); stamps submitted_at.';
