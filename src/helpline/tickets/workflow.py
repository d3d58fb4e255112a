"""The ticket status state machine. Pure: which moves are allowed, and what a reply does."""

from __future__ import annotations

from helpline.tickets.choices import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED, Status.CLOSED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[Status(current)]


def status_after_requester_reply(current: str) -> str:
    """A requester's answer puts the ball back in our court; a solved ticket reopens."""
    if current in (Status.PENDING, Status.SOLVED, Status.ON_HOLD):
        return Status.OPEN
    return current


def status_after_agent_reply(current: str) -> str:
    """An agent's first public reply takes a new ticket into work."""
    return Status.OPEN if current == Status.NEW else current


def is_final(status: str) -> bool:
    return status == Status.CLOSED
