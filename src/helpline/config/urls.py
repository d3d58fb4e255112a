from django.contrib import admin
from django.urls import include, path

from helpline.api.api import api
from helpline.config.env import env_bool
from helpline.core import health
from helpline.dispatch import views as dispatch_views
from helpline.tickets import views as ticket_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path(
        "attachments/<int:attachment_id>/download",
        ticket_views.download,
        name="attachment-download",
    ),
    path("mail/", include("helpline.intake.email.urls")),
    path("admin/", admin.site.urls),
    path("supervisor/", dispatch_views.supervisor, name="supervisor"),
    path("rules/", include("helpline.dispatch.rules_urls")),
    path("tickets/<int:number>/macro/", dispatch_views.apply_macro, name="apply-macro"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("helpline.intake.portal.urls")),
    path("kb/manage/", include("helpline.kb.manage_urls")),
    path("kb/", include("helpline.kb.urls")),
    path("", include("helpline.accounts.urls")),
    path("", include("helpline.tickets.urls")),
]

if env_bool("HELPLINE_BENCH_ENDPOINTS", default=False):
    # bench/intake.py's bare endpoint; never mounted in normal deployments.
    from helpline.core import bench_views

    urlpatterns.append(path("bench/insert", bench_views.bare_insert, name="bench-insert"))
