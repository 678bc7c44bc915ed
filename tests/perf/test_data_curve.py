"""The data curve: points per query and tenant, plan changes named, the growth gate and its threshold."""

from __future__ import annotations

from wedsync_db.perf.catalog import QUERIES
from wedsync_db.perf.data_curve import (
    curve,
    growth_failures,
    markdown,
    measure_profile,
    plan_change,
    restarter,
    unconfirmed_growth,
)
from wedsync_db.perf.thresholds import GROWTH_FLOOR_MS, GROWTH_LIMIT


def shape(scans, partitions=1, buffers=10, rows=5.0, execution_ms=1.0):
    return {"scans": [list(s) for s in scans], "partitions_read": partitions, "buffers": buffers, "rows": rows,
            "execution_ms": execution_ms, "planning_ms": 0.1}


def doc(profile, median, scans, rows, scoped=True, partitions=1, *, query="inbox", buffers=10, execution_ms=1.0,
        whale_clients=100):
    point = {"query": query, "tenant": "whale", "actor": "supplier", "tenant_scoped": scoped,
             "warm": {"runs": 20, "median_ms": median, "p95_ms": median, "p99_ms": median * 1.5,
                      "max_ms": median * 2}, "cold_ms": median * 10,
             "shape": shape(scans, partitions, buffers=buffers, execution_ms=execution_ms)}
    return {"profile": profile, "rows": rows, "cold_method": "server restart + OS page cache dropped",
            "tenants": {"whale": {"clients": whale_clients}, "small": {"clients": 1}}, "points": [point]}


INDEXED = [("Index Scan", "messages", "index_messages_on_supplier_id_created_at")]


def test_a_seq_scan_that_appeared_is_named():
    """The plan change names a Seq Scan present at the bigger profile only."""
    said = plan_change(shape(INDEXED), shape([("Seq Scan", "messages", None)]))
    assert "a Seq Scan on messages appeared" in said


def test_an_index_that_changed_and_partitions_not_pruned_are_named():
    """Another index on the same relation, and more partitions read, are both said."""
    said = plan_change(shape(INDEXED, partitions=1),
                       shape([("Index Scan", "messages", "messages_pkey")], partitions=36))
    assert "index_messages_on_supplier_id_created_at -> messages_pkey" in said
    assert "partitions not pruned: 36 read (was 1)" in said


def test_the_same_shape_says_it_reads_more():
    """No shape change: the sentence gives the buffers and rows that grew."""
    assert plan_change(shape(INDEXED, buffers=10), shape(INDEXED, buffers=900)).startswith("same plan shape")


def test_a_tenant_scoped_query_growing_past_the_limit_fails_with_its_plan_change():
    """large -> xl over GROWTH_LIMIT fails the gate; the message names the query, ratio and plan change."""
    docs = {"large": doc("large", 2.0, INDEXED, 15e6),
            "xl": doc("xl", 2.0 * (GROWTH_LIMIT + 1), [("Seq Scan", "messages", None)], 100e6)}
    failures = growth_failures(curve(docs))
    assert len(failures) == 1 and "inbox (whale)" in failures[0] and "Seq Scan on messages" in failures[0]
    assert "**1 growth failure(s)**:" in markdown(docs)


def test_growth_the_plan_confirms_by_its_buffers_or_server_time_fails_the_gate():
    """Same shape, but 3x the buffers, or 3x the server's own time: a real growth, not noise."""
    for more in ({"buffers": 30}, {"execution_ms": 3.0}):
        docs = {"large": doc("large", 2.0, INDEXED, 15e6), "xl": doc("xl", 6.0, INDEXED, 100e6, **more)}
        assert len(growth_failures(curve(docs))) == 1, more


def test_a_timing_growth_the_plan_does_not_confirm_is_reported_as_noise_not_failed():
    """The warm median tripled while the plan read the same buffers in the same server time: the machine's
    noise (other processes on two cores), listed under the table but not a failure."""
    docs = {"large": doc("large", 2.0, INDEXED, 15e6), "xl": doc("xl", 6.0, INDEXED, 100e6, buffers=11)}
    rows = curve(docs)
    assert growth_failures(rows) == [] and len(unconfirmed_growth(rows)) == 1
    assert "**0 growth failure(s)**." in markdown(docs) and "not counted" in "\n".join(markdown(docs))


def test_a_search_ranking_the_tenants_matches_may_grow_with_the_tenant():
    """client_search (ranks_tenant_rows) may grow GROWTH_LIMIT x the tenant's own growth; an inbox may not."""
    def docs(query):
        return {"large": doc("large", 1.0, INDEXED, 15e6, query=query, whale_clients=100),
                "xl": doc("xl", 8.0, INDEXED, 100e6, query=query, buffers=80, execution_ms=8.0,
                          whale_clients=650)}
    assert growth_failures(curve(docs("client_search"))) == []  # 8x <= 2 x 6.5
    assert len(growth_failures(curve(docs("supplier_inbox")))) == 1


def test_cross_tenant_queries_and_sub_floor_medians_do_not_fail_the_gate():
    """Marketplace-like queries grow with the whole database by design; medians under the floor are noise."""
    cross = {"large": doc("large", 2.0, INDEXED, 15e6, scoped=False), "xl": doc("xl", 20.0, INDEXED, 100e6, False)}
    tiny = {"large": doc("large", 0.1, INDEXED, 15e6), "xl": doc("xl", GROWTH_FLOOR_MS * 0.9, INDEXED, 100e6)}
    assert growth_failures(curve(cross)) == [] and growth_failures(curve(tiny)) == []


def test_the_cold_method_says_what_was_done():
    """A cluster in memory cannot be made cold by dropping the page cache: the method says so."""
    restarts = []
    method = restarter(lambda: restarts.append(1), in_memory=True)()
    assert restarts == [1] and "in memory" in method


def test_every_catalog_query_gets_a_point_for_both_tenants(perf_db_url):
    """At ci: one point per query and tenant, with warm latency and the plan's scans; no restart, so no cold."""
    measured = measure_profile(perf_db_url, "ci", runs=2, warm=1, settle_wait_s=60, log=lambda _: None)
    assert len(measured["points"]) == 2 * len(QUERIES)
    assert all(p["warm"]["runs"] == 2 and p["cold_ms"] is None for p in measured["points"])
    assert any(p["shape"]["scans"] for p in measured["points"])
    assert "not measured" in measured["cold_method"]


def test_a_bitmap_scan_keeps_its_index_and_a_timed_out_plan_says_so():
    """The Bitmap Index Scan's index is counted on the heap scan's relation; a plan not run says it timed out."""
    from wedsync_db.perf.data_curve import plan_shape
    from wedsync_db.plans import Plan, PlanNode

    root = PlanNode.from_json({"Node Type": "Bitmap Heap Scan", "Relation Name": "field_states", "Actual Loops": 1,
                               "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "index_fs_on_couple",
                                          "Actual Loops": 1}]})
    analyzed = plan_shape(Plan(root, 0.1, 1.0), set())
    assert ["Bitmap Index Scan", "field_states", "index_fs_on_couple"] in analyzed["scans"]
    planned = plan_shape(Plan(root, 0.1, 0.0), set(), analyzed=False)
    assert plan_change(analyzed, planned).startswith("timed out")
