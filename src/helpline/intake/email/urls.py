from django.urls import path

from helpline.intake.email import views

urlpatterns = [
    path("<int:ledger_id>/raw", views.raw_email, name="intake-email-raw"),
    path(
        "<int:ledger_id>/inline/<path:content_id>", views.inline_image, name="intake-email-inline"
    ),
]
