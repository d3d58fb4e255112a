"""Export an article set or a user guide as one self-contained HTML page, or as a PDF.

PDF: no Python PDF library is a dependency; we print the same HTML page with headless
Chromium (`--print-to-pdf`), found as $HELPLINE_CHROMIUM, `chromium` on PATH or Debian's
/usr/lib/chromium/chromium. Without Chromium, PDF export answers 501 with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404 - a fixed binary with fixed arguments, no shell
import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

from helpline.core.problems import ServiceError
from helpline.kb import selectors
from helpline.kb.models import Article

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/lib/chromium/chromium")
PDF_TIMEOUT = 60


def collect(user, articles: list[Article]) -> list[Article]:
    """The articles to print, with each guide followed by its chapters in order."""
    result: list[Article] = []
    for article in articles:
        result.append(article)
        result.extend(selectors.chapters_of(user, article))
    return result


def render_html(user, articles: list[Article]) -> str:
    """One standalone page: inline CSS, a table of contents, every article's sanitised HTML."""
    items = collect(user, articles)
    title = articles[0].title if len(articles) == 1 else gettext("Knowledge base")
    language = articles[0].language if articles else "en"
    return render_to_string(
        "kb/export.html", {"title": title, "articles": items, "language": language}
    )


def find_chromium() -> str | None:
    configured = os.environ.get("HELPLINE_CHROMIUM", "")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).exists() else None)
        if found:
            return found
    return None


def html_to_pdf(page: str) -> bytes:
    chromium = find_chromium()
    if chromium is None:
        raise ServiceError(
            "PDF export needs Chromium on the server (Debian package 'chromium'); "
            "HTML export works without it.",
            code="pdf-unavailable",
            status=501,
        )
    with tempfile.TemporaryDirectory(prefix="helpline-pdf-") as tmp:
        source, target = Path(tmp) / "page.html", Path(tmp) / "page.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT, check=False)  # noqa: S603
        if not target.exists():
            raise ServiceError("Chromium did not produce a PDF.", code="pdf-failed", status=500)
        return target.read_bytes()


def export_response(user, articles: list[Article], fmt: str) -> HttpResponse:
    page = render_html(user, articles)
    slug = articles[0].slug if articles else "kb"
    if fmt == "pdf":
        response = HttpResponse(html_to_pdf(page), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{slug}.pdf"'
        return response
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.html"'
    return response
