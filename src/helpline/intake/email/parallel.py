"""`helpline email ingest --jobs N`: the same pipeline in N worker processes.

    partition(items, jobs) -> [[index, ...], ...]          (pure: headers only)
    ingest_parallel(items, jobs=..., mailbox=..., on_batch=...) -> [JobStats, ...]

The messages are split so that a parallel run ends as a sequential one would:

- messages that belong together go to one partition, in their original order: those
  linked by Message-ID / In-Reply-To / References (a reply is threaded onto the ticket
  its parent created, so the parent must have been ingested before it, by the same
  process), those naming the same ticket number in the subject, the same message twice
  (same dedupe key: same Message-ID, or the same bytes), and the messages of one sender
  (the requester is created once, and the per-sender loop limit counts the same
  messages). Groups are found with a union-find over these keys.
- whole groups are dealt to partitions, largest first, each to the least loaded one.

Each worker is a "spawn" process that sets Django up itself and feeds its partition
through `pipeline.batched` / `pipeline.ingest_batch`, exactly as `helpline email ingest`
does with one process; results come back per committed batch. The ledger's unique
dedupe key stays the backstop against doubles (a message another process committed
meanwhile is answered "duplicate"), and a batch rolled back by a deadlock or a
serialisation failure is retried.

This module imports nothing of Django at import time: a worker imports it before
`django.setup()`.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import multiprocessing
import queue as queues
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from helpline.intake.email.ids import dedupe_key, id_list, normalize_message_id

Incoming = tuple[bytes, str]  # (raw bytes, source), as pipeline.Incoming

# Rolled-back batches retried after a deadlock (40P01) or serialisation failure (40001).
RETRIES = 3
_RETRYABLE = {"40P01", "40001"}


class IngestFailed(RuntimeError):
    """A worker stopped (the database failed, or the process died): the messages it
    reported were committed, the rest of its partition was not."""


@dataclass(frozen=True)
class JobStats:
    job: int
    messages: int
    sql_statements: int
    cpu_seconds: float


class StatementCounter:
    """A `connection.execute_wrapper` that counts the SQL statements run inside it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _group_keys(raw: bytes) -> list[str]:
    """The keys that tie a message to others (read from its header block only)."""
    from helpline.intake.email.parser import decode_header
    from helpline.intake.email.threading import ticket_number_in_subject

    keys = [f"k:{dedupe_key(raw)}"]
    end = raw.find(b"\n\n")
    end_crlf = raw.find(b"\r\n\r\n")
    cut = min(e for e in (end, end_crlf, 65536) if e >= 0)
    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw[:cut])
    own = normalize_message_id(str(head.get("Message-ID") or ""))
    if own:
        keys.append(f"m:{own}")
    for name in ("In-Reply-To", "References"):
        for value in head.get_all(name) or ():
            keys.extend(f"m:{ref}" for ref in id_list(value))
    sender = email.utils.parseaddr(str(head.get("From") or ""))[1].strip().lower()
    if sender:
        keys.append(f"s:{sender}")
    number = ticket_number_in_subject(decode_header(head.get("Subject")))
    if number is not None:
        keys.append(f"n:{number}")
    return keys


def partition(items: Sequence[Incoming], jobs: int) -> list[list[int]]:
    """Indexes into items, one list per non-empty partition (at most `jobs`), each in the
    original order; messages that must be ingested together share a partition."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}  # key -> the first message that had it
    for index, (raw, _source) in enumerate(items):
        for key in _group_keys(raw):
            first = owner.setdefault(key, index)
            if first != index:
                a, b = find(first), find(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(find(index), []).append(index)
    loads = [0] * max(1, jobs)
    parts: list[list[int]] = [[] for _ in loads]
    for group in sorted(groups.values(), key=len, reverse=True):
        lightest = loads.index(min(loads))
        parts[lightest].extend(group)
        loads[lightest] += len(group)
    return [sorted(part) for part in parts if part]


def ingest_parallel(
    items: Sequence[Incoming],
    *,
    jobs: int,
    mailbox_id: int | None = None,
    check_loops: bool = True,
    on_batch: Callable[[list[tuple[str, object]], float], None] | None = None,
) -> list[JobStats]:
    """Ingest items in up to `jobs` worker processes; call on_batch([(source, result),
    ...], milliseconds) in the parent as each batch commits (batches of one partition in
    order, partitions interleaved). Raises IngestFailed once every worker has stopped if
    any of them failed."""
    from django.db import connections

    parts = partition(items, jobs)
    databases = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
    # Connections must not be shared with the children (spawn shares none, but a pool or
    # an open transaction in the parent should not outlive the fork of work either).
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = []
    for job, indexes in enumerate(parts):
        process = context.Process(
            target=_work,
            args=(job, [items[i] for i in indexes], mailbox_id, check_loops, databases, results),
            name=f"helpline-email-ingest-{job}",
            daemon=True,
        )
        process.start()
        workers.append(process)
    stats: dict[int, JobStats] = {}
    failures: dict[int, str] = {}

    def handle(message: tuple) -> None:
        kind, job, payload = message
        if kind == "batch":
            if on_batch is not None:
                on_batch(*payload)
        elif kind == "done":
            stats[job] = payload
        else:
            failures[job] = payload

    try:
        while len(stats) + len(failures) < len(workers):
            try:
                handle(results.get(timeout=1))
                continue
            except queues.Empty:
                pass
            # A worker that died without a word (killed, out of memory): everything it
            # sent is in the pipe by now, so read that first.
            dead = [
                job
                for job, process in enumerate(workers)
                if not process.is_alive() and job not in stats and job not in failures
            ]
            while True:
                try:
                    handle(results.get_nowait())
                except queues.Empty:
                    break
            for job in dead:
                if job not in stats and job not in failures:
                    failures[job] = f"worker exited with status {workers[job].exitcode}"
    finally:
        for process in workers:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
    if failures:
        raise IngestFailed(
            "; ".join(f"worker {job + 1}: {reason}" for job, reason in sorted(failures.items()))
        )
    return [stats[job] for job in sorted(stats)]


def _work(
    job: int,
    items: list[Incoming],
    mailbox_id: int | None,
    check_loops: bool,
    databases: dict[str, str],
    results: multiprocessing.Queue,
) -> None:
    """A worker process: its partition through the pipeline, batch by batch."""
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.db import connections

        for alias, name in databases.items():  # the parent's database (a test one, say)
            settings.DATABASES[alias]["NAME"] = name
            connections[alias].settings_dict["NAME"] = name
        from helpline.intake.email.pipeline import batched
        from helpline.intake.models import Mailbox

        statements = StatementCounter()
        cpu_started = time.process_time()
        with connections["default"].execute_wrapper(statements):
            mailbox = Mailbox.objects.get(pk=mailbox_id) if mailbox_id else None
            for batch in batched(items):
                started = time.perf_counter_ns()
                answers = _ingest_retrying(batch, mailbox, check_loops)
                elapsed_ms = (time.perf_counter_ns() - started) / 1e6
                pairs = [
                    (source, answer) for (_, source), answer in zip(batch, answers, strict=True)
                ]
                results.put(("batch", job, (pairs, elapsed_ms)))
        stats = JobStats(job, len(items), statements.count, time.process_time() - cpu_started)
        results.put(("done", job, stats))
    except BaseException as exc:  # reported to the parent, which fails the run
        results.put(("failed", job, f"{type(exc).__name__}: {exc}"[:2000]))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - the process is ending anyway
            pass
        results.close()
        results.join_thread()


def _ingest_retrying(batch: list[Incoming], mailbox, check_loops: bool) -> list:
    from django.db import OperationalError

    from helpline.intake.email.pipeline import ingest_batch

    for attempt in range(RETRIES + 1):
        try:
            return ingest_batch(batch, mailbox=mailbox, check_loops=check_loops)
        except OperationalError as exc:
            code = getattr(exc.__cause__, "sqlstate", None) or getattr(
                exc.__cause__, "pgcode", None
            )
            if code not in _RETRYABLE or attempt == RETRIES:
                raise
            time.sleep(0.05 * (attempt + 1))  # the whole batch was rolled back: again
    raise AssertionError("unreachable")
