"""The seeded worlds hold the product rules of migrations 0080-0086 and fill their tables and columns.

Triggers do not fire during the seed (replica mode), so the generators produce their effects: the suppliers'
rating, the responses' completion, the field states of sensitive values on the plaintext, the couple of each
journey instance; and the rows keep the rules the guards enforce (service reviews only where the couple worked
with the supplier, no submitted answer overriding a core value). Each check is a query that would find a
counter-example; the distributions are checked to be realistic, not empty.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

Conn = psycopg.Connection[Any]
PROFILES = ["tiny", "ci"]


@pytest.fixture(scope="module", params=PROFILES)
def seeded(request: pytest.FixtureRequest, seeded_template: Any, janitor: Any) -> Any:
    url = janitor.server.url(seeded_template(request.param))
    with psycopg.connect(url, autocommit=True) as conn:
        yield request.param, conn


def count(conn: Conn, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def test_service_reviews_are_of_suppliers_the_couple_worked_with_and_make_the_rating(seeded: Any) -> None:
    """service_reviews_worked_with and refresh_supplier_rating hold on the seeded rows; some reviews are replied."""
    profile, conn = seeded
    assert count(conn, "select count(*) from public.service_reviews") > (0 if profile == "tiny" else 100)
    assert count(conn, "select count(*) from public.service_reviews r where not exists (select 1 from"
                       " public.supplier_client_connections k where k.supplier_id = r.supplier_id and k.couple_id ="
                       " r.couple_id and (k.status = 'active' or (k.status = 'revoked' and k.responded_at is not"
                       " null)))") == 0
    assert count(conn, "select count(*) from public.suppliers s cross join lateral (select round(avg(r.rating), 2)"
                       " as average, count(*)::integer as total from public.service_reviews r where r.supplier_id ="
                       " s.id and r.deleted_at is null) d where (s.rating_average, s.rating_count) is distinct from"
                       " (d.average, d.total)") == 0
    if profile == "ci":
        assert count(conn, "select count(*) from public.service_reviews where reply_body is not null") > 20
        assert count(conn, "select count(distinct rating) from public.service_reviews") == 5


def test_response_completion_is_what_the_trigger_derives_whatever_the_status(seeded: Any) -> None:
    """derive_form_response_completion: every seeded response's counts and share match the schema and answers;
    complete drafts and incomplete submissions both exist."""
    profile, conn = seeded
    assert count(conn, """
        select count(*) from public.form_responses fr join public.form_versions fv on fv.id = fr.form_version_id
        cross join lateral (
            select count(*)::integer as required,
                   count(*) filter (where private.is_answered(fr.answers -> (f ->> 'key')))::integer as answered
            from jsonb_array_elements(fv.schema -> 'fields') f where f -> 'required' = 'true'::jsonb) d
        where (fr.required_field_count, fr.required_answered_count) is distinct from (d.required, d.answered)
           or fr.completion <> case when d.required = 0 then 1 else round(d.answered::numeric / d.required, 4) end
           or (fr.completed_at is not null) <> (fr.completion = 1)""") == 0
    if profile == "ci":
        assert count(conn, "select count(*) from public.form_responses where status = 'draft'"
                           " and completion = 1") > 10
        assert count(conn, "select count(*) from public.form_responses where status = 'submitted'"
                           " and completion < 1") > 10


def test_field_states_of_sensitive_values_follow_the_plaintext(seeded: Any) -> None:
    """record_core_field_value_change's rule (0085): states of encrypted values equal core_field_state of the
    decrypted value; some sensitive values are partial."""
    profile, conn = seeded
    assert count(conn, "select count(*) from public.core_field_values v join public.field_states s using (couple_id,"
                       " core_field_id) where v.value_encrypted is not null and s.state <> private.core_field_state("
                       "private.decrypt_pii(v.value_encrypted), false, v.is_not_applicable)") == 0
    if profile == "ci":
        assert count(conn, "select count(*) from public.core_field_values v join public.field_states s using"
                           " (couple_id, core_field_id) where v.value_encrypted is not null"
                           " and s.state = 'partial'") > 0


def test_no_submitted_answer_overrides_a_core_value_without_permission(seeded: Any) -> None:
    """form_responses_override_allowed holds on the seeded submissions."""
    _, conn = seeded
    assert count(conn, """
        select count(*) from public.form_responses fr
        join public.form_versions fv on fv.id = fr.form_version_id
        join public.field_mappings fm on fm.form_id = fv.form_id and fm.deleted_at is null and not fm.allow_override
        join public.core_field_values v on v.couple_id = fr.couple_id and v.core_field_id = fm.core_field_id
        where fr.status = 'submitted' and v.deleted_at is null and not v.is_not_applicable
          and fr.answers ? fm.form_field_key and fr.answers -> fm.form_field_key <> 'null'::jsonb
          and fr.answers -> fm.form_field_key is distinct from coalesce(v.value, private.decrypt_pii(v.value_encrypted))
        """) == 0


def test_journey_instances_run_for_their_clients_couple(seeded: Any) -> None:
    """fill_journey_instance_couple's rule: couple_id is the client's couple, null only for clients without one."""
    profile, conn = seeded
    assert count(conn, "select count(*) from public.journey_instances ji join public.clients c on c.id = ji.client_id"
                       " where ji.couple_id is distinct from c.couple_id") == 0
    assert count(conn, "select count(*) from public.journey_instances where couple_id is not null") > 0
    if profile == "ci":
        assert count(conn, "select count(*) from public.journey_instances where couple_id is null") > 0
