"""Time-based one-time passwords (RFC 6238) for the optional second sign-in factor."""

from __future__ import annotations

import pyotp
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from helpline.accounts.models import User
from helpline.core.problems import ServiceError

ISSUER = "Helpline"


def provisioning_uri(user: User) -> str:
    """The otpauth:// URI an authenticator app imports (as text or a QR code)."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def verify(user: User, code: str) -> bool:
    """Check a code (one step of clock drift allowed); a code works only once."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not user.totp_secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    if not totp.verify(code, valid_window=1):
        return False
    # Refuse a replay of the same code within its validity window.
    return cache.add(f"totp-used:{user.pk}:{code}", True, timeout=120)


@transaction.atomic
def start_enrolment(user: User) -> str:
    """Give the user a fresh secret (not active until confirmed); returns the otpauth URI."""
    if user.has_second_factor:
        raise ServiceError("Two-factor sign-in is already on.", code="totp-enabled", status=409)
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return provisioning_uri(user)


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> None:
    if not user.totp_secret or not verify(user, code):
        raise ServiceError(
            "That code is not right. Check the time on your phone and try again.",
            code="totp-invalid",
            status=422,
        )
    user.totp_enabled_at = timezone.now()
    user.save(update_fields=["totp_enabled_at"])


@transaction.atomic
def disable(user: User, code: str) -> None:
    if not user.has_second_factor:
        return
    if not verify(user, code):
        raise ServiceError("That code is not right.", code="totp-invalid", status=422)
    user.totp_secret, user.totp_enabled_at = "", None
    user.save(update_fields=["totp_secret", "totp_enabled_at"])
