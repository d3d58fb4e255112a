"""The ITIL impact x urgency matrix. Pure: no database, easy to test as a property."""

from __future__ import annotations

from helpline.tickets.choices import Level, Priority

_RANK = {Level.HIGH: 0, Level.MEDIUM: 1, Level.LOW: 2}

# Rows: impact (high, medium, low); columns: urgency (high, medium, low).
MATRIX: tuple[tuple[Priority, ...], ...] = (
    (Priority.P1, Priority.P2, Priority.P3),
    (Priority.P2, Priority.P3, Priority.P4),
    (Priority.P3, Priority.P4, Priority.P4),
)


def priority_for(impact: str, urgency: str) -> Priority:
    """The priority an impact and an urgency give, e.g. high x high -> P1."""
    return MATRIX[_RANK[Level(impact)]][_RANK[Level(urgency)]]
