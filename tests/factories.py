"""Builders for test data: the personas and small helpers for tickets."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from helpline.accounts.choices import Role, Tier
from helpline.accounts.models import ApiToken, Organization, Team, User, hash_token
from helpline.tickets import services
from helpline.tickets.models import Category, Ticket

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


@dataclass
class Personas:
    requester: User
    other_requester: User
    colleague: User  # same organization as requester, which shares tickets
    l1_agent: User
    l2_agent: User
    agent_other_team: User
    supervisor: User
    admin: User
    l1_team: Team
    l2_team: Team
    l3_team: Team
    organization: Organization
    category: Category

    def all(self) -> dict[str, User]:
        return {
            "requester": self.requester,
            "other_requester": self.other_requester,
            "colleague": self.colleague,
            "l1_agent": self.l1_agent,
            "l2_agent": self.l2_agent,
            "agent_other_team": self.agent_other_team,
            "supervisor": self.supervisor,
            "admin": self.admin,
        }


def make_user(email: str | None = None, *, role: str = Role.REQUESTER, **fields) -> User:
    email = email or f"user{next(_counter)}@example.org"
    return User.objects.create_user(email=email, password=PASSWORD, role=role, **fields)


def make_personas() -> Personas:
    organization = Organization.objects.create(
        name="Acme", domain="acme.example", shares_tickets=True
    )
    l1_team = Team.objects.create(name="L1 Service Desk", slug="l1", tier=Tier.L1)
    l2_team = Team.objects.create(name="L2 Desktop", slug="l2", tier=Tier.L2)
    l3_team = Team.objects.create(name="L3 Infrastructure", slug="l3", tier=Tier.L3)
    category = Category.objects.create(
        name="Printers", name_ru="Принтеры", slug="printers", default_team=l1_team
    )
    l1_agent = make_user("alice@helpline.test", role=Role.AGENT, tier=Tier.L1, full_name="Alice L1")
    l2_agent = make_user("bob@helpline.test", role=Role.AGENT, tier=Tier.L2, full_name="Bob L2")
    agent_other_team = make_user(
        "carol@helpline.test", role=Role.AGENT, tier=Tier.L3, full_name="Carol L3"
    )
    l1_team.members.add(l1_agent)
    l2_team.members.add(l2_agent)
    l3_team.members.add(agent_other_team)
    return Personas(
        requester=make_user(
            "rita@acme.example", full_name="Rita Requester", organization=organization
        ),
        other_requester=make_user("oscar@other.example", full_name="Oscar Other"),
        colleague=make_user(
            "colin@acme.example", full_name="Colin Colleague", organization=organization
        ),
        l1_agent=l1_agent,
        l2_agent=l2_agent,
        agent_other_team=agent_other_team,
        supervisor=make_user("sue@helpline.test", role=Role.SUPERVISOR, full_name="Sue Supervisor"),
        admin=make_user("adam@helpline.test", role=Role.ADMIN, full_name="Adam Admin"),
        l1_team=l1_team,
        l2_team=l2_team,
        l3_team=l3_team,
        organization=organization,
        category=category,
    )


def make_ticket(
    requester: User,
    *,
    actor: User | None = None,
    subject: str = "Printer does not print",
    body: str = "The office printer shows a paper jam.",
    **fields,
) -> Ticket:
    data = services.NewTicket(subject=subject, body=body, requester=requester, **fields)
    return services.create_ticket(actor or requester, data)


def token_for(user: User, scopes: list[str] | None = None) -> str:
    raw = ApiToken.generate_raw()
    ApiToken.objects.create(
        user=user, key_hash=hash_token(raw), hint=raw[:10], scopes=scopes or ["*"]
    )
    return raw


def auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def record_saves(monkeypatch, model, calls: list) -> None:
    """Append "save" to `calls` whenever `model.save()` runs (it still saves)."""
    save = model.save

    def recorded(self, *args, **kwargs):
        calls.append("save")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", recorded)
