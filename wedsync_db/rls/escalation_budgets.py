"""The escalation search's budgets, apart from the search itself so that the CLI's help can name them without
importing Hypothesis."""

from __future__ import annotations

# Examples, steps per example and the shrinking budget (seconds), per profile (named like Hypothesis's profiles:
# `ci` is derandomised, so a CI run and its replay take the same steps).
# `main` is the main job's, on the seeded ci world, where every read of the whale's team costs more.
BUDGETS: dict[str, tuple[int, int, int]] = {
    "ci": (30, 15, 20), "dev": (30, 15, 20), "nightly": (400, 30, 300), "main": (6, 10, 20),
}
PROFILES = tuple(BUDGETS)
