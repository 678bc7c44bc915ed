"""The tenant curve: no point lookup's latency follows the caller's tenant size (at ci; nightly at large).

Also tests the slope gate itself: a flat curve passes, a curve that follows tenant size fails, sub-noise growth
passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from wedsync_db.janitor import Janitor
from wedsync_db.perf.catalog import QUERIES
from wedsync_db.perf.gates import GateConfig
from wedsync_db.perf.tenant_curve import (
    CurvePoint,
    TenantCurve,
    judge_curve,
    log_slope,
    markdown,
    plot,
    run_tenant_curve,
)


def _points(ms: list[float]) -> list[CurvePoint]:
    return [CurvePoint(f"t{i}", 10 ** (i + 1), v, 10) for i, v in enumerate(ms)]


def test_slope_of_a_curve_that_follows_tenant_size_is_one() -> None:
    """log-log least squares: latency proportional to tenant rows has slope 1, a flat one 0."""
    assert log_slope([10, 100, 1000], [1.0, 10.0, 100.0]) == pytest.approx(1.0)
    assert log_slope([10, 100, 1000], [2.0, 2.0, 2.0]) == pytest.approx(0.0)


def test_point_lookup_gate_fails_a_book_sized_cost_and_passes_flat_or_jitter() -> None:
    """GateConfig.point_lookup_max_slope: growth with the tenant fails; flat passes; sub-noise growth passes."""
    config = GateConfig()
    assert not judge_curve(_points([1.0, 3.0, 9.0, 27.0]), point_lookup=True, config=config)[1]
    assert judge_curve(_points([1.0, 1.1, 0.9, 1.0]), point_lookup=True, config=config)[1]
    assert judge_curve(_points([0.05, 0.07, 0.1, 0.12]), point_lookup=True, config=config)[1]
    assert judge_curve(_points([1.0, 3.0, 9.0, 27.0]), point_lookup=False, config=config)[1]


def test_catalog_marks_point_lookups_among_tenant_scoped_queries() -> None:
    """One client, one couple or one record: every point lookup is tenant-scoped, and there are some."""
    points = [q for q in QUERIES if q.point_lookup]
    assert len(points) >= 10
    assert all(q.tenant_scoped for q in points)


def test_no_point_lookup_follows_the_callers_tenant_size_at_ci(perf_conn: psycopg.Connection[Any]) -> None:
    """Over 5 tenants from the smallest to the whale, each point lookup's slope stays under the gate."""
    curve = run_tenant_curve(perf_conn, count=5, runs=9, warm=2)
    print("\n" + "\n".join(markdown(curve)))
    assert len(curve.tenants) == 5 and curve.tenants[-1][0] == "whale"
    assert "<svg" in plot(curve)
    assert TenantCurve.from_json(curve.to_json()) == curve  # what the bench report reads back from results.json
    assert not curve.offenders, "\n".join(markdown(curve))


@pytest.mark.nightly
def test_no_point_lookup_follows_the_callers_tenant_size_at_large(
    janitor: Janitor, perf_template: Callable[[str], str]
) -> None:
    """At ~15M rows, over 7 tenants from a few rows to the whale, each point lookup's slope stays under the gate."""
    with psycopg.connect(janitor.server.url(perf_template("large")), autocommit=True) as conn:
        curve = run_tenant_curve(conn, count=7, runs=9)
    print("\n" + "\n".join(markdown(curve)))
    assert not curve.offenders, "\n".join(markdown(curve))
