"""Tests of the seeded world (wedsync_db/worlds/): determinism, integrity, distributions, sizes."""
