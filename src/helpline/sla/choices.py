from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class BreachAction(models.TextChoices):
    RECORD = "record", _("Record the breach only")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority one step")
    ESCALATE_TIER = "escalate_tier", _("Move the ticket to the next tier")


class DateKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKING_DAY = "working_day", _("Extra working day")


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
