"""Keep clones of a template ready in the background, so a test waits for nothing but a queue.

CREATE DATABASE ... STRATEGY FILE_COPY forces two checkpoints and costs 40-300 ms here; a worker thread
makes the next clone while the current test runs, and drops used clones after it, off the test's clock.
"""

from __future__ import annotations

import queue
import threading
import time

from wedsync_db.janitor import Janitor, unique_name


class ClonePool:
    """A background supply of fresh clones of one template database (one worker thread)."""

    def __init__(self, janitor: Janitor, template: str, *, ready: int = 1, purpose: str = "test") -> None:
        self.janitor = janitor
        self.template = template
        self.ready = ready
        self.purpose = purpose
        self._ready: queue.Queue[str] = queue.Queue()
        self._to_drop: queue.Queue[str] = queue.Queue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="wedsync-clone-pool", daemon=True)
        self._thread.start()

    def acquire(self, timeout: float = 300.0) -> str:
        """Return the name of a fresh clone (waiting for one if none is ready yet)."""
        self._wake.set()
        while True:
            self._raise_if_worker_failed()
            try:
                return self._ready.get(timeout=min(timeout, 0.5))
            except queue.Empty:
                timeout -= 0.5
                if timeout <= 0:
                    raise TimeoutError(f"no clone of {self.template} became ready") from None

    def wait_until_ready(self, timeout: float = 30.0) -> list[str]:
        """Block until ``ready`` clones are made (a warm-up, or a test's barrier); return their names."""
        deadline = time.monotonic() + timeout
        while self._ready.qsize() < self.ready:
            self._raise_if_worker_failed()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no clone of {self.template} became ready in {timeout:.0f} s")
            time.sleep(0.02)
        with self._ready.mutex:  # a consistent look at the queue while the worker may be adding to it
            return list(self._ready.queue)

    def release(self, name: str) -> None:
        """Hand a used clone back to be dropped in the background."""
        self._to_drop.put(name)
        self._wake.set()

    def close(self) -> None:
        """Stop the worker, then drop the clones it made and nobody used (and any still to drop)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)
        for source in (self._ready, self._to_drop):
            while not source.empty():
                self.janitor.drop(source.get_nowait())

    def _raise_if_worker_failed(self) -> None:
        if self._error is not None:
            raise RuntimeError(f"the clone pool's worker failed: {self._error}") from self._error

    def _work(self) -> None:
        try:
            while not self._stop.is_set():
                if self._ready.qsize() < self.ready:
                    self._ready.put(self.janitor.create(unique_name(self.purpose), template=self.template))
                elif not self._to_drop.empty():
                    self.janitor.drop(self._to_drop.get_nowait())
                else:
                    self._wake.wait(timeout=0.2)
                    self._wake.clear()
        except BaseException as error:  # surfaced to the next acquire() instead of dying silently
            self._error = error
