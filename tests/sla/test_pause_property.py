"""Pausing never eats into or adds to the target: a property over random pauses."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.sla.clock import Calendar, business_minutes_between
from helpline.sla.models import TicketSla
from helpline.sla.services import _reconcile_status, due_dates

OFFICE = ((540, 1080),)
BERLIN = Calendar("Europe/Berlin", (OFFICE,) * 5 + ((), ()))
START = dt.datetime(2025, 3, 27, 8, 0, tzinfo=dt.UTC)  # Thursday before the DST change


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.integers(1, 5 * 540),
    gaps=st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 3000)), max_size=4),
)
def test_due_date_keeps_the_target_net_of_business_time_paused(target, gaps):
    state = TicketSla(started_at=START, resolution_minutes=target)
    moment, paused_total = START, 0.0
    for running, paused in gaps:
        moment += dt.timedelta(minutes=running)
        _reconcile_status(state, SimpleNamespace(status="pending"), BERLIN, moment)
        resume = moment + dt.timedelta(minutes=paused)
        paused_total += business_minutes_between(moment, resume, BERLIN)
        _reconcile_status(state, SimpleNamespace(status="open"), BERLIN, resume)
        moment = resume

    due_dates(state, BERLIN)

    assert state.paused_minutes == paused_total
    assert business_minutes_between(START, state.resolution_due_at, BERLIN) == (
        target + paused_total
    )
