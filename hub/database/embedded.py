"""The embedded PostgreSQL: a local cluster under ``$HUB_HOME/pg`` that the hub starts itself.

A newcomer should not have to install or configure a database server to try the hub, so the
default store is a private cluster built with the PostgreSQL binaries already on the machine
(found with ``pg_config --bindir``, on ``PATH`` or under ``/usr/lib/postgresql``). ``initdb`` and
``postgres`` refuse to run as root, so when the hub runs as root the cluster is owned and run by
an unprivileged OS account (``HUB_PG_OS_USER``, default ``postgres``), created if missing.
The server listens on 127.0.0.1 only, with trust authentication: it is a single-machine store.
Any other server is used instead by setting ``HUB_DATABASE_URL``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from hub.settings import HubSettings

SUPERUSER = "hub"

# Tuned for bulk loads on a small machine while keeping crash safety (fsync stays on):
# wal_level=minimal lets COPY into a table truncated in the same transaction skip WAL.
SERVER_OPTIONS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "shared_buffers": "256MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    # the cluster lives on local SSD: an index read costs about what a sequential one does.
    # At PostgreSQL's default (4, for spinning disks) the planner reads twelve million golden
    # values to find the few thousand an incremental build replaces (docs/libraries.md §7).
    "random_page_cost": "1.1",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "200",
    "timezone": "Asia/Shanghai",
}


class EmbeddedDatabaseError(RuntimeError):
    """The embedded cluster could not be set up, started or reached; the message says why."""


@dataclass(frozen=True)
class EmbeddedStatus:
    initialized: bool
    running: bool
    data_dir: Path
    port: int


def find_bindir(settings: HubSettings) -> Path:
    """Where ``initdb``, ``pg_ctl`` and ``postgres`` live."""
    candidates: list[Path] = []
    if settings.pg_bindir:
        candidates.append(Path(settings.pg_bindir))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise EmbeddedDatabaseError(
        "No PostgreSQL server binaries found (looked at HUB_PG_BINDIR, pg_config --bindir, PATH "
        "and /usr/lib/postgresql/*/bin). Install them (Debian: apt-get install postgresql) or set "
        "HUB_DATABASE_URL to an existing server."
    )


class EmbeddedPostgres:
    """Start, stop and describe the cluster under ``settings.home_dir / 'pg'``."""

    def __init__(self, settings: HubSettings):
        self.settings = settings
        self.root = settings.pgdata_dir.parent
        self.data_dir = settings.pgdata_dir
        self.log_file = self.root / "server.log"
        self.port = settings.pg_port

    # -- who runs the server -------------------------------------------------------------
    def _run_as(self) -> str | None:
        """The OS account to run server commands as: None means the current user."""
        if os.geteuid() != 0:
            return None
        name = self.settings.pg_os_user
        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                check=True,
                capture_output=True,
            )
        return name

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self._run_as()
        proc = subprocess.run(
            args,
            capture_output=True,
            text=True,
            user=user,
            cwd=self.root if self.root.exists() else None,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            check=False,
        )
        if check and proc.returncode != 0:
            raise EmbeddedDatabaseError(
                f"{Path(args[0]).name} failed (exit {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()}"
                + (f"\nServer log: {self.log_file}" if self.log_file.exists() else "")
            )
        return proc

    def _prepare_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        user = self._run_as()
        if user is None:
            return
        entry = pwd.getpwnam(user)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)
        # The server account must be able to reach its folder through every parent.
        for parent in [self.root, *self.root.parents]:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                raise EmbeddedDatabaseError(
                    f"The embedded database runs as OS user {user!r} (the hub runs as root), "
                    f"which cannot enter {parent} (mode {oct(mode & 0o777)}). Put HUB_HOME "
                    f"somewhere it can reach, or `chmod o+x {parent}`."
                )

    # -- lifecycle -----------------------------------------------------------------------
    def status(self) -> EmbeddedStatus:
        initialized = (self.data_dir / "PG_VERSION").exists()
        running = False
        if initialized:
            bindir = find_bindir(self.settings)
            proc = self._run([str(bindir / "pg_ctl"), "status", "-D", str(self.data_dir)], False)
            running = proc.returncode == 0
        return EmbeddedStatus(initialized, running, self.data_dir, self.port)

    def initialize(self) -> bool:
        """Create the cluster if it does not exist yet; True when it was created now."""
        if (self.data_dir / "PG_VERSION").exists():
            return False
        self._prepare_root()
        bindir = find_bindir(self.settings)
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ]
        )
        self._write_missing_options()
        return True

    def _write_missing_options(self) -> None:
        """Add to the cluster's settings each of ``SERVER_OPTIONS`` it does not set yet: a new
        cluster gets them all, one made by an earlier version of the hub gets the ones added
        since, and a value a steward changed there is kept."""
        conf_file = self.data_dir / "postgresql.auto.conf"
        text = conf_file.read_text(encoding="utf-8") if conf_file.exists() else ""
        present = {
            line.split("=", 1)[0].strip()
            for line in text.splitlines()
            if "=" in line and not line.lstrip().startswith("#")
        }
        missing = {k: v for k, v in SERVER_OPTIONS.items() if k not in present}
        if missing:
            with conf_file.open("a", encoding="utf-8") as conf:
                conf.write("# written by the hub (hub/database/embedded.py)\n")
                for key, value in missing.items():
                    conf.write(f"{key} = '{value}'\n")

    def start(self) -> bool:
        """Initialize if needed and start the server; True when it was started now."""
        self.initialize()
        if self.status().running:
            self.ensure_database(self.settings.database_name)
            return False
        if _port_in_use(self.port) and self._serves_our_cluster():
            # pg_ctl status can miss a running server (seen under load): the server on our
            # port that serves our data directory is ours.
            self.ensure_database(self.settings.database_name)
            return False
        if _port_in_use(self.port):
            raise EmbeddedDatabaseError(
                f"Port {self.port} on 127.0.0.1 is taken by another program, so the embedded "
                f"database cannot start. Set HUB_PG_PORT to a free port."
            )
        self._write_missing_options()
        bindir = find_bindir(self.settings)
        self._run(
            [
                str(bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                f"-p {self.port}",
            ]
        )
        self._wait_ready()
        self.ensure_database(self.settings.database_name)
        return True

    def stop(self) -> bool:
        """Stop the server if it runs; True when it was stopped now."""
        if not self.status().running:
            return False
        bindir = find_bindir(self.settings)
        self._run([str(bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data_dir)])
        return True

    # -- databases -----------------------------------------------------------------------
    def _serves_our_cluster(self) -> bool:
        """True when the server on our port runs from our data directory."""
        try:
            with psycopg.connect(self.conninfo("postgres"), connect_timeout=5) as conn:
                (directory,) = conn.execute("show data_directory").fetchone()
        except psycopg.Error:
            return False
        return Path(directory).resolve() == self.data_dir.resolve()

    def conninfo(self, database: str | None = None) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database or self.settings.database_name}"

    def url(self, database: str | None = None) -> str:
        """The SQLAlchemy URL (driver named: SQLAlchemy 2.1 would otherwise guess)."""
        return self.conninfo(database).replace("postgresql://", "postgresql+psycopg://", 1)

    def ensure_database(self, name: str) -> bool:
        """Create database ``name`` if missing; True when it was created now."""
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
            if exists:
                return False
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))
            return True

    def _wait_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.conninfo("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last_error = exc
                time.sleep(0.2)
        raise EmbeddedDatabaseError(
            f"The embedded database did not accept connections: {last_error}"
        )


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
