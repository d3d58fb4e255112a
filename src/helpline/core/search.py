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
from collections.abc import Iterable, Sequence
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
                + ["body_norm"],
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


def _apply_deltas(df_delta: Counter, len_delta: Counter) -> None:
    from helpline.kb.models import SearchStats, SearchTerm

    changed = {key: value for key, value in df_delta.items() if value}
    for kind in {k for k, _ in changed}:
        terms = [t for k, t in changed if k == kind]
        known = set()
        for start in range(0, len(terms), 500):
            chunk = terms[start : start + 500]
            known.update(
                SearchTerm.objects.filter(kind=kind, term__in=chunk).values_list("term", flat=True)
            )
        new = [
            SearchTerm(kind=kind, term=t, df=changed[(kind, t)])
            for t in terms
            if t not in known and changed[(kind, t)] > 0
        ]
        SearchTerm.objects.bulk_create(new, batch_size=1000)
        by_delta: dict[int, list[str]] = {}
        for term in known:
            by_delta.setdefault(changed[(kind, term)], []).append(term)
        for delta, group in by_delta.items():
            for start in range(0, len(group), 500):
                SearchTerm.objects.filter(kind=kind, term__in=group[start : start + 500]).update(
                    df=F("df") + delta
                )
        SearchTerm.objects.filter(kind=kind, df__lte=0).delete()
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


def _known_terms(kinds: Sequence[str], terms: Iterable[str]) -> dict[str, int]:
    from helpline.kb.models import SearchTerm

    totals: Counter[str] = Counter()
    rows = SearchTerm.objects.filter(kind__in=kinds, term__in=set(terms)).values_list("term", "df")
    for term, df in rows:
        totals[term] += df
    return dict(totals)


def _fuzzy_candidates(kinds: Sequence[str], term: str) -> list[tuple[str, int]]:
    """Index terms that share trigrams with term: pg_trgm or the FTS5 trigram table."""
    if len(term) < 4:
        return []
    kind_marks = ",".join(["%s"] * len(kinds))
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute("SELECT set_limit(0.2)")
            # Only placeholders are interpolated into these statements.
            cursor.execute(
                f"SELECT term, df FROM kb_searchterm WHERE kind IN ({kind_marks}) "  # noqa: S608
                "AND term %% %s ORDER BY similarity(term, %s) DESC LIMIT 300",
                [*kinds, term, term],
            )
        else:
            grams = [g for g in trigrams(term) if " " not in g]
            if not grams:
                return []
            match = " OR ".join('"' + g + '"' for g in grams)
            cursor.execute(
                "SELECT t.term, t.df FROM kb_searchterm_trgm JOIN kb_searchterm t "  # noqa: S608
                "ON t.id = kb_searchterm_trgm.rowid WHERE kb_searchterm_trgm MATCH %s "
                f"AND t.kind IN ({kind_marks}) ORDER BY kb_searchterm_trgm.rank LIMIT 300",
                [match, *kinds],
            )
        return list(cursor.fetchall())


def _best_fuzzy(kinds: Sequence[str], term: str) -> tuple[str, int] | None:
    limit = allowed_typos(term)
    if not limit:
        return None
    best: tuple[int, int, str] | None = None
    for candidate, df in _fuzzy_candidates(kinds, term):
        distance = edit_distance(term, candidate, limit + 1)
        if distance > limit or candidate == term:
            continue
        key = (distance, -df, candidate)
        if best is None or key < best:
            best = key
    return (best[2], -best[1]) if best else None


def parse_query(query: str, kinds: Sequence[str]) -> list[QueryTerm]:
    """Query words -> index terms, repairing words the index does not know."""
    raw = [w for w in words(query) if w not in STOP_WORDS][:MAX_QUERY_TERMS]
    direct = {w: stem(w) for w in raw}
    alt = {w: [stem(a) for a in alternatives(w) if a not in STOP_WORDS] for w in raw}
    known = _known_terms(kinds, list(direct.values()) + [a for v in alt.values() for a in v])
    result: dict[str, QueryTerm] = {}

    def add(term: str, weight: float, source: str, df: int = 0) -> None:
        if term not in result or result[term].weight < weight:
            result[term] = QueryTerm(term, weight, source, df)

    fuzzy_budget = MAX_FUZZY_WORDS  # long suggestion texts must not cost a lookup per word
    for word in raw:
        term = direct[word]
        if term in known:
            add(term, 1.0, word, known[term])
            continue
        repaired = [a for a in alt[word] if a in known]
        if repaired:
            add(repaired[0], 0.9, word, known[repaired[0]])
            continue
        fuzzy = _best_fuzzy(kinds, term) if fuzzy_budget > 0 else None
        fuzzy_budget -= 1
        if fuzzy:
            add(fuzzy[0], 0.7, word, fuzzy[1])
        else:
            add(term, 1.0, word)  # unknown everywhere: keeps the query honest
    return list(result.values())


def _candidate_ids(terms: Sequence[str], scope, *, require_all: bool = False) -> list[int]:
    """Ids of scope's documents matching any (or every) term, best first by the database's
    own rank (ts_rank_cd on PostgreSQL, FTS5 bm25 on SQLite)."""
    if not terms:
        return []
    # Only constant SQL goes into extra()/RawSQL; the query text travels as a parameter.
    if _is_postgres():
        tsquery = (" & " if require_all else " | ").join(terms)
        vector = "kb_searchdocument.search_vector"
        rank = RawSQL(f"ts_rank_cd({vector}, to_tsquery('simple', %s))", [tsquery])  # noqa: S611
        candidates = scope.extra(  # noqa: S610
            where=[f"{vector} @@ to_tsquery('simple', %s)"], params=[tsquery]
        ).annotate(_rank=rank)
        candidates = candidates.order_by("-_rank", "id")
    else:
        match = (" AND " if require_all else " OR ").join('"' + t + '"' for t in terms)
        candidates = scope.extra(  # noqa: S610
            tables=["kb_searchdocument_fts"],
            where=[
                "kb_searchdocument_fts.rowid = kb_searchdocument.id",
                "kb_searchdocument_fts MATCH %s",
            ],
            params=[match],
        ).annotate(_rank=RawSQL("bm25(kb_searchdocument_fts, 3.0, 2.0, 1.0)", []))
        candidates = candidates.order_by("_rank", "id")
    return list(candidates.values_list("id", flat=True)[:CANDIDATE_LIMIT])


def _retrieval_terms(
    terms: Sequence[QueryTerm], df: dict[str, int], docs: int
) -> tuple[list[str], bool]:
    """Which terms fetch candidates: the rarest few of the selective ones (in at most 2% of
    documents or 200, never more than 5,000); every term still counts in ranking. If all known terms
    are common, documents must contain all of them."""
    known = sorted((t for t in terms if df.get(t.term, 0) > 0), key=lambda t: df[t.term])
    cutoff = min(max(docs * SELECTIVE_SHARE, 200), SELECTIVE_MAX_DOCS)
    selective = [t.term for t in known if df[t.term] <= cutoff]
    if selective:
        return selective[:RETRIEVAL_TERMS], False
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
    counts = {name: Counter(tokens) for name, tokens in fields_.items()}
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
) -> list[Hit]:
    """Ranked hits among the SearchDocument rows of `scope` (a permission-filtered queryset)."""
    from helpline.kb.models import SearchDocument, SearchStats

    terms = parse_query(query, [kind])
    if not terms:
        return []
    stats = SearchStats.objects.filter(kind=kind).first() or SearchStats(kind=kind)
    df = {t.term: t.df for t in terms}
    retrieval, require_all = _retrieval_terms(terms, df, stats.docs)
    ids = _candidate_ids(retrieval, scope, require_all=require_all)
    if not ids:
        return []
    rows = SearchDocument.objects.filter(pk__in=ids).values_list(
        "id", "object_id", "title_norm", "tags_norm", "body_norm"
    )
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
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[:limit]
    shown = SearchDocument.objects.in_bulk([pk for _, _, pk in top])
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
