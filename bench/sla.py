"""SLA benchmark: how long computing a ticket's due dates on a business calendar takes.

One computation is what the SLA subscriber does per ticket write: the first-response and
resolution due dates for a ticket created at a random moment, on Mon-Fri 09:00-18:00
Europe/Moscow with Russia's public holidays and moved working Saturdays (from the
holidays package), for a random priority's targets (P1 15 min / 4 h ... P4 8 h / 5 days
of business time). Measured in-process with time.perf_counter_ns; nothing else runs.

"warm" is the steady state of a server process (the calendar's per-day segments are
cached); "cold" compiles a fresh calendar for every computation (after a restart or a
configuration change). Target: p95 <= 0.2 ms warm. Also the CPU time of the measuring
thread (on a shared machine the wall clock includes waiting for a core).

Knobs: BENCH_SLA_SAMPLES (20000), BENCH_SLA_COLD_SAMPLES (300), BENCH_SEED (1).
Run: `.venv/bin/python bench/sla.py`; prints one JSON document on stdout. bench/dispatch.py
reports the same figures (it calls `run`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import holidays  # noqa: E402

from helpline.sla.clock import Calendar, add_business_minutes  # noqa: E402

OFFICE = ((540, 1080),)
WEEK = (OFFICE,) * 5 + ((), ())
# (first response, resolution) in business minutes per priority.
TARGET_MS = 0.2  # p95, warm
TARGETS = [(15, 240), (60, 8 * 60), (4 * 60, 3 * 9 * 60), (8 * 60, 5 * 9 * 60)]


def moscow_calendar() -> Calendar:
    russia = holidays.country_holidays("RU", years=range(2024, 2028))
    saturdays = {day: OFFICE for day in russia.weekend_workdays}
    return Calendar("Europe/Moscow", WEEK, holidays=set(russia), working_days=saturdays)


def random_moments(rng: random.Random, count: int) -> list[dt.datetime]:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return [start + dt.timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(count)]


def compute(calendar: Calendar, created: dt.datetime, targets: tuple[int, int]) -> None:
    add_business_minutes(created, targets[0], calendar)
    add_business_minutes(created, targets[1], calendar)


def measure(
    make_calendar, moments: list[dt.datetime], rng: random.Random
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread's) milliseconds of each computation."""
    timings, cpu = [], []
    for created in moments:
        calendar = make_calendar()
        targets = rng.choice(TARGETS)
        began, cpu_began = time.perf_counter_ns(), time.thread_time_ns()
        compute(calendar, created, targets)
        timings.append((time.perf_counter_ns() - began) / 1e6)
        cpu.append((time.thread_time_ns() - cpu_began) / 1e6)
    return timings, cpu


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 4),
        "p95": round(percentile(values, 0.95), 4),
        "p99": round(percentile(values, 0.99), 4),
        "max": round(max(values), 4),
    }


def run(samples: int = 20000, cold_samples: int = 300, seed: int = 1) -> dict:
    """The whole measurement as a JSON-ready dict (also used by bench/dispatch.py)."""
    rng = random.Random(seed)
    shared = moscow_calendar()
    # Warm up: a server process has computed a year of dates before long.
    measure(lambda: shared, random_moments(rng, 2000), rng)
    warm, warm_cpu = measure(lambda: shared, random_moments(rng, samples), rng)
    holidays_ru = holidays.country_holidays("RU", years=range(2024, 2028))
    saturdays = {day: OFFICE for day in holidays_ru.weekend_workdays}

    def fresh() -> Calendar:
        return Calendar("Europe/Moscow", WEEK, holidays=set(holidays_ru), working_days=saturdays)

    cold, _ = measure(fresh, random_moments(rng, cold_samples), rng)
    warm_summary, cold_summary = summary(warm), summary(cold)
    return {
        "benchmark": "sla_due_date",
        "what": "first-response + resolution due dates of one ticket, Moscow office hours",
        "sla_due_date_ms_p50": warm_summary["p50"],
        "sla_due_date_ms_p95": warm_summary["p95"],
        "target_ms": TARGET_MS,
        "warm_ms": warm_summary,
        "warm_cpu_ms": summary(warm_cpu),
        "cold_ms": cold_summary,
        "samples": {"warm": len(warm), "cold": len(cold)},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    result = run(
        samples=int(os.environ.get("BENCH_SLA_SAMPLES", "20000")),
        cold_samples=int(os.environ.get("BENCH_SLA_COLD_SAMPLES", "300")),
        seed=int(os.environ.get("BENCH_SEED", "1")),
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
