"""Outgoing webhooks: queued in the database, POSTed with an HMAC signature, retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpline.notifications.choices import DeliveryStatus
from helpline.notifications.models import WebhookDelivery

logger = logging.getLogger(__name__)


def queue_webhook(url: str, payload: dict, dedupe_key: str) -> WebhookDelivery | None:
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                url=url, payload=payload, dedupe_key=dedupe_key[:200]
            )
    except IntegrityError:
        return None


def signature(body: bytes) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), body, hashlib.sha256).hexdigest()


def deliver_webhooks(limit: int = 50) -> dict[str, int]:
    from helpline.notifications.services import failed_attempt

    counts = {"sent": 0, "retried": 0, "failed": 0}
    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)[
            :limit
        ]
    )
    for delivery in due:
        body = json.dumps(delivery.payload, ensure_ascii=False, default=str).encode()
        request = urllib.request.Request(  # noqa: S310 - only http(s) URLs pass rule validation
            delivery.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Helpline-Webhook/1",
                "X-Helpline-Signature": f"sha256={signature(body)}",
                "X-Helpline-Delivery": str(delivery.pk),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                code = response.status
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                response_status=code,
                attempts=delivery.attempts + 1,
            )
            counts["sent"] += 1
        except (urllib.error.URLError, OSError, ValueError) as exc:
            update = failed_attempt(delivery.attempts, exc, now)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
            counts["failed" if update["status"] == DeliveryStatus.FAILED else "retried"] += 1
            logger.warning("webhook %s to %s failed: %s", delivery.pk, delivery.url, exc)
    return counts
