from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundStatus(models.TextChoices):
    """What became of one inbound e-mail (the ledger's outcome column)."""

    CREATED = "created", _("Created a ticket")
    APPENDED = "appended", _("Appended to a ticket")
    NOTED = "noted", _("Internal note on a ticket")
    BOUNCE = "bounce", _("Bounce recorded")
    AUTO_REPLY = "auto_reply", _("Ignored: auto-reply")
    LOOP = "loop", _("Ignored: mail loop")
    QUARANTINED = "quarantined", _("Quarantined")
