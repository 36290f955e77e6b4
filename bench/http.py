"""``bench --http``: requests per second over real HTTP, the floor view against availability.

gunicorn (2 sync workers, ``bench.settings``) serves the benchmark database; ``wrk`` (a second
process, one thread, a few connections) requests each path for a fixed time, cycling through the
people with the bench's bearer token. The issue's target: availability at least half the floor's
throughput. Both servers compete with wrk for this machine's cores, as they would with any load
generator on the same host.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.seed import Organisation

WORKERS = 2
CONNECTIONS = 4
PATHS = 500  # distinct people per run, as the in-process scenarios vary them


class HttpBenchError(Exception):
    """gunicorn did not come up, or wrk failed or saw errors: the bench fails loudly."""


@dataclass(frozen=True)
class Throughput:
    name: str
    requests_per_second: float
    requests: int
    latency_p50_ms: float


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lua(paths: list[str], token: str) -> str:
    """A wrk script that sends the bearer token and cycles through ``paths``."""
    quoted = ",\n".join(f'  "{path}"' for path in paths)
    return (
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f"local paths = {{\n{quoted}\n}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format("GET", paths[(n % #paths) + 1])\n'
        "end\n"
    )


def _paths(org: Organisation, at: str) -> dict[str, list[str]]:
    people = org.people[:: max(len(org.people) // PATHS, 1)][:PATHS]
    return {
        "floor: bare view (HTTP)": [f"/bench/floor/{pk}/?at={at}" for pk in people],
        "availability (HTTP)": [f"/api/v1/coverage/availability/{pk}/?at={at}" for pk in people],
    }


class Gunicorn:
    """gunicorn on the benchmark database, started and stopped by its own pid."""

    def __init__(self, cache_prefix: str, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "STANDIN_BENCH_SETTINGS": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.development"),
            "STANDIN_BENCH_DB": str(connection.settings_dict["NAME"]),
            "STANDIN_BENCH_CACHE_PREFIX": cache_prefix,
        }
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(WORKERS)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--error-logfile", str(log)]  # no access log
        with open(os.devnull, "wb") as devnull:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
                command, env=env, cwd=settings.BASE_DIR, stdout=devnull, stderr=subprocess.STDOUT
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, path: str, token: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(self.url(path), headers={"Authorization": f"Bearer {token}"})  # noqa: S310
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HttpBenchError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise HttpBenchError(f"gunicorn did not answer {path} within {timeout:.0f}s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful shutdown: workers finish and exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wrk(url: str, script: Path, seconds: float) -> tuple[int, float, float]:
    """(requests, requests/s, p50 ms) of one wrk run; errors and non-2xx answers fail the bench."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(int(seconds), 1)}s", "--latency", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in output or "Socket errors" in output:
        raise HttpBenchError(f"wrk saw errors:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", output).groups()
    p50 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return requests, rate, p50


def measure_http(org: Organisation, *, seconds: float, at: str, cache_prefix: str) -> list[Throughput]:
    """Throughput of the floor and of availability, ``seconds`` each after a short warm-up."""
    if shutil.which("wrk") is None:
        raise HttpBenchError("--http needs wrk (Debian: apt-get install wrk)")
    results = []
    with tempfile.TemporaryDirectory(prefix="standin-bench-http-") as folder:
        server = Gunicorn(cache_prefix, Path(folder) / "gunicorn.log")
        try:
            paths = _paths(org, at)
            server.wait_ready(next(iter(paths.values()))[0], org.token)
            for name, group in paths.items():
                script = Path(folder) / "paths.lua"
                script.write_text(_lua(group, org.token))
                _wrk(server.url("/"), script, 1)  # warm-up: connections, prepared caches, imports
                requests, rate, p50 = _wrk(server.url("/"), script, seconds)
                results.append(Throughput(name, rate, requests, p50))
        finally:
            server.stop()
    return results


def http_table(results: list[Throughput]) -> str:
    floor = results[0].requests_per_second
    title = f"over HTTP (gunicorn, {WORKERS} workers; wrk, 1 thread, {CONNECTIONS} connections)"
    lines = [f"{title:<64} {'req/s':>8} {'p50 ms':>8} {'x floor':>8}"]
    for result in results:
        ratio = result.requests_per_second / floor if floor else float("nan")
        lines.append(
            f"{result.name:<64} {result.requests_per_second:>8.0f} {result.latency_p50_ms:>8.2f} {ratio:>8.2f}"
        )
    return "\n".join(lines)
