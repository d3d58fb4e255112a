"""Dispatch: the triage model's versions and the predictions it made."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TriageModelQuerySet(models.QuerySet):
    def without_payload(self) -> TriageModelQuerySet:
        """Listings never need the model's megabytes."""
        return self.defer("payload")


class TriageModel(models.Model):
    """One trained version of the triage classifier, with its evaluation report.

    The fitted classifier is stored in the row (`payload`), not as a file: every web
    node and worker, on any machine, reads the same version from the one database;
    it is in the database backup; and a version cannot exist without its model or
    the other way round. Old versions are pruned (see services.KEEP_VERSIONS).
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("The version used for new tickets")
    )
    trigger = models.CharField(
        _("trigger"), max_length=20, blank=True, help_text="schedule, command, api"
    )
    fields = models.JSONField(_("predicted fields"), default=list)
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(
        _("metrics"), default=dict, help_text="Per field: accuracy, macro-F1, per class, confusion"
    )
    train_seconds = models.FloatField(default=0)
    payload = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)

    objects = TriageModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")

    def __str__(self) -> str:
        return f"triage v{self.version}"


class TriagePrediction(models.Model):
    """What triage predicted for a ticket's field, how sure it was, and whether it set it.

    Kept for every prediction, so accuracy in production can be measured against the
    values agents finally left on the tickets.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="triage_predictions"
    )
    model = models.ForeignKey(
        TriageModel, null=True, on_delete=models.SET_NULL, related_name="predictions"
    )
    model_version = models.PositiveIntegerField()
    field = models.CharField(max_length=20)
    predicted = models.CharField(
        max_length=100, help_text="The label: a category or team id, or a priority"
    )
    confidence = models.FloatField()
    applied = models.BooleanField(default=False, help_text="Set on the ticket by triage")
    top_terms = models.JSONField(default=list, blank=True)
    alternatives = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ticket", "field", "-id"], name="triage_pred_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.field}={self.predicted} ({self.confidence:.2f}) on #{self.ticket_id}"


from helpline.dispatch.rule_models import Macro, Rule, RuleFiring, RuleTrigger  # noqa: E402,F401
