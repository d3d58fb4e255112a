"""`helpline demo`: the demo organisation and its three months of ticket history."""

from __future__ import annotations

import datetime as dt
import random
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from helpline.accounts.models import Organization, Team, User
from helpline.core.demo import builder
from helpline.core.demo.texts import Fill
from helpline.tickets.choices import Channel, MessageKind, Status
from helpline.tickets.models import Message, Ticket, TicketEvent

CYRILLIC = re.compile("[А-Яа-яЁё]")


def _run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": TicketEvent.objects.count(),
    }


@pytest.mark.slow
def test_demo_loads_a_realistic_service_desk_once(db):
    # given an empty database
    started = timezone.now()

    # when the demo is loaded
    output = _run_demo()

    # then the three demo logins exist with their roles and can sign in
    admin = authenticate(username="admin@example.com", password="admin")
    agent = authenticate(username="agent@example.com", password="agent")
    requester = authenticate(username="user@example.com", password="user")
    assert (admin.role, admin.is_superuser) == ("admin", True)
    assert (agent.role, agent.tier) == ("agent", "L1")
    assert list(agent.teams.values_list("slug", flat=True)) == ["l1-service-desk"]
    assert requester.role == "requester"
    assert "Demo data loaded" in output and "tickets          300" in output

    # and the organisation is the one promised
    assert sorted(Team.objects.values_list("tier", flat=True)) == ["L1", "L2", "L3"]
    agents = User.objects.filter(role="agent")
    assert agents.count() >= 8
    assert set(agents.values_list("tier", flat=True)) == {"L1", "L2", "L3"}
    assert User.objects.filter(role="supervisor").count() == 1
    assert Organization.objects.count() == 2
    assert Organization.objects.filter(is_vip=True).count() == 1
    assert Organization.objects.filter(shares_tickets=True).count() == 1
    requesters = User.objects.filter(role="requester")
    assert requesters.count() == 50
    russian = requesters.filter(language="ru")
    assert russian.count() == 25
    assert set(russian.values_list("time_zone", flat=True)) == {"Europe/Moscow"}

    # and 300 tickets in both languages, over all channels and statuses
    assert Ticket.objects.count() == 300
    subjects = list(Ticket.objects.values_list("subject", flat=True))
    assert sum(bool(CYRILLIC.search(s)) for s in subjects) >= 100
    assert sum(not CYRILLIC.search(s) for s in subjects) >= 100
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == {
        Channel.EMAIL,
        Channel.PHONE,
        Channel.PORTAL,
        Channel.CHAT,
        Channel.API,
    }
    assert Ticket.objects.filter(category__isnull=True).count() == 0
    assert Ticket.objects.filter(status=Status.CLOSED).count() > 150
    assert Ticket.objects.filter(tags__isnull=False).distinct().count() > 150

    # and real history: every ticket was created, and conversations have notes and time spent
    assert Ticket.objects.exclude(events__kind="created").count() == 0
    assert Message.objects.filter(kind=MessageKind.NOTE).count() > 50
    assert Message.objects.filter(author__role="agent", time_spent_minutes__gt=0).count() > 300
    assert TicketEvent.objects.filter(kind="auto_closed").count() == (
        Ticket.objects.filter(status=Status.CLOSED).count()
    )
    # nothing is stamped with the wall clock of the load: history is backdated
    assert TicketEvent.objects.filter(created_at__gt=started).count() == 0
    assert Ticket.objects.filter(updated_at__gt=started).count() == 0
    closed = Ticket.objects.filter(status=Status.CLOSED)
    assert closed.filter(closed_at__lte=F("solved_at")).count() == 0
    oldest = Ticket.objects.order_by("created_at").first()
    assert (started - oldest.created_at).days >= 60
    # past history is not news: no e-mail is owed for three months of old tickets
    from helpline.notifications.models import NotificationIntent

    assert NotificationIntent.objects.count() == 0
    # every ticket has SLA clocks, run as if they had been ticking all along: what was
    # already late is in the history (dated when it happened), nobody was alerted
    from helpline.sla.models import SlaAlert, TicketSla

    assert TicketSla.objects.count() == 300
    open_clocks = TicketSla.objects.filter(ticket__status__in=[Status.NEW, Status.OPEN])
    assert open_clocks.filter(resolution_due_at__isnull=False).count() == open_clocks.count()
    assert SlaAlert.objects.exists()
    assert not SlaAlert.objects.exclude(recipient_ids=[]).exists()
    late = TicketEvent.objects.filter(source="sla", field__startswith="sla.")
    assert late.exists() and not late.filter(created_at__gt=started).exists()
    # and every ticket is in the search index, so search and duplicate checks know them
    from helpline.kb.models import SearchDocument

    assert SearchDocument.objects.filter(kind="ticket").count() == 300
    # and a knowledge base to search, in both languages, published and indexed
    from helpline.kb.models import Article

    articles = Article.objects.filter(status="published")
    assert articles.count() == 50 == SearchDocument.objects.filter(kind="article").count()
    assert set(articles.values_list("language", flat=True)) == {"ru", "en"}
    assert "articles         50" in output
    # and two example rules on the rules page, valid by the engine's own checks
    from helpline.dispatch.rule_models import Rule

    assert sorted(Rule.objects.values_list("trigger", "is_active")) == [
        ("created", True),
        ("created", True),
    ]

    # when it runs a second time
    before = _counts()
    second = _run_demo()

    # then it says so and changes nothing
    assert "already loaded" in second
    assert _counts() == before


def test_demo_refuses_a_database_already_in_use(personas):
    # given a database with teams and people of its own
    before = _counts()

    # when the demo is asked to load
    output = _run_demo()

    # then nothing is written
    assert "only loaded into an empty database" in output
    assert _counts() == before
    assert not User.objects.filter(email="admin@example.com").exists()


def test_every_demo_text_renders_with_its_placeholders():
    # given every template of both languages
    for texts in builder.LANGUAGE_TEXTS.values():
        templates = [
            *texts.email_signoffs,
            *texts.agent_greetings,
            *texts.agent_signoffs,
            *(text for pair in texts.incident_dialogues for text in pair),
            *(text for pair in texts.request_dialogues for text in pair),
            *texts.generic_notes,
            *texts.second_fixes,
        ]
        for category in texts.categories.values():
            for opening in category.openings:
                templates += [opening.subject, opening.body, *opening.resolutions]
                templates += [*opening.notes, *(t for pair in opening.dialogues for t in pair)]
        fill = Fill(
            texts.pools,
            random.Random(1),
            name="N",
            full_name="F",
            org="O",
            a="",
            la="",
            agent="A",
            team="T",
        )
        # when each is rendered, then no placeholder is left unknown or unfilled
        for template in templates:
            assert "{" not in fill.render(template), template


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # flushed between the two loads
def test_demo_as_of_a_moment_tells_the_same_story_at_any_time():
    # given a moment in the past
    moment = "2026-11-20T12:00:00+00:00"

    # when the demo is loaded as of that moment
    call_command("demo", "--as-of", moment, stdout=StringIO())

    # then the history ends just before it, whatever the clock says now
    newest = Ticket.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    as_of = dt.datetime.fromisoformat(moment)
    assert as_of - dt.timedelta(days=5) < newest < as_of
    # and the same moment and seed give the same tickets again (what benchmarks rely on)
    first = _story()
    call_command("flush", interactive=False, verbosity=0)
    call_command("demo", "--as-of", moment, stdout=StringIO())
    assert _story() == first


def _story() -> list[tuple]:
    return list(
        Ticket.objects.order_by("created_at").values_list(
            "subject", "category__slug", "team__slug", "priority", "status"
        )
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("yesterday", "--as-of"), ("2026-11-20T12:00:00", "needs a time zone")],
)
def test_demo_as_of_refuses_a_moment_it_cannot_read(db, value, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("demo", "--as-of", value, stdout=StringIO())
    assert not Ticket.objects.exists()
