"""Search quality on the labelled query set, held as a regression test on both databases."""

from __future__ import annotations

import pytest

from helpline.kb.importer import import_folder
from helpline.kb.selectors import search_articles
from tests.kb.quality import ARTICLES, PlainBM25, corpus_texts, evaluate, load_queries

pytestmark = pytest.mark.django_db


def _ranker(query: str, lang: str | None) -> list[str]:
    hits = search_articles(None, query, language=lang, limit=10)
    return [f"{hit.language}/{hit.url.strip('/').split('/')[-1]}" for hit in hits]


def test_labelled_queries_rank_the_right_article_first_and_beat_plain_bm25():
    # given the fixture corpus imported and a labelled query set of 40+ ru/en queries
    report = import_folder(ARTICLES)
    assert report.ok, report.rejected
    queries = load_queries()
    assert len(queries) >= 40

    # when both our search and a plain BM25 over the same articles answer them
    ours = evaluate(queries, _ranker)
    baseline = evaluate(queries, PlainBM25(corpus_texts()).rank)
    print(f"\nsearch: MRR={ours['mrr']:.3f} recall@5={ours['recall@5']:.3f}")
    print(f"plain BM25: MRR={baseline['mrr']:.3f} recall@5={baseline['recall@5']:.3f}")
    for miss in ours["misses"]:
        print("  miss:", miss)

    # then quality holds its targets and clearly beats the baseline
    assert ours["mrr"] >= 0.90
    assert ours["recall@5"] >= 0.95
    assert ours["mrr"] >= baseline["mrr"] + 0.2
    assert ours["recall@5"] >= baseline["recall@5"] + 0.1
