"""E-mail benchmark: the parser alone, then end-to-end ingestion from a maildir into PostgreSQL.

10,000 generated messages of realistic variety (Russian and English; plain, HTML-only and
multipart/alternative; utf-8, koi8-r, windows-1251 and quoted-printable/base64 bodies;
small attachments; a fifth of them replies that thread onto earlier tickets by
In-Reply-To, a tenth with a colleague in Cc) are written to a maildir, then:

- "parser": `parse_email` over every message, in-process (target >= 1,000 messages/s);
- "ingest": the maildir read as `helpline email ingest --jobs N` reads it, split into N
  partitions (conversations, duplicates and senders kept together) and fed by N worker
  processes through `ingest_batch` in the batches that command and the IMAP poller use
  (one transaction per batch), with the receiving Mailbox passed as the poller passes
  it, into a fresh PostgreSQL database; worker tasks are queued in the database
  (the default TASK_BACKEND=db) but not executed (target >= 150 messages/s). Reported:
  messages/s, commit latency per batch, SQL statements and client CPU per message.

Knobs: BENCH_EMAIL_MESSAGES (10000), BENCH_EMAIL_JOBS (0: one worker per CPU; 1: in-process
and sequential, as the command without --jobs), BENCH_EMAIL_BATCH (with one job only; 0:
the product's batch size; 1: one transaction per message, as the LMTP receiver does),
BENCH_EMAIL_TASK_BACKEND (db;
dummy queues nothing), BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_SEED (1).
Run: `.venv/bin/python bench/email.py`; prints one JSON document.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    # This file's name is the contract, but it shadows the standard library's `email`
    # package while its folder is first on sys.path: move the folder to the end.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
    from _email_bench import main

    main()
elif __name__ == "email":
    # A sibling benchmark imported the standard library's `email` and found this file:
    # load the real package in our place (the import system returns sys.modules[name]).
    import importlib

    _saved_path = sys.path[:]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    del sys.modules["email"]
    try:
        importlib.import_module("email")
    finally:
        sys.path[:] = _saved_path
