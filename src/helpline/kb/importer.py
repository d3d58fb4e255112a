"""Import a folder of Markdown files with front matter as published articles.

All-or-nothing: every file is parsed and validated first; if any is rejected nothing is
written. Re-importing matches articles by (language, slug) — the slug comes from the
front matter or the file name — and makes a new version only when the content changed.

Front matter is a small YAML subset between two `---` lines::

    ---
    title: Принтер не печатает
    language: ru            # ru | en
    type: troubleshooting   # faq howto troubleshooting technical known_error runbook guide
    audience: public        # public | internal
    tags: [принтер, печать] # or: tags: принтер, печать
    category: printers
    slug: printer-not-printing   # optional, defaults to the file name
    translation: printer-not-printing   # optional key shared by translations
    guide: onboarding-guide      # optional: this file is a chapter of that guide
    position: 2
    ---
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from helpline.kb.choices import ArticleStatus, ArticleType, Audience, Language
from helpline.kb.models import Article, KbCategory
from helpline.kb.services import ArticleData, create_article, make_slug, update_article

KNOWN_KEYS = {
    "title",
    "language",
    "type",
    "audience",
    "tags",
    "category",
    "slug",
    "translation",
    "guide",
    "position",
}
IGNORED = "_ignored_keys"  # in parsed front matter: the keys that were skipped
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")
MARKDOWN_SUFFIXES = ("*.md", "*.markdown")


def _norm(value: str) -> str:
    return re.sub(r"[\s_-]+", "_", value.strip().lower())


# What authors write for the enumerated keys, besides the stored values themselves:
# any case, '-' or ' ' for '_' ("How-to", "known error"), the English names of the types
# ("Troubleshooting guide", "User guide"), language names.
_ALIASES: dict[str, dict[str, str]] = {
    "language": {
        "russian": "ru",
        "русский": "ru",
        "рус": "ru",
        "rus": "ru",
        "ru_ru": "ru",
        "english": "en",
        "английский": "en",
        "eng": "en",
        "en_us": "en",
        "en_gb": "en",
    },
    "type": {
        "how_to": "howto",
        "instruction": "howto",
        "how_to_instruction": "howto",
        "known_error_with_workaround": "known_error",
        "troubleshooting_guide": "troubleshooting",
        "troubleshoot": "troubleshooting",
        "technical_documentation": "technical",
        "documentation": "technical",
        "tech": "technical",
        "knownerror": "known_error",
        "internal_runbook": "runbook",
        "user_guide": "guide",
        "manual": "guide",
        "faqs": "faq",
    },
    "audience": {"private": "internal", "agents": "internal", "everyone": "public"},
}
for _key, _values in (
    ("language", Language.values),
    ("type", ArticleType.values),
    ("audience", Audience.values),
):
    _ALIASES[_key].update({_norm(value): value for value in _values})
_TRANSLATION_NS = uuid.UUID("6f1f3b0e-8d0c-4c39-9a43-6c0a1c6f0b11")


class FrontMatterError(ValueError):
    pass


@dataclass
class ParsedFile:
    path: str
    meta: dict[str, object]
    body: str


@dataclass
class FileResult:
    path: str
    outcome: str  # created | updated | unchanged | rejected
    reason: str = ""


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileResult]:
        return [r for r in self.results if r.outcome == "rejected"]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)


def _scalar(raw: str) -> str:
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def _strip_comment(value: str) -> str:
    """`x  # note` -> `x`; a '#' inside a quoted value ("Printer #5") is kept."""
    value = value.strip()
    if value[:1] in ("'", '"'):
        end = value.find(value[0], 1)
        if end > 0 and (not value[end + 1 :].strip() or value[end + 1 :].strip()[0] == "#"):
            return value[: end + 1]
    return re.sub(r"(^|\s+)#.*$", "", value).strip()


def parse_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Split `---` front matter from the Markdown body; raise FrontMatterError if malformed."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("no front matter (the file must start with a '---' line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise FrontMatterError("front matter is not closed by a '---' line") from None
    meta: dict[str, object] = {}
    ignored: list[str] = []
    block_list: str | None = None  # a key whose value is a YAML block list ("- item" lines)
    for number, line in enumerate(lines[1:end], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        is_item = stripped == "-" or stripped.startswith("- ")
        if block_list and is_item:
            item = _scalar(_strip_comment(stripped[1:]))
            if item and block_list in meta:
                meta[block_list].append(item)  # type: ignore[attr-defined]
            continue
        block_list = None
        if ":" not in stripped:
            raise FrontMatterError(f"line {number}: expected 'key: value'")
        key, _, value = stripped.partition(":")
        key = key.strip().lower()
        if key not in KNOWN_KEYS:
            # other tools' keys (date, author, draft ...) are skipped, with their lists
            ignored.append(key)
            block_list = key
            continue
        value = _strip_comment(value)
        if key == "tags":
            inner = value[1:-1] if value.startswith("[") and value.endswith("]") else value
            meta[key] = [_scalar(t) for t in inner.split(",") if _scalar(t)]
            block_list = key if not value else None
        else:
            meta[key] = _scalar(value)
    if ignored:
        meta[IGNORED] = ignored
    return meta, "\n".join(lines[end + 1 :]).strip() + "\n"


def _validate(parsed: ParsedFile) -> None:
    meta = parsed.meta
    if not str(meta.get("title", "")).strip():
        raise FrontMatterError("'title' is required")
    checks = [
        ("language", Language.values),
        ("type", ArticleType.values),
        ("audience", Audience.values),
    ]
    for key, allowed in checks:
        if key not in meta:
            raise FrontMatterError(f"'{key}' is required")
        value = _ALIASES[key].get(_norm(str(meta[key])), meta[key])
        if value not in allowed:
            raise FrontMatterError(f"{key} {meta[key]!r} is not one of {', '.join(allowed)}")
        meta[key] = value
    if not _SLUG.match(str(meta["slug"])):
        raise FrontMatterError(f"slug {meta['slug']!r} must be lower-case letters, digits, '-'")
    if "position" in meta and not str(meta["position"]).isdigit():
        raise FrontMatterError("position must be a whole number")
    if not parsed.body.strip():
        raise FrontMatterError("the article has no text")


def read_folder(root: Path) -> tuple[list[ParsedFile], list[FileResult]]:
    parsed, rejected = [], []
    seen: dict[tuple[str, str], str] = {}
    paths = {path for pattern in MARKDOWN_SUFFIXES for path in root.rglob(pattern)}
    for path in sorted(paths):
        relative = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
            meta, body = parse_front_matter(text)
            # make_slug transliterates: "Принтер не печатает.md" -> printer-ne-pechataet
            meta.setdefault("slug", make_slug(path.stem))
            item = ParsedFile(relative, meta, body)
            _validate(item)
            key = (str(meta["language"]), str(meta["slug"]))
            if key in seen:
                raise FrontMatterError(f"same language and slug as {seen[key]}")
            seen[key] = relative
            parsed.append(item)
        except UnicodeDecodeError:
            rejected.append(FileResult(relative, "rejected", "not UTF-8 text"))
        except FrontMatterError as exc:
            rejected.append(FileResult(relative, "rejected", str(exc)))
    return parsed, rejected


def _category(slug_or_name: str) -> KbCategory | None:
    if not slug_or_name:
        return None
    slug = slugify(slug_or_name) or "general"
    category, _ = KbCategory.objects.get_or_create(
        slug=slug, defaults={"name": slug_or_name.replace("-", " ").capitalize()}
    )
    return category


def _data(item: ParsedFile) -> ArticleData:
    meta = item.meta
    return ArticleData(
        title=str(meta["title"]).strip(),
        body_md=item.body,
        language=str(meta["language"]),
        type=str(meta["type"]),
        audience=str(meta["audience"]),
        tags=list(meta.get("tags", [])),  # type: ignore[call-overload]
        category=_category(str(meta.get("category", ""))),
        slug=str(meta["slug"]),
        position=int(str(meta.get("position", 0))),
        source_path=item.path,
    )


def _apply(item: ParsedFile) -> str:
    data = _data(item)
    article = Article.objects.filter(language=data.language, slug=data.slug).first()
    if article is None:
        article = create_article(
            None, data, message=f"Imported from {item.path}", status=ArticleStatus.PUBLISHED
        )
        outcome = "created"
    else:
        same = (
            article.title == data.title
            and article.body_md == data.body_md
            and article.tags == data.tags
            and article.type == data.type
            and article.audience == data.audience
            and article.category_id == (data.category.pk if data.category else None)
            and article.status == ArticleStatus.PUBLISHED
        )
        if same:
            outcome = "unchanged"
        else:
            update_article(None, article, data, message=f"Re-imported from {item.path}")
            if article.status != ArticleStatus.PUBLISHED:
                article.status = ArticleStatus.PUBLISHED
                article.save(update_fields=["status"])
            outcome = "updated"
    translation = str(item.meta.get("translation", ""))
    if translation:
        group = uuid.uuid5(_TRANSLATION_NS, translation)
        if article.translation_group != group:
            Article.objects.filter(pk=article.pk).update(translation_group=group)
    return outcome


def _link_guides(items: list[ParsedFile]) -> None:
    for item in items:
        guide_slug = str(item.meta.get("guide", ""))
        if not guide_slug:
            continue
        language = str(item.meta["language"])
        guide = Article.objects.filter(language=language, slug=guide_slug).first()
        Article.objects.filter(language=language, slug=item.meta["slug"]).update(
            guide=guide, position=int(str(item.meta.get("position", 0)))
        )


def _missing_guides(parsed: list[ParsedFile]) -> list[FileResult]:
    """Chapters must name a guide in this import or already in the knowledge base."""
    here = {(str(p.meta["language"]), str(p.meta["slug"])) for p in parsed}
    missing = []
    for item in parsed:
        key = (str(item.meta["language"]), str(item.meta.get("guide", "")))
        if (
            key[1]
            and key not in here
            and not Article.objects.filter(language=key[0], slug=key[1]).exists()
        ):
            reason = f"guide {key[1]!r} ({key[0]}) does not exist"
            missing.append(FileResult(item.path, "rejected", reason))
    return missing


def import_folder(root: Path) -> ImportReport:
    """Import every *.md under root, all or nothing."""
    report = ImportReport()
    if not root.is_dir():
        report.results.append(FileResult(str(root), "rejected", "not a folder"))
        return report
    parsed, rejected = read_folder(root)
    if rejected:
        report.results.extend(rejected)
        return report
    report.results.extend(_missing_guides(parsed))
    if report.rejected:
        return report
    with transaction.atomic():
        for item in parsed:
            skipped = item.meta.get(IGNORED)
            note = f"ignored keys: {', '.join(skipped)}" if skipped else ""  # type: ignore[arg-type]
            report.results.append(FileResult(item.path, _apply(item), note))
        _link_guides(parsed)
    return report
