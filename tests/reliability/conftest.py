# ruff: noqa: S603, S607 - fault tests start local redis-server/celery/python processes with fixed arguments
"""Fault-injection helpers: a throwaway Redis the test starts and stops itself (never the machine's
shared one on 6379), and the environment a subprocess needs to reach the test database."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import free_port, requires_postgres

needs_services = [
    requires_postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="fault tests run in the PostgreSQL + Redis mode (REDIS_URL)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary"),
]
ROOT = Path(__file__).resolve().parents[2]


class ThrowawayRedis:
    """A private ``redis-server`` on a free port, started and stopped by PID (and by SHUTDOWN)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def ping(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, timeout=5, check=False
        )
        return result.stdout.strip() == "PONG"

    def stop(self) -> None:
        """``SHUTDOWN NOSAVE``, as an operator (or a crash) would stop it; then make sure by PID."""
        if self.process is None:
            return
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def throwaway_redis(tmp_path):
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()  # always, even when the test failed with Redis up or down


def subprocess_env(**extra) -> dict:
    """Environment for a child process that uses this test's (PostgreSQL) database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url, **extra}


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class ThrowawayPostgres:
    """A private PostgreSQL cluster (initdb in a temporary folder, trust auth, a free port) that a
    test may stop and start like an operator restarting the database server. The machine's own
    PostgreSQL, which the rest of the suite uses, is never touched."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="standin-pg-"))
        self.data = self.workdir / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/standin"

    def _run(self, *args: str) -> None:
        # initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        self.start()
        self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "standin")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.workdir / "log"), "-o", options,
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def throwaway_postgres():
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl)")
    server = ThrowawayPostgres(bindir)
    try:
        server.create()
        yield server
    finally:
        server.destroy()
