"""Shared helpers for the search-quality test and the benchmark: corpus, queries, metrics."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kb"
# The labelled corpus is the demo's knowledge base (loaded by `helpline demo`).
ARTICLES = (
    Path(__file__).resolve().parents[2] / "src" / "helpline" / "core" / "demo" / "kb_articles"
)
QUERIES = FIXTURES / "queries.json"


def load_queries() -> list[dict]:
    return json.loads(QUERIES.read_text(encoding="utf-8"))


def evaluate(
    queries: Sequence[dict], ranker: Callable[[str, str | None], list[str]], k: int = 5
) -> dict:
    """Mean reciprocal rank and recall@k of a ranker returning 'lang/slug' keys best first."""
    reciprocal, recall, misses = [], [], []
    for query in queries:
        ranked = ranker(query["q"], query["lang"])
        relevant = set(query["relevant"])
        rank = next((i for i, key in enumerate(ranked, 1) if key in relevant), None)
        reciprocal.append(1 / rank if rank else 0.0)
        recall.append(len(relevant & set(ranked[:k])) / len(relevant))
        if rank != 1:
            misses.append((query["q"], rank, ranked[:3]))
    n = len(queries)
    return {"mrr": sum(reciprocal) / n, f"recall@{k}": sum(recall) / n, "misses": misses}


class PlainBM25:
    """rank_bm25-style Okapi BM25: whitespace tokens, lower-cased, no stemming."""

    def __init__(self, docs: dict[str, tuple[str, str]], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.docs = {key: text.lower().split() for key, (text, _lang) in docs.items()}
        self.lang = {key: lang for key, (_text, lang) in docs.items()}
        self.avg = sum(len(t) for t in self.docs.values()) / len(self.docs)
        df: Counter[str] = Counter()
        for tokens in self.docs.values():
            df.update(set(tokens))
        n = len(self.docs)
        self.idf = {t: math.log((n - f + 0.5) / (f + 0.5) + 1) for t, f in df.items()}
        self.tf = {key: Counter(tokens) for key, tokens in self.docs.items()}

    def rank(self, query: str, lang: str | None) -> list[str]:
        terms = query.lower().split()
        scores = []
        for key, tf in self.tf.items():
            if lang and self.lang[key] != lang:
                continue
            length = len(self.docs[key])
            score = sum(
                self.idf.get(t, 0)
                * tf[t]
                * (self.k1 + 1)
                / (tf[t] + self.k1 * (1 - self.b + self.b * length / self.avg))
                for t in terms
                if tf[t]
            )
            if score > 0:
                scores.append((score, key))
        scores.sort(key=lambda s: (-s[0], s[1]))
        return [key for _, key in scores]


_FRONT = re.compile(r"^---\n(.*?)\n---\n", re.S)


def corpus_texts() -> dict[str, tuple[str, str]]:
    """'lang/slug' -> (title + tags + body, language), read straight from the fixture files."""
    from helpline.kb.importer import parse_front_matter

    texts = {}
    for path in sorted(ARTICLES.glob("*.md")):
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        if meta.get("audience") != "public":
            continue
        key = f"{meta['language']}/{meta.get('slug') or path.stem}"
        tags = " ".join(meta.get("tags", []))  # type: ignore[arg-type]
        texts[key] = (f"{meta['title']} {tags} {body}", str(meta["language"]))
    return texts
