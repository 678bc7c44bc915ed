"""The query catalog: the queries WedSync and WedMe really send, each with its actor and the screen it serves.

Each query is written as PostgREST would send it: the filters the app puts in the URL (including the explicit
tenant filter Supabase's RLS guide recommends: ``.eq('supplier_id', ...)``, 171 ms -> 9 ms in its benchmark),
``order``/``limit`` from the request, and PostgREST's JSON body envelope around the result set. RPC calls are
``select * from fn(...)``. Parameters come from a :class:`Tenant` resolved from the seeded database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wedsync_db.perf.tenants import Tenant

# Actor kinds: who sends the request (the JWT PostgREST receives).
SUPPLIER = "supplier"  # a team member of the tenant (WedSync); the seeded owner, so admin-only reads work too
COUPLE = "couple"  # a partner of a couple connected to the tenant (WedMe)
ANON = "anon"  # a visitor without a session (marketplace)
SERVICE = "service_role"  # the backend with the service key (scheduler, cron)
ACTOR_KINDS = (SUPPLIER, COUPLE, ANON, SERVICE)

# PostgREST wraps a read in a CTE and aggregates the rows into one JSON body (Query/Statements.hs).
_ENVELOPE = "select coalesce(json_agg(_postgrest_t), '[]')::text as body from ({inner}) as _postgrest_t"
# HEAD with Prefer: count=exact sends only the count.
_COUNT = "select count(*) as total from ({inner}) as _postgrest_t"


@dataclass(frozen=True)
class CatalogQuery:
    """One app query: who runs it, for which screen, the SQL PostgREST sends, and what the gates expect."""

    name: str
    actor: str
    app: str
    screen: str
    request: str  # the HTTP request the app sends, for people reading the report
    sql: str
    params: Callable[[Tenant], dict[str, Any]]
    envelope: str = "json"  # json (a GET body), count (HEAD count=exact) or none (RPC returning rows)
    partitioned: str | None = None  # parent table whose partitions must be pruned
    max_partitions: int | None = None  # at most this many partitions of it may be read
    opaque: bool = False  # the work happens inside a function whose plan EXPLAIN cannot show
    tenant_scoped: bool = True  # False: the query reads across tenants by design (marketplace, scheduler)
    # One client, one couple or one record: its cost must follow the rows it returns, never the size of the
    # caller's tenant (the tenant curve gates the slope, wedsync_db/perf/tenant_curve.py).
    point_lookup: bool = False
    # Its work is the tenant's rows that match, ranked by another column (a full-text search ordered by date: no
    # index serves both): it grows as the tenant grows, so the data curve allows GROWTH_LIMIT times the tenant's
    # own growth from large to xl (wedsync_db/perf/data_curve.py), and the 1 s line still applies.
    ranks_tenant_rows: bool = False
    rls_baseline: bool = True  # False: as service_role the query means something else (no caller, no rows)

    @property
    def method(self) -> str:
        return self.request.split(" ", 1)[0]

    def statement(self) -> str:
        """The SQL text as sent: the inner query inside PostgREST's envelope."""
        inner = self.sql.strip()
        if self.envelope == "json":
            return _ENVELOPE.format(inner=inner)
        if self.envelope == "count":
            return _COUNT.format(inner=inner)
        return inner

    @property
    def expects_initplan(self) -> bool:
        """Signed-in actors reading RLS tables directly: auth.uid() must run once, in an InitPlan."""
        return self.actor in (SUPPLIER, COUPLE) and not self.opaque


# The client page's activity window: the year up to now, at most 13 monthly partitions (this month and the 12
# before it, whatever the day).
CLIENT_ACTIVITY_WINDOW_DAYS = 365


def _sup(t: Tenant) -> dict[str, Any]:
    return {"supplier_id": t.supplier_id}


QUERIES: tuple[CatalogQuery, ...] = (
    CatalogQuery(
        "upcoming_weddings", SUPPLIER, "WedSync", "Dashboard: upcoming weddings",
        "GET /clients?supplier_id=eq.{s}&wedding_date=gte.{today}&order=wedding_date&limit=20",
        """select id, partner_one_name, partner_two_name, wedding_date, venue_name, status
           from public.clients
           where supplier_id = %(supplier_id)s and wedding_date >= %(today)s
           order by wedding_date limit 20""",
        lambda t: {**_sup(t), "today": t.as_of.date()},
    ),
    CatalogQuery(
        # Through the table (GET /clients?search_vector=wfts...) RLS keeps @@ (not leakproof) from being an
        # index condition, so a whale's search read all its clients; the app calls the search RPC (0034).
        "client_search", SUPPLIER, "WedSync", "Clients: search box (full text)",
        "POST /rpc/search_clients {p_supplier_id, p_query}",
        """select id, partner_one_name, partner_two_name, email, wedding_date, status
           from public.search_clients(%(supplier_id)s, %(q)s, 20)""",
        lambda t: {**_sup(t), "q": t.search_term}, opaque=True, rls_baseline=False, ranks_tenant_rows=True,
    ),
    CatalogQuery(
        "clients_by_status", SUPPLIER, "WedSync", "Clients: list filtered by status",
        "GET /clients?supplier_id=eq.{s}&status=eq.booked&order=wedding_date&limit=50",
        """select id, partner_one_name, partner_two_name, wedding_date, status
           from public.clients
           where supplier_id = %(supplier_id)s and status = 'booked'
           order by wedding_date limit 50""",
        _sup,
    ),
    CatalogQuery(
        "response_inbox", SUPPLIER, "WedSync", "Forms: response inbox, newest first",
        "GET /form_responses?select=id,status,submitted_at,client:clients(partner_one_name)"
        "&supplier_id=eq.{s}&status=eq.submitted&order=created_at.desc&limit=50",
        """select fr.id, fr.status, fr.submitted_at, fr.created_at, c.partner_one_name
           from public.form_responses as fr
           left join lateral (select cl.partner_one_name from public.clients as cl where cl.id = fr.client_id) as c
             on true
           where fr.supplier_id = %(supplier_id)s and fr.status = 'submitted'
           order by fr.created_at desc limit 50""",
        _sup,
    ),
    CatalogQuery(
        "client_responses", SUPPLIER, "WedSync", "Client page: that client's form responses",
        "GET /form_responses?supplier_id=eq.{s}&client_id=eq.{c}&order=created_at.desc",
        """select id, form_version_id, status, answers, submitted_at
           from public.form_responses
           where supplier_id = %(supplier_id)s and client_id = %(client_id)s
           order by created_at desc""",
        lambda t: {**_sup(t), "client_id": t.client_id}, point_lookup=True,
    ),
    CatalogQuery(
        "message_thread", SUPPLIER, "WedSync", "Messages: one couple's thread",
        "GET /messages?supplier_id=eq.{s}&couple_id=eq.{cp}&order=created_at&limit=100",
        """select id, sender, channel, subject, body, status, created_at
           from public.messages
           where supplier_id = %(supplier_id)s and couple_id = %(couple_id)s
           order by created_at limit 100""",
        lambda t: {**_sup(t), "couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "unread_notifications", SUPPLIER, "WedSync", "Header: unread notification badge",
        "HEAD /notifications?user_id=eq.{u}&read_at=is.null (Prefer: count=exact)",
        """select 1 from public.notifications where user_id = %(user_id)s and read_at is null""",
        lambda t: {"user_id": t.owner_user_id}, envelope="count",
    ),
    CatalogQuery(
        "activity_feed_30d", SUPPLIER, "WedSync", "Dashboard: activity feed, last 30 days",
        "GET /activities?supplier_id=eq.{s}&created_at=gte.{from}&created_at=lt.{to}&order=created_at.desc&limit=50",
        """select id, action, entity_type, entity_id, client_id, created_at
           from public.activities
           where supplier_id = %(supplier_id)s and created_at >= %(since)s and created_at < %(until)s
           order by created_at desc limit 50""",
        # Up to now, never into next month's partition (created ahead); 30 days reach back two months only on
        # the first days of March.
        lambda t: {**_sup(t), "since": t.days_ago(30), "until": t.as_of},
        partitioned="activities", max_partitions=3,
    ),
    CatalogQuery(
        "analytics_per_day_90d", SUPPLIER, "WedSync", "Analytics: events per day, 90 days (admin; materialized view)",
        "POST /rpc/dashboard_analytics_per_day?supplier_id=eq.{s}&order=day,event_name {p_from, p_to}",
        """select day, event_name, events from public.dashboard_analytics_per_day(%(p_from)s, %(p_to)s)
           where supplier_id = %(supplier_id)s order by day, event_name""",
        lambda t: {**_sup(t), "p_from": t.days_ago(90).date(), "p_to": t.days_ago(-1).date()},
        opaque=True, rls_baseline=False,
    ),
    CatalogQuery(
        "dashboard_clients_by_status", SUPPLIER, "WedSync", "Dashboard: clients per status tile (materialized view)",
        "GET /rpc/dashboard_clients_by_status?supplier_id=eq.{s}",
        """select supplier_id, status, client_count from public.dashboard_clients_by_status()
           where supplier_id = %(supplier_id)s""",
        _sup, opaque=True, rls_baseline=False,
    ),
    CatalogQuery(
        "dashboard_messages_per_day", SUPPLIER, "WedSync", "Dashboard: messages per day chart (materialized view)",
        "GET /rpc/dashboard_messages_per_day?supplier_id=eq.{s}&day=gte.{from}",
        """select day, channel, message_count from public.dashboard_messages_per_day()
           where supplier_id = %(supplier_id)s and day >= %(since)s order by day""",
        lambda t: {**_sup(t), "since": t.days_ago(90).date()}, opaque=True, rls_baseline=False,
    ),
    CatalogQuery(
        "form_prefill", SUPPLIER, "WedSync", "Form editor: values prefilled for a couple",
        "POST /rpc/form_prefill {p_form_id, p_couple_id}",
        """select form_field_key, core_field_key, value, source from public.form_prefill(%(form_id)s, %(couple_id)s)""",
        lambda t: {"form_id": t.form_id, "couple_id": t.couple_id}, opaque=True, point_lookup=True,
    ),
    CatalogQuery(
        "audit_trail_of_record", SUPPLIER, "WedSync", "Client page: history of this record (admin)",
        "GET /audit_log?supplier_id=eq.{s}&table_name=eq.clients&row_id=eq.{c}&order=created_at.desc",
        """select id, action, actor_user_id, actor_role, changed_columns, old_values, new_values, created_at
           from public.audit_log
           where supplier_id = %(supplier_id)s and table_name = 'clients' and row_id = %(client_id)s
           order by created_at desc""",
        lambda t: {**_sup(t), "client_id": t.client_id}, point_lookup=True,
    ),
    CatalogQuery(
        "supplier_inbox", SUPPLIER, "WedSync", "Messages: inbox across all couples, newest first",
        "GET /messages?supplier_id=eq.{s}&order=created_at.desc&limit=50",
        """select id, couple_id, client_id, sender, channel, subject, status, created_at
           from public.messages
           where supplier_id = %(supplier_id)s
           order by created_at desc limit 50""",
        _sup,
    ),
    CatalogQuery(
        "couple_page_connection", SUPPLIER, "WedSync", "Couple page: the connection (status, shared groups)",
        "GET /supplier_client_connections?supplier_id=eq.{s}&couple_id=eq.{cp}",
        """select id, status, shared_field_group_keys, created_at, responded_at
           from public.supplier_client_connections
           where supplier_id = %(supplier_id)s and couple_id = %(couple_id)s""",
        lambda t: {**_sup(t), "couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "couple_page_core_fields", SUPPLIER, "WedSync", "Couple page: the couple's shared core fields",
        "POST /rpc/core_field_values_for_couple {p_couple_id}",
        ("select core_field_key, field_group_key, value, version "
         "from public.core_field_values_for_couple(%(couple_id)s)"),
        lambda t: {"couple_id": t.couple_id}, opaque=True, point_lookup=True,
    ),
    CatalogQuery(
        "couple_page_field_values", SUPPLIER, "WedSync", "Couple page: shared core field values (table read)",
        "GET /core_field_values?couple_id=eq.{cp}&select=core_field_id,field_group_id,value,version",
        """select core_field_id, field_group_id, value, is_not_applicable, version, updated_at
           from public.core_field_values
           where couple_id = %(couple_id)s""",
        lambda t: {"couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "couple_page_field_states", SUPPLIER, "WedSync", "Couple page: completion of the shared fields",
        "GET /field_states?couple_id=eq.{cp}",
        """select core_field_id, field_group_id, state from public.field_states where couple_id = %(couple_id)s""",
        lambda t: {"couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "couple_page_responses", SUPPLIER, "WedSync", "Couple page: that couple's form responses",
        "GET /form_responses?supplier_id=eq.{s}&couple_id=eq.{cp}&order=created_at.desc",
        """select id, form_version_id, status, submitted_at, created_at
           from public.form_responses
           where supplier_id = %(supplier_id)s and couple_id = %(couple_id)s
           order by created_at desc""",
        lambda t: {**_sup(t), "couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "client_page_client", SUPPLIER, "WedSync", "Client page: the client record",
        "GET /clients?supplier_id=eq.{s}&id=eq.{c}",
        """select id, couple_id, partner_one_name, partner_two_name, email, phone, wedding_date, venue_name,
                  status, notes
           from public.clients
           where supplier_id = %(supplier_id)s and id = %(client_id)s""",
        lambda t: {**_sup(t), "client_id": t.client_id}, point_lookup=True,
    ),
    CatalogQuery(
        "client_journeys", SUPPLIER, "WedSync", "Client and couple page: the client's journey instances",
        "GET /journey_instances?supplier_id=eq.{s}&client_id=eq.{c}&order=started_at.desc",
        """select id, journey_id, current_node_id, status, started_at, next_run_at
           from public.journey_instances
           where supplier_id = %(supplier_id)s and client_id = %(client_id)s
           order by started_at desc""",
        lambda t: {**_sup(t), "client_id": t.client_id}, point_lookup=True,
    ),
    CatalogQuery(
        "client_activities", SUPPLIER, "WedSync",
        "Client page: the client's activities of the last 12 months, newest first (older windows on demand)",
        "GET /activities?supplier_id=eq.{s}&client_id=eq.{c}&created_at=gte.{from}&created_at=lt.{to}"
        "&order=created_at.desc&limit=50",
        # A window, not the whole history: activities has no index across its monthly partitions, so an unbounded
        # request probes one partition per month the product has existed and grows with its age, not the client's
        # rows. "Show older" sends the previous window.
        """select id, action, entity_type, entity_id, created_at
           from public.activities
           where supplier_id = %(supplier_id)s and client_id = %(client_id)s
             and created_at >= %(since)s and created_at < %(until)s
           order by created_at desc limit 50""",
        lambda t: {**_sup(t), "client_id": t.client_id, "since": t.days_ago(CLIENT_ACTIVITY_WINDOW_DAYS),
                   "until": t.as_of},
        partitioned="activities", max_partitions=13, point_lookup=True,
    ),
    CatalogQuery(
        "couple_suppliers_last_message", COUPLE, "WedMe", "My suppliers: each with the last message",
        "GET /supplier_client_connections?select=status,supplier:suppliers(business_name,category),"
        "last:messages(body,created_at).order(created_at.desc).limit(1)&couple_id=eq.{cp}&status=eq.active",
        """select scc.id, scc.status, s.business_name, s.category, m.body as last_body, m.created_at as last_at
           from public.supplier_client_connections as scc
           left join lateral (select su.business_name, su.category from public.suppliers as su
                              where su.id = scc.supplier_id) as s on true
           left join lateral (select ms.body, ms.created_at from public.messages as ms
                              where ms.supplier_id = scc.supplier_id and ms.couple_id = scc.couple_id
                              order by ms.created_at desc limit 1) as m on true
           where scc.couple_id = %(couple_id)s and scc.status = 'active'""",
        lambda t: {"couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "couple_message_thread", COUPLE, "WedMe", "Messages: thread with one supplier",
        "GET /messages?couple_id=eq.{cp}&supplier_id=eq.{s}&order=created_at&limit=100",
        """select id, sender, channel, body, created_at
           from public.messages
           where couple_id = %(couple_id)s and supplier_id = %(supplier_id)s
           order by created_at limit 100""",
        lambda t: {**_sup(t), "couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "couple_core_fields", COUPLE, "WedMe", "My wedding details: core fields",
        "POST /rpc/core_field_values_for_couple {p_couple_id}",
        ("select core_field_key, field_group_key, value, version "
         "from public.core_field_values_for_couple(%(couple_id)s)"),
        lambda t: {"couple_id": t.couple_id}, opaque=True, point_lookup=True,
    ),
    CatalogQuery(
        "couple_form_responses", COUPLE, "WedMe", "My forms: our responses, newest first",
        "GET /form_responses?couple_id=eq.{cp}&order=created_at.desc",
        """select id, supplier_id, form_version_id, status, submitted_at, created_at
           from public.form_responses
           where couple_id = %(couple_id)s
           order by created_at desc""",
        lambda t: {"couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "couple_field_states", COUPLE, "WedMe", "My wedding details: completion of each field",
        "GET /field_states?couple_id=eq.{cp}",
        """select core_field_id, field_group_id, state from public.field_states where couple_id = %(couple_id)s""",
        lambda t: {"couple_id": t.couple_id}, point_lookup=True,
    ),
    CatalogQuery(
        "marketplace_browse", ANON, "WedSync", "Marketplace: a category, best rated first",
        "GET /templates?category=eq.{cat}&status=eq.published&order=rating_average.desc.nullslast&limit=24",
        """select id, title, kind, price, currency, rating_average, rating_count
           from public.templates
           where category = %(category)s and status = 'published'
           order by rating_average desc nulls last limit 24""",
        lambda t: {"category": t.category}, tenant_scoped=False,
    ),
    CatalogQuery(
        "template_reviews", ANON, "WedSync", "Marketplace: a template's reviews, newest first",
        "GET /reviews?template_id=eq.{t}&order=created_at.desc&limit=20",
        """select id, rating, title, body, created_at
           from public.reviews
           where template_id = %(template_id)s
           order by created_at desc limit 20""",
        lambda t: {"template_id": t.template_id},
    ),
    CatalogQuery(
        "journeys_due_to_run", SERVICE, "backend", "Scheduler: journey instances due to run",
        "GET /journey_instances?status=eq.active&next_run_at=lte.{now}&order=next_run_at&limit=100 (service key)",
        """select id, supplier_id, journey_id, client_id, current_node_id, next_run_at
           from public.journey_instances
           where status = 'active' and deleted_at is null and next_run_at <= %(now)s
           order by next_run_at limit 100""",
        lambda t: {"now": t.as_of}, tenant_scoped=False,
    ),
)


def catalog_query(name: str) -> CatalogQuery:
    """Return the catalog query with this name, or raise listing the names."""
    for query in QUERIES:
        if query.name == name:
            return query
    raise KeyError(f"no catalog query {name!r}; known: {', '.join(q.name for q in QUERIES)}")
