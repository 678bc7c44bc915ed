"""A seed means the same rows on every machine: the World's fingerprint is recorded and checked.

If a test here goes red after a change to a generator, a pool or Faker (constraints.txt), seeds now mean other
rows: a seed or failing example recorded before no longer replays the same data. When that is intended, update
RECORDED in the same commit and say so in its message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_tests.worlds import AS_OF
from wedsync_db.worlds.checksum import world_fingerprint
from wedsync_db.worlds.columns import COLUMNS
from wedsync_db.worlds.world import build_world

ROOT = Path(__file__).resolve().parents[2]

# (profile, seed 42, as of 2025-06-14, locale en_GB) -> world_fingerprint
RECORDED = {
    "tiny": "e61003fced94cffd09f671cc3afcd5e9fbb5a23f046b7bd3d392f8b246a90342",
    "ci": "90d4069cbcb6012ac8695c9a411068a94df9d72321d81617949af066a2b84c08",
}


@pytest.mark.parametrize("profile", sorted(RECORDED))
def test_seed_42_still_means_the_rows_it_meant_when_recorded(profile: str) -> None:
    world = build_world(profile, seed=42, as_of=AS_OF, locales=("en_GB",))
    assert world_fingerprint(world) == RECORDED[profile], (
        f"the {profile} World of seed 42 changed: see this module's docstring")


@pytest.mark.parametrize("hash_seed", ["0", "1"])
def test_the_world_does_not_depend_on_pythons_string_hash_randomisation(hash_seed: str) -> None:
    """Set orders of str keys vary with PYTHONHASHSEED; no row may depend on them (ci: tiny skips some paths)."""
    script = ("from datetime import date; from wedsync_db.worlds.world import build_world; "
              "from wedsync_db.worlds.checksum import world_fingerprint; "
              f"print(world_fingerprint(build_world('ci', seed=42, as_of=date.fromisoformat('{AS_OF}'))))")
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == RECORDED["ci"]


def test_one_changed_value_changes_the_fingerprint() -> None:
    world = build_world("tiny", seed=42, as_of=AS_OF)
    before = world_fingerprint(world)
    clients, name = world._rows["clients"], COLUMNS["clients"].index("partner_one_name")
    clients[-1] = (*clients[-1][:name], clients[-1][name] + "e", *clients[-1][name + 1:])
    assert world_fingerprint(world) != before


def test_a_streamed_world_fingerprints_its_python_rows_only() -> None:
    """large and xl make four tables in SQL; the fingerprint covers the rest, regenerated, and is deterministic."""
    from tests.fixtures_tests.worlds import streamed_tiny

    streamed = world_fingerprint(streamed_tiny())
    assert streamed == world_fingerprint(streamed_tiny())
    assert streamed != RECORDED["tiny"]
