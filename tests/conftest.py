"""Test-wide settings: Hypothesis profiles (dev, ci, nightly) chosen by HYPOTHESIS_PROFILE."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

# Database tests are slower than Hypothesis expects, and function-scoped fixtures run once for all
# examples by design here (each example isolates itself with a savepoint), so those checks are noise.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=_SUPPRESSED, print_blob=True,
)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=_SUPPRESSED, derandomize=True,
    print_blob=True, database=None,
)
settings.register_profile(
    "nightly", max_examples=5000, deadline=None, suppress_health_check=_SUPPRESSED, print_blob=True,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

_default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
