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


def _installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def installed_extras(root: str = "wedsync-db") -> frozenset[str]:
    """The extras of ``root`` whose every requirement is installed: dev (bin/bootstrap), container when added."""
    dist = metadata.distribution(root)
    extras = set(dist.metadata.get_all("Provides-Extra") or [])
    needs = {extra: [Requirement(text) for text in dist.requires or []
                     if Requirement(text).marker is not None and Requirement(text).marker.evaluate({"extra": extra})]
             for extra in extras}
    return frozenset(extra for extra, requirements in needs.items()
                     if all(_installed(requirement.name) for requirement in requirements))


def installed_closure(root: str = "wedsync-db") -> dict[str, str]:
    """Every distribution ``root`` and its installed extras need on this platform, with its installed version."""
    found: dict[str, str] = {}
    todo = [(root, installed_extras(root))]
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


def test_bootstrap_installs_the_dev_extra() -> None:
    """bin/test and bin/lint need the dev extra (pytest-xdist, sqlfluff, squawk, ruff, mypy, pgrls)."""
    assert "dev" in installed_extras(), "run bin/bootstrap (it installs -e '.[dev]')"


def test_every_installed_dependency_is_pinned_at_its_installed_version() -> None:
    pins = pinned_versions()
    unpinned = sorted(name for name in installed_closure() if name not in pins)
    assert not unpinned, f"not in constraints.txt (run bin/lock): {unpinned}"
    moved = {name: (version, pins[name]) for name, version in installed_closure().items() if pins[name] != version}
    assert not moved, f"installed version differs from constraints.txt (run bin/bootstrap): {moved}"
