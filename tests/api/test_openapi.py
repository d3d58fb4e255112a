"""The OpenAPI schema is committed (docs/openapi.json); a test fails on an unplanned change."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from helpline.api.openapi import REGENERATE, SCHEMA_PATH, render_schema


def _operations(schema: dict) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, operations in schema.get("paths", {}).items()
        for method in operations
    }


def test_committed_schema_matches_the_live_api():
    committed = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else "{}"
    live = render_schema()

    if committed != live:
        old, new = json.loads(committed), json.loads(live)
        added = sorted(_operations(new) - _operations(old))
        removed = sorted(_operations(old) - _operations(new))
        pytest.fail(
            "The REST API no longer matches the committed docs/openapi.json "
            f"(operations added: {added or 'none'}; removed: {removed or 'none'}; "
            "otherwise a schema or parameter changed). If the change is intended, run "
            f"`{REGENERATE}`, review `git diff docs/openapi.json` and commit it with your change.",
            pytrace=False,
        )


@pytest.mark.django_db
def test_openapi_json_is_served_and_matches_the_committed_schema(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Helpline API"
    assert _operations(response.json()) == _operations(json.loads(render_schema()))


@pytest.mark.django_db
def test_interactive_docs_are_served(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


def test_openapi_command_writes_and_checks(tmp_path):
    target = tmp_path / "openapi.json"

    call_command("openapi", output=str(target))
    call_command("openapi", output=str(target), check=True)

    assert target.read_text(encoding="utf-8") == render_schema()
    target.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("openapi", output=str(target), check=True)
