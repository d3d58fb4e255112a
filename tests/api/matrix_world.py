"""The authorisation matrix's building blocks: the world, rows, expectations, a snapshot.

The world is the personas plus the requester's tickets, an internal note and attachments.
Rows for the core endpoints live in test_authorization_matrix.py; an app that mounts
its own router adds its rows in `tests/<app>/api_matrix.py` (or
`tests/api/matrix_rows_<app>.py`) as a module-level `ROWS: list[Row]`; they are picked
up automatically.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from helpline.accounts.models import ApiToken, Organization, Team, User
from helpline.tickets import services
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import (
    Attachment,
    Category,
    CustomField,
    IdempotencyKey,
    Message,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tests.factories import Personas, make_ticket, token_for

PERSONAS = (
    "anonymous",
    "requester",
    "other_requester",
    "colleague",
    "l1_agent",
    "l2_agent",
    "agent_other_team",
    "supervisor",
    "admin",
)


@dataclass
class World:
    p: Personas
    ticket: Ticket  # the requester's, routed to L1 by its category
    second_ticket: Ticket  # the requester's too, in L1: a merge and link target
    note: Message  # an internal note on `ticket`, with an attachment
    public_attachment: Attachment  # on the requester's public reply
    note_attachment: Attachment  # on the internal note
    spare_token: ApiToken  # a second token of the requester, to revoke
    extra: dict[str, Any] = field(default_factory=dict)  # what a row's `given` made

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self.p, persona)

    def headers(self, persona: str, scopes: list[str] | None = None) -> dict[str, str]:
        user = self.user(persona)
        if user is None:
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {token_for(user, scopes)}"}


# Who sees the requester's ticket: the requester, their colleague (the organization
# shares tickets), the L1 team it is routed to, supervisors and admins.
SEES_TICKET = ("requester", "colleague", "l1_agent", "supervisor", "admin")
REQUESTERS = ("requester", "other_requester", "colleague")
AGENTS = ("l1_agent", "l2_agent", "agent_other_team")
STAFF = (*AGENTS, "supervisor", "admin")


def expect(default: int, *, anonymous: int = 401, **overrides: int) -> dict[str, int]:
    """`default` for every signed-in persona, 401 for anonymous, unless overridden."""
    statuses = {persona: default for persona in PERSONAS}
    statuses["anonymous"] = anonymous
    statuses.update(overrides)
    return statuses


def on_ticket(ok: int, **overrides: int) -> dict[str, int]:
    """`ok` for those who see the requester's ticket, 404 for everyone else."""
    statuses = expect(404)
    for persona in SEES_TICKET:
        statuses[persona] = ok
    statuses.update(overrides)
    return statuses


def admin_only(ok: int, denied: int = 403, **overrides: int) -> dict[str, int]:
    return expect(denied, admin=ok, **overrides)


def staff_only(ok: int, denied: int = 403, **overrides: int) -> dict[str, int]:
    statuses = expect(denied)
    for persona in STAFF:
        statuses[persona] = ok
    statuses.update(overrides)
    return statuses


@dataclass(frozen=True)
class Row:
    """One endpoint (maybe one variant of its input) and the status each persona gets."""

    method: str
    path: str  # the OpenAPI path template, relative to /api/v1
    expected: dict[str, int]
    url: Callable[[World], str]
    body: Callable[[World, str], dict[str, Any]] | None = None
    multipart: bool = False
    variant: str = ""
    given: Callable[[World], None] | None = None  # extra set-up, run before the snapshot

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")


def app_rows() -> list[Row]:
    """Rows contributed by other apps' test packages."""
    tests_dir = Path(__file__).resolve().parent.parent
    modules = [f"tests.{p.parent.name}.api_matrix" for p in tests_dir.glob("*/api_matrix.py")]
    modules += [f"tests.api.{p.stem}" for p in tests_dir.glob("api/matrix_rows_*.py")]
    rows: list[Row] = []
    for name in sorted(modules):
        rows.extend(importlib.import_module(name).ROWS)
    return rows


def build_world(p: Personas) -> World:
    ticket = make_ticket(p.requester, subject="Printer on floor 3", category=p.category)
    second = make_ticket(p.requester, subject="Printer on floor 4", category=p.category)
    reply = services.add_message(
        p.requester,
        ticket,
        body="Here is a photo of the error",
        attachments=[IncomingFile("photo.png", b"\x89PNG public", "image/png")],
    )
    note = services.add_message(
        p.l1_agent,
        ticket,
        body="Internal: the requester is on the VIP list",
        kind="note",
        attachments=[IncomingFile("vip-list.txt", b"internal only", "text/plain")],
    )
    spare_raw = token_for(p.requester)
    spare_token = ApiToken.objects.get(hint=spare_raw[:10])
    return World(
        p=p,
        ticket=ticket,
        second_ticket=second,
        note=note,
        public_attachment=reply.attachments.get(),
        note_attachment=note.attachments.get(),
        spare_token=spare_token,
    )


# Every table an API call could write, with the columns that change on a mere read
# (a token's last use) left out.
_SNAPSHOT_MODELS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (Ticket, ()),
    (Message, ()),
    (TicketEvent, ()),
    (Attachment, ()),
    (TicketLink, ()),
    (Tag, ()),
    (IdempotencyKey, ()),
    (Category, ()),
    (CustomField, ()),
    (User, ("last_login",)),
    (Organization, ()),
    (Team, ()),
    (ApiToken, ("last_used_at",)),
)


def _media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def snapshot() -> dict[str, Any]:
    """The whole state an API call could change: every row and every stored file."""
    state: dict[str, Any] = {}
    for model, volatile in _SNAPSHOT_MODELS:
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            for name in volatile:
                row.pop(name, None)
        state[model.__name__] = rows
    state["team_members"] = sorted(Team.members.through.objects.values_list("team_id", "user_id"))
    state["user_skills"] = sorted(User.skills.through.objects.values_list("user_id", "skill_id"))
    state["ticket_tags"] = sorted(Ticket.tags.through.objects.values_list("ticket_id", "tag_id"))
    state["files"] = _media_files()
    return state
