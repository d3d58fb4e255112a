"""Background SLA work: tasks take ids and are idempotent."""

from __future__ import annotations

from django_tasks import task


@task()
def sync_ticket_sla_task(ticket_id: int, recompute: bool = False) -> bool:
    """Recompute one ticket's clocks (e.g. after an administrator changed its policy)."""
    from helpline.sla.services import sync_ticket_sla

    return sync_ticket_sla(ticket_id, recompute=recompute) is not None


@task()
def reapply_policies_task() -> int:
    """Choose the SLA policy again for every open ticket (enqueued from the admin)."""
    from helpline.sla.services import reapply_policies

    return reapply_policies()
