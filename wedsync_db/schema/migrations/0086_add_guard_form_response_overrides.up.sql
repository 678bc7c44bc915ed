-- 0086_add_guard_form_response_overrides
-- What and why: "suppliers can allow couples to override auto-populated values". field_mappings.allow_override
-- only changed what form_prefill shows; a couple could submit any answer for a mapped field. Now, when a couple
-- submits a response (an insert as submitted, or a draft updated to submitted), every answer to a form field
-- mapped to a core field (live mappings of the response's form) must equal the couple's value of that core field,
-- unless the mapping allows overrides. Otherwise the submission is refused with SQLSTATE 23514 and constraint
-- form_responses_override_allowed, naming the field.
--   * What counts: a core field value that is live, not marked not applicable and not null (a sensitive one
--     decrypted); an answer that is present and not JSON null. No value to inherit, or no answer, and nothing is
--     overridden. Equality is jsonb equality (the prefill hands the core value over as is).
--   * Refused rather than replaced by the core value. A submitted response is immutable and is what the couple
--     confirmed: silently rewriting an answer the couple typed would make the supplier act on something the couple
--     never saw, and hide a client that ignored the prefill. The app shows the prefilled value as read-only where
--     overrides are not allowed; the fix for a wrong core value is to correct it once, at its source (the single
--     source of truth), and every form inherits it.
--   * Who is judged: the couple's submissions, i.e. callers under RLS (only partners may insert or update
--     responses through the API); the backend (service_role) keeps what it records, as the insert stamps of 0056
--     do. The seeded worlds hold the rule (tests/fixtures_tests).
--   * After insert or update (trigger guard_form_response_overrides): RLS judges the row first, so the refusal
--     tells nothing to a caller RLS would turn away, and the core values it compares are the submitting couple's
--     own. Security definer: it reads the mappings and decrypts sensitive values.
-- Lock impact: a new trigger on form_responses (ACCESS EXCLUSIVE briefly).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.guard_form_response_overrides()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_key text;
begin
    if not private.caller_is_under_rls() then
        return null;
    end if;
    select fm.form_field_key into v_key
    from public.form_versions as fv
    inner join public.field_mappings as fm on fm.form_id = fv.form_id and fm.supplier_id = fv.supplier_id
    inner join public.core_field_values as v on v.couple_id = new.couple_id and v.core_field_id = fm.core_field_id
    where
        fv.id = new.form_version_id
        and fv.supplier_id = new.supplier_id
        and fm.deleted_at is null
        and not fm.allow_override
        and v.deleted_at is null
        and not v.is_not_applicable
        and (v.value is not null or v.value_encrypted is not null)
        and new.answers ? fm.form_field_key
        and new.answers -> fm.form_field_key <> 'null'::jsonb
        and new.answers -> fm.form_field_key
        is distinct from coalesce(v.value, private.decrypt_pii(v.value_encrypted))
    order by fm.form_field_key
    limit 1;
    if v_key is not null then
        raise exception 'answer % overrides its core field value, and the form does not allow overriding it', v_key
            using errcode = 'check_violation', constraint = 'form_responses_override_allowed',
            hint = 'Submit the core field''s value, or change the core field value itself.';
    end if;
    return null;
end;
$$;
comment on function private.guard_form_response_overrides() is
'Trigger: a couple''s submission answers mapped fields with the core field value unless the mapping allows '
'overrides (form_responses_override_allowed).';
revoke execute on function private.guard_form_response_overrides() from public;

create trigger guard_form_response_overrides after insert or update of status on public.form_responses
for each row
when (new.status = 'submitted')
execute function private.guard_form_response_overrides();
