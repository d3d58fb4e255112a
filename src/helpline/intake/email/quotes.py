"""Folding quoted earlier replies and signatures out of a message's visible body.

Pure string work. The text rules recognise the attribution lines and separators of
Gmail, Outlook, Apple Mail and Thunderbird in English and Russian; the HTML rules cut at
the containers those clients wrap quotes in. The original is always kept elsewhere.
"""

from __future__ import annotations

import re

# A line that introduces a quote ("On Mon, 3 Mar 2026 at 10:00, Ann <a@b> wrote:").
_ATTRIBUTION = re.compile(
    r"""^\s*(
        on\b.{0,200}\bwrote:\s*$                                   # Gmail, Apple, Thunderbird
      | .{0,200}\b(пишет|написал|написала|писал|писала)(\(а\))?\s*:\s*$  # Thunderbird, Yandex, Apple ru
      | .{0,80}\d{1,2}:\d{2}.{0,120}<[^>\s]+@[^>\s]+>:\s*$        # Gmail ru: "пн, 3 мар. 2026 г. в 10:00, Ann <a@b>:"
      | -{2,}\s*(original\ message|исходное\ сообщение)\s*-{2,}\s*$
      | _{20,}\s*$                                                 # Outlook web separator
      | (from|от|sent|отправлено):\s.{0,300}$                      # Outlook header block (checked below)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_OUTLOOK_HEADER = re.compile(r"^\s*\*?(from|от)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|subject|отправлено|дата|кому|тема)\s*:", re.IGNORECASE
)
_SIGNATURE = re.compile(
    r"""^(
        --\s?$                                                       # RFC 3676 sig dash
      | (sent\ from\ my\ \w+.*|get\ outlook\ for\ \w+.*
         |отправлено\ (с|из)\ .{0,40}|sent\ from\ (mail|yandex|outlook).*)$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_QUOTED = re.compile(r"^\s*>")

_HTML_MARKERS = re.compile(
    r"""(<div[^>]*class=["']?[^"'>]*\bgmail_(quote|attr)\b
      | <blockquote[^>]*type=["']?cite
      | <div[^>]*class=["']?[^"'>]*\bmoz-cite-prefix\b
      | <div[^>]*id=["']?(divRplyFwdMsg|appendonsend)\b
      | <hr[^>]*id=["']?stopSpelling
      | <div[^>]*class=["']?[^"'>]*\byahoo_quoted\b
      | <blockquote[^>]*class=["']?[^"'>]*\bgmail_quote\b
      | -----\s*(Original\ Message|Исходное\ сообщение)\s*-----
      | <div[^>]*style=["'][^"']*border-top:\s*solid\s+\#[0-9a-f]{6}\s+1\.0pt
      | <div[^>]*class=["']?moz-signature
      | <div[^>]*class=["']?gmail_signature
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _is_outlook_block(lines: list[str], index: int) -> bool:
    """A "From:" line counts only when followed by Sent/To/Subject lines."""
    if not _OUTLOOK_HEADER.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 5] if line.strip()]
    return sum(bool(_OUTLOOK_NEXT.match(line)) for line in following) >= 2


def _cut_index(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _SIGNATURE.match(line):
            return index
        if _ATTRIBUTION.match(line):
            head = line.strip().lower()
            if head.startswith(("from", "от", "sent", "отправлено")):
                if _is_outlook_block(lines, index):
                    return index
                continue
            return index
        # A run of quoted lines that lasts to the end (interleaved replies keep theirs).
        if _QUOTED.match(line) and all(
            _QUOTED.match(rest) or not rest.strip() or _SIGNATURE.match(rest)
            for rest in lines[index:]
        ):
            return index
    return None


_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|пересл|переслано|tr|wg)\s*:", re.IGNORECASE)


def is_forward(subject: str) -> bool:
    """A forwarded message: what follows the attribution is the content, not a quote."""
    return bool(_FORWARD_SUBJECT.match(subject or ""))


def fold_text(text: str) -> tuple[str, bool]:
    """The part of a plain-text reply the author wrote; and whether anything was folded."""
    lines = text.split("\n")
    cut = _cut_index(lines)
    if cut is None or cut == 0:
        return text.strip(), False
    visible = "\n".join(lines[:cut]).rstrip()
    if not visible.strip():
        return text.strip(), False
    return visible, True


def fold_html(html: str) -> tuple[str, bool]:
    """The HTML before the first quote container; the sanitiser closes what was left open."""
    match = _HTML_MARKERS.search(html)
    if match is None:
        return html, False
    head = html[: match.start()]
    if not re.search(r"[^\s<>]", re.sub(r"<[^>]*>", "", head)):
        return html, False
    return head, True
