"""`helpline kb import PATH` and `helpline kb reindex`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpline.kb.importer import import_folder
from helpline.kb.services import reindex_all_articles


class Command(BaseCommand):
    help = "Knowledge base: import a folder of Markdown articles, or rebuild the search index."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser("import", help="Import *.md files with front matter")
        importer.add_argument("path")
        sub.add_parser("reindex", help="Rebuild the search index of published articles")

    def handle(self, *args, **options) -> None:
        if options["action"] == "reindex":
            count = reindex_all_articles()
            self.stdout.write(f"indexed {count} articles")
            return
        report = import_folder(Path(options["path"]))
        for result in report.results:
            line = f"{result.outcome:<9} {result.path}"
            if result.reason:
                line += f": {result.reason}"
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"nothing imported: {len(report.rejected)} file(s) rejected (see above)"
            )
        self.stdout.write(
            f"imported: {report.count('created')} created, {report.count('updated')} updated, "
            f"{report.count('unchanged')} unchanged"
        )
