"""Timing and counting: latency samples, queries and rows written per call, and the printed table."""

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection


class QueryCounter:
    """Counts statements (and rows written by non-SELECT ones) through ``connection.execute_wrapper``:
    cheap enough to stay on while timing, unlike ``CaptureQueriesContext``."""

    def __init__(self) -> None:
        self.queries = 0
        self.rows_written = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        result = execute(sql, params, many, context)
        if not sql.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "VACUUM", "ANALYZE")):
            rowcount = getattr(context["cursor"], "rowcount", -1)
            self.rows_written += max(rowcount or 0, 0)
        return result


@dataclass
class Result:
    """The samples of one scenario (seconds), with queries and rows written per call."""

    name: str
    samples: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    rows_written: list[int] = field(default_factory=list)
    note: str = ""

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.samples)
        rank = max(math.ceil(p / 100 * len(ordered)), 1)
        return ordered[rank - 1] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def queries_per_call(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


def measure(name: str, call: Callable[[int], object], *, count: int, warmup: int = 0, note: str = "") -> Result:
    """Call ``call(i)`` ``warmup`` times untimed, then ``count`` times timed."""
    [result] = measure_interleaved([(name, call)], count=count, warmup=warmup)
    result.note = note
    return result


def measure_interleaved(
    scenarios: list[tuple[str, Callable[[int], object]]], *, count: int, warmup: int = 0
) -> list[Result]:
    """``measure`` for several scenarios at once, one request of each in turn, so that a drift of
    the machine (another process, the CPU's clock) falls on all of them alike; their differences
    are then read from pairs of neighbouring samples (``paired_difference``)."""
    for index in range(warmup):
        for _, call in scenarios:
            call(index)
    gc.collect()
    results = [Result(name) for name, _ in scenarios]
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for index in range(count):
            for result, (_, call) in zip(results, scenarios, strict=True):
                counter.queries = counter.rows_written = 0
                started = time.perf_counter()
                call(index)
                result.samples.append(time.perf_counter() - started)
                result.queries.append(counter.queries)
                result.rows_written.append(counter.rows_written)
    return results


def paired_difference(base: Result, other: Result) -> float:
    """The median of ``other``'s sample minus ``base``'s taken just before it, in milliseconds."""
    differences = sorted(b - a for a, b in zip(base.samples, other.samples, strict=True))
    return differences[len(differences) // 2] * 1000


def table(results: list[Result], floor: Result) -> str:
    """The printed table: p50/p95/p99 (ms), queries per call, p50 as a multiple of the floor's."""
    header = f"{'scenario':<44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'queries':>8} {'x floor':>8}"
    lines = [header, "-" * len(header)]
    for result in results:
        ratio = result.p50 / floor.p50 if floor.p50 else float("nan")
        lines.append(
            f"{result.name:<44} {len(result.samples):>5} {result.p50:>9.2f} {result.percentile(95):>9.2f} "
            f"{result.percentile(99):>9.2f} {result.queries_per_call:>8} {ratio:>8.1f}"
        )
        if result.note:
            lines.append(f"{'':<6}{result.note}")
    return "\n".join(lines)
