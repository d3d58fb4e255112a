"""`helpline kb import PATH`: create, re-import, change, reject — all or nothing."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from helpline.kb.importer import FrontMatterError, parse_front_matter
from helpline.kb.models import Article, ArticleVersion, SearchDocument
from tests.kb.quality import ARTICLES

pytestmark = pytest.mark.django_db

GOOD = """---
title: Замена картриджа
language: ru
type: howto
audience: public
tags: [принтер, картридж]
category: printers
---
Откройте крышку и замените картридж.
"""


def _run(path: Path) -> str:
    out = StringIO()
    call_command("kb", "import", str(path), stdout=out)
    return out.getvalue()


def _folder(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "kb"
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def test_import_creates_published_articles_with_one_version(tmp_path):
    root = _folder(tmp_path, **{"toner-replace": GOOD})

    output = _run(root)

    article = Article.objects.get(language="ru", slug="toner-replace")
    assert output.splitlines()[0] == "created   toner-replace.md"
    assert (article.status, article.type, article.tags) == (
        "published",
        "howto",
        ["принтер", "картридж"],
    )
    assert article.category.slug == "printers"
    assert article.versions.count() == 1
    assert SearchDocument.objects.filter(kind="article", object_id=article.pk).exists()


def test_reimport_unchanged_makes_no_new_version(tmp_path):
    root = _folder(tmp_path, **{"toner-replace": GOOD})
    _run(root)

    output = _run(root)

    assert output.splitlines()[0] == "unchanged toner-replace.md"
    assert ArticleVersion.objects.count() == 1


def test_reimport_changed_makes_a_new_version(tmp_path):
    root = _folder(tmp_path, **{"toner-replace": GOOD})
    _run(root)
    _folder(tmp_path, **{"toner-replace": GOOD.replace("замените", "аккуратно замените")})

    output = _run(root)

    article = Article.objects.get(slug="toner-replace")
    assert output.splitlines()[0] == "updated   toner-replace.md"
    assert "аккуратно" in article.body_md
    assert list(article.versions.values_list("number", flat=True)) == [1, 2]


def test_bad_front_matter_rejects_the_whole_import(tmp_path):
    bad = GOOD.replace("language: ru", "language: de")
    root = _folder(tmp_path, **{"a-good": GOOD, "b-bad": bad, "c-nofm": "Just text\n"})

    with pytest.raises(CommandError, match="2 file"):
        out = StringIO()
        try:
            call_command("kb", "import", str(root), stdout=out)
        finally:
            lines = out.getvalue().splitlines()

    assert lines == [
        "rejected  b-bad.md: language 'de' is not one of ru, en",
        "rejected  c-nofm.md: no front matter (the file must start with a '---' line)",
    ]
    assert Article.objects.count() == 0
    assert ArticleVersion.objects.count() == 0


def test_duplicate_slug_in_one_import_is_rejected(tmp_path):
    root = _folder(tmp_path, **{"one": GOOD.replace("---\nOpen", "slug: same\n---\nOpen")})
    (root / "two.md").write_text(GOOD.replace("category: printers", "slug: one"), "utf-8")

    with pytest.raises(CommandError):
        _run(root)

    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: x\n", "front matter is not closed by a '---' line"),
        ("---\ntitle x\n---\nbody", "line 2: expected 'key: value'"),
    ],
)
def test_front_matter_errors_say_what_is_wrong(text, reason):
    with pytest.raises(FrontMatterError, match=reason):
        parse_front_matter(text)


def test_other_tools_front_matter_keys_are_skipped_and_reported(tmp_path):
    text = GOOD.replace(
        "category: printers\n",
        "category: printers\ndate: 2024-05-01\nauthors:\n  - Иван\n  - Olga\ndraft: false\n",
    )
    root = _folder(tmp_path, **{"toner-replace": text})

    output = _run(root)

    assert output.splitlines()[0] == (
        "created   toner-replace.md: ignored keys: date, authors, draft"
    )
    article = Article.objects.get(language="ru", slug="toner-replace")
    assert article.tags == ["принтер", "картридж"]


def test_fixture_corpus_imports_with_guides_and_translations(tmp_path):
    root = tmp_path / "articles"
    shutil.copytree(ARTICLES, root)

    output = _run(root)

    guide = Article.objects.get(language="ru", slug="new-employee-guide")
    english = Article.objects.get(language="en", slug="new-employee-guide")
    assert output.splitlines()[-1] == "imported: 50 created, 0 updated, 0 unchanged"
    assert list(guide.chapters.order_by("position").values_list("slug", flat=True)) == [
        "new-employee-first-login",
        "new-employee-mail",
    ]
    assert guide.translation_group == english.translation_group


# Front matter written by people who never read docs/kb.md: the values in any case and
# spelling of the article types, YAML block lists, '#' inside quoted titles, Russian
# file names and .markdown files.
AS_WRITTEN_ELSEWHERE = """---
title: "Принтер #3: не печатает"   # quoted, with a '#' inside
language: RU
type: How-to
audience: Public
tags:
  - принтер
  - "печать"
category: printers
---
Проверьте очередь печати.
"""


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("type: how-to", "howto"),
        ("type: FAQ", "faq"),
        ("type: known error", "known_error"),
        ("type: Known-Error", "known_error"),
        ("type: troubleshooting guide", "troubleshooting"),
        ("type: User guide", "guide"),
        ("type: internal runbook", "runbook"),
        ("type: technical documentation", "technical"),
    ],
)
def test_article_types_are_accepted_as_people_write_them(tmp_path, written, stored):
    root = _folder(tmp_path, **{"toner-replace": GOOD.replace("type: howto", written)})

    _run(root)

    assert Article.objects.get(slug="toner-replace").type == stored


def test_front_matter_as_written_elsewhere_imports(tmp_path):
    root = tmp_path / "kb"
    root.mkdir()
    (root / "Принтер не печатает.md").write_text(AS_WRITTEN_ELSEWHERE, encoding="utf-8")
    (root / "vpn.markdown").write_text(
        GOOD.replace("language: ru", "language: English").replace("Замена", "VPN"), "utf-8"
    )

    output = _run(root)
    again = _run(root)

    article = Article.objects.get(slug="printer-ne-pechataet")
    assert (article.language, article.type, article.audience) == ("ru", "howto", "public")
    assert article.title == "Принтер #3: не печатает"
    assert article.tags == ["принтер", "печать"]
    assert Article.objects.get(slug="vpn").language == "en"
    assert output.splitlines()[-1] == "imported: 2 created, 0 updated, 0 unchanged"
    assert again.splitlines()[-1] == "imported: 0 created, 0 updated, 2 unchanged"


def test_an_unknown_type_is_still_rejected_with_the_allowed_values(tmp_path):
    root = _folder(tmp_path, **{"x": GOOD.replace("type: howto", "type: recipe")})

    with pytest.raises(CommandError):
        _run(root)

    assert Article.objects.count() == 0
