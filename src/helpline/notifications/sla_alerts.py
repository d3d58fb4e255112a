"""SLA warnings and breaches become e-mails to the assignee and the supervisors."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpline.accounts.models import User
from helpline.notifications.models import OutboundEmail
from helpline.notifications.rendering import (
    _render,
    _zone,
    links,
    subject_for,
    thread_headers,
    ticket_message_id,
)
from helpline.tickets.models import Ticket

logger = logging.getLogger(__name__)

METRIC_LABELS = {
    "first_response": gettext_lazy("First response"),
    "next_response": gettext_lazy("Next response"),
    "resolution": gettext_lazy("Resolution"),
}


def on_sla_alert(alert) -> int:
    """sla.events subscriber (after commit): queue one e-mail per recipient. Returns how many."""
    ticket = (
        Ticket.objects.select_related("assignee", "requester", "team")
        .filter(pk=alert.ticket_id)
        .first()
    )
    if ticket is None:
        return 0
    in_reply_to, references = thread_headers(ticket)
    queued = 0
    for user in User.objects.filter(pk__in=alert.recipient_ids, is_active=True):
        with translation.override(user.language):
            if alert.kind == "breach":
                subject = _("SLA breached: %(subject)s") % {"subject": ticket.subject}
            else:
                subject = _("SLA warning (%(threshold)s%%): %(subject)s") % {
                    "threshold": alert.threshold,
                    "subject": ticket.subject,
                }
            context = {
                **links(ticket),
                "ticket": ticket,
                "alert": alert,
                "recipient": user,
                "for_agent": True,
                "metric_label": METRIC_LABELS.get(alert.metric, alert.metric),
            }
            with timezone.override(_zone(user)):
                text, html = _render("sla", context)
        try:
            with transaction.atomic():
                OutboundEmail.objects.create(
                    dedupe_key=f"sla:{alert.alert_id}:{user.pk}",
                    ticket=ticket,
                    to=user.email,
                    subject=subject_for(ticket, subject)[:300],
                    body_text=text,
                    body_html=html,
                    message_id=ticket_message_id(ticket, f"sla{alert.alert_id}.{user.pk}"),
                    in_reply_to=in_reply_to,
                    references=references,
                    auto_submitted="auto-generated",
                )
            queued += 1
        except IntegrityError:
            logger.info("SLA alert %s already queued for %s", alert.alert_id, user.email)
    return queued
