"""The committed OpenAPI schema: rendered the same way by the command and by its test."""

from __future__ import annotations

import json
from pathlib import Path

from django.utils import translation

# docs/openapi.json at the root of the source tree (src/helpline/api -> the root).
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
REGENERATE = "HELPLINE_DEV=true .venv/bin/helpline openapi"


def render_schema() -> str:
    """The live API's OpenAPI document as stable text: sorted keys, indent 2, English."""
    from helpline.api.api import api

    with translation.override("en"):
        schema = api.get_openapi_schema()
        text = json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False, default=str)
    return text + "\n"
