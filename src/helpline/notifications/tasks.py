"""Background tasks of the notifications app."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="mail")
def process_outbox_task() -> dict:
    """Render pending notifications and send due e-mails (also a periodic job)."""
    from helpline.notifications.services import process_outbox

    return process_outbox()
