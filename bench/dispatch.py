"""Dispatch benchmark, auto-triage part: quality against the baseline, training time, latency.

- Quality: macro-F1 of the triage model and of the plain baseline (TfidfVectorizer
  defaults + LinearSVC) trained and scored on the same stratified split (seed 42), for
  category, team and priority, on a generated data set with known labels (Russian and
  English, typos, transliteration, wrong labels: helpline.dispatch.triage.synthetic) and
  on the demo data (`helpline demo` into a throw-away SQLite database, then
  `helpline triage evaluate`, whose last line is JSON).
- Training: one model for the three fields on BENCH_TRIAGE_TRAIN_ROWS generated tickets
  (features, per-field settings chosen by cross-validation, calibration), as
  `helpline triage train` does after reading the history. Target: <= 60 s.
- Latency: one prediction of the three fields with the top terms of each, as done for
  every new ticket, on held-out tickets with the model trained above. Target: <= 5 ms.
  Wall-clock and CPU time (the machine is shared: under load the wall clock includes
  waiting for a core; the CPU time is what a prediction costs).

Knobs: BENCH_TRIAGE_TRAIN_ROWS (100000), BENCH_TRIAGE_EVAL_ROWS (10000),
BENCH_TRIAGE_SAMPLES (2000), BENCH_TRIAGE_DEMO (1: also the demo data).
Run: `.venv/bin/python bench/dispatch.py`; progress on stderr, one JSON document on stdout.
"""

from __future__ import annotations

import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ itself must not be on the path: bench/email.py would shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT / "src"))

from helpline.dispatch.triage import model as triage  # noqa: E402
from helpline.dispatch.triage.synthetic import generate  # noqa: E402

FIELDS = ("category", "team", "priority")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def generated_quality(rows: int) -> dict:
    tickets = generate(rows, seed=2024)
    texts = [t.text for t in tickets]
    result = {"rows": rows}
    for field in FIELDS:
        log(f"triage: evaluating {field} on {rows} generated tickets")
        report = triage.evaluate(texts, [getattr(t, field) for t in tickets], field_name=field)
        result[field] = {
            **report.summary(),
            "at_least_baseline": report.macro_f1 >= report.baseline_macro_f1,
        }
    return result


def demo_quality() -> dict:
    """`helpline demo` into a fresh SQLite database, then `helpline triage evaluate`."""
    helpline = ROOT / ".venv" / "bin" / "helpline"
    with tempfile.TemporaryDirectory(prefix="helpline-bench-demo-") as var_dir:
        env = {
            **os.environ,
            "HELPLINE_DEV": "true",
            "HELPLINE_VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/demo.sqlite3",
            "TASK_BACKEND": "dummy",
        }
        steps = (["migrate", "-v0"], ["demo"], ["triage", "evaluate"])
        for step in steps:
            log(f"triage: helpline {' '.join(step)} (demo data)")
            done = subprocess.run(
                [str(helpline), *step], capture_output=True, text=True, env=env, check=False
            )
            if done.returncode != 0:
                return {"skipped": f"helpline {' '.join(step)} failed: {done.stderr[-300:]}"}
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    fields = summary.get("fields", {})
    for figures in fields.values():
        figures["at_least_baseline"] = figures["macro_f1"] >= figures["baseline_macro_f1"]
    return fields


def training_and_latency(rows: int, samples: int) -> tuple[dict, dict]:
    tickets = generate(rows + samples, seed=7)
    train, held_out = tickets[:rows], tickets[rows:]
    labels = {field: [getattr(t, field) for t in train] for field in FIELDS}
    texts = [t.text for t in train]
    log(f"triage: training on {rows} generated tickets")
    started, cpu_started = time.perf_counter(), time.process_time()
    classifier = triage.train(texts, labels)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    size = len(pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL))
    training = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds_all_threads": round(cpu_seconds, 2),
        "target_seconds": 60,
        "features": int(
            classifier.features.n_words + len(classifier.features.subwords.vocabulary_)
        ),
        "model_bytes_uncompressed": size,
        "settings": {
            field: {"C": triage.SVC_C, "class_weight": head.svc.class_weight}
            for field, head in classifier.heads.items()
        },
    }
    log(f"triage: {samples} single predictions")
    for ticket in held_out[:200]:  # warm-up: the stemmer and sub-word caches fill
        classifier.predict(ticket.text, explain=8)
    timings, cpu, bare = [], [], []
    for ticket in held_out:
        began, cpu_began = time.perf_counter_ns(), time.thread_time_ns()
        classifier.predict(ticket.text, explain=8)
        timings.append((time.perf_counter_ns() - began) / 1e6)
        cpu.append((time.thread_time_ns() - cpu_began) / 1e6)
        began = time.perf_counter_ns()
        classifier.predict(ticket.text)
        bare.append((time.perf_counter_ns() - began) / 1e6)
    latency = {
        "what": "category + team + priority of one ticket, with the top 8 terms of each",
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(percentile(timings, 0.95), 3),
        "p99_ms": round(percentile(timings, 0.99), 3),
        "cpu_p50_ms": round(statistics.median(cpu), 3),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 3),
        "without_explanations_p50_ms": round(statistics.median(bare), 3),
        "without_explanations_p95_ms": round(percentile(bare, 0.95), 3),
        "target_p95_ms": 5,
        "samples": len(timings),
    }
    return training, latency


def main() -> None:
    train_rows = int(os.environ.get("BENCH_TRIAGE_TRAIN_ROWS", "100000"))
    eval_rows = int(os.environ.get("BENCH_TRIAGE_EVAL_ROWS", "10000"))
    samples = int(os.environ.get("BENCH_TRIAGE_SAMPLES", "2000"))
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    result: dict = {"benchmark": "dispatch", "triage": {}}
    triage_result = result["triage"]
    triage_result["generated"] = generated_quality(eval_rows)
    if os.environ.get("BENCH_TRIAGE_DEMO", "1") == "1":
        triage_result["demo"] = demo_quality()
    triage_result["training"], triage_result["prediction_latency"] = training_and_latency(
        train_rows, samples
    )
    result["machine"] = {
        "python": platform.python_version(),
        "nproc": os.cpu_count(),
        "loadavg_at_start": load_at_start,
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
