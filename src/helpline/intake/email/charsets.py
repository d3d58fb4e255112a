"""Turning the bytes of a text part or header into str, whatever the sender declared.

Order: the declared charset (if Python knows it), then UTF-8, then a Cyrillic
heuristic choosing between windows-1251 and KOI8-R, then Latin-1 (never fails).
A declaration is distrusted when it is a single-byte Western charset but the bytes are
valid multi-byte UTF-8 or look like Cyrillic text.
"""

from __future__ import annotations

import codecs
import re

_ALIASES = {
    "cp-1251": "cp1251",
    "win-1251": "cp1251",
    "windows1251": "cp1251",
    "x-cp1251": "cp1251",
    "koi8r": "koi8-r",
    "koi8": "koi8-r",
    "x-koi8-r": "koi8-r",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "unknown": "",
    "x-user-defined": "",
    "default": "",
    "charset": "",
}
_WESTERN = {"ascii", "latin-1", "iso8859-1", "cp1252", "iso8859-15", "iso8859-2"}
_CYRILLIC = {"cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866"}
# The most frequent Russian letters (lower case): correct decodings are full of them.
_FREQUENT = set("оеаинтсрвлкмдпуяыь")
_HIGH = re.compile(rb"[\x80-\xff]")


def normalize_charset(declared: str | None) -> str:
    """Python's codec name for a declared charset, or "" when unknown or unusable."""
    if not isinstance(declared, str):
        return ""
    name = declared.strip().strip("\"'").lower()
    if not name:
        return ""
    name = _ALIASES.get(name, name)
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return ""


def _russian_score(text: str) -> float:
    """Share of frequent lower-case Russian letters among the Cyrillic letters of text."""
    cyrillic = [ch for ch in text if "\u0400" <= ch <= "\u04ff"]
    if not cyrillic:
        return 0.0
    return sum(ch in _FREQUENT for ch in cyrillic) / len(cyrillic)


def _best_cyrillic(data: bytes) -> tuple[str, str]:
    candidates = []
    for charset in ("cp1251", "koi8-r"):
        text = data.decode(charset, errors="replace")
        candidates.append((_russian_score(text), charset, text))
    score, charset, text = max(candidates, key=lambda c: c[0])
    return text, charset


def _looks_cyrillic(data: bytes) -> bool:
    """Most letters 8-bit (words, not the odd accent), and they read as Russian."""
    high = len(_HIGH.findall(data))
    if high < 4:
        return False
    letters = sum(1 for b in data if 0x61 <= (b | 0x20) <= 0x7A)
    if high < 0.4 * (high + letters):
        return False
    text, _ = _best_cyrillic(data)
    return _russian_score(text) > 0.45


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text, tolerating a few broken bytes (a truncated last character, a stray
    byte); None when the data is not UTF-8 at all."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if multibyte >= 2 and (broken <= 1 or broken * 10 <= multibyte):
        return text
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode data; returns (text, the charset actually used)."""
    if not _HIGH.search(data):
        return data.decode("ascii"), normalize_charset(declared) or "ascii"
    charset = normalize_charset(declared)
    if charset == "utf-8" or not charset:
        text = _mostly_utf8(data)
        if text is not None:
            return text, "utf-8"
    elif charset not in _WESTERN and charset not in _CYRILLIC:
        try:
            return data.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            charset = ""
    # A single-byte declaration (or none): valid UTF-8 with 8-bit bytes is almost never
    # an accident, so it wins over the declaration.
    if charset in _WESTERN or charset in _CYRILLIC:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if charset in _CYRILLIC:
        text = data.decode(charset, errors="replace")
        best_text, best = _best_cyrillic(data)
        if best != charset and _russian_score(best_text) > _russian_score(text) + 0.25:
            return best_text, best
        return text, charset
    if _looks_cyrillic(data):
        text, best = _best_cyrillic(data)
        return text, best
    if charset:
        return data.decode(charset, errors="replace"), charset
    return data.decode("cp1252", errors="replace"), "cp1252"
