"""constraints.txt pins every package the project installs, at the version installed (bin/lock writes it).

A dependency added to pyproject.toml without re-running bin/lock would install unpinned, at whatever version is
newest on the day: this test names it.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"


def pinned_versions() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def installed_closure(root: str = "wedsync-db") -> dict[str, str]:
    """Every distribution ``root`` needs on this platform (extras followed), with its installed version."""
    found: dict[str, str] = {}
    todo = [(root, frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        dist = metadata.distribution(name)
        key = canonicalize_name(dist.metadata["Name"])
        if key in found and not extras:
            continue
        found[key] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""}))
            if wanted:
                todo.append((requirement.name, frozenset(requirement.extras)))
    del found[canonicalize_name(root)]
    return found


def test_every_installed_dependency_is_pinned_at_its_installed_version() -> None:
    pins = pinned_versions()
    unpinned = sorted(name for name in installed_closure() if name not in pins)
    assert not unpinned, f"not in constraints.txt (run bin/lock): {unpinned}"
    moved = {name: (version, pins[name]) for name, version in installed_closure().items() if pins[name] != version}
    assert not moved, f"installed version differs from constraints.txt (run bin/bootstrap): {moved}"
