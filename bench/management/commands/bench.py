"""``python manage.py bench``: seed a separate database, measure the API through the whole stack, print a table.

Every request goes through URL routing, the middleware (rate limiting included, with a limit the
bench never reaches), bearer authentication, DRF and serialization, in process with Django's test
client. The floor is a bare view running the availability endpoint's indexed query. See
``docs/performance.md`` for the data's shape and the numbers.
"""

import os
import platform
import random
import time
import warnings

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from bench import scenarios
from bench.database import DEFAULT_NAME, bench_database, reused_database
from bench.http import HttpBenchError, http_table, measure_http
from bench.seed import organisation_from_database, seed
from bench.timing import measure, measure_interleaved, paired_difference, table
from config.collector import settle_worker, unsettle_worker

QUICK_ABSENCES = 10_000
# --quick seeds a tenth of the people: at the seed's steady absences per person a year, the 10,000
# absences then reach as far ahead as the full run's (docs/performance.md, "Growth").
QUICK_PEOPLE = 1_000


class Command(BaseCommand):
    help = "Seed a separate benchmark database and print latencies of the API (p50/p95/p99, queries, x floor)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--people", type=int, default=None, help=f"People to seed (default 10,000; --quick {QUICK_PEOPLE:,})."
        )
        parser.add_argument("--absences", type=int, default=None, help="Absences to seed (default 1,000,000).")
        parser.add_argument(
            "--quick", action="store_true", help=f"{QUICK_ABSENCES:,} absences of {QUICK_PEOPLE:,} people: the CI run."
        )
        parser.add_argument(
            "--requests", type=int, default=None, help="Timed requests per scenario (default 300; --quick 100)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the data (default 1).")
        parser.add_argument(
            "--sweep-rounds", type=int, default=None, help="Runs of the 10,000-rule sweep (default 3; --quick 1)."
        )
        parser.add_argument(
            "--http",
            action="store_true",
            help="Also measure throughput over HTTP: gunicorn (2 workers) on the bench database, wrk against "
            "the floor view and availability (needs wrk).",
        )
        parser.add_argument(
            "--http-seconds", type=float, default=None, help="wrk run per path with --http (default 10; --quick 3)."
        )
        parser.add_argument("--database", default=DEFAULT_NAME, help="PostgreSQL database to create and drop.")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
        parser.add_argument(
            "--reuse-database",
            metavar="NAME",
            help="Measure an existing PostgreSQL database seeded by an earlier run (--keep, or a copy): "
            "migrate it, skip seeding; --people/--absences/--seed are then ignored.",
        )

    def handle(self, *args, **options):
        quick = options["quick"]
        absences = options["absences"] or (QUICK_ABSENCES if quick else 1_000_000)
        # --quick is CI's smoke run (under a minute on an idle machine): fewer samples, one sweep round.
        for name, full, short in (("requests", 300, 100), ("sweep_rounds", 3, 1), ("http_seconds", 10, 3)):
            if options[name] is None:
                options[name] = short if quick else full
        self.cache_prefix = f"bench{random.randrange(1 << 30)}"
        people = options["people"] or (QUICK_PEOPLE if quick else 10_000)
        started = time.monotonic()
        warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
        # The dummy mail backend: the sweep's emails are built (after commit) but not rendered to MIME
        # or sent, which is the mail server's time, not the sweep's. A cache key prefix of its own
        # keeps the bench's rate-limit counters away from the configured ones.
        with (
            override_settings(
                DEBUG=False,
                ROOT_URLCONF="bench.urls",
                EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                CACHES=self._caches(),
                API_RATE_LIMIT_ANON_PER_HOUR=scenarios.ANONYMOUS_RATE_LIMIT,
            ),
            self._database(options) as name,
        ):
            self._log(f"database {connection.vendor} {name}: migrated in {time.monotonic() - started:.1f}s")
            if options["reuse_database"]:
                org = organisation_from_database()
                self._log(f"reused {org.absences:,} absences, {len(org.people):,} people (seeded for {org.now})")
            else:
                seeded = time.monotonic()
                now = timezone.now().replace(microsecond=0)
                org = seed(people=people, absences=absences, rng=random.Random(options["seed"]), now=now)
                self._log(
                    f"seeded {people:,} people, {absences:,} absences ({org.span_days:.0f} days of them) "
                    f"in {time.monotonic() - seeded:.1f}s"
                )
            self._run(org, options)
        self._log(f"total {time.monotonic() - started:.1f}s")

    def _run(self, org, options) -> None:
        # As config/wsgi.py does in a web worker (config/collector.py): what is alive now (Django,
        # the app, and here the seeded organisation's lists) is left out of garbage collections,
        # and each request starts with a young collection.
        settle_worker()
        try:
            self._measure(org, options)
        finally:
            unsettle_worker()

    def _measure(self, org, options) -> None:
        count = options["requests"]
        warmup = max(count // 15, 5)
        results = []
        http = scenarios.http_scenarios(org)
        # The floor with and without authentication, request by request in turn: their difference
        # is a fraction of a millisecond, less than the drift between two runs of 300. A third, the
        # same with the token looked up on every request (TOKEN_CACHE_SECONDS=0); then both again
        # under /api/, where the rate limiter counts them as every API request is counted.
        bare, with_auth, limited, limited_auth = http[:4]
        results += measure_interleaved(
            [
                (bare.name, bare.call),
                (with_auth.name, with_auth.call),
                ("  no kept lookup (TOKEN_CACHE_SECONDS=0)", scenarios.with_token_cache(0, with_auth.call)),
                (limited.name, limited.call),
                (limited_auth.name, limited_auth.call),
            ],
            count=count,
            warmup=warmup,
        )
        for scenario in http[4:]:
            results.append(measure(scenario.name, scenario.call, count=count, warmup=warmup, note=scenario.note))
        for result in results:
            self._log(f"{result.name}: p50 {result.p50:.2f} ms")
        for token in scenarios.token_scenarios(org):
            results.append(measure(token.name, token.call, count=count, warmup=warmup))
        results += scenarios.measure_sweeps(org, idle_runs=count, rounds=options["sweep_rounds"])
        floor = results[0]
        self.stdout.write("")
        self.stdout.write(self._machine(org))
        self.stdout.write(table(results, floor))
        self.stdout.write(
            f"\nauthentication adds {paired_difference(results[3], results[4]):.3f} ms to an API request "
            f"(rate-limited floor with and without a token; {results[4].p50 - results[3].p50:.3f} ms between "
            f"the p50s); on the bare floor {paired_difference(floor, results[1]):.3f} ms, "
            f"{paired_difference(floor, results[2]):.3f} ms with no kept lookup (medians of the differences "
            "of interleaved requests)"
        )
        self.stdout.write("\nqueries per request at page size 10 / 500:")
        for name, small, large in scenarios.page_size_queries(org):
            flat = "flat" if small == large else "NOT FLAT"
            self.stdout.write(f"  {name:<20} {small:>3} / {large:<3} {flat}")
        if options["http"]:
            self._log(f"over HTTP: gunicorn and wrk, {options['http_seconds']:.0f}s a path")
            try:
                throughput = measure_http(
                    org, seconds=options["http_seconds"], at=scenarios.iso(org.now), cache_prefix=self.cache_prefix
                )
            except HttpBenchError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write("\n" + http_table(throughput))

    def _database(self, options):
        if options["reuse_database"]:
            return reused_database(options["reuse_database"])
        return bench_database(options["database"], keep=options["keep"])

    def _machine(self, org) -> str:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        version = getattr(connection, "pg_version", "")
        return (
            f"{platform.node()}: {os.cpu_count()} cores, load average {load}; {connection.vendor} {version}; "
            f"{org.absences:,} absences, {len(org.people):,} people (+{3 * len(org.chains)} chain users)"
        )

    def _caches(self) -> dict:
        from django.conf import settings

        caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
        for config in caches.values():
            config["KEY_PREFIX"] = f"{config.get('KEY_PREFIX', '')}{self.cache_prefix}"
        return caches

    def _log(self, text: str) -> None:
        self.stderr.write(text)
