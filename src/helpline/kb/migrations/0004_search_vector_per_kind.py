"""PostgreSQL: one GIN index per kind of search document instead of one for all.

With a million tickets in the same table, an article search that went through the shared
index fetched (and then filtered out) every ticket containing the query's words; each
kind now only ever reads its own documents' postings and heap rows.
"""

from django.db import migrations

KINDS = ("article", "ticket")
PG_FORWARD = [
    *(
        f"CREATE INDEX IF NOT EXISTS kb_searchdoc_{kind}_vector_idx ON kb_searchdocument "
        f"USING gin (search_vector) WHERE kind = '{kind}'"
        for kind in KINDS
    ),
    "DROP INDEX IF EXISTS kb_searchdocument_vector_idx",
]
PG_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_vector_idx ON kb_searchdocument "
    "USING gin (search_vector)",
    *(f"DROP INDEX IF EXISTS kb_searchdoc_{kind}_vector_idx" for kind in KINDS),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_search_visibility")]

    operations = [migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD))]
