"""Build the demo organisation and three months of ticket history through the services.

Everything is written by accounts.services and tickets.services, so the history is the
real one; only the timestamps of changes those services stamp with "now" are moved back
afterwards to the moment the story says they happened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.dispatch import Signal
from django.utils import timezone

from helpline.accounts import services as accounts
from helpline.accounts.choices import Role
from helpline.accounts.models import Organization, Skill, Team, User
from helpline.core.demo import data_en, data_org, data_ru
from helpline.core.demo.texts import CategoryTexts, Fill, LanguageTexts, Opening
from helpline.kb.models import Article
from helpline.tickets import events
from helpline.tickets import services as tickets
from helpline.tickets.choices import Channel, Level, MessageKind, Status, TicketType
from helpline.tickets.models import Category, Message, Ticket, TicketEvent

SEED = 20261125
KB_ARTICLES = Path(__file__).resolve().parent / "kb_articles"
TICKET_COUNT = 300
HISTORY_DAYS = 90
RECENT_SHARE = 0.12  # tickets created in the last few days, still being worked on

LANGUAGE_TEXTS: dict[str, LanguageTexts] = {"ru": data_ru.TEXTS, "en": data_en.TEXTS}
CATEGORY_SKILLS = {
    "printers": "printers",
    "laptops": "laptops",
    "peripherals": "hardware",
    "vpn": "VPN",
    "wifi": "Wi-Fi",
    "email": "e-mail",
    "access": "accounts",
    "1c": "1C",
    "office": "office",
    "software-install": "Windows",
    "servers": "servers",
}
CHANNEL_WEIGHTS = {
    Channel.EMAIL: 35,
    Channel.PORTAL: 25,
    Channel.PHONE: 20,
    Channel.CHAT: 12,
    Channel.API: 8,
}
# Where a category's tickets go when the first team cannot solve them.
ESCALATION = {
    "printers": "l2-desktop",
    "peripherals": "l2-desktop",
    "office": "l2-desktop",
    "email": "l3-infrastructure",
    "access": "l3-infrastructure",
    "vpn": "l3-infrastructure",
    "1c": "l3-infrastructure",
}
# What a category's tickets can wait for (see LanguageTexts.holds).
HOLDS = {
    "printers": ("part", "vendor"),
    "laptops": ("part", "vendor"),
    "peripherals": ("part", "budget"),
    "software-install": ("budget", "vendor"),
    "servers": ("vendor", "part"),
    "1c": ("vendor",),
    "vpn": ("vendor",),
    "wifi": ("part", "vendor"),
}


# Sent after the demo data is committed. The load announces no ticket events (see
# _muted_subscribers), so apps that keep derived state (SLA clocks, search indexes) may
# listen here to build it for the demo tickets.
demo_loaded = Signal()


class DemoRefused(Exception):
    """The database is not empty: demo data is only loaded into a fresh one."""


def is_loaded() -> bool:
    """True once the demo has been loaded (its administrator login exists)."""
    return User.objects.filter(email__iexact=data_org.ADMIN_EMAIL).exists()


def database_in_use() -> bool:
    return Ticket.objects.exists() or Team.objects.exists()


def load_demo(*, now: dt.datetime | None = None, seed: int = SEED) -> dict[str, int]:
    """Load the whole demo in one transaction; returns the counts for the summary."""
    if database_in_use():
        raise DemoRefused("The database already holds teams or tickets.")
    with _muted_subscribers(), transaction.atomic():
        _Builder(random.Random(seed), now or timezone.now()).build()
        _knowledge_base()
        _rules()
    demo_loaded.send(sender=load_demo)
    return demo_counts()


def _knowledge_base() -> None:
    """The demo's knowledge base: 50 published articles in Russian and English (FAQ,
    how-tos, troubleshooting, known errors, runbooks, a user guide), imported with
    `helpline kb import` from the package's kb_articles folder."""
    from helpline.kb.importer import import_folder

    report = import_folder(KB_ARTICLES)
    if report.rejected:
        raise RuntimeError(f"demo articles refused: {report.results}")


def _rules() -> None:
    """Two example rules, so that /rules/ shows how they read; they act on new tickets."""
    from helpline.dispatch.rules.services import save_rule

    admin = User.objects.get(email__iexact=data_org.ADMIN_EMAIL)
    save_rule(
        admin,
        name="VIP customers: tag and remind",
        trigger="created",
        match="all",
        conditions=[{"field": "organization.vip", "op": "eq", "value": True}],
        actions=[
            {"action": "add_tags", "tags": ["vip"]},
            {
                "action": "add_note",
                "text": "VIP customer: first answer within one hour. "
                "VIP-клиент: первый ответ в течение часа.",
            },
        ],
        position=10,
    )
    save_rule(
        admin,
        name="VPN requests / Заявки о VPN",
        trigger="created",
        match="any",
        conditions=[
            {"field": "subject", "op": "contains", "value": "vpn"},
            {"field": "subject", "op": "contains", "value": "впн"},
            {"field": "body", "op": "regex", "value": r"\b(vpn|впн)\b"},
        ],
        actions=[{"action": "add_tags", "tags": ["vpn"]}],
        position=20,
    )


def demo_counts() -> dict[str, int]:
    counts = {
        "teams": Team.objects.count(),
        "agents": User.objects.filter(role=Role.AGENT).count(),
        "supervisors": User.objects.filter(role=Role.SUPERVISOR).count(),
        "administrators": User.objects.filter(role=Role.ADMIN).count(),
        "organizations": Organization.objects.count(),
        "requesters": User.objects.filter(role=Role.REQUESTER).count(),
        "categories": Category.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "history events": TicketEvent.objects.count(),
        "articles": Article.objects.count(),
    }
    return counts


def ticket_breakdown(field_name: str) -> dict[str, int]:
    """How many tickets have each value of `field_name` (status, channel ...)."""
    rows = Ticket.objects.values_list(field_name).annotate(n=Count("id")).order_by(field_name)
    return dict(rows)


def _muted_subscribers():
    """Past history is not news: no notifications, live updates or re-triage for it."""
    return events.muted()


def _feminine_suffix(full_name: str, language: str) -> str:
    """The past-tense ending Russian verbs take for this person ("сделал" / "сделала")."""
    first = full_name.split()[0]
    return "а" if language == "ru" and first[-1] in "ая" else ""


@dataclass
class _People:
    admin: User
    supervisor: User
    agents_by_team: dict[str, list[User]] = field(default_factory=dict)
    requesters: dict[str, list[User]] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    skills: dict[int, frozenset[str]] = field(default_factory=dict)
    feminine: set[int] = field(default_factory=set)
    categories: dict[str, Category] = field(default_factory=dict)


@dataclass
class _Step:
    state: str  # the status the story has reached after this step
    delay: tuple[float, float]  # minutes after the previous step
    action: Callable[[dt.datetime], None]


class _Builder:
    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.limit = now - dt.timedelta(minutes=5)  # the story stops a little before now
        self.demo_user_recent = 0

    def build(self) -> None:
        people = self._organisation()
        plans = [self._plan(people, index) for index in range(TICKET_COUNT)]
        plans.sort(key=lambda plan: plan.created_at)
        for plan in plans:
            plan.play()
        self._auto_close()

    # --- people and structure -------------------------------------------------------

    def _organisation(self) -> _People:
        admin = accounts.create_user(
            actor=None,
            email=data_org.ADMIN_EMAIL,
            password=data_org.DEMO_PASSWORD_LOGINS[data_org.ADMIN_EMAIL],
            role=Role.ADMIN,
            full_name=data_org.ADMIN_NAME,
        )
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
        skills = {name: Skill.objects.create(name=name) for name in data_org.SKILLS}
        teams = {
            spec.slug: accounts.save_team(
                actor=admin,
                slug=spec.slug,
                name=spec.name,
                tier=spec.tier,
                email=spec.email,
                description=spec.description,
            )
            for spec in data_org.TEAMS
        }
        people = _People(admin=admin, supervisor=admin, teams=teams)
        for spec in (*data_org.AGENTS, data_org.SUPERVISOR):
            agent = accounts.create_user(
                actor=admin,
                email=spec.email,
                password=data_org.DEMO_PASSWORD_LOGINS.get(spec.email),
                role=spec.role,
                tier=spec.tier,
                full_name=spec.full_name,
                language=spec.language,
                time_zone=spec.time_zone,
                skill_ids=[skills[name].pk for name in spec.skills],
                team_ids=[teams[spec.team].pk],
            )
            people.skills[agent.pk] = frozenset(spec.skills)
            if spec.feminine:
                people.feminine.add(agent.pk)
            if spec.role == Role.SUPERVISOR:
                people.supervisor = agent
            else:
                people.agents_by_team.setdefault(spec.team, []).append(agent)
        organizations = {
            spec.key: accounts.save_organization(
                actor=admin,
                name=spec.name,
                domain=spec.domain,
                is_vip=spec.is_vip,
                shares_tickets=spec.shares_tickets,
                notes=spec.notes,
            )
            for spec in data_org.ORGANIZATIONS
        }
        people.requesters = self._requesters(admin, organizations)
        for spec in data_org.CATEGORIES:
            parent = people.categories.get(spec.parent)
            people.categories[spec.slug] = tickets.save_category(
                admin,
                name=spec.name,
                name_ru=spec.name_ru,
                slug=spec.slug,
                parent_id=parent.pk if parent else None,
                default_team_id=teams[spec.team].pk,
            )
        return people

    def _requesters(
        self, admin: User, organizations: dict[str, Organization]
    ) -> dict[str, list[User]]:
        russian = organizations["ru"]
        requesters: dict[str, list[User]] = {"ru": [], "en": []}
        for full_name, local, phone in data_org.RU_REQUESTERS:
            requesters["ru"].append(
                accounts.create_user(
                    actor=admin,
                    email=f"{local}@{russian.domain}",
                    full_name=full_name,
                    phone=phone,
                    language="ru",
                    time_zone="Europe/Moscow",
                    organization_id=russian.pk,
                )
            )
        for full_name, email, org_key in data_org.EN_REQUESTERS:
            requesters["en"].append(
                accounts.create_user(
                    actor=admin,
                    email=email,
                    password=data_org.DEMO_PASSWORD_LOGINS.get(email),
                    full_name=full_name,
                    language="en",
                    time_zone="Europe/London",
                    organization_id=organizations[org_key].pk if org_key else None,
                )
            )
        return requesters

    # --- tickets --------------------------------------------------------------------

    def _plan(self, people: _People, index: int) -> _TicketStory:
        rng = self.rng
        language = "ru" if index % 2 == 0 else "en"
        texts = LANGUAGE_TEXTS[language]
        slugs = sorted(texts.categories)
        weights = [_category_weight(slug) for slug in slugs]
        slug = rng.choices(slugs, weights)[0]
        pool = people.requesters[language]
        # The demo requester login gets a handful of tickets, a few of them still open.
        requester = rng.choices(pool, [2 if u.email == "user@example.com" else 1 for u in pool])[0]
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        recent = rng.random() < RECENT_SHARE
        if recent and language == "en" and self.demo_user_recent < 3:
            requester = next(u for u in pool if u.email == "user@example.com")
            self.demo_user_recent += 1
        return _TicketStory(
            builder=self,
            people=people,
            rng=random.Random(rng.random()),
            language=language,
            texts=texts,
            slug=slug,
            requester=requester,
            channel=channel,
            created_at=self._created_at(recent=recent),
        )

    def _created_at(self, *, recent: bool) -> dt.datetime:
        """A weekday working-hours moment in the last 90 days (or the last four)."""
        rng = self.rng
        days = rng.uniform(0.1, 4) if recent else rng.uniform(1, HISTORY_DAYS)
        moment = self.now - dt.timedelta(days=days)
        if moment.weekday() >= 5 and rng.random() < 0.85:
            moment -= dt.timedelta(days=moment.weekday() - 4)
        moment = moment.replace(
            hour=rng.randint(6, 15), minute=rng.randint(0, 59), second=rng.randint(0, 59)
        )
        if moment > self.limit - dt.timedelta(minutes=30):
            moment = self.limit - dt.timedelta(minutes=rng.randint(30, 300))
        return moment

    def _auto_close(self) -> None:
        """Solved tickets older than the auto-close delay go through the real closing job.

        It stamps them with the wall clock; they are moved back to when the hourly job
        would have closed them.
        """
        tickets.close_solved_tickets(now=self.now)
        closed = Ticket.objects.filter(status=Status.CLOSED)
        when = F("solved_at") + dt.timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS, minutes=30)
        closed.update(closed_at=when, updated_at=when)
        closed.filter(closed_at__gt=self.limit).update(closed_at=self.limit, updated_at=self.limit)
        closed_at = Ticket.objects.filter(pk=OuterRef("ticket_id")).values("closed_at")
        TicketEvent.objects.filter(kind="auto_closed").update(created_at=Subquery(closed_at))


def _category_weight(slug: str) -> int:
    return next(spec.weight for spec in data_org.CATEGORIES if spec.slug == slug)


@dataclass
class _TicketStory:
    """One ticket's life: who raised it, how it was worked, where it stands today."""

    builder: _Builder
    people: _People
    rng: random.Random
    language: str
    texts: LanguageTexts
    slug: str
    requester: User
    channel: str
    created_at: dt.datetime
    ticket: Ticket | None = None
    agent: User | None = None
    fill: Fill = field(init=False)
    opening: Opening = field(init=False)
    category_texts: CategoryTexts = field(init=False)
    dialogue: tuple[str, str] = field(init=False)
    notes_written: set[str] = field(default_factory=set)
    resolution: str = ""

    def __post_init__(self) -> None:
        self.category_texts = self.texts.categories[self.slug]
        self.opening = self.rng.choice(self.category_texts.openings)
        generic = (
            self.texts.request_dialogues
            if self.opening.type == TicketType.SERVICE_REQUEST
            else self.texts.incident_dialogues
        )
        self.dialogue = self.rng.choice(self.opening.dialogues or generic)
        organization = self.requester.organization
        self.fill = Fill(
            self.texts.pools,
            self.rng,
            name=self.requester.full_name.split()[0],
            full_name=self.requester.full_name,
            org=organization.name if organization else "",
            a=_feminine_suffix(self.requester.full_name, self.language),
            la="",
            agent="",
            team="",
        )

    # --- the story ------------------------------------------------------------------

    def play(self) -> None:
        team = self.people.categories[self.slug].default_team
        assert team is not None
        self.agent = self._pick_agent(team.slug)
        target = self._target()
        steps = self._steps(target)
        clock = self.created_at
        for index, step in enumerate(steps):
            if index:
                clock = self._working_hours(
                    clock + dt.timedelta(minutes=self.rng.uniform(*step.delay))
                )
                if clock >= self.builder.limit:
                    break
            step.action(clock)
            if step.state == target and target != Status.SOLVED:
                break

    def _working_hours(self, moment: dt.datetime) -> dt.datetime:
        """People answer on weekdays between 06:00 and 17:00 UTC (Moscow 09-20, London 07-18)."""
        if moment.hour >= 17:
            moment += dt.timedelta(days=1)
        if moment.hour >= 17 or moment.hour < 6:
            moment = moment.replace(hour=6, minute=0) + dt.timedelta(
                minutes=self.rng.uniform(0, 90)
            )
        while moment.weekday() >= 5:
            moment += dt.timedelta(days=1)
        return moment

    def _target(self) -> str:
        """Where the ticket should stand today: old ones are done, recent ones in work."""
        age = self.builder.now - self.created_at
        rng = self.rng
        if age > dt.timedelta(days=6):
            return rng.choices([Status.SOLVED, Status.ON_HOLD, Status.PENDING], [95, 3, 2])[0]
        if age < dt.timedelta(hours=1):
            return Status.NEW
        return rng.choices(
            [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED],
            [20, 25, 18, 10, 27],
        )[0]

    def _steps(self, target: str) -> list[_Step]:
        rng = self.rng
        steps = [_Step(Status.NEW, (0, 0), self._create)]
        triaged = self.channel == Channel.PHONE  # assigned while on the call
        if target == Status.NEW:
            if not triaged and rng.random() < 0.5:
                steps.append(_Step("triaged", (3, 40), self._triage))
            return steps
        if not triaged:
            steps.append(_Step("triaged", (3, 45), self._triage))
        can_hold = self.slug in HOLDS and self.opening.type != TicketType.QUESTION
        if target == Status.PENDING or (target == Status.ON_HOLD and not can_hold):
            flow = "question"
        elif target == Status.ON_HOLD:
            flow = "hold"
        else:
            flows = ["quick", "question", "escalate", "hold"]
            weights = [35, 30, 20 if self.slug in ESCALATION else 0, 15 if can_hold else 0]
            flow = rng.choices(flows, weights)[0]
        if flow == "quick" and (target == Status.OPEN or rng.random() < 0.4):
            steps.append(_Step(Status.OPEN, (10, 120), self._acknowledge))
        elif flow == "question":
            steps += [
                _Step(Status.PENDING, (10, 180), self._ask),
                _Step(Status.OPEN, (30, 1200), self._answer),
            ]
        elif flow == "escalate":
            steps += [
                _Step(Status.OPEN, (10, 90), self._acknowledge),
                _Step(Status.OPEN, (30, 240), self._escalate),
            ]
        elif flow == "hold":
            steps += [
                _Step(Status.OPEN, (10, 90), self._acknowledge),
                _Step(Status.OPEN, (20, 240), self._note),
                _Step(Status.ON_HOLD, (5, 60), self._hold),
            ]
        if rng.random() < 0.4:
            steps.append(_Step(Status.OPEN, (15, 240), self._note))
        steps += self._resolution_steps(flow)
        if rng.random() < 0.06:
            steps += [
                _Step(Status.OPEN, (600, 4000), self._reopen),
                _Step(Status.OPEN, (20, 120), self._note),
                _Step(Status.SOLVED, (30, 480), self._resolve_again),
            ]
        return steps

    def _resolution_steps(self, flow: str) -> list[_Step]:
        long = (1440, 7200) if flow == "hold" else (20, 600)
        if flow == "question" and self.rng.random() < 0.35:
            return [
                _Step(Status.OPEN, long, lambda at: self._resolve(at, status=None)),
                _Step(Status.OPEN, (10, 300), self._confirm),
                _Step(Status.SOLVED, (5, 120), self._close_confirmed),
            ]
        return [_Step(Status.SOLVED, long, self._resolve)]

    # --- what people do -------------------------------------------------------------

    def _create(self, at: dt.datetime) -> None:
        opening = self.opening
        body = self.fill.render(opening.body)
        data = tickets.NewTicket(
            subject=self.fill.render(opening.subject),
            body=self._requester_wrap(body),
            requester=self.requester,
            type=opening.type,
            category=self.people.categories[self.slug],
            impact=opening.impact,
            urgency=self._urgency(),
            channel=self.channel,
            created_at=at,
        )
        actor = self.requester
        if self.channel == Channel.PHONE:
            # The first-line operator who took the call logs it for the caller, already
            # tagged and assigned.
            actor = self.rng.choice(self.people.agents_by_team["l1-service-desk"])
            data.tags = self._tags()
            data.assignee = self.agent
        self.ticket = tickets.create_ticket(actor, data)

    def _urgency(self) -> str:
        urgency = self.opening.urgency
        organization = self.requester.organization
        if organization is not None and organization.is_vip and urgency == Level.LOW:
            return Level.MEDIUM
        if self.rng.random() < 0.2:
            return self.rng.choice(list(Level))
        return urgency

    def _tags(self) -> list[str]:
        tags = [*self.opening.tags, *self.category_texts.tags]
        organization = self.requester.organization
        if organization is not None and organization.is_vip:
            tags.append("vip")
        if self.rng.random() < 0.08:
            tags.append("recurring")
        return tags

    def _triage(self, at: dt.datetime) -> None:
        """The assignee takes the ticket from the team queue, or the supervisor hands it out."""
        assert self.ticket is not None and self.agent is not None
        actor = self.people.supervisor if self.rng.random() < 0.3 else self.agent
        changes = {"assignee": self.agent, "tags": self._tags()}
        with _backdated(self.ticket, at):
            self.ticket = tickets.update_ticket(actor, self.ticket, changes, source="web")

    def _acknowledge(self, at: dt.datetime) -> None:
        self._agent_reply(at, self.rng.choice(self.texts.acknowledgements), minutes=(2, 10))

    def _ask(self, at: dt.datetime) -> None:
        self._agent_reply(at, self.dialogue[0], status=Status.PENDING, minutes=(3, 15))

    def _answer(self, at: dt.datetime) -> None:
        self._requester_reply(at, self.dialogue[1])

    def _note(self, at: dt.datetime) -> None:
        """A working note; each is written once per ticket, and there may be none left."""
        unused = [
            note
            for note in (*self.opening.notes, *self.texts.generic_notes)
            if note not in self.notes_written
        ]
        if unused:
            note = unused[0] if self.rng.random() < 0.7 else self.rng.choice(unused)
            self.notes_written.add(note)
            self._agent_note(at, note, minutes=(10, 90))

    def _hold(self, at: dt.datetime) -> None:
        note, update = self.texts.holds[self.rng.choice(HOLDS[self.slug])]
        self._agent_note(at, note, minutes=(5, 20))
        self._agent_reply(
            at + dt.timedelta(minutes=2), update, status=Status.ON_HOLD, minutes=(3, 10)
        )

    def _escalate(self, at: dt.datetime) -> None:
        assert self.ticket is not None and self.agent is not None
        team = self.people.teams[ESCALATION[self.slug]]
        self.fill["team"] = team.name
        note = self.rng.choice(self.texts.escalation_notes)
        self._agent_note(at, note, minutes=(15, 45))
        specialist = self._pick_agent(team.slug)
        changes = {"team": team, "assignee": specialist, "tier": team.tier}
        with _backdated(self.ticket, at + dt.timedelta(minutes=1)):
            self.ticket = tickets.update_ticket(
                self.agent, self.ticket, changes, reason="escalation", source="web"
            )
        self.agent = specialist

    def _resolve(self, at: dt.datetime, status: str | None = Status.SOLVED) -> None:
        self.resolution = self.rng.choice(self.opening.resolutions)
        self._agent_reply(at, self.resolution, status=status, minutes=(10, 120))

    def _resolve_again(self, at: dt.datetime) -> None:
        """After a reopening, another fix than the first one."""
        others = [text for text in self.opening.resolutions if text != self.resolution]
        fix = self.rng.choice(others or self.texts.second_fixes)
        self._agent_reply(at, fix, status=Status.SOLVED, minutes=(20, 120))

    def _confirm(self, at: dt.datetime) -> None:
        self._requester_reply(at, self.rng.choice(self.texts.confirmations))

    def _close_confirmed(self, at: dt.datetime) -> None:
        closing = self.rng.choice(self.texts.closings)
        self._agent_reply(at, closing, status=Status.SOLVED, minutes=(1, 5))

    def _reopen(self, at: dt.datetime) -> None:
        self._requester_reply(at, self.rng.choice(self.texts.reopenings))

    # --- writing messages -----------------------------------------------------------

    def _requester_wrap(self, body: str) -> str:
        rng, texts = self.rng, self.texts
        if self.channel == Channel.EMAIL:
            greeting = rng.choice(texts.email_greetings)
            signoff = self.fill.render(rng.choice(texts.email_signoffs))
            return f"{greeting}\n\n{body}\n\n{signoff}".strip().rstrip(",")
        if self.channel == Channel.CHAT:
            return rng.choice(texts.chat_openers) + body
        if self.channel == Channel.PHONE:
            return rng.choice(texts.phone_prefixes) + body
        return body

    def _requester_reply(self, at: dt.datetime, template: str) -> None:
        assert self.ticket is not None
        # Phone and API requesters answer by e-mail.
        answered_by = (Channel.EMAIL, Channel.CHAT, Channel.PORTAL)
        channel = self.channel if self.channel in answered_by else Channel.EMAIL
        tickets.add_message(
            self.requester,
            self.ticket,
            body=self.fill.render(template),
            channel=channel,
            created_at=at,
        )

    def _speaking(self, agent: User) -> None:
        self.fill["agent"] = agent.full_name
        self.fill["la"] = "а" if agent.pk in self.people.feminine else ""

    def _agent_reply(
        self,
        at: dt.datetime,
        template: str,
        *,
        status: str | None = None,
        minutes: tuple[int, int],
    ) -> None:
        assert self.ticket is not None and self.agent is not None
        self._speaking(self.agent)
        rng, texts = self.rng, self.texts
        body = "\n\n".join(
            (
                self.fill.render(rng.choice(texts.agent_greetings)),
                self.fill.render(template),
                self.fill.render(rng.choice(texts.agent_signoffs)),
            )
        )
        tickets.add_message(
            self.agent,
            self.ticket,
            body=body,
            channel=Channel.AGENT,
            status=status,
            time_spent_minutes=rng.randint(*minutes),
            created_at=at,
        )

    def _agent_note(self, at: dt.datetime, template: str, *, minutes: tuple[int, int]) -> None:
        assert self.ticket is not None and self.agent is not None
        self._speaking(self.agent)
        tickets.add_message(
            self.agent,
            self.ticket,
            body=self.fill.render(template),
            kind=MessageKind.NOTE,
            channel=Channel.AGENT,
            time_spent_minutes=self.rng.randint(*minutes),
            created_at=at,
        )

    def _pick_agent(self, team_slug: str) -> User:
        """Someone in the team, preferring the requester's language and the category's skill."""
        members = self.people.agents_by_team[team_slug]
        skill = CATEGORY_SKILLS[self.slug]
        weights = [
            (4 if agent.language == self.language else 1)
            * (3 if skill in self.people.skills[agent.pk] else 1)
            * (2 if agent.email == "agent@example.com" else 1)
            for agent in members
        ]
        return self.rng.choices(members, weights)[0]


@contextlib.contextmanager
def _backdated(ticket: Ticket, at: dt.datetime) -> Iterator[None]:
    """Move what a service stamped with the wall clock back to the story's moment."""
    mark = timezone.now()
    yield
    TicketEvent.objects.filter(ticket_id=ticket.pk, created_at__gte=mark).update(created_at=at)
    Ticket.objects.filter(pk=ticket.pk, updated_at__gte=mark).update(updated_at=at)
