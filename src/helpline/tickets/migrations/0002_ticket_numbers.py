"""Ticket numbers: a real sequence on PostgreSQL, a counter row elsewhere."""

from django.db import migrations

FIRST_NUMBER = 1000


def create_numbering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS tickets_ticket_number_seq START WITH {FIRST_NUMBER + 1}"
        )
    counter = apps.get_model("tickets", "TicketCounter")
    counter.objects.update_or_create(pk=1, defaults={"value": FIRST_NUMBER})


def drop_numbering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS tickets_ticket_number_seq")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_numbering, drop_numbering)]
