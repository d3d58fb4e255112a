from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class Ref(BaseModel):
    id: int
    name: str


class TargetOut(BaseModel):
    priority: str
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None


class PolicyOut(BaseModel):
    id: int
    name: str
    description: str
    position: int
    is_active: bool
    is_default: bool
    calendar: Ref
    organization: Ref | None
    category: Ref | None
    ticket_type: str
    vip_only: bool
    warning_thresholds: list[int]
    breach_action: str
    targets: list[TargetOut]


class HoursOut(BaseModel):
    weekday: int
    start: str
    end: str


class CalendarDateOut(BaseModel):
    date: dt.date
    kind: str
    name: str
    start: str | None
    end: str | None


class CalendarOut(BaseModel):
    id: int
    name: str
    time_zone: str
    is_24x7: bool
    country: str
    subdivision: str
    hours: list[HoursOut]
    dates: list[CalendarDateOut]


class DueOut(BaseModel):
    calendar_id: int
    start: dt.datetime
    minutes: int
    due_at: dt.datetime


class ClockOut(BaseModel):
    metric: str
    status: str  # none | running | paused | stopped | met | breached
    target_minutes: int | None
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    elapsed_minutes: int | None
    remaining_minutes: int | None
    percent: float | None


class AlertOut(BaseModel):
    id: int
    ticket_id: int
    metric: str
    kind: str
    threshold: int
    due_at: dt.datetime
    action: str
    recipient_ids: list[int]
    created_at: dt.datetime


class PolicyRef(BaseModel):
    id: int | None
    name: str


class TicketSlaOut(BaseModel):
    ticket_id: int
    policy: PolicyRef
    calendar_id: int | None
    priority: str
    started_at: dt.datetime
    paused: bool
    paused_at: dt.datetime | None
    paused_minutes: int
    stopped_at: dt.datetime | None
    clocks: list[ClockOut]
    alerts: list[AlertOut]
