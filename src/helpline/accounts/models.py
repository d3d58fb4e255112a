"""People and structure: users and their roles, agents' tiers and skills, teams, organizations."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.accounts.choices import (
    STAFF_ROLES,
    Language,
    PresenceStatus,
    Role,
    RoutingStrategy,
    Tier,
)
from helpline.accounts.managers import UserManager


class Organization(models.Model):
    """A customer company or an internal department whose people raise requests."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    domain = models.CharField(_("e-mail domain"), max_length=200, blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    shares_tickets = models.BooleanField(_("members see each other's tickets"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """Something an agent can do (e.g. "printers", "1C", "networking"), used for routing."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: requesters, agents, supervisors and administrators."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True, db_index=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.REQUESTER, db_index=True
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Optional second factor (RFC 6238 TOTP). The secret is set when enrolment starts and
    # only used once the user confirmed a code from their authenticator app.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled_at = models.DateTimeField(null=True, blank=True)
    max_open_tickets = models.PositiveIntegerField(
        _("capacity"),
        default=0,
        help_text=_("Most active tickets routing may give this agent; 0 = no limit"),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]

    @property
    def is_staff(self) -> bool:  # Django admin entry
        return self.role == Role.ADMIN

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_enabled_at and self.totp_secret)

    @property
    def is_agent(self) -> bool:
        """True for everyone who works tickets (agents, supervisors, admins)."""
        return self.role in STAFF_ROLES

    @property
    def sees_all_tickets(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Team(models.Model):
    """A group of agents that owns a queue, e.g. "L1 Service Desk"."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    email = models.EmailField(_("reply-to address"), blank=True)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    routing_strategy = models.CharField(
        _("routing"), max_length=20, choices=RoutingStrategy.choices, default=RoutingStrategy.MANUAL
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    last_assigned = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handoff_team = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow the sun: hand off to"),
        help_text=_(
            "When nobody here is on shift, new tickets go to this team (e.g. the next time zone)"
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "hl_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to recognise the token")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    def allows(self, scope: str) -> bool:
        return "*" in self.scopes or scope in self.scopes


class AgentPresence(models.Model):
    """Whether an agent is at their desk: online, away (idle) or offline."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="presence")
    status = models.CharField(
        max_length=10, choices=PresenceStatus.choices, default=PresenceStatus.OFFLINE
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}: {self.status}"


class Shift(models.Model):
    """A weekly recurring working window of one agent in one team, in the team's time zone."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), help_text=_("0 = Monday ... 6 = Sunday")
    )
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(
        _("ends"), help_text=_("Earlier than the start: the shift runs past midnight")
    )

    class Meta:
        ordering = ["team", "weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.agent} {self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class OnCall(models.Model):
    """Who is on call for a team between two moments (the out-of-hours rota)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="on_call")
    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="on_call")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.agent} on call for {self.team}"


class HandoverNote(models.Model):
    """What one shift tells the next: open issues, things to watch."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="handover_notes")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.team} {self.created_at:%Y-%m-%d %H:%M}"
