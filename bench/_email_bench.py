"""The e-mail benchmark's implementation (run it as `bench/email.py`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from mailbox import Maildir
from pathlib import Path

_HERE = Path(__file__).resolve().parent

sys.path.insert(0, str(_HERE.parent / "src"))
sys.path.append(str(_HERE))

from _common import VENV_BIN, log, machine, pg_url, recreate_database  # noqa: E402, I001

COUNT = int(os.environ.get("BENCH_EMAIL_MESSAGES", "10000"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DBNAME = "helpline_bench_email"
SEED = int(os.environ.get("BENCH_SEED", "1"))
# Messages per transaction; 0: the product's batch (pipeline.BATCH_MESSAGES); 1: one
# transaction per message (what the LMTP receiver does).
BATCH = int(os.environ.get("BENCH_EMAIL_BATCH", "0"))
# "db": the product's default queue, a table in the same PostgreSQL database (tasks are
# queued, not executed); "dummy": not queued at all.
TASK_BACKEND = os.environ.get("BENCH_EMAIL_TASK_BACKEND", "db")
# Worker processes, as `helpline email ingest --jobs N` (default: one per CPU); 1: the
# sequential path (the command without --jobs).
JOBS = int(os.environ.get("BENCH_EMAIL_JOBS", "0")) or len(os.sched_getaffinity(0))

RU_SUBJECTS = [
    "Не печатает принтер",
    "Не подключается VPN",
    "Outlook просит пароль",
    "Сломалась мышь",
    "Нет доступа к папке",
    "1С не запускается",
    "Медленно работает компьютер",
    "Пропал интернет",
]
RU_BODIES = [
    "Добрый день! {s} в кабинете {n}. Ошибка {e}, перезагрузка не помогла.",
    "Здравствуйте, с утра {s}. Номер компьютера ПК-{n}. Помогите, пожалуйста.",
    "Коллеги, срочно: {s}. Горит красный индикатор, код {e}.",
]
EN_SUBJECTS = [
    "Printer offline",
    "VPN keeps disconnecting",
    "Cannot log in to Outlook",
    "Laptop battery",
    "Access to shared drive",
    "Monitor flickers",
    "Wi-Fi drops",
    "New starter account",
]
EN_BODIES = [
    "Hi team, {s} in room {n}. Error {e} since this morning.",
    "Hello, {s}. Asset tag LT-{n}. Restarting did not help, error {e}.",
    "Urgent: {s} for the whole floor {n}, code {e}. Thanks!",
]
SIGNATURE_RU = "\n\n--\nС уважением,\nИван Петров\nбухгалтерия, доб. 214"
SIGNATURE_EN = "\n\n--\nBest regards,\nJane Doe\nFinance, ext. 214"


def generate(rng: random.Random, count: int) -> list[bytes]:
    sent: list[tuple[str, str, str]] = []  # (message-id, subject, sender) of earlier mail
    messages = []
    for i in range(count):
        russian = rng.random() < 0.5
        sender_n = rng.randrange(1000)
        sender = f"user{sender_n}@{'corp.example.ru' if russian else 'corp.example.com'}"
        message = EmailMessage()
        if sent and rng.random() < 0.2:
            parent_id, parent_subject, sender = rng.choice(sent)
            subject = f"Re: {parent_subject}"
            message["In-Reply-To"] = parent_id
            message["References"] = parent_id
            text = (
                "Спасибо, но проблема осталась." if russian else "Thanks, but it still happens."
            ) + f"\n\n> {parent_subject}\n> earlier text"
        else:
            subjects, bodies = (RU_SUBJECTS, RU_BODIES) if russian else (EN_SUBJECTS, EN_BODIES)
            subject = f"{rng.choice(subjects)} #{i % 97}"
            text = rng.choice(bodies).format(
                s=subject.lower(), n=rng.randrange(100, 999), e=rng.randrange(1000, 9999)
            )
            text += SIGNATURE_RU if russian else SIGNATURE_EN
        message["From"] = f"{'Пользователь' if russian else 'User'} {sender_n} <{sender}>"
        message["To"] = "support@helpline.example"
        if rng.random() < 0.1:  # a colleague in copy: becomes a follower of the ticket
            message["Cc"] = f"colleague{rng.randrange(200)}@{sender.split('@')[1]}"
        message["Subject"] = subject
        message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        message_id = make_msgid(idstring=str(i), domain="mail.example")
        message["Message-ID"] = message_id
        shape = rng.random()
        if shape < 0.45:
            charset = rng.choice(["utf-8", "koi8-r", "windows-1251"]) if russian else "utf-8"
            message.set_content(
                text, charset=charset, cte=rng.choice(["quoted-printable", "base64", "8bit"])
            )
        elif shape < 0.6:
            message.set_content(
                f"<html><body><p>{text.replace(chr(10), '<br>')}</p></body></html>", subtype="html"
            )
        else:
            message.set_content(text)
            message.add_alternative(
                f"<div dir='ltr'>{text.replace(chr(10), '<br>')}</div>", subtype="html"
            )
        if rng.random() < 0.15:
            message.add_attachment(
                os.urandom(rng.randrange(2_000, 40_000)),
                maintype="image",
                subtype="png",
                filename=rng.choice(["screenshot.png", "ошибка.png", "error dialog.png"]),
            )
        raw = bytes(message)
        messages.append(raw)
        if not subject.startswith("Re:"):
            sent.append((message_id, subject, sender))
    return messages


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_parser(messages: list[bytes]) -> dict:
    from helpline.intake.email.parser import parse_email

    timings = []
    started = time.perf_counter()
    for raw in messages:
        t0 = time.perf_counter_ns()
        parse_email(raw)
        timings.append((time.perf_counter_ns() - t0) / 1e6)
    elapsed = time.perf_counter() - started
    return {
        "messages": len(messages),
        "messages_per_s": round(len(messages) / elapsed, 1),
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(percentile(timings, 0.95), 3),
        "target_messages_per_s": 1000,
    }


def bench_ingest(folder: Path) -> dict:
    global BATCH
    import django

    django.setup()
    from django.db import connection, reset_queries

    from helpline.intake.email.parallel import StatementCounter
    from helpline.intake.email.pipeline import batched, ingest_batch
    from helpline.intake.models import Mailbox
    from helpline.tickets.models import Ticket

    # The receiving mailbox, as the IMAP poller passes it (its address is ours: never a
    # follower, never a requester).
    mailbox = Mailbox.objects.create(name="Support", address="support@helpline.example")
    if BATCH <= 0 or JOBS > 1:  # the workers use the product's batches
        from helpline.intake.email.pipeline import BATCH_MESSAGES

        BATCH = BATCH_MESSAGES
    from helpline.intake.management.commands.email import read_messages

    outcomes: dict[str, int] = {}
    batch_ms = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    if JOBS > 1:
        # What `helpline email ingest --jobs N MAILDIR` does, without printing: the whole
        # maildir read, split into N partitions (conversations, duplicates and senders kept
        # together), each fed by its own worker process through the same batches.
        from helpline.intake.email.parallel import ingest_parallel

        def collect(pairs, milliseconds) -> None:
            batch_ms.append(milliseconds)
            for _source, result in pairs:
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1

        items = [(raw, source) for source, raw in read_messages(folder)]
        jobs = ingest_parallel(items, jobs=JOBS, mailbox_id=mailbox.pk, on_batch=collect)
        statements = sum(job.sql_statements for job in jobs)
        worker_cpu = sum(job.cpu_seconds for job in jobs)
        partitions = [job.messages for job in jobs]
    else:
        counter = StatementCounter()
        with connection.execute_wrapper(counter):
            # What `helpline email ingest MAILDIR` does, without printing: its reader, and
            # the batches it shares with the IMAP poller (one transaction each).
            messages = ((raw, source) for source, raw in read_messages(folder))
            for batch in batched(messages, size=BATCH):
                t0 = time.perf_counter_ns()
                results = ingest_batch(batch, mailbox=mailbox)
                batch_ms.append((time.perf_counter_ns() - t0) / 1e6)
                for result in results:
                    outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        statements = counter.count
        worker_cpu = 0.0
        partitions = [sum(outcomes.values())]
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started + worker_cpu
    reset_queries()
    connection.close()
    count_ = sum(outcomes.values())
    return {
        "messages": count_,
        "messages_per_s": round(count_ / elapsed, 1),
        "jobs": JOBS,
        "partition_messages": partitions,
        "batch_messages": BATCH,
        "batch_commit_p50_ms": round(statistics.median(batch_ms), 2),
        "batch_commit_p95_ms": round(percentile(batch_ms, 0.95), 2),
        "mean_ms_per_message": round(elapsed * 1000 / count_, 2),
        "sql_statements_per_message": round(statements / count_, 1),
        "client_cpu_ms_per_message": round(cpu * 1000 / count_, 2),
        "task_backend": TASK_BACKEND,
        "outcomes": dict(sorted(outcomes.items())),
        "tickets": Ticket.objects.count(),
        "target_messages_per_s": 150,
    }


def main() -> None:
    started_on = machine()  # the load average before we add ours
    rng = random.Random(SEED)
    log(f"generating {COUNT} messages")
    messages = generate(rng, COUNT)
    folder = Path(tempfile.mkdtemp(prefix="helpline-bench-")) / "maildir"
    box = Maildir(folder, create=True)
    for raw in messages:
        box.add(raw)
    database_url = pg_url(PG, DBNAME)
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "HELPLINE_DEV": "true",
            "DJANGO_SETTINGS_MODULE": "helpline.config.settings",
            "DB_CONN_MAX_AGE": "60",
            "TASK_BACKEND": TASK_BACKEND,
            "HELPLINE_VAR_DIR": str(folder.parent / "helpline-bench-var"),
            "LOG_LEVEL": "WARNING",
            "HELPLINE_PROCESS": "bench",
        }
    )
    recreate_database(PG, DBNAME)
    subprocess.run([str(VENV_BIN / "helpline"), "migrate", "-v0"], check=True, env=os.environ)  # noqa: S603
    log("parser alone")
    parser = bench_parser(messages)
    log(f"  {parser['messages_per_s']} messages/s; ingesting into PostgreSQL")
    ingest = bench_ingest(folder)
    log(f"  {ingest['messages_per_s']} messages/s")
    print(
        json.dumps(
            {
                "benchmark": "email",
                "machine": started_on,
                "parser": parser,
                "ingest_postgresql": ingest,
                "notes": "ingest runs through ingest_batch in the batches of the IMAP poller "
                "and `helpline email ingest` (one transaction per batch), in `jobs` worker "
                "processes as `helpline email ingest --jobs N` (jobs=1: in-process, "
                "sequential); client CPU counts the workers' and the parent's; worker "
                "tasks are queued (TASK_BACKEND=db) but not executed: outbound mail, "
                "dispatch and SLA happen in the task worker",
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
