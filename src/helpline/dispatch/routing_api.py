"""Presence, the supervisor's overview and shift handover notes over REST."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from helpline.accounts.models import HandoverNote, Team
from helpline.core.problems import Forbidden, NotFound
from helpline.dispatch import routing

router = Router(tags=["routing"])


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "away", "offline"]


class PresenceOut(BaseModel):
    status: str
    last_seen_at: dt.datetime | None


class HandoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000)


class HandoverOut(BaseModel):
    id: int
    team_id: int
    author: str
    text: str
    created_at: dt.datetime


def _agent(request: HttpRequest) -> None:
    if not request.user.is_agent:
        raise Forbidden("Only agents may do this.")


@router.post("/presence", response=PresenceOut, summary="Set my presence (online, away, offline)")
def set_presence(request: HttpRequest, payload: PresenceIn):
    _agent(request)
    presence = routing.set_presence(request.user, payload.status)
    return {"status": presence.status, "last_seen_at": presence.last_seen_at}


@router.get(
    "/supervisor/overview", summary="Who is on shift, their load, unassigned and at-risk tickets"
)
def supervisor_overview(request: HttpRequest):
    if not request.user.sees_all_tickets:
        raise Forbidden("Only supervisors and administrators see the overview.")
    return routing.overview()


def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound("No such team.")
    return team


def _note_out(note: HandoverNote) -> dict:
    return {
        "id": note.pk,
        "team_id": note.team_id,
        "author": note.author.get_full_name() if note.author else "",
        "text": note.text,
        "created_at": note.created_at,
    }


@router.get(
    "/teams/{team_id}/handover-notes",
    response=list[HandoverOut],
    summary="Recent shift handover notes",
)
def list_handover_notes(request: HttpRequest, team_id: int):
    _agent(request)
    team = _team(team_id)
    return [_note_out(n) for n in team.handover_notes.select_related("author")[:50]]


@router.post(
    "/teams/{team_id}/handover-notes",
    response={201: HandoverOut},
    summary="Leave a note for the next shift",
)
def add_handover_note(request: HttpRequest, team_id: int, payload: HandoverIn):
    _agent(request)
    note = routing.add_handover_note(request.user, _team(team_id), payload.text)
    return 201, _note_out(note)
