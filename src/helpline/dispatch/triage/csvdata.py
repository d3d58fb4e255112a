"""Reading a labelled CSV file for `helpline triage evaluate --csv` (pure, no Django).

UTF-8 with or without a BOM (Windows-1251 as a fallback), any common delimiter
(read from the header line), quoted multi-line fields. Rows with an empty label or empty text are
skipped and counted.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from helpline.dispatch.triage.model import TriageDataError

MAX_FIELD_BYTES = 10 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")


@dataclass
class LabelledRows:
    texts: list[str]
    labels: list[str]
    skipped: int


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TriageDataError("The file is neither UTF-8 nor Windows-1251 text.")


def _delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab | (comma if none).

    Only the header is looked at: it has no quoted multi-line values to mislead a
    sniffer, and every later row shares its delimiter.
    """
    header = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])  # quoted names may hold any of them
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def read_labelled_csv(path: str | Path, text_columns: list[str], label_column: str) -> LabelledRows:
    """The texts (the text columns joined by newlines) and labels of a CSV file."""
    path = Path(path)
    if path.is_dir():
        raise TriageDataError(f"{path} is a folder, not a CSV file")
    if not path.is_file():
        raise TriageDataError(f"No such file: {path}")
    text = _decode(path.read_bytes())
    if not text.strip():
        raise TriageDataError(f"The file {path} is empty.")
    csv.field_size_limit(MAX_FIELD_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [name for name in [*text_columns, label_column] if name not in header]
    if missing:
        raise TriageDataError(
            f"Column(s) not found: {', '.join(missing)}. The file has: {', '.join(header)}."
        )
    texts, labels, skipped = [], [], 0
    try:
        for row in reader:
            label = (row.get(label_column) or "").strip()
            body = "\n".join((row.get(name) or "").strip() for name in text_columns).strip()
            if not label or not body:
                skipped += 1
                continue
            texts.append(body)
            labels.append(label)
    except csv.Error as exc:
        raise TriageDataError(
            f"The CSV file is malformed near line {reader.line_num}: {exc}"
        ) from exc
    return LabelledRows(texts=texts, labels=labels, skipped=skipped)
