"""Where a temporary cluster lives: in memory when a tmpfs has room, on disk when asked or when none has."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from wedsync_db.errors import ServerUnavailable
from wedsync_db.server import LocalServer, placement
from wedsync_db.server.local import remove_stale_clusters

needs_tmpfs = pytest.mark.skipif(
    placement.memory_unusable_reason() is not None,
    reason=f"no usable tmpfs here: {placement.memory_unusable_reason()}",
)


@pytest.fixture
def no_preference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(placement.ENVIRONMENT_VARIABLE, raising=False)


@needs_tmpfs
def test_a_temporary_cluster_goes_in_memory_by_default_when_a_tmpfs_has_room(no_preference: None) -> None:
    server = LocalServer()
    try:
        assert server.in_memory
        assert server.data_dir.parent.parent == placement.MEMORY_DIR
        assert "in memory" in server.location()
    finally:
        server.stop()


def test_in_memory_false_keeps_a_temporary_cluster_on_disk(no_preference: None) -> None:
    server = LocalServer(in_memory=False)
    try:
        assert not server.in_memory
        assert server.data_dir.parent.parent == Path(tempfile.gettempdir())
        assert "on disk" in server.location()
    finally:
        server.stop()


def test_the_environment_can_keep_temporary_clusters_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(placement.ENVIRONMENT_VARIABLE, "off")
    assert placement.parent_directory(None) == Path(tempfile.gettempdir())


def test_an_unknown_environment_value_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(placement.ENVIRONMENT_VARIABLE, "yes")
    with pytest.raises(ServerUnavailable, match="'yes' is not one of auto, on, off"):
        placement.parent_directory(None)


def test_memory_on_a_directory_that_is_not_a_tmpfs_falls_back_to_disk_or_fails_when_required(
    monkeypatch: pytest.MonkeyPatch, no_preference: None,
) -> None:
    """A disk directory standing in for /dev/shm: auto goes to disk, an explicit request says why it cannot."""
    monkeypatch.setattr(placement, "MEMORY_DIR", Path(tempfile.gettempdir()) / "not-a-tmpfs")
    assert placement.parent_directory(None) == Path(tempfile.gettempdir())
    with pytest.raises(ServerUnavailable, match="does not exist.*WEDSYNC_DB_IN_MEMORY=off"):
        placement.parent_directory(True)
    placement.MEMORY_DIR.mkdir(exist_ok=True)
    try:
        with pytest.raises(ServerUnavailable, match="is not a tmpfs"):
            placement.parent_directory(True)
    finally:
        placement.MEMORY_DIR.rmdir()


@needs_tmpfs
def test_a_tmpfs_with_too_little_room_is_not_used(monkeypatch: pytest.MonkeyPatch, no_preference: None) -> None:
    monkeypatch.setattr(placement, "MIN_FREE_BYTES", 1 << 60)
    assert placement.parent_directory(None) == Path(tempfile.gettempdir())
    with pytest.raises(ServerUnavailable, match="GiB free, under the"):
        placement.parent_directory(True)


@needs_tmpfs
def test_a_stale_cluster_left_in_memory_is_removed() -> None:
    """A cluster whose harness process is gone is removed from memory as from disk (it holds RAM)."""
    stale = Path(tempfile.mkdtemp(prefix="wedsync-pg-", dir=placement.MEMORY_DIR))
    (stale / "harness.pid").write_text("999999999")  # above any pid_max: no such process
    assert stale in remove_stale_clusters()
    assert not stale.exists()
