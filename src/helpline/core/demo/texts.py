"""The shapes the demo text modules fill in, and the placeholder filler they are read with."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Pool = Sequence[str] | Callable[[random.Random], str]


@dataclass(frozen=True)
class Opening:
    """One kind of problem in a category: how the requester reports it and how it ends."""

    subject: str
    body: str
    resolutions: tuple[str, ...]  # the agent's solving reply
    type: str = "incident"
    impact: str = "medium"
    urgency: str = "medium"
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # internal notes while the work goes on
    # (an agent's question that puts the ticket on pending, the requester's answer)
    dialogues: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CategoryTexts:
    """The openings of one category in one language."""

    openings: tuple[Opening, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguageTexts:
    """One language's texts: per category, the conversation glue, and the placeholder pools."""

    categories: Mapping[str, CategoryTexts]
    email_greetings: tuple[str, ...]
    email_signoffs: tuple[str, ...]
    chat_openers: tuple[str, ...]
    phone_prefixes: tuple[str, ...]
    agent_greetings: tuple[str, ...]
    agent_signoffs: tuple[str, ...]
    acknowledgements: tuple[str, ...]
    confirmations: tuple[str, ...]  # the requester says the fix works
    closings: tuple[str, ...]  # the agent's short reply that solves a confirmed fix
    reopenings: tuple[str, ...]  # the requester says it is broken again
    second_fixes: tuple[str, ...]  # solving a reopened ticket when no other fix fits
    escalation_notes: tuple[str, ...]
    # Why work waits on a third party ("part", "vendor", "budget"): the internal note
    # and the public reply telling the requester.
    holds: Mapping[str, tuple[str, str]]
    # Questions and answers for openings that have none of their own.
    incident_dialogues: tuple[tuple[str, str], ...]
    request_dialogues: tuple[tuple[str, str], ...]
    generic_notes: tuple[str, ...]
    pools: Mapping[str, Pool] = field(default_factory=dict)


class Fill(dict):
    """A str.format_map mapping that draws each placeholder once per ticket from its pool.

    The same ticket then mentions the same printer, room or error code all along.
    """

    def __init__(self, pools: Mapping[str, Pool], rng: random.Random, **fixed: str) -> None:
        super().__init__(fixed)
        self._pools = pools
        self._rng = rng

    def __missing__(self, key: str) -> str:
        pool = self._pools[key]
        value = pool(self._rng) if callable(pool) else self._rng.choice(pool)
        self[key] = value
        return value

    def render(self, template: str) -> str:
        return template.format_map(self)
