"""Tests of the seeded world (fixtures/): determinism, integrity, distributions, sizes."""
