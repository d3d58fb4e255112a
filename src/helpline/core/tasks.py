"""Background tasks shared by all apps."""

from __future__ import annotations

from django_tasks import task


@task()
def run_periodic_job(name: str) -> str:
    """Run one periodic job by name (enqueued by the scheduler)."""
    from helpline.core.scheduling import run_job

    return repr(run_job(name))
