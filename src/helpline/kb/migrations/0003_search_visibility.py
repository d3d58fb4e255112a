"""Who may see a ticket, copied onto its search document (see SearchDocument).

Existing ticket documents are filled from the tickets table before the indexes are built.
On SQLite the FTS5 mirror is now rewritten only when the normalised text changes, so
updating these columns (or backfilling them) does not re-index the text.
"""

from django.db import migrations, models

BACKFILL = """
    UPDATE kb_searchdocument SET requester_id = t.requester_id,
        organization_id = t.organization_id, team_id = t.team_id, assignee_id = t.assignee_id
    FROM tickets_ticket AS t
    WHERE kb_searchdocument.kind = 'ticket' AND t.id = kb_searchdocument.object_id
"""

SQLITE_TRIGGER_TEXT_ONLY = [
    "DROP TRIGGER IF EXISTS kb_searchdocument_au",
    """CREATE TRIGGER kb_searchdocument_au
    AFTER UPDATE OF title_norm, tags_norm, body_norm ON kb_searchdocument BEGIN
        INSERT INTO kb_searchdocument_fts(kb_searchdocument_fts, rowid, title_norm, tags_norm,
            body_norm) VALUES ('delete', old.id, old.title_norm, old.tags_norm, old.body_norm);
        INSERT INTO kb_searchdocument_fts(rowid, title_norm, tags_norm, body_norm)
        VALUES (new.id, new.title_norm, new.tags_norm, new.body_norm);
    END""",
]
SQLITE_TRIGGER_ANY = [
    "DROP TRIGGER IF EXISTS kb_searchdocument_au",
    """CREATE TRIGGER kb_searchdocument_au AFTER UPDATE ON kb_searchdocument BEGIN
        INSERT INTO kb_searchdocument_fts(kb_searchdocument_fts, rowid, title_norm, tags_norm,
            body_norm) VALUES ('delete', old.id, old.title_norm, old.tags_norm, old.body_norm);
        INSERT INTO kb_searchdocument_fts(rowid, title_norm, tags_norm, body_norm)
        VALUES (new.id, new.title_norm, new.tags_norm, new.body_norm);
    END""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGER_TEXT_ONLY:
            schema_editor.execute(statement)
    schema_editor.execute(BACKFILL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGER_ANY:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_search_backends"),
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="assignee_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="organization_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="requester_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="team_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                condition=models.Q(requester_id__isnull=False),
                fields=["requester_id"],
                name="kb_searchdoc_requester_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                condition=models.Q(organization_id__isnull=False),
                fields=["organization_id"],
                name="kb_searchdoc_org_idx",
            ),
        ),
    ]
