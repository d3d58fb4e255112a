"""Seed the file database the browser tests' server uses: personas and a few tickets.

Run as `python -m tests.web.seed_browser` with DATABASE_URL pointing at that database.
"""

from __future__ import annotations

import datetime as dt
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.config.settings_test")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from helpline.tickets import services  # noqa: E402
from helpline.tickets.choices import MessageKind  # noqa: E402
from helpline.tickets.models import Ticket  # noqa: E402
from tests.factories import make_personas, make_ticket  # noqa: E402


def seed() -> dict:
    p = make_personas()
    p.requester.phone = "+7 495 123-45-67"
    p.requester.save()
    p.l2_agent.time_zone = "Europe/Moscow"
    p.l2_agent.save()
    subjects = [
        ("VPN drops every hour", p.colleague),
        ("Outlook asks for the password again", p.requester),
        ("New laptop for the accountant", p.colleague),
        ("Scanner on floor 3 is offline", p.requester),
    ]
    vpn, outlook, laptop, _scanner = (
        make_ticket(requester, subject=subject, category=p.category)
        for subject, requester in subjects
    )
    services.update_ticket(
        p.l1_agent,
        vpn,
        {"priority": "P2", "priority_reason": "Whole sales team affected", "assignee": p.l1_agent},
    )
    services.update_ticket(p.l1_agent, outlook, {"tags": ["email", "outlook"]})
    services.add_message(p.l1_agent, laptop, body="Which model do you need?", status="pending")
    urgent = make_ticket(
        p.colleague,
        subject="Accounting server unreachable",
        category=p.category,
        impact="high",
        urgency="high",
    )
    services.assign_ticket(p.l1_agent, urgent, assignee=p.l1_agent)
    Ticket.objects.filter(pk=urgent.pk).update(due_at=timezone.now() - dt.timedelta(minutes=20))
    busy = make_ticket(p.requester, subject="Shared drive is read-only", category=p.category)
    services.add_message(
        p.l1_agent,
        busy,
        body="Checked the permissions: the group was removed.",
        kind=MessageKind.NOTE,
        time_spent_minutes=10,
    )
    services.add_message(
        p.l1_agent,
        busy,
        body="We are restoring your access, it takes a few minutes.",
        time_spent_minutes=5,
    )
    Ticket.objects.filter(pk=busy.pk).update(due_at=timezone.now() + dt.timedelta(minutes=50))
    return {"requester": p.requester.email, "l1": p.l1_agent.email, "l2": p.l2_agent.email}


if __name__ == "__main__":
    print(json.dumps(seed()))
