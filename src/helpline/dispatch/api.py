"""Dispatch over REST: what auto-triage predicted for a ticket, and why."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from helpline.dispatch import selectors

router = Router(tags=["dispatch"])


class TermOut(Schema):
    term: str
    weight: float


class AlternativeOut(Schema):
    label: str
    display: str


class PredictionOut(Schema):
    field: str
    label: str
    display: str
    confidence: float
    applied: bool
    matches_ticket: bool
    top_terms: list[TermOut]
    alternatives: list[AlternativeOut]
    model_version: int
    created_at: dt.datetime


class TriageOut(Schema):
    ticket_id: int
    model_version: int | None
    threshold: float
    predictions: list[PredictionOut]


@router.get(
    "/tickets/{ticket_id}/triage",
    response=TriageOut,
    summary="Auto-triage predictions for a ticket, with the words behind them (agents only)",
)
def ticket_triage(request: HttpRequest, ticket_id: int):
    view = selectors.triage_for(request.user, ticket_id)
    return {
        "ticket_id": view.ticket_id,
        "model_version": view.model_version,
        "threshold": settings.TRIAGE_AUTO_APPLY_CONFIDENCE,
        "predictions": view.predictions,
    }
