"""Search benchmark: latency of knowledge-base search, suggestions and ticket search, and
indexing throughput, on PostgreSQL and on the embedded SQLite.

The corpus is synthetic but shaped like the real one: the 50 fixture articles
(src/helpline/core/demo/kb_articles) plus generated articles and tickets whose words are drawn,
Zipf-like, from the fixture vocabulary mixed with made-up words (so the index has a
realistic long tail). Queries are the labelled queries of tests/fixtures/kb/queries.json
(Russian and English, inflections, slang, typos, layout mistakes), asked in turn.

Measured in-process with time.perf_counter around the selector calls the API makes
(`search_article_items`, `suggest_article_items`, `search_tickets`), i.e. everything
except HTTP. Ticket search is measured as a supervisor (all tickets) and as a requester
(their own tickets only).

Targets (issue): search p95 <= 40 ms, suggestions p95 <= 60 ms at 20,000 articles and
1,000,000 tickets on PostgreSQL.

Run: `.venv/bin/python bench/search.py [--db postgres|sqlite|both] [--articles N]
[--tickets N] [--rounds N] [--reuse]`. Defaults are small so `make bench` stays quick
(1,000 articles, 10,000 tickets); the big run is `--articles 20000 --tickets 1000000`.
PostgreSQL comes from BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432) and uses
its own database per data set, helpline_bench_search_<articles>_<tickets>_<seed>, dropped
and re-created on each run. With --reuse a PostgreSQL database whose data set matches
(same sizes and seed, loading finished) is kept: migrations are applied to it and only
the latency part runs, so the 1,000,000-ticket database (~30 min to build) is built once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds scripts named like standard modules (email.py): keep it off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def _load_common():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "_common.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_common"] = module
    spec.loader.exec_module(module)
    return module


_common = _load_common()
log, machine, pg_url, recreate_database = (
    _common.log,
    _common.machine,
    _common.pg_url,
    _common.recreate_database,
)

PG_DB = "helpline_bench_search"
WORD_RE = r"[A-Za-zА-Яа-яЁё]{3,}"
SYLLABLES_RU = tuple(
    ["ка", "ло", "ми", "ре", "ст", "но", "ва", "пр", "ол", "ен", "ти", "ко", "ра", "ни", "те"]
)
SYLLABLES_EN = tuple(
    ["ba", "co", "de", "fi", "ga", "lo", "mu", "ne", "pr", "st", "ta", "ve", "wi", "xo", "ry"]
)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[index], 2)


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
        "mean_ms": round(statistics.fmean(values), 2),
    }


class Vocabulary:
    """Fixture words (frequent) + made-up words (the long tail), per language."""

    def __init__(self, rng: random.Random) -> None:
        import re

        from tests.kb.quality import corpus_texts

        self.rng = rng
        self.words: dict[str, list[str]] = {"ru": [], "en": []}
        for text, language in corpus_texts().values():
            self.words[language] += [w.lower() for w in re.findall(WORD_RE, text)]
        for language, syllables in (("ru", SYLLABLES_RU), ("en", SYLLABLES_EN)):
            tail = {
                "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
                for _ in range(20000)
            }
            self.words[language] += sorted(tail)
        # Zipf-like word frequencies over a shuffled vocabulary: fixture words land at
        # random ranks, as real IT words do among everyday ones (unshuffled, "vpn" would
        # be in half of all articles, which no real knowledge base looks like).
        for words in self.words.values():
            unique = sorted(set(words))
            rng.shuffle(unique)
            words[:] = unique
        self.cumulative = {
            lang: list(itertools.accumulate(1 / (1 + i) ** 0.8 for i in range(len(words))))
            for lang, words in self.words.items()
        }

    def text(self, language: str, count: int) -> str:
        words = self.rng.choices(
            self.words[language], cum_weights=self.cumulative[language], k=count
        )
        return " ".join(words)


META_TABLE = "bench_search_meta"


def data_set(args: argparse.Namespace) -> str:
    return f"{args.articles}/{args.tickets}/{args.seed}"


def loaded_data_set(url: str) -> str | None:
    """The data set a kept benchmark database holds (None: missing or half-loaded)."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(f"SELECT data_set FROM {META_TABLE}").fetchone()  # noqa: S608
    except psycopg.Error:
        return None
    return row[0] if row else None


def setup_database(kind: str, args: argparse.Namespace) -> tuple[dict, bool]:
    """The database's URL, and whether it already holds the data set (--reuse)."""
    reuse = False
    if kind == "postgres":
        base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
        name = f"{PG_DB}_{args.articles}_{args.tickets}_{args.seed}"
        url = pg_url(base, name)
        reuse = args.reuse and loaded_data_set(url) == data_set(args)
        if reuse:
            log(f"[{kind}] reusing {name} (data set {data_set(args)})")
        else:
            recreate_database(base, name)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='helpline-bench-search-')}/bench.sqlite3"
    env = {**os.environ, "DATABASE_URL": url, "HELPLINE_DEV": "true"}
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "helpline"), "migrate", "-v0"], env=env, check=True
    )
    return {"DATABASE_URL": url}, reuse


def run_child(args: argparse.Namespace, kind: str) -> dict:
    """Each database runs in its own process: Django is configured once per process."""
    database, reuse = setup_database(kind, args)
    env = {**os.environ, **database, "HELPLINE_DEV": "true"}
    argv = [sys.executable, __file__, "--child", kind]
    argv += ["--articles", str(args.articles), "--tickets", str(args.tickets)]
    argv += ["--rounds", str(args.rounds), "--seed", str(args.seed)]
    argv += ["--reuse"] if reuse else []
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    sys.stderr.write(done.stderr)
    return json.loads(done.stdout)


def backend_cpu_reader(connection):
    """Nanoseconds of CPU the connection's PostgreSQL backend has used (its
    /proc/<pid>/schedstat, when the server runs on this machine), else always 0."""
    if connection.vendor != "postgresql":
        return lambda: 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

    def read() -> int:
        try:
            return int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    return read


def load(kind: str, args: argparse.Namespace, rng, vocabulary, result: dict):
    """Fill a fresh database: articles and tickets, indexed as the product indexes them."""
    from tests.kb.quality import ARTICLES

    from helpline.accounts.choices import Role
    from helpline.accounts.models import User
    from helpline.core import search
    from helpline.kb.importer import import_folder
    from helpline.kb.models import Article
    from helpline.kb.services import article_document
    from helpline.tickets.models import Ticket

    # --- articles: the fixture corpus through the importer, the rest in bulk ----------
    import_folder(ARTICLES)
    generated = max(0, args.articles - Article.objects.count())
    started = time.perf_counter()
    batch: list = []
    for number in range(generated):
        language = "ru" if number % 2 else "en"
        batch.append(
            Article(
                slug=f"gen-{number}",
                language=language,
                title=vocabulary.text(language, rng.randint(3, 8)),
                body_md=vocabulary.text(language, rng.randint(80, 300)),
                body_html="",
                tags=vocabulary.text(language, 3).split(),
                status="published",
                audience="public" if number % 10 else "internal",
            )
        )
        if len(batch) == 1000 or number == generated - 1:
            created = Article.objects.bulk_create(batch)
            for article in created:
                article.body_html = f"<p>{article.body_md}</p>"
            search.index_documents(article_document(a) for a in created)
            batch = []
    elapsed = time.perf_counter() - started
    result["article_indexing_docs_per_s"] = round(generated / elapsed, 1) if generated else None
    log(f"[{kind}] indexed {generated} generated articles in {elapsed:.1f} s")

    # --- tickets: rows in bulk (bench only), then the search index -------------------
    requesters = User.objects.bulk_create(
        [User(email=f"bench{i}@example.org", role=Role.REQUESTER) for i in range(200)]
    )
    supervisor = User.objects.create(email="bench-sup@example.org", role=Role.SUPERVISOR)
    started = time.perf_counter()
    indexed = 0
    for start in range(0, args.tickets, 5000):
        size = min(5000, args.tickets - start)
        rows, texts = [], []
        for offset in range(size):
            language = rng.choice(("ru", "ru", "en"))
            subject = vocabulary.text(language, rng.randint(4, 9))
            rows.append(
                Ticket(number=start + offset + 1, subject=subject, requester=rng.choice(requesters))
            )
            texts.append((subject, vocabulary.text(language, rng.randint(15, 60))))
        created = Ticket.objects.bulk_create(rows)
        docs = [
            search.Document(
                kind=search.TICKET,
                object_id=ticket.pk,
                language="",
                title=f"#{ticket.number} {subject}",
                body=body,
                url=f"/tickets/{ticket.number}/",
                requester_id=ticket.requester_id,
                organization_id=ticket.organization_id,
                team_id=ticket.team_id,
                assignee_id=ticket.assignee_id,
            )
            for ticket, (subject, body) in zip(created, texts, strict=True)
        ]
        indexed += search.index_documents(docs)
        if start % 100000 == 0:
            log(f"[{kind}] tickets: {indexed}")
    elapsed = time.perf_counter() - started
    if args.tickets:
        result["ticket_rows_and_indexing_per_s"] = round(indexed / elapsed, 1)
    return requesters, supervisor


def measure(kind: str, args: argparse.Namespace) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.config.settings")
    django.setup()
    from django.db import connection
    from tests.kb.quality import load_queries

    from helpline.accounts.choices import Role
    from helpline.accounts.models import User
    from helpline.kb import selectors

    rng = random.Random(args.seed)
    vocabulary = Vocabulary(rng)
    result: dict = {"database": kind, "articles": args.articles, "tickets": args.tickets}
    if args.reuse:
        result["reused_database"] = True
        requesters = list(
            User.objects.filter(email__startswith="bench")
            .exclude(email__in=["bench-sup@example.org", "bench-agent@example.org"])
            .order_by("id")
        )
        supervisor = User.objects.get(email="bench-sup@example.org")
    else:
        requesters, supervisor = load(kind, args, rng, vocabulary, result)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE kb_searchdocument")
            cursor.execute("VACUUM ANALYZE kb_searchterm")
            cursor.execute("ANALYZE tickets_ticket")
            if not args.reuse:
                cursor.execute(f"CREATE TABLE {META_TABLE} (data_set text)")
                cursor.execute(f"INSERT INTO {META_TABLE} VALUES (%s)", [data_set(args)])  # noqa: S608
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(args.seed + 1)  # the same questions whether loaded now or kept
    vocabulary.rng = rng

    # --- latency ----------------------------------------------------------------------
    queries = load_queries()
    agent, _ = User.objects.get_or_create(
        email="bench-agent@example.org", defaults={"role": Role.AGENT}
    )
    timings: dict[str, list[float]] = {
        "search_anonymous": [],
        "search_agent": [],
        "suggest": [],
        "ticket_search_supervisor": [],
        "ticket_search_requester": [],
    }

    cpu: dict[str, list[float]] = {name: [] for name in timings}
    server_cpu = backend_cpu_reader(connection)

    def timed(name: str, call, *call_args, **call_kwargs) -> None:
        server = server_cpu()
        own = time.process_time_ns()
        begin = time.perf_counter()
        call(*call_args, **call_kwargs)
        timings[name].append((time.perf_counter() - begin) * 1000)
        cpu[name].append((time.process_time_ns() - own + server_cpu() - server) / 1e6)

    # Warm caches and connections: one untimed pass over every query, as a server that
    # has been answering searches for a while (the index pages it reads are cached).
    for q in queries:
        selectors.search_article_items(None, q["q"], language=q["lang"])
        selectors.suggest_article_items(None, q["q"])
        if args.tickets:
            selectors.search_tickets(supervisor, q["q"])
            selectors.search_tickets(requesters[0], q["q"])
    for _ in range(args.rounds):
        for q in queries:
            text, lang = q["q"], q["lang"]
            timed("search_anonymous", selectors.search_article_items, None, text, language=lang)
            timed("search_agent", selectors.search_article_items, agent, text, language=lang)
            typed = f"{text} {vocabulary.text(lang or 'ru', 12)}"
            timed("suggest", selectors.suggest_article_items, None, typed)
            if args.tickets:
                requester = rng.choice(requesters)
                timed("ticket_search_supervisor", selectors.search_tickets, supervisor, text)
                timed("ticket_search_requester", selectors.search_tickets, requester, text)
    result["latency"] = {name: summary(values) for name, values in timings.items() if values}
    # CPU per call, this process plus its PostgreSQL backend: what the call costs whatever
    # else the machine runs (wall-clock on a loaded machine mostly measures the queue).
    result["cpu_per_call"] = {name: summary(values) for name, values in cpu.items() if values}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=10000)
    parser.add_argument("--sqlite-tickets", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=("postgres", "sqlite"))
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a PostgreSQL database that already holds this data set (skip loading)",
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args)))
        return
    kinds = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    runs = []
    for kind in kinds:
        run_args = argparse.Namespace(**vars(args))
        if kind == "sqlite" and args.sqlite_tickets is not None:
            run_args.tickets = args.sqlite_tickets
        log(f"== {kind}: {run_args.articles} articles, {run_args.tickets} tickets")
        runs.append(run_child(run_args, kind))
    print(json.dumps({"benchmark": "search", "machine": machine(), "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
