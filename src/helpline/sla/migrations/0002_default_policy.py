"""Seed a 24/7 calendar with the default policy, and a Moscow office-hours calendar.

The default policy keeps the targets tickets had before SLA policies existed
(tickets.services.DEFAULT_TARGETS_HOURS), so installing the app changes no due date.
"""

import datetime as dt

from django.db import migrations

# (first response, resolution) in hours, as tickets.services.DEFAULT_TARGETS_HOURS.
DEFAULT_TARGETS = {"P1": (1, 4), "P2": (4, 24), "P3": (8, 72), "P4": (24, 120)}


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingHours = apps.get_model("sla", "WorkingHours")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    always = BusinessCalendar.objects.create(name="24/7", time_zone="UTC", is_24x7=True)
    moscow = BusinessCalendar.objects.create(
        name="Moscow office hours", time_zone="Europe/Moscow", country="RU"
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=moscow, weekday=day, start_time=dt.time(9), end_time=dt.time(18))
        for day in range(5)
    )
    policy = SlaPolicy.objects.create(
        name="Default", is_default=True, position=1000, calendar=always
    )
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priority,
            first_response_minutes=respond * 60,
            next_response_minutes=respond * 60,
            resolution_minutes=resolve * 60,
        )
        for priority, (respond, resolve) in DEFAULT_TARGETS.items()
    )


def unseed(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.filter(name="Default").delete()
    apps.get_model("sla", "BusinessCalendar").objects.filter(
        name__in=["24/7", "Moscow office hours"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
