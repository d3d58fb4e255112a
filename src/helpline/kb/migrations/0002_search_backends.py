"""Database-specific search structures: pg_trgm + tsvector on PostgreSQL, FTS5 on SQLite."""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE kb_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title_norm, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(tags_norm, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body_norm, '')), 'C')
    ) STORED""",
    "CREATE INDEX kb_searchdocument_vector_idx ON kb_searchdocument USING gin (search_vector)",
    "CREATE INDEX kb_searchterm_trgm_idx ON kb_searchterm USING gin (term gin_trgm_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS kb_searchterm_trgm_idx",
    "DROP INDEX IF EXISTS kb_searchdocument_vector_idx",
    "ALTER TABLE kb_searchdocument DROP COLUMN IF EXISTS search_vector",
]

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE kb_searchdocument_fts USING fts5(
        title_norm, tags_norm, body_norm,
        content='kb_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER kb_searchdocument_ai AFTER INSERT ON kb_searchdocument BEGIN
        INSERT INTO kb_searchdocument_fts(rowid, title_norm, tags_norm, body_norm)
        VALUES (new.id, new.title_norm, new.tags_norm, new.body_norm);
    END""",
    """CREATE TRIGGER kb_searchdocument_ad AFTER DELETE ON kb_searchdocument BEGIN
        INSERT INTO kb_searchdocument_fts(kb_searchdocument_fts, rowid, title_norm, tags_norm,
            body_norm) VALUES ('delete', old.id, old.title_norm, old.tags_norm, old.body_norm);
    END""",
    """CREATE TRIGGER kb_searchdocument_au AFTER UPDATE ON kb_searchdocument BEGIN
        INSERT INTO kb_searchdocument_fts(kb_searchdocument_fts, rowid, title_norm, tags_norm,
            body_norm) VALUES ('delete', old.id, old.title_norm, old.tags_norm, old.body_norm);
        INSERT INTO kb_searchdocument_fts(rowid, title_norm, tags_norm, body_norm)
        VALUES (new.id, new.title_norm, new.tags_norm, new.body_norm);
    END""",
    """CREATE VIRTUAL TABLE kb_searchterm_trgm USING fts5(
        term, content='kb_searchterm', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER kb_searchterm_ai AFTER INSERT ON kb_searchterm BEGIN
        INSERT INTO kb_searchterm_trgm(rowid, term) VALUES (new.id, new.term);
    END""",
    """CREATE TRIGGER kb_searchterm_ad AFTER DELETE ON kb_searchterm BEGIN
        INSERT INTO kb_searchterm_trgm(kb_searchterm_trgm, rowid, term)
        VALUES ('delete', old.id, old.term);
    END""",
    """CREATE TRIGGER kb_searchterm_au AFTER UPDATE OF term ON kb_searchterm BEGIN
        INSERT INTO kb_searchterm_trgm(kb_searchterm_trgm, rowid, term)
        VALUES ('delete', old.id, old.term);
        INSERT INTO kb_searchterm_trgm(rowid, term) VALUES (new.id, new.term);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS kb_searchterm_au",
    "DROP TRIGGER IF EXISTS kb_searchterm_ad",
    "DROP TRIGGER IF EXISTS kb_searchterm_ai",
    "DROP TABLE IF EXISTS kb_searchterm_trgm",
    "DROP TRIGGER IF EXISTS kb_searchdocument_au",
    "DROP TRIGGER IF EXISTS kb_searchdocument_ad",
    "DROP TRIGGER IF EXISTS kb_searchdocument_ai",
    "DROP TABLE IF EXISTS kb_searchdocument_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
