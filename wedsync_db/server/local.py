"""A throwaway (or persistent dev) PostgreSQL cluster run from local server binaries, without Docker.

initdb and postgres refuse to run as root, so when the harness is root both run as an unprivileged
OS user (``postgres`` by default). The server process is a direct child of the harness and gets
SIGQUIT when the harness dies (Linux parent-death signal), so no orphan postmaster survives a crash;
an atexit hook and the SIGTERM handler stop it cleanly in the ordinary cases.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from wedsync_db.errors import ServerStartError, ServerUnavailable
from wedsync_db.server import placement
from wedsync_db.server.base import with_database
from wedsync_db.server.binaries import Binaries, find_binaries

# Settings for tests. fsync, synchronous_commit and full_page_writes off make the server fast and
# UNSAFE FOR PRODUCTION: a crash can corrupt the cluster. That is fine for a throwaway test server.
TEST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
    "wal_level": "logical",
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    "max_connections": "120",
    "shared_buffers": "512MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
    "log_min_messages": "warning",
    "log_min_error_statement": "error",
    "log_line_prefix": "%m [%p] %q%u@%d %e ",
    "track_io_timing": "on",
}

# For bulk loads (bench/seed.py), on top of TEST_SETTINGS: at wal_level = minimal PostgreSQL writes no WAL for a
# table whose storage is new in the loading transaction, which the seed arranges (wedsync_db/worlds/wal_skip.py).
# Minimal needs max_wal_senders = 0 and rules out logical decoding (wedsync_db/realtime.py): test servers keep
# logical.
BULK_LOAD_SETTINGS: dict[str, str] = {"wal_level": "minimal", "max_wal_senders": "0"}

PR_SET_PDEATHSIG = 1
_TEMP_PREFIX = "wedsync-pg-"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """Run in the child before exec: ask the kernel to SIGQUIT the postmaster if the harness dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)


def _clean_environment(binaries: Binaries) -> dict[str, str]:
    """Return an environment without PGHOST, PGPORT or anything else inherited that libpq or postgres reads."""
    return {
        "PATH": f"{binaries.bindir}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }


def remove_stale_clusters() -> list[Path]:
    """Remove temporary clusters left by harness processes that no longer exist; return what was removed."""
    removed = []
    candidates = [path for parent in placement.candidate_directories() for path in parent.glob(f"{_TEMP_PREFIX}*")]
    for path in candidates:
        owner_file = path / "harness.pid"
        try:
            owner = int(owner_file.read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(owner, 0)
            continue  # still alive
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        pid_file = path / "data" / "postmaster.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
            except (OSError, ValueError, IndexError):
                pass
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class LocalServer:
    """initdb + postgres as a child process; temporary unless a data directory is given."""

    kind = "local"
    is_supabase = False
    owns_cluster = True

    def __init__(
        self,
        *,
        pg_bindir: str | None = None,
        os_user: str = "postgres",
        data_dir: Path | None = None,
        port: int | None = None,
        extra_settings: dict[str, str] | None = None,
        in_memory: bool | None = None,
    ) -> None:
        """:param in_memory: for a temporary cluster, True puts it in memory (a tmpfs), False on disk, None lets
            WEDSYNC_DB_IN_MEMORY decide and then memory when it has room (``wedsync_db.server.placement``)."""
        binaries, tried = find_binaries(pg_bindir)
        if binaries is None:
            raise ServerUnavailable(
                "no PostgreSQL >= 15 server binaries found. Tried:\n  - "
                + "\n  - ".join(tried)
                + "\nInstall them (Debian: apt-get install postgresql-15), or set WEDSYNC_DB_PG_BINDIR, "
                "or set DATABASE_URL to use a server you already run."
            )
        self.binaries = binaries
        self.os_user = os_user
        self.persistent = data_dir is not None
        self.port = port or _free_port()
        self.settings = {**TEST_SETTINGS, **(extra_settings or {})}
        self._process: subprocess.Popen[Any] | None = None
        if data_dir:
            self._base = Path(data_dir).resolve()
        else:
            self._base = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=placement.parent_directory(in_memory)))
        self.in_memory = placement.is_in_memory(self._base)
        self.data_dir = self._base / "data"
        self.socket_dir = self._base / "socket"
        self.log_file = self._base / "server.log"
        self._uid, self._gid = self._run_as_ids()
        if (self.data_dir / "postgresql.auto.conf").exists():
            self.port = self._configured_port()  # a persistent cluster keeps the port it was made with

    # -- identity ---------------------------------------------------------------------------
    def _run_as_ids(self) -> tuple[int | None, int | None]:
        if os.geteuid() != 0:
            return None, None
        try:
            entry = pwd.getpwnam(self.os_user)
        except KeyError as error:
            raise ServerUnavailable(
                f"running as root, and the OS user {self.os_user!r} that should run the server does not exist. "
                "Create it (useradd --system postgres) or choose another with WEDSYNC_DB_OS_USER."
            ) from error
        return entry.pw_uid, entry.pw_gid

    def _as_server_user(self) -> dict[str, Any]:
        if self._uid is None:
            return {}
        return {"user": self._uid, "group": self._gid, "extra_groups": []}

    def _chown(self, path: Path) -> None:
        if self._uid is not None and self._gid is not None:
            os.chown(path, self._uid, self._gid)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """initdb when needed, then start postgres and wait until it accepts connections."""
        if not self.persistent:
            remove_stale_clusters()
            (self._base / "harness.pid").write_text(str(os.getpid()))
        self._base.mkdir(parents=True, exist_ok=True)
        self._chown(self._base)
        self.socket_dir.mkdir(exist_ok=True)
        self._chown(self.socket_dir)
        try:
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            self._launch()
        except BaseException:
            if not self.persistent:
                self.stop()  # a temporary cluster that never started leaves no directory behind
            raise
        if not self.persistent:
            atexit.register(self.stop)
            _install_sigterm_handler()

    def _initdb(self) -> None:
        self.data_dir.mkdir(exist_ok=True)
        self._chown(self.data_dir)
        os.chmod(self.data_dir, 0o700)
        command = [
            self.binaries.tool("initdb"), "-D", str(self.data_dir), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, env=_clean_environment(self.binaries),
            cwd="/", **self._as_server_user(),
        )
        if result.returncode != 0:
            raise ServerStartError(f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        self._write_config()

    def _write_config(self) -> None:
        lines = [f"{name} = '{value}'" for name, value in self.settings.items()]
        lines += [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.socket_dir}'",
        ]
        conf = self.data_dir / "postgresql.auto.conf"
        with conf.open("a") as handle:
            handle.write("\n# written by wedsync-db\n" + "\n".join(lines) + "\n")

    def _configured_port(self) -> int:
        port = self.port
        for line in (self.data_dir / "postgresql.auto.conf").read_text().splitlines():
            if line.startswith("port = "):
                port = int(line.split("=", 1)[1].strip().strip("'"))  # ALTER SYSTEM quotes it
        return port

    def _launch(self) -> None:
        self.port = self._configured_port()
        log = self.log_file.open("ab")
        self._chown(self.log_file)
        command = [self.binaries.tool("postgres"), "-D", str(self.data_dir)]
        if self.persistent:
            # A dev server must outlive this process: let pg_ctl daemonise it.
            pg_ctl = [self.binaries.tool("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "start"]
            result = subprocess.run(
                pg_ctl, capture_output=True, text=True, env=_clean_environment(self.binaries),
                cwd="/", **self._as_server_user(),
            )
            if result.returncode != 0:
                raise ServerStartError(self._failure("pg_ctl start failed", result.stdout + result.stderr))
        else:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=_clean_environment(self.binaries),
                cwd="/", preexec_fn=_die_with_parent, start_new_session=True, **self._as_server_user(),
            )
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ServerStartError(self._failure(f"postgres exited with code {self._process.returncode}"))
            try:
                with psycopg.connect(self.url(), connect_timeout=2, autocommit=True):
                    return
            except psycopg.OperationalError as error:
                last_error = str(error).strip()
                time.sleep(0.05)
        self.stop()
        raise ServerStartError(
            self._failure(f"postgres did not accept connections within {timeout:.0f} s: {last_error}"))

    def _failure(self, headline: str, extra: str = "") -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-25:]
        except OSError:
            tail = ["(no server log)"]
        where = "the server log (removed with the temporary cluster)" if not self.persistent else self.log_file
        return f"{headline}\n{extra}--- last lines of {where} ---\n" + "\n".join(tail)

    def is_running(self) -> bool:
        """Return True when this cluster's postmaster answers on its port (not another server on the same port)."""
        try:
            with psycopg.connect(self.url(), connect_timeout=2, autocommit=True) as conn:
                row = conn.execute("select pg_catalog.current_setting('data_directory')").fetchone()
        except psycopg.Error:
            return False
        return row is not None and Path(row[0]).resolve() == self.data_dir.resolve()

    def move_to_port(self, port: int) -> None:
        """Make a persistent cluster listen on ``port`` from its next start (a new one is created with it)."""
        self.port = port
        conf = self.data_dir / "postgresql.auto.conf"
        if conf.exists():
            with conf.open("a") as handle:
                handle.write(f"port = {port}\n")

    def stop(self) -> None:
        """Stop the server (fast shutdown, then immediate) and remove a temporary cluster."""
        self._halt()
        if not self.persistent:
            shutil.rmtree(self._base, ignore_errors=True)

    def restart(self) -> None:
        """Stop the server and start it again on the same data: shared_buffers start empty (a cold start)."""
        self._halt()
        self._launch()

    def _halt(self) -> None:
        """Stop the postmaster, keeping the data directory."""
        if self._process is not None:
            process, self._process = self._process, None
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, checkpoint
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGQUIT)
                    process.wait(timeout=15)
        elif self.persistent and (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                [self.binaries.tool("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                capture_output=True, text=True, env=_clean_environment(self.binaries), cwd="/",
                **self._as_server_user(),
            )

    def url(self, dbname: str | None = None) -> str:
        return with_database(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", dbname or "postgres")

    def location(self) -> str:
        """Where the cluster lives, for people: its data directory, or a temporary cluster in memory or on disk."""
        if self.persistent:
            return str(self.data_dir)
        return f"temporary cluster {'in memory' if self.in_memory else 'on disk'}, {self._base}"


_handler_installed = False


def _install_sigterm_handler() -> None:
    """Turn SIGTERM into SystemExit so atexit hooks (server stop) run, as they do after Ctrl-C."""
    global _handler_installed
    if _handler_installed:
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        return  # someone else (pytest-xdist, a supervisor) owns SIGTERM

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, _exit)
        _handler_installed = True
    except ValueError:
        pass  # not the main thread; the parent-death signal still protects us
