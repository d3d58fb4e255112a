from django.urls import path

from helpline.dispatch import rules_views as views

app_name = "rules"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_edit, name="new"),
    path("dry-run/", views.dry_run, name="dry-run"),
    path("test/", views.test_draft, name="test"),
    path("<int:rule_id>/", views.rule_edit, name="edit"),
    path("<int:rule_id>/move/", views.rule_move, name="move"),
    path("<int:rule_id>/active/", views.rule_active, name="active"),
]
