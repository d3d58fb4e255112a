"""`helpline openapi`: write the API's OpenAPI schema to docs/openapi.json (or --check it)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpline.api.openapi import SCHEMA_PATH, render_schema


class Command(BaseCommand):
    help = "Write the OpenAPI schema of the REST API to docs/openapi.json, or check it."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", default=str(SCHEMA_PATH), help="file to write ('-': stdout)"
        )
        parser.add_argument(
            "--check", action="store_true", help="fail if the file differs from the live schema"
        )

    def handle(self, *args, output: str, check: bool, **options) -> None:
        text = render_schema()
        if output == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(f"{path} is out of date; run `helpline openapi` to rewrite it.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
