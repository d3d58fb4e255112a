"""The one search service over knowledge-base articles and tickets.

Design (docs/kb.md has the long version):

* Linguistic normalisation happens here, in Python, identically for documents and
  queries: lower-case, "ё" -> "е", a small dictionary of slang, transliteration and
  synonyms ("впн" -> "vpn", "учётка" -> "учетная запись"), stop words, then Snowball
  stems (Russian for Cyrillic tokens, English for Latin ones), with Russian stems cut to
  five letters, which conflates forms Snowball leaves apart ("печать", "печатает").
* Each searchable object has one `kb.SearchDocument` row holding its normalised title,
  tags and body. The database only retrieves candidates: SQLite through an FTS5 table
  over those columns (created by a migration that runs only on SQLite), PostgreSQL
  through a GIN-indexed tsvector over the same columns (`simple` configuration, because
  the Russian/English stemming already happened).
* Ranking is BM25F in Python over the candidates (title > tags > body), with document
  frequencies and field lengths kept in `kb.SearchTerm` / `kb.SearchStats`, so both
  databases rank the same data the same way.
* Query words the index does not know are repaired: keyboard-layout mistakes
  ("ghbynth" -> "принтер"), transliteration ("pechat" -> "печат"), then typos through a
  trigram lookup (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite) confirmed by
  an edit-distance check in Python.
* Permissions are applied in SQL before ranking: anonymous people and requesters see
  public published articles only; tickets are restricted to `Ticket.visible_to`.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL

ARTICLE = "article"
TICKET = "ticket"

FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
FIELD_B = {"title": 0.5, "tags": 0.3, "body": 0.75}
K1 = 1.2
CANDIDATE_LIMIT = 100
RETRIEVAL_TERMS = 6
SELECTIVE_SHARE = 0.02
SELECTIVE_MAX_DOCS = 5000
# Newest-first reads ~50 x docs / df rows at ~1.4 us each; ranking reads df rows at
# ~10 us each (measured at 1,000,000 tickets): newest-first wins when df^2 > 7 x docs.
NEWEST_SCAN_FACTOR = 7
MAX_FUZZY_WORDS = 3
MAX_QUERY_TERMS = 24
MAX_TEXT = 20000

_TOKEN = re.compile(r"[0-9a-zа-я]+")
_CYRILLIC = re.compile(r"[а-я]")
_PHRASES = {
    "wi-fi": "wifi",
    "wi fi": "wifi",
    "e-mail": "email",
    "ms office": "office",
    "one drive": "onedrive",
    "эл. почта": "почта",
    "электронная почта": "почта",
    "электронной почты": "почта",
    "электронную почту": "почта",
}

# Slang, transliteration and synonyms: applied to documents and queries alike.
SYNONYMS: dict[str, str] = {
    "впн": "vpn",
    "впэн": "vpn",
    "аутлук": "outlook",
    "оутлук": "outlook",
    "аутлуке": "outlook",
    "аутлука": "outlook",
    "outlok": "outlook",
    "учетка": "учетная запись",
    "учетку": "учетная запись",
    "учетки": "учетная запись",
    "учеткой": "учетная запись",
    "акк": "учетная запись",
    "аккаунт": "учетная запись",
    "аккаунта": "учетная запись",
    "вайфай": "wifi",
    "вайфая": "wifi",
    "вифи": "wifi",
    "вай": "wifi",
    "wlan": "wifi",
    "винда": "windows",
    "винды": "windows",
    "винду": "windows",
    "виндовс": "windows",
    "ворд": "word",
    "ворде": "word",
    "эксель": "excel",
    "ексель": "excel",
    "экселе": "excel",
    "тимс": "teams",
    "тимсе": "teams",
    "зум": "zoom",
    "зуме": "zoom",
    "хром": "chrome",
    "хроме": "chrome",
    "гугл": "google",
    "комп": "компьютер",
    "компа": "компьютер",
    "компе": "компьютер",
    "пк": "компьютер",
    "ноут": "ноутбук",
    "ноута": "ноутбук",
    "ноуте": "ноутбук",
    "инет": "интернет",
    "инета": "интернет",
    "мыло": "почта",
    "емейл": "email",
    "имейл": "email",
    "мейл": "email",
    "пасс": "пароль",
    "пасворд": "пароль",
    "passwd": "password",
    "pwd": "password",
    "флешка": "usb флешка",
    "флешку": "usb флешка",
    "флэшка": "usb флешка",
    "принтак": "принтер",
    "мфу": "принтер мфу",
    "скайп": "skype",
    "эксчейндж": "exchange",
    "1с": "1c",
    "админ": "администратор",
    "админы": "администратор",
    "логиниться": "войти",
    "залогиниться": "войти",
    "тормозит": "медленно тормозит",
    "глючит": "ошибка",
    "виснет": "зависает",
    "висит": "зависает",
    "двухфакторная": "2fa",
    "двухфакторной": "2fa",
    "двухфакторную": "2fa",
    "mfa": "2fa",
    "otp": "2fa",
    "laptop": "laptop notebook",
    "notebook": "laptop notebook",
    "pc": "computer",
    "login": "login sign",
    "logon": "login sign",
    "signin": "login sign",
}

_STOP_TEXT = """
    a an the to of in on at for is are be was were my me i how do does did not no can cant
    can't with and or it its this that what why when where which who you your we our us
    will would should could from by as if so but then than there have has had get got
    и в во на не с со по для как что у к о об из от до за а же ли бы то это мой моя моё
    мне я нет да при так же уже или но ни его ее их они мы вы ты он она оно все всё еще
    ещё был была было были быть есть нужно надо можно почему какой какая как-то
    """
STOP_WORDS = frozenset(_STOP_TEXT.split())

_LAYOUT_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_LAYOUT_RU = "йцукенгшщзхъфывапролджэячсмитьбюё"
_EN_TO_RU = str.maketrans(_LAYOUT_EN, _LAYOUT_RU)
_RU_TO_EN = str.maketrans(_LAYOUT_RU, _LAYOUT_EN)
_TRANSLIT = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "е"),
    ("ye", "е"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "ы"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "к"),
    ("w", "в"),
    ("x", "кс"),
    ("q", "к"),
]


# --------------------------------------------------------------------------- analysis


_ru_stemmer = snowballstemmer.stemmer("russian")
_en_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The index key of one lower-case word: Snowball stem, Russian cut to five letters."""
    if _CYRILLIC.search(word):
        stemmed = _ru_stemmer.stemWord(word)
        if len(stemmed) >= 5:
            return stemmed[:5]
        return word[:5] if len(word) >= 6 else stemmed
    return _en_stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Lower-case surface words with slang and synonyms expanded, stop words kept."""
    lowered = text.lower().replace("ё", "е")
    for phrase, replacement in _PHRASES.items():
        if phrase in lowered:
            lowered = lowered.replace(phrase, replacement)
    result: list[str] = []
    for word in _TOKEN.findall(lowered):
        result.extend(SYNONYMS.get(word, word).split())
    return result


def analyze(text: str) -> list[str]:
    """Index terms of a text, in order (documents and queries go through this)."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def transliterate(word: str) -> str:
    out = word
    for latin, cyrillic in _TRANSLIT:
        out = out.replace(latin, cyrillic)
    return out


def alternatives(word: str) -> list[str]:
    """Other readings of an unknown query word: keyboard layout, then transliteration."""
    options = []
    if _CYRILLIC.search(word):
        options.append(word.translate(_RU_TO_EN))
    else:
        options.append(word.translate(_EN_TO_RU))
        options.append(transliterate(word))
    return [o for o in options if _TOKEN.fullmatch(o)]


def trigrams(term: str) -> set[str]:
    padded = f"  {term} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at limit."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def allowed_typos(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 7 else 2


# --------------------------------------------------------------------------- documents


@dataclass
class Document:
    """What gets indexed for one object."""

    kind: str
    object_id: int
    language: str
    title: str
    body: str
    tags: Sequence[str] = ()
    is_public: bool = False
    url: str = ""
    # Tickets: who may see it (a copy of the ticket's columns, see SearchDocument).
    requester_id: int | None = None
    organization_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None


VISIBILITY_FIELDS = ("requester_id", "organization_id", "team_id", "assignee_id")


@dataclass
class Hit:
    kind: str
    object_id: int
    language: str
    title: str
    score: float
    snippet: str
    url: str


@dataclass
class QueryTerm:
    term: str
    weight: float
    source: str  # the query word it came from
    df: int = 0


def _norm_fields(doc: Document) -> dict[str, list[str]]:
    return {
        "title": analyze(doc.title),
        "tags": analyze(" ".join(doc.tags)),
        "body": analyze(doc.body[:MAX_TEXT]),
    }


def index_documents(docs: Iterable[Document]) -> int:
    """Create or replace the search documents of these objects; keep statistics exact."""
    from helpline.kb.models import SearchDocument

    docs = list(docs)
    if not docs:
        return 0
    with transaction.atomic():
        by_key = {(d.kind, d.object_id): d for d in docs}
        kinds = {d.kind for d in docs}
        existing = {}
        for kind in kinds:
            ids = [d.object_id for d in docs if d.kind == kind]
            for row in SearchDocument.objects.filter(kind=kind, object_id__in=ids):
                existing[(kind, row.object_id)] = row
        df_delta: Counter[tuple[str, str]] = Counter()
        len_delta: Counter[tuple[str, str]] = Counter()
        creates, updates = [], []
        for key, doc in by_key.items():
            fields_ = _norm_fields(doc)
            row = existing.get(key)
            if row is not None:
                for term in set(row.terms()):
                    df_delta[(doc.kind, term)] -= 1
                for name in FIELD_WEIGHTS:
                    len_delta[(doc.kind, name)] -= row.field_length(name)
                len_delta[(doc.kind, "docs")] -= 1
            else:
                row = SearchDocument(kind=doc.kind, object_id=doc.object_id)
            row.language = doc.language
            row.is_public = doc.is_public
            row.title = doc.title[:300]
            row.url = doc.url[:300]
            row.text = doc.body[:MAX_TEXT]
            row.title_norm = " ".join(fields_["title"])
            row.tags_norm = " ".join(fields_["tags"])
            row.body_norm = " ".join(fields_["body"])
            for name in VISIBILITY_FIELDS:
                setattr(row, name, getattr(doc, name))
            for term in set(row.terms()):
                df_delta[(doc.kind, term)] += 1
            for name in FIELD_WEIGHTS:
                len_delta[(doc.kind, name)] += row.field_length(name)
            len_delta[(doc.kind, "docs")] += 1
            (updates if row.pk else creates).append(row)
        SearchDocument.objects.bulk_create(creates, batch_size=500)
        if updates:
            SearchDocument.objects.bulk_update(
                updates,
                ["language", "is_public", "title", "url", "text", "title_norm", "tags_norm"]
                + ["body_norm", *VISIBILITY_FIELDS],
                batch_size=500,
            )
        _apply_deltas(df_delta, len_delta)
    return len(by_key)


def remove_documents(kind: str, object_ids: Iterable[int]) -> None:
    """Take objects out of the index (unpublished or deleted)."""
    from helpline.kb.models import SearchDocument

    with transaction.atomic():
        rows = list(SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)))
        if not rows:
            return
        df_delta: Counter[tuple[str, str]] = Counter()
        len_delta: Counter[tuple[str, str]] = Counter()
        for row in rows:
            for term in set(row.terms()):
                df_delta[(kind, term)] -= 1
            for name in FIELD_WEIGHTS:
                len_delta[(kind, name)] -= row.field_length(name)
            len_delta[(kind, "docs")] -= 1
        SearchDocument.objects.filter(pk__in=[r.pk for r in rows]).delete()
        _apply_deltas(df_delta, len_delta)


UPSERT_ROWS = 300  # three parameters a row: stays under SQLite's 999 variables


def _apply_deltas(df_delta: Counter, len_delta: Counter) -> None:
    from helpline.kb.models import SearchStats, SearchTerm

    # One upsert per 300 terms (ON CONFLICT on both databases), in a fixed order so that
    # two workers indexing at once lock the shared terms in the same order.
    changed = sorted((kind, term, delta) for (kind, term), delta in df_delta.items() if delta)
    with connection.cursor() as cursor:
        for start in range(0, len(changed), UPSERT_ROWS):
            chunk = changed[start : start + UPSERT_ROWS]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO kb_searchterm (kind, term, df) VALUES {values} "  # noqa: S608
                "ON CONFLICT (kind, term) DO UPDATE SET df = kb_searchterm.df + excluded.df",
                [value for row in chunk for value in row],
            )
    for kind in {kind for kind, _, delta in changed if delta < 0}:
        fallen = [term for k, term, delta in changed if k == kind and delta < 0]
        for start in range(0, len(fallen), 500):
            SearchTerm.objects.filter(
                kind=kind, term__in=fallen[start : start + 500], df__lte=0
            ).delete()
    for kind in {k for k, _ in len_delta}:
        stats, _ = SearchStats.objects.get_or_create(kind=kind)
        SearchStats.objects.filter(pk=stats.pk).update(
            docs=F("docs") + len_delta[(kind, "docs")],
            title_length=F("title_length") + len_delta[(kind, "title")],
            tags_length=F("tags_length") + len_delta[(kind, "tags")],
            body_length=F("body_length") + len_delta[(kind, "body")],
        )


# --------------------------------------------------------------------------- queries


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _lookup(kind: str, terms: Iterable[str]):
    """Document frequencies of these terms and the kind's length statistics, in one query."""
    from helpline.kb.models import SearchStats

    terms = sorted(set(terms))
    sql = (
        "SELECT '', docs, title_length, tags_length, body_length FROM kb_searchstats "
        "WHERE kind = %s"
    )
    params: list = [kind]
    if terms:
        marks = ",".join(["%s"] * len(terms))
        # Only placeholders are interpolated; terms are never '' (the statistics row).
        sql += (
            " UNION ALL SELECT term, df, 0, 0, 0 FROM kb_searchterm "  # noqa: S608
            f"WHERE kind = %s AND term IN ({marks})"
        )
        params += [kind, *terms]
    stats = SearchStats(kind=kind)
    df: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for term, count, title_length, tags_length, body_length in cursor.fetchall():
            if term:
                df[term] = count
            else:
                stats.docs, stats.title_length = count, title_length
                stats.tags_length, stats.body_length = tags_length, body_length
    return df, stats


def _fuzzy_candidates(kind: str, words_: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """Index terms sharing trigrams with each word: pg_trgm (one query for all words) or
    the FTS5 trigram table."""
    found: dict[str, list[tuple[str, int]]] = {w: [] for w in words_}
    words_ = [w for w in words_ if len(w) >= 4]
    if not words_:
        return found
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute("SELECT set_limit(0.2)")
            cursor.execute(
                "SELECT w.word, t.term, t.df FROM unnest(%s::text[]) AS w(word) "
                "CROSS JOIN LATERAL (SELECT term, df FROM kb_searchterm "
                "WHERE kind = %s AND term %% w.word "
                "ORDER BY similarity(term, w.word) DESC LIMIT 300) AS t",
                [list(words_), kind],
            )
            for word, term, df in cursor.fetchall():
                found[word].append((term, df))
            return found
        for word in words_:
            grams = [g for g in trigrams(word) if " " not in g]
            if not grams:
                continue
            match = " OR ".join('"' + g + '"' for g in grams)
            cursor.execute(
                "SELECT t.term, t.df FROM kb_searchterm_trgm JOIN kb_searchterm t "
                "ON t.id = kb_searchterm_trgm.rowid WHERE kb_searchterm_trgm MATCH %s "
                "AND t.kind = %s ORDER BY kb_searchterm_trgm.rank LIMIT 300",
                [match, kind],
            )
            found[word] = list(cursor.fetchall())
    return found


def _best_fuzzy(term: str, candidates: Iterable[tuple[str, int]]) -> tuple[str, int] | None:
    limit = allowed_typos(term)
    if not limit:
        return None
    best: tuple[int, int, str] | None = None
    for candidate, df in candidates:
        distance = edit_distance(term, candidate, limit + 1)
        if distance > limit or candidate == term:
            continue
        key = (distance, -df, candidate)
        if best is None or key < best:
            best = key
    return (best[2], -best[1]) if best else None


def parse_query(query: str, kind: str):
    """Query words -> index terms, repairing words the index does not know; with the
    kind's statistics (fetched in the same query as the terms' document frequencies)."""
    raw = [w for w in words(query) if w not in STOP_WORDS][:MAX_QUERY_TERMS]
    direct = {w: stem(w) for w in raw}
    alt = {w: [stem(a) for a in alternatives(w) if a not in STOP_WORDS] for w in raw}
    known, stats = _lookup(kind, list(direct.values()) + [a for v in alt.values() for a in v])
    # At most three unknown words get a typo lookup: long suggestion texts must not cost
    # a lookup per word.
    unknown = [
        direct[w] for w in raw if direct[w] not in known and not any(a in known for a in alt[w])
    ]
    to_repair = list(dict.fromkeys(unknown))[:MAX_FUZZY_WORDS]
    fuzzy = _fuzzy_candidates(kind, [t for t in to_repair if allowed_typos(t)])
    result: dict[str, QueryTerm] = {}

    def add(term: str, weight: float, source: str, df: int = 0) -> None:
        if term not in result or result[term].weight < weight:
            result[term] = QueryTerm(term, weight, source, df)

    for word in raw:
        term = direct[word]
        if term in known:
            add(term, 1.0, word, known[term])
            continue
        repaired = [a for a in alt[word] if a in known]
        if repaired:
            add(repaired[0], 0.9, word, known[repaired[0]])
            continue
        best = _best_fuzzy(term, fuzzy.get(term, ())) if term in to_repair else None
        if best:
            add(best[0], 0.7, word, best[1])
        else:
            add(term, 1.0, word)  # unknown everywhere: keeps the query honest
    return list(result.values()), stats


def _candidates(
    terms: Sequence[str], scope, *, require_all: bool, limit: int, newest: bool = False
) -> list[tuple]:
    """(id, object_id, title_norm, tags_norm, body_norm) of scope's documents matching any
    (or every) term, best first by the database's own rank (ts_rank_cd on PostgreSQL, FTS5
    bm25 on SQLite), or `newest` first: candidates and their text in one query."""
    if not terms:
        return []
    # Only constant SQL goes into extra()/RawSQL; the query text travels as a parameter.
    if _is_postgres():
        tsquery = (" & " if require_all else " | ").join(terms)
        vector = "kb_searchdocument.search_vector"
        candidates = scope.extra(  # noqa: S610
            where=[f"{vector} @@ to_tsquery('simple', %s)"], params=[tsquery]
        )
        if newest:
            candidates = candidates.order_by("-id")
        else:
            rank_sql = f"ts_rank_cd({vector}, to_tsquery('simple', %s))"
            rank = RawSQL(rank_sql, [tsquery])  # noqa: S611
            candidates = candidates.annotate(_rank=rank).order_by("-_rank", "id")
    else:
        match = (" AND " if require_all else " OR ").join('"' + t + '"' for t in terms)
        candidates = scope.extra(  # noqa: S610
            tables=["kb_searchdocument_fts"],
            where=[
                "kb_searchdocument_fts.rowid = kb_searchdocument.id",
                "kb_searchdocument_fts MATCH %s",
            ],
            params=[match],
        )
        if newest:
            candidates = candidates.order_by("-id")
        else:
            bm25 = RawSQL("bm25(kb_searchdocument_fts, 3.0, 2.0, 1.0)", [])
            candidates = candidates.annotate(_rank=bm25).order_by("_rank", "id")
    fields_ = ("id", "object_id", "title_norm", "tags_norm", "body_norm")
    return list(candidates.values_list(*fields_)[:limit])


def _retrieval_terms(
    terms: Sequence[QueryTerm], df: dict[str, int], docs: int, budget: int = SELECTIVE_MAX_DOCS
) -> tuple[list[str], bool]:
    """Which terms fetch candidates: the rarest few of the selective ones (in at most 2% of
    documents or 200, never more than `budget`), as long as together they match at most
    `budget` documents (the rows the database must rank); every term still counts in
    ranking. If all known terms are common, documents must contain all of them."""
    known = sorted((t for t in terms if df.get(t.term, 0) > 0), key=lambda t: df[t.term])
    cutoff = min(max(docs * SELECTIVE_SHARE, 200), budget)
    selective: list[str] = []
    matched = 0
    for term in known[:RETRIEVAL_TERMS]:
        if df[term.term] > cutoff or (selective and matched + df[term.term] > budget):
            break
        selective.append(term.term)
        matched += df[term.term]
    if selective:
        return selective, False
    return [t.term for t in known[:RETRIEVAL_TERMS]], True


def _bm25f(
    terms: Sequence[QueryTerm],
    fields_: dict[str, list[str]],
    df: dict[str, int],
    stats,
) -> float:
    docs = max(stats.docs, 1)
    averages = {
        "title": max(stats.title_length / docs, 1.0),
        "tags": max(stats.tags_length / docs, 1.0),
        "body": max(stats.body_length / docs, 1.0),
    }
    # Count only the query's terms (a set intersection in C, then list.count on the few
    # present): cheaper than a Counter over every token of every candidate.
    wanted = {term.term for term in terms}
    counts = {}
    for name, tokens in fields_.items():
        counts[name] = {t: tokens.count(t) for t in wanted.intersection(tokens)}
    score = 0.0
    matched = 0
    for term in terms:
        tf = 0.0
        for name, weight in FIELD_WEIGHTS.items():
            raw_tf = counts[name].get(term.term, 0)
            if raw_tf:
                norm = 1 - FIELD_B[name] + FIELD_B[name] * len(fields_[name]) / averages[name]
                tf += weight * raw_tf / norm
        if not tf:
            continue
        matched += 1
        n = df.get(term.term, 0)
        idf = math.log(1 + (docs - n + 0.5) / (n + 0.5))
        score += term.weight * idf * tf / (K1 + tf)
    if not terms:
        return 0.0
    # Coordination: documents matching more of the query's words come first.
    return score * (0.5 + 0.5 * matched / len(terms))


def search(
    query: str,
    *,
    kind: str,
    scope,
    limit: int = 10,
    candidate_limit: int = CANDIDATE_LIMIT,
    retrieval_budget: int = SELECTIVE_MAX_DOCS,
    newest_fill: bool = False,
    allowed: Callable[[list[int]], set[int]] | None = None,
) -> list[Hit]:
    """Ranked hits among the SearchDocument rows of `scope` (a permission-filtered queryset).

    `allowed`, given object ids, returns those the person may see: a last check of the
    ranked candidates against the source of truth (for tickets, Ticket.visible_to), for
    scopes built from columns copied at indexing time.

    `retrieval_budget` bounds how many documents the database ranks (see
    _retrieval_terms). With `newest_fill`, when every word is common and too few documents
    hold them all, the newest documents holding the rarest word fill up the candidates
    (tickets: among thousands of equally plausible matches, recent ones first).
    """
    from helpline.kb.models import SearchDocument

    terms, stats = parse_query(query, kind)
    if not terms:
        return []
    df = {t.term: t.df for t in terms}
    retrieval, require_all = _retrieval_terms(terms, df, stats.docs, retrieval_budget)
    # For a common word, the newest documents holding it are found by reading backwards
    # until enough match (about candidates x documents / df rows, a cheap test each)
    # rather than by ranking all df of them (a costlier tsvector rank each).
    rarest_is_common = (
        newest_fill
        and require_all
        and bool(retrieval)
        and df[retrieval[0]] ** 2 > NEWEST_SCAN_FACTOR * max(stats.docs, 1)
    )
    if rarest_is_common and len(retrieval) == 1:
        rows = _candidates(retrieval, scope, require_all=False, limit=candidate_limit, newest=True)
    else:
        rows = _candidates(retrieval, scope, require_all=require_all, limit=candidate_limit)
    if newest_fill and require_all and len(retrieval) > 1 and len(rows) < limit:
        seen = {row[0] for row in rows}
        fill = _candidates(
            retrieval[:1],
            scope,
            require_all=False,
            limit=candidate_limit,
            newest=rarest_is_common,
        )
        rows += [row for row in fill if row[0] not in seen]
    scored = []
    for pk, object_id, title_norm, tags_norm, body_norm in rows:
        fields_ = {
            "title": title_norm.split(),
            "tags": tags_norm.split(),
            "body": body_norm.split(),
        }
        score = _bm25f(terms, fields_, df, stats)
        if score > 0:
            scored.append((score, object_id, pk))
    if allowed is not None and scored:
        visible = allowed([object_id for _, object_id, _ in scored])
        scored = [item for item in scored if item[1] in visible]
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[:limit]
    if not top:
        return []
    shown = SearchDocument.objects.only("kind", "language", "title", "url", "text").in_bulk(
        [pk for _, _, pk in top]
    )
    term_set = {t.term for t in terms}
    return [
        Hit(
            kind=shown[pk].kind,
            object_id=object_id,
            language=shown[pk].language,
            title=shown[pk].title,
            score=round(score, 4),
            snippet=make_snippet(shown[pk].text, term_set),
            url=shown[pk].url,
        )
        for score, object_id, pk in top
    ]


_SNIPPET_WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+")


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> frozenset[str]:
    """Index terms of one surface word (for highlighting)."""
    return frozenset(stem(w) for w in words(word) if w not in STOP_WORDS)


SNIPPET_SCAN = 4000


def make_snippet(text: str, terms: set[str], width: int = 30) -> str:
    """About `width` words of text around the densest run of matches, HTML-escaped,
    with the matching words in <mark>."""
    flat = " ".join(text[:SNIPPET_SCAN].split())
    spans = [(m.start(), m.end(), m.group()) for m in _SNIPPET_WORD.finditer(flat)]
    if not spans:
        return ""
    hits = [i for i, (_, _, word) in enumerate(spans) if word_terms(word.lower()) & terms]
    start = 0
    if hits:
        best, most, tail = hits[0], 0, 0
        for head, position in enumerate(hits):  # densest window of `width` words
            while hits[tail] < position - width + 1:
                tail += 1
            if head - tail + 1 > most:
                best, most = hits[tail], head - tail + 1
        start = max(0, best - 3)
    end = min(len(spans), start + width)
    hit_set = set(hits)
    pieces = []
    cursor = spans[start][0]
    for index in range(start, end):
        s, e, _ = spans[index]
        pieces.append(html.escape(flat[cursor:s]))
        word = html.escape(flat[s:e])
        pieces.append(f"<mark>{word}</mark>" if index in hit_set else word)
        cursor = e
    if end < len(spans):
        pieces.append(html.escape(flat[cursor : spans[end][0]].rstrip()))
    snippet = "".join(pieces).strip()
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(spans) else ""
    return prefix + snippet + suffix
