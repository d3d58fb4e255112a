"""Rules evaluation timing for bench/dispatch.py: 200 active rules against one ticket's facts.

Pure in-process: the conditions of 200 generated rules (text equality, contains, lists,
numbers, and one regular expression in ten) evaluated against ticket facts as
`helpline.dispatch.rules.services.run_rules` does for every ticket. Target: <= 2 ms per
ticket for all 200 rules. Wall-clock and CPU time of the measuring thread (on a shared
machine the wall clock includes waiting for a core; the CPU time is what the work costs).

Run on its own: `.venv/bin/python bench/_rules.py` (JSON on stdout); `make bench` runs it
through bench/dispatch.py.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from helpline.dispatch.rules.conditions import evaluate, validate_condition  # noqa: E402

FIELDS_TEXT = [
    "subject",
    "body",
    "status",
    "priority",
    "channel",
    "category",
    "team",
    "requester.language",
]
TARGET_MS = 2.0
WORDS = ["printer", "vpn", "outlook", "принтер", "впн", "пароль", "monitor", "1c", "wifi", "сеть"]


def _condition(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.1:
        return {
            "field": "subject",
            "op": "regex",
            "value": rf"\b({rng.choice(WORDS)}|{rng.choice(WORDS)})\b",
        }
    if roll < 0.4:
        return {
            "field": rng.choice(["subject", "body"]),
            "op": "contains",
            "value": rng.choice(WORDS),
        }
    if roll < 0.6:
        return {
            "field": rng.choice(FIELDS_TEXT[2:]),
            "op": "eq",
            "value": rng.choice(["open", "P1", "email", "ru"]),
        }
    if roll < 0.75:
        return {"field": "tags", "op": "contains", "value": rng.choice(WORDS)}
    if roll < 0.9:
        return {"field": "hours_since_updated", "op": "gte", "value": rng.randrange(1, 100)}
    return {"field": "organization.vip", "op": "eq", "value": True}


def rules(rng: random.Random, count: int = 200) -> list[tuple[list[dict], str]]:
    return [
        (
            [validate_condition(_condition(rng)) for _ in range(rng.randrange(1, 4))],
            rng.choice(["all", "any"]),
        )
        for _ in range(count)
    ]


def facts(rng: random.Random) -> dict:
    return {
        "subject": f"{rng.choice(WORDS)} не работает после обновления {rng.randrange(1000)}",
        "body": " ".join(rng.choice(WORDS) for _ in range(60)),
        "status": "new",
        "priority": "P3",
        "channel": "email",
        "category": "printers",
        "team": "l1",
        "requester.language": "ru",
        "tags": [rng.choice(WORDS)],
        "hours_since_updated": rng.random() * 100,
        "organization.vip": False,
    }


def measure(samples: int = 2000, seed: int = 1) -> dict:
    rng = random.Random(seed)
    rule_set = rules(rng)
    timings, cpu = [], []
    fired = 0
    for _ in range(samples):
        ticket = facts(rng)
        started, cpu_started = time.perf_counter_ns(), time.thread_time_ns()
        for conditions, match in rule_set:
            fired += evaluate(conditions, match, ticket)[0]
        timings.append((time.perf_counter_ns() - started) / 1e6)
        cpu.append((time.thread_time_ns() - cpu_started) / 1e6)
    timings.sort()
    cpu.sort()
    return {
        "what": "conditions of 200 active rules evaluated against one ticket",
        "rules": len(rule_set),
        "tickets": samples,
        "p50_ms": round(statistics.median(timings), 4),
        "p95_ms": round(timings[int(0.95 * len(timings))], 4),
        "cpu_p50_ms": round(statistics.median(cpu), 4),
        "cpu_p95_ms": round(cpu[int(0.95 * len(cpu))], 4),
        "fired_per_ticket": round(fired / samples, 1),
        "target_ms": TARGET_MS,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
