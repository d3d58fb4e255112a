"""Which policy a ticket gets, from an in-process snapshot of the SLA configuration.

Every ticket write triggers an SLA computation, so the configuration (policies, targets,
compiled calendars, the category tree) is loaded once per process and kept for a short
time; services that change it call `forget_config()` after commit. The compiled
calendars also keep their per-day segments, which makes repeated computations cheap.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from helpline.sla.calendars import build_calendar
from helpline.sla.clock import Calendar
from helpline.sla.models import BusinessCalendar, CalendarDate, SlaPolicy, WorkingHours
from helpline.tickets.models import Category

CONFIG_SECONDS = 30.0


@dataclass(frozen=True)
class Targets:
    """Business minutes per metric for one priority; None = no target."""

    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None


@dataclass(frozen=True)
class TicketFacts:
    """What policy conditions look at."""

    priority: str
    ticket_type: str
    category_id: int | None
    organization_id: int | None
    is_vip: bool


@dataclass(frozen=True)
class PolicyRule:
    id: int
    name: str
    is_default: bool
    calendar_id: int
    organization_id: int | None
    category_id: int | None
    ticket_type: str
    vip_only: bool
    thresholds: tuple[int, ...]
    breach_action: str
    targets: dict[str, Targets] = field(default_factory=dict)

    def matches(self, facts: TicketFacts, categories: frozenset[int]) -> bool:
        if self.organization_id is not None and self.organization_id != facts.organization_id:
            return False
        if self.category_id is not None and self.category_id not in categories:
            return False
        if self.ticket_type and self.ticket_type != facts.ticket_type:
            return False
        return not (self.vip_only and not facts.is_vip)

    def targets_for(self, priority: str) -> Targets:
        return self.targets.get(priority, Targets())


@dataclass
class SlaConfig:
    policies: list[PolicyRule]
    default: PolicyRule | None
    calendar_rows: dict[int, BusinessCalendar]
    category_parents: dict[int, int | None]
    compiled: dict[int, Calendar] = field(default_factory=dict)

    def category_chain(self, category_id: int | None) -> frozenset[int]:
        chain: set[int] = set()
        while category_id is not None and category_id not in chain:
            chain.add(category_id)
            category_id = self.category_parents.get(category_id)
        return frozenset(chain)

    def policy_for(self, facts: TicketFacts) -> PolicyRule | None:
        """The first active policy (by position) whose conditions match, else the default."""
        chain = self.category_chain(facts.category_id)
        for rule in self.policies:
            if rule.matches(facts, chain):
                return rule
        return self.default

    def calendar(self, calendar_id: int | None) -> Calendar | None:
        """The compiled calendar, built on first use (public holidays cost milliseconds)."""
        calendar = self.compiled.get(calendar_id)  # type: ignore[arg-type]
        if calendar is None:
            row = self.calendar_rows.get(calendar_id)  # type: ignore[arg-type]
            if row is None:
                return None
            calendar = self.compiled[row.pk] = _compiled(row)
        return calendar


def _rule(policy: SlaPolicy) -> PolicyRule:
    thresholds = tuple(
        sorted({int(p) for p in policy.warning_thresholds or () if 0 < int(p) < 100})
    )
    return PolicyRule(
        id=policy.pk,
        name=policy.name,
        is_default=policy.is_default,
        calendar_id=policy.calendar_id,
        organization_id=policy.organization_id,
        category_id=policy.category_id,
        ticket_type=policy.ticket_type,
        vip_only=policy.vip_only,
        thresholds=thresholds,
        breach_action=policy.breach_action,
        targets={
            t.priority: Targets(
                t.first_response_minutes, t.next_response_minutes, t.resolution_minutes
            )
            for t in policy.targets.all()
        },
    )


# Compiled calendars survive reloads while their rows are unchanged, so that the per-day
# segments they have cached are not thrown away every CONFIG_SECONDS.
_compiled_calendars: dict[tuple, Calendar] = {}


def _compiled(row: BusinessCalendar) -> Calendar:
    hours, dates = list(row.hours.all()), list(row.dates.all())
    key = (
        row.pk,
        row.time_zone,
        row.is_24x7,
        row.country,
        row.subdivision,
        timezone.localdate().year,
        tuple((h.weekday, h.start_time, h.end_time) for h in hours),
        tuple((d.date, d.kind, d.start_time, d.end_time) for d in dates),
    )
    calendar = _compiled_calendars.get(key)
    if calendar is None:
        if len(_compiled_calendars) > 256:
            _compiled_calendars.clear()
        calendar = _compiled_calendars[key] = build_calendar(row, hours, dates)
    return calendar


def load_config() -> SlaConfig:
    """Read the whole SLA configuration: six queries, however many policies there are."""
    policies = [
        _rule(p) for p in SlaPolicy.objects.filter(is_active=True).prefetch_related("targets")
    ]
    rows = BusinessCalendar.objects.prefetch_related(
        Prefetch("hours", queryset=WorkingHours.objects.order_by("weekday", "start_time")),
        Prefetch("dates", queryset=CalendarDate.objects.order_by("date")),
    )
    calendar_rows = {row.pk: row for row in rows}
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    default = next((p for p in policies if p.is_default), None)
    return SlaConfig(
        policies=[p for p in policies if not p.is_default],
        default=default,
        calendar_rows=calendar_rows,
        category_parents=parents,
    )


_lock = threading.Lock()
_cached: tuple[float, SlaConfig] | None = None


def current_config() -> SlaConfig:
    """The configuration snapshot of this process, reloaded after CONFIG_SECONDS."""
    global _cached
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < CONFIG_SECONDS:
        return cached[1]
    with _lock:
        config = load_config()
        _cached = (time.monotonic(), config)
    return config


def forget_config() -> None:
    """Drop this process's snapshot (other processes reload within CONFIG_SECONDS)."""
    global _cached
    _cached = None


def calendar_by_id(calendar_id: int) -> Calendar:
    """A compiled calendar; reloads the snapshot once if the calendar is newer than it."""
    calendar = current_config().calendar(calendar_id)
    if calendar is None:
        forget_config()
        calendar = current_config().calendar(calendar_id)
    if calendar is None:
        raise KeyError(calendar_id)
    return calendar
